"""The inputs of ``CnpgPostgres`` and the names its parts share.

The spec is the cloud-neutral ``PostgresSpec`` (``components/specs.py``) every Postgres engine
takes; the rest is where the Cluster sits on the Kubernetes cluster and what only this engine
has (its operator, its backup destination and identity, the namespaces it admits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from components.kubernetes.network_policy import EgressTarget
from components.specs import PostgresSpec

POSTGRES_PORT = 5432
STATUS_PORT = 8000  # instance manager's status endpoint, polled by the operator
CLUSTER_LABEL = "cnpg.io/cluster"
OPERATOR_NAMESPACE = "cnpg-system"

BackupCredentials = Literal["aws-iam-role", "gke-workload-identity", "azure-workload-identity"]


@dataclass(frozen=True, kw_only=True)
class CnpgBackupArgs:
    """Where base backups and WAL go, and how the instances authenticate there (no keys)."""

    #: barman destination: s3://bucket/prefix, gs://bucket/prefix or
    #: https://<account>.blob.core.windows.net/<container>/prefix
    destination_path: pulumi.Input[str]
    #: the cloud identity the instances' ServiceAccount inherits
    credentials: BackupCredentials
    #: annotations on the Cluster's ServiceAccount binding it to the cloud identity
    service_account_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: labels the instance pods need for the cloud's identity webhook (AKS)
    pod_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CnpgPostgresArgs:
    """Inputs of ``CnpgPostgres``: the cloud-neutral spec placed on the cluster."""

    #: what to build (version, instances, pod size, storage, database, owner, extensions,
    #: backup retention, protection; components/specs.py)
    spec: PostgresSpec
    #: Cluster name (also its ServiceAccount and the ``<name>-rw`` Service)
    name: str
    #: namespace of the instances (created here)
    namespace: str
    #: StorageClass of the data volumes (the cluster's encrypted class)
    storage_class: str
    #: namespaces whose pods may connect on 5432
    client_namespaces: list[str]
    #: anti-affinity across zones is required (prod) rather than preferred
    require_zone_spread: bool
    #: object-storage backups, kept ``spec.backup_retention_days``; None: none (a laptop cluster)
    backup: CnpgBackupArgs | None = None
    #: Prometheus' namespace (admitted on the metrics port); None: no monitoring
    monitoring_namespace: str | None = None
    #: destinations outside the cluster the instances reach besides HTTPS (metadata server)
    extra_egress: list[EgressTarget] = field(default_factory=list)
    #: install the operator (False: it is installed elsewhere)
    install_operator: bool = True
    #: operator replicas (2 where HA is wanted; leader election)
    operator_replicas: int = 1
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)
