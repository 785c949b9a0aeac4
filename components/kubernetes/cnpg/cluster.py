"""The ``postgresql.cnpg.io/v1`` ``Cluster``: TimescaleDB instances built from the spec.

The TimescaleDB image of the spec's major, parameters tuned from the pod size, a synchronous
replica and zone anti-affinity where asked, the owner's database bootstrapped with its
extensions, the program's server CA, and continuous WAL archiving and base backups to object
storage through barman-cloud where a destination is given.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from components.kubernetes.cnpg.args import CnpgPostgresArgs
from components.kubernetes.cnpg.backups import backup_spec
from components.kubernetes.cnpg.certificates import credentials_secret, server_ca_secret
from components.kubernetes.cnpg.timescale import (
    TIMESCALE_IMAGE,
    TIMESCALE_TAGS,
    preloads_timescale,
    timescale_parameters,
)
from infra.naming import child

# The engine awaits the Cluster until the operator reports it Ready (pulumi-kubernetes 4.18+
# ``pulumi.com/waitFor``); initdb, image pulls and replicas joining take minutes, more than the
# engine's default 10.
WAIT_FOR_READY = {"pulumi.com/waitFor": "condition=Ready"}
CLUSTER_READY_TIMEOUT = "30m"


def _postgresql(args: CnpgPostgresArgs) -> dict[str, object]:
    spec = args.spec
    preload = preloads_timescale(spec)
    postgresql: dict[str, object] = {
        "parameters": timescale_parameters(spec),
        "shared_preload_libraries": ["timescaledb"] if preload else [],
    }
    if spec.synchronous_replicas:
        # quorum commit: a commit waits for ``number`` standbys; "required" refuses writes
        # rather than silently dropping to asynchronous when they are missing
        postgresql["synchronous"] = {
            "method": "any",
            "number": spec.synchronous_replicas,
            "dataDurability": "required",
        }
    return postgresql


def cluster_spec(args: CnpgPostgresArgs) -> dict[str, object]:
    """The ``Cluster``'s ``spec``."""
    spec = args.spec
    cluster: dict[str, object] = {
        "instances": spec.instances,
        "imageName": f"{TIMESCALE_IMAGE}:{TIMESCALE_TAGS[spec.version]}",
        "primaryUpdateStrategy": "unsupervised",
        "enableSuperuserAccess": False,
        "postgresql": _postgresql(args),
        "bootstrap": {
            "initdb": {
                "database": spec.database_name,
                "owner": spec.username,
                "secret": {"name": credentials_secret(args)},
                "dataChecksums": True,
                # extension names are validated identifiers (infra/config/data_services.py)
                "postInitApplicationSQL": [
                    f"CREATE EXTENSION IF NOT EXISTS {extension}" for extension in spec.extensions
                ],
            }
        },
        "storage": {"size": f"{spec.storage_gb}Gi", "storageClass": args.storage_class},
        "resources": {
            "requests": {"cpu": spec.pod_cpu, "memory": spec.pod_memory},
            "limits": {"memory": spec.pod_memory},
        },
        "affinity": {
            "enablePodAntiAffinity": True,
            "topologyKey": "topology.kubernetes.io/zone",
            "podAntiAffinityType": "required" if args.require_zone_spread else "preferred",
        },
        # the operator issues and renews the server certificate from this CA
        "certificates": {"serverCASecret": server_ca_secret(args)},
        # a single instance's PDB (minAvailable 1) blocks every node drain: with one
        # instance there is nothing to keep available during a drain
        "enablePDB": spec.instances > 1,
    }
    if args.backup is not None:
        cluster["backup"] = backup_spec(args.backup, spec.backup_retention_days)
        cluster["serviceAccountTemplate"] = {
            "metadata": {"annotations": dict(args.backup.service_account_annotations)}
        }
        if args.backup.pod_labels:
            cluster["inheritedMetadata"] = {"labels": args.backup.pod_labels}
    return cluster


def postgres_cluster(
    name: str, args: CnpgPostgresArgs, opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    """The ``Cluster``, awaited until Ready."""
    return k8s.apiextensions.CustomResource(
        child(name, "cluster"),
        api_version=api_versions.CLOUDNATIVE_PG,
        kind="Cluster",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=args.name,
            namespace=args.namespace,
            labels=args.labels,
            annotations=WAIT_FOR_READY,
        ),
        spec=cluster_spec(args),
        opts=pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                custom_timeouts=pulumi.CustomTimeouts(
                    create=CLUSTER_READY_TIMEOUT, update=CLUSTER_READY_TIMEOUT
                )
            ),
        ),
    )
