"""PostgreSQL (TimescaleDB) in the cluster: the CloudNativePG operator and one ``Cluster``.

Cloud-neutral: the cloud wiring passes an object-store destination and the ServiceAccount
annotations / pod labels that bind the instances to a cloud identity (or no backup at all on a
laptop). What it declares:

- the operator (Helm chart ``cloudnative-pg`` 0.29.0 = operator 1.30.0) in its own namespace;
- a namespace for the instances (PSA restricted, quota, default-deny NetworkPolicies that admit
  the app namespace on 5432, the operator on the status port, replication between instances,
  Prometheus on the metrics port, and egress to the API server, object storage and DNS);
- a server TLS CA the program knows (so apps verify with ``verify-full``), handed to the
  operator with its key: the operator issues the server certificate from it and renews it
  before expiry, with no ``pulumi up`` needed;
- the app owner's credentials as a ``kubernetes.io/basic-auth`` Secret (``bootstrap.initdb.secret``),
  the password from pulumi-random, so the contract carries it without reading a Secret the
  operator writes later;
- the ``postgresql.cnpg.io/v1`` ``Cluster`` (TimescaleDB image, synchronous replica and zone
  anti-affinity where asked, parameters tuned from the pod size, continuous WAL archiving and
  base backups to object storage through barman-cloud) and a ``ScheduledBackup`` (daily).

Monitoring: ``spec.monitoring.enablePodMonitor`` is deprecated at 1.30 and this component may
be declared before Prometheus' CRDs exist, so the contract's ``ClusterPeer`` names the metrics
port and the Kubernetes layer declares the ``PodMonitor`` after the monitoring stack.

Backups use the in-tree ``spec.backup.barmanObjectStore``: deprecated since 1.26 in favour of the
Barman Cloud plugin but functional at 1.30 (docs/src/appendixes/backup_barmanobjectstore.md at
v1.30.0). The plugin needs cert-manager, a second chart and its ``ObjectStore`` CRD; the pinned
image already carries barman-cli-cloud. docs/postgres.md records the migration path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_tls as tls

from components.contracts import ClusterPeer, PostgresContract
from components.kubernetes import charts
from components.kubernetes.helm import helm_release
from components.kubernetes.namespace import NamespaceArgs, PlatformNamespace
from components.kubernetes.network_policy import EgressTarget, default_deny, namespace_peer, tcp
from components.kubernetes.timescale import TIMESCALE_IMAGE, TIMESCALE_TAGS, timescale_parameters
from infra.config.quantities import cpu_millicores, format_cpu, format_memory, memory_bytes
from infra.naming import child

POSTGRES_PORT = 5432
STATUS_PORT = 8000  # instance manager's status endpoint, polled by the operator
METRICS_PORT = 9187  # instance manager's Prometheus exporter (container port "metrics")
OPERATOR_WEBHOOK_PORT = 9443  # chart value webhook.port: called by the API server
OPERATOR_METRICS_PORT = 8080
API_PORTS = [443, 6443]
HTTPS_PORT = 443
CLUSTER_LABEL = "cnpg.io/cluster"
OPERATOR_NAMESPACE = "cnpg-system"

# The engine awaits the Cluster until the operator reports it Ready (pulumi-kubernetes 4.18+
# ``pulumi.com/waitFor``); initdb, image pulls and replicas joining take minutes, more than the
# engine's default 10.
WAIT_FOR_READY = {"pulumi.com/waitFor": "condition=Ready"}
CLUSTER_READY_TIMEOUT = "30m"

# Daily base backup at 03:00 UTC (CNPG schedules have a seconds field).
BACKUP_SCHEDULE = "0 0 3 * * *"
# The server CA's lifetime; the server certificate it signs is the operator's (issued for 90
# days and renewed 7 days before expiry, docs/src/certificates.md at v1.30.0).
CA_VALIDITY_HOURS = 24 * 365 * 10

BackupCredentials = Literal["aws-iam-role", "gke-workload-identity", "azure-workload-identity"]


@dataclass(frozen=True, kw_only=True)
class CnpgBackupArgs:
    """Where base backups and WAL go, and how the instances authenticate there (no keys)."""

    #: barman destination: s3://bucket/prefix, gs://bucket/prefix or
    #: https://<account>.blob.core.windows.net/<container>/prefix
    destination_path: pulumi.Input[str]
    #: the cloud identity the instances' ServiceAccount inherits
    credentials: BackupCredentials
    #: days base backups and WAL are kept (barman retention policy; recovery window)
    retention_days: int
    #: annotations on the Cluster's ServiceAccount binding it to the cloud identity
    service_account_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: labels the instance pods need for the cloud's identity webhook (AKS)
    pod_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CnpgPostgresArgs:
    """Inputs of ``CnpgPostgres``; quantities are Kubernetes quantity strings."""

    #: Cluster name (also its ServiceAccount and the ``<name>-rw`` Service)
    name: str
    #: namespace of the instances (created here)
    namespace: str
    #: PostgreSQL major version (15, 16, 17)
    postgres_version: str
    #: instances (1 primary + replicas)
    instances: int
    #: synchronous standbys a commit waits for (0: asynchronous replication)
    synchronous_replicas: int
    #: CPU per instance pod (request)
    cpu: str
    #: memory per instance pod (request = limit; parameters are derived from it)
    memory: str
    #: data volume per instance (GiB)
    storage_gb: int
    #: StorageClass of the data volumes (the cluster's encrypted class)
    storage_class: str
    #: application database
    database: str
    #: owner of the application database, the user apps connect as
    owner: str
    #: extensions created in the application database (timescaledb is also preloaded)
    extensions: list[str]
    #: namespaces whose pods may connect on 5432
    client_namespaces: list[str]
    #: anti-affinity across zones is required (prod) rather than preferred
    require_zone_spread: bool
    #: object-storage backups; None: none (a laptop cluster)
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
    #: protect the Cluster from deletion (prod)
    protect: bool = False


class CnpgPostgres(pulumi.ComponentResource):
    """The CloudNativePG operator and one TimescaleDB ``Cluster`` with backups."""

    host: str
    """The primary's Service (``<name>-rw.<namespace>.svc``)."""
    password: pulumi.Output[str]
    """The app owner's generated password (secret)."""
    ca_certificate: pulumi.Output[str]
    """PEM of the CA that signed the server certificate."""
    cluster: k8s.apiextensions.CustomResource
    """The ``Cluster`` custom resource."""

    def __init__(
        self, name: str, args: CnpgPostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:CnpgPostgres", name, None, opts)
        self._name = name
        self._args = args
        self.host = f"{args.name}-rw.{args.namespace}.svc"
        operator = self._operator() if args.install_operator else []
        namespace = self._namespace()
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        self._network_policies(in_namespace)
        self.password, credentials = self._credentials(in_namespace)
        self.ca_certificate, certificates = self._certificates(in_namespace)
        self.cluster = self._cluster(
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[namespace, *operator, credentials, *certificates],
                protect=args.protect,
            )
        )
        after_cluster = pulumi.ResourceOptions(parent=self, depends_on=[self.cluster])
        if args.backup is not None:
            self._scheduled_backup(after_cluster)
        self.register_outputs({"host": self.host})

    def contract(self) -> PostgresContract:
        """Connection facts: the ``-rw`` Service, the generated credentials, the server CA."""
        args = self._args
        return PostgresContract(
            host=pulumi.Output.from_input(self.host),
            port=pulumi.Output.from_input(POSTGRES_PORT),
            database=pulumi.Output.from_input(args.database),
            username=pulumi.Output.from_input(args.owner),
            password=self.password,
            ssl_mode="verify-full",
            ca_certificate=self.ca_certificate,
            cluster_peer=ClusterPeer(
                args.namespace,
                {CLUSTER_LABEL: args.name},
                POSTGRES_PORT,
                metrics_port_name="metrics",
            ),
            ready=[self.cluster],
        )

    # --- operator -------------------------------------------------------------------------

    def _operator(self) -> list[pulumi.Resource]:
        args = self._args
        guarded = PlatformNamespace(
            child(self._name, OPERATOR_NAMESPACE),
            NamespaceArgs(
                name=OPERATOR_NAMESPACE,
                pod_security="restricted",
                quota={"requests.cpu": "1", "requests.memory": "1Gi", "limits.memory": "1Gi",
                       "pods": "10"},
                default_request={"cpu": "50m", "memory": "64Mi"},
                default_limit={"memory": "256Mi"},
                labels=args.labels,
            ),
            pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[guarded])
        self._operator_policies(in_namespace)
        values: charts.CnpgValues = {
            "replicaCount": args.operator_replicas,
            "crds": {"create": True},
            "config": {"clusterWide": True},
            "resources": {
                "requests": {"cpu": "100m", "memory": "200Mi"},
                "limits": {"memory": "200Mi"},
            },
            # the chart's PodMonitor would need the prometheus-operator CRDs, which the
            # Kubernetes layer installs after this component: off
            "monitoring": {"podMonitorEnabled": False},
        }
        chart = charts.CLOUDNATIVE_PG
        release = helm_release(
            child(self._name, chart.name), chart, OPERATOR_NAMESPACE, values, in_namespace,
            timeout=600,
        )  # fmt: skip
        return [release]

    def _operator_policies(self, opts: pulumi.ResourceOptions) -> None:
        args = self._args
        default_deny(child(self._name, OPERATOR_NAMESPACE), OPERATOR_NAMESPACE, opts)
        ingress = [
            # the API server calls the admission webhooks (not a pod: no peer, this port only)
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(ports=[tcp(OPERATOR_WEBHOOK_PORT)])
        ]
        if args.monitoring_namespace:
            ingress.append(
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[namespace_peer(args.monitoring_namespace)],
                    ports=[tcp(OPERATOR_METRICS_PORT)],
                )
            )
        egress = [
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(ports=[tcp(p) for p in API_PORTS]),
            # instance status (and the primary's promotion/backup calls) on every Cluster
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[namespace_peer(args.namespace)], ports=[tcp(STATUS_PORT)]
            ),
        ]
        k8s.networking.v1.NetworkPolicy(
            child(self._name, "operator-allow"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="allow-platform-traffic", namespace=OPERATOR_NAMESPACE, labels=args.labels
            ),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                policy_types=["Ingress", "Egress"],
                ingress=ingress,
                egress=egress,
            ),
            opts=opts,
        )

    # --- instances' namespace ---------------------------------------------------------------

    def _namespace(self) -> PlatformNamespace:
        args = self._args
        # instance pods, plus the initdb/join Jobs that run one at a time beside them
        pods = args.instances + 2
        cpu = cpu_millicores(args.cpu) * pods
        memory = memory_bytes(args.memory) * pods
        return PlatformNamespace(
            child(self._name, args.namespace),
            NamespaceArgs(
                name=args.namespace,
                pod_security="restricted",
                quota={
                    "requests.cpu": format_cpu(cpu),
                    "requests.memory": format_memory(memory),
                    "limits.memory": format_memory(memory),
                    "pods": str(pods * 2),
                    "persistentvolumeclaims": str(args.instances * 2),
                    "services.loadbalancers": "0",
                },
                default_request={"cpu": args.cpu, "memory": args.memory},
                default_limit={"memory": args.memory},
                labels=args.labels,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _network_policies(self, opts: pulumi.ResourceOptions) -> None:
        args = self._args
        default_deny(child(self._name, args.namespace), args.namespace, opts)
        instances = {CLUSTER_LABEL: args.name}
        peers = [namespace_peer(ns) for ns in args.client_namespaces]
        ingress = [
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[namespace_peer(args.namespace, instances), *peers],
                ports=[tcp(POSTGRES_PORT)],
            ),
            # the operator polls every instance; instances ask each other during failover
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[namespace_peer(OPERATOR_NAMESPACE), namespace_peer(args.namespace, instances)],
                ports=[tcp(STATUS_PORT)],
            ),
        ]  # fmt: skip
        if args.monitoring_namespace:
            ingress.append(
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[namespace_peer(args.monitoring_namespace)], ports=[tcp(METRICS_PORT)]
                )
            )
        egress = [
            # replication and pg_rewind from the primary; status calls between instances
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[namespace_peer(args.namespace, instances)],
                ports=[tcp(POSTGRES_PORT), tcp(STATUS_PORT)],
            ),
            # the API server (instance manager) and object storage / STS / Entra ID over HTTPS
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                ports=[tcp(port) for port in sorted({*API_PORTS, HTTPS_PORT})]
            ),
            *(
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[
                        k8s.networking.v1.NetworkPolicyPeerArgs(
                            ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr)
                        )
                        for cidr in target.cidrs
                    ],
                    ports=[tcp(port) for port in target.ports],
                )
                for target in args.extra_egress
            ),
        ]
        k8s.networking.v1.NetworkPolicy(
            child(self._name, "instances-allow"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{args.name}-instances", namespace=args.namespace, labels=args.labels
            ),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=instances),
                policy_types=["Ingress", "Egress"],
                ingress=ingress,
                egress=egress,
            ),
            opts=opts,
        )

    # --- credentials and certificates ------------------------------------------------------

    def _credentials(
        self, opts: pulumi.ResourceOptions
    ) -> tuple[pulumi.Output[str], k8s.core.v1.Secret]:
        """The owner's password, generated here and handed to ``bootstrap.initdb.secret``."""
        args = self._args
        password = random.RandomPassword(
            child(self._name, "app-password"), length=32, special=False,
            opts=pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        secret = k8s.core.v1.Secret(
            child(self._name, "app-credentials"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{args.name}-app-credentials", namespace=args.namespace, labels=args.labels
            ),
            type="kubernetes.io/basic-auth",
            string_data={"username": args.owner, "password": password.result},
            opts=opts,
        )
        return pulumi.Output.secret(password.result), secret

    def _certificates(
        self, opts: pulumi.ResourceOptions
    ) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        """A server CA the program knows, so the contract can carry it.

        CloudNativePG would otherwise generate its CA into ``<name>-ca`` in the instances'
        namespace, which apps in another namespace cannot mount and the program could only read
        after the operator wrote it. The CA Secret carries ``ca.key`` and no
        ``serverTLSSecret`` is given, so the operator issues the server certificate from this
        CA and renews it before it expires (the API reference of ``certificates.serverTLSSecret``:
        "If not defined, ServerCASecret must provide also ``ca.key`` and a new secret will be
        created using the provided CA"). A certificate issued by ``pulumi up`` would instead
        expire unnoticed on a stack nobody redeploys. The operator also keeps managing the
        client (replication) certificates.
        """
        args = self._args
        parent = pulumi.ResourceOptions(parent=self)
        ca_key = tls.PrivateKey(
            child(self._name, "ca-key"), algorithm="ECDSA", ecdsa_curve="P256", opts=parent
        )
        ca = tls.SelfSignedCert(
            child(self._name, "ca"),
            private_key_pem=ca_key.private_key_pem,
            subject=tls.SelfSignedCertSubjectArgs(common_name=f"{args.name} postgres CA"),
            is_ca_certificate=True,
            validity_period_hours=CA_VALIDITY_HOURS,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
            opts=parent,
        )
        ca_secret = k8s.core.v1.Secret(
            child(self._name, "server-ca"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{args.name}-server-ca",
                namespace=args.namespace,
                labels={**args.labels, "cnpg.io/reload": "true"},
            ),
            type="Opaque",
            string_data={"ca.crt": ca.cert_pem, "ca.key": ca_key.private_key_pem},
            opts=opts,
        )
        return ca.cert_pem, [ca_secret]

    # --- Cluster, backups, monitoring -------------------------------------------------------

    def _cluster(self, opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        args = self._args
        preload = "timescaledb" in args.extensions
        postgresql: dict[str, object] = {
            "parameters": timescale_parameters(args.cpu, args.memory, preload, args.extensions),
            "shared_preload_libraries": ["timescaledb"] if preload else [],
        }
        if args.synchronous_replicas:
            # quorum commit: a commit waits for ``number`` standbys; "required" refuses writes
            # rather than silently dropping to asynchronous when they are missing
            postgresql["synchronous"] = {
                "method": "any",
                "number": args.synchronous_replicas,
                "dataDurability": "required",
            }
        spec: dict[str, object] = {
            "instances": args.instances,
            "imageName": f"{TIMESCALE_IMAGE}:{TIMESCALE_TAGS[args.postgres_version]}",
            "primaryUpdateStrategy": "unsupervised",
            "enableSuperuserAccess": False,
            "postgresql": postgresql,
            "bootstrap": {
                "initdb": {
                    "database": args.database,
                    "owner": args.owner,
                    "secret": {"name": f"{args.name}-app-credentials"},
                    "dataChecksums": True,
                    # extension names are validated identifiers (infra/config/data_services.py)
                    "postInitApplicationSQL": [
                        f"CREATE EXTENSION IF NOT EXISTS {extension}"
                        for extension in args.extensions
                    ],
                }
            },
            "storage": {"size": f"{args.storage_gb}Gi", "storageClass": args.storage_class},
            "resources": {
                "requests": {"cpu": args.cpu, "memory": args.memory},
                "limits": {"memory": args.memory},
            },
            "affinity": {
                "enablePodAntiAffinity": True,
                "topologyKey": "topology.kubernetes.io/zone",
                "podAntiAffinityType": "required" if args.require_zone_spread else "preferred",
            },
            # the operator issues and renews the server certificate from this CA
            "certificates": {"serverCASecret": f"{args.name}-server-ca"},
            # a single instance's PDB (minAvailable 1) blocks every node drain: with one
            # instance there is nothing to keep available during a drain
            "enablePDB": args.instances > 1,
        }
        if args.backup is not None:
            spec["backup"] = self._backup_spec(args.backup)
            spec["serviceAccountTemplate"] = {
                "metadata": {"annotations": dict(args.backup.service_account_annotations)}
            }
            if args.backup.pod_labels:
                spec["inheritedMetadata"] = {"labels": args.backup.pod_labels}
        return k8s.apiextensions.CustomResource(
            child(self._name, "cluster"),
            api_version="postgresql.cnpg.io/v1",
            kind="Cluster",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.name,
                namespace=args.namespace,
                labels=args.labels,
                annotations=WAIT_FOR_READY,
            ),
            spec=spec,
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    custom_timeouts=pulumi.CustomTimeouts(
                        create=CLUSTER_READY_TIMEOUT, update=CLUSTER_READY_TIMEOUT
                    )
                ),
            ),
        )

    @staticmethod
    def _backup_spec(backup: CnpgBackupArgs) -> dict[str, object]:
        by_kind: dict[str, dict[str, object]] = {
            # the barman-cloud tools take the identity the pod's ServiceAccount is bound to
            "aws-iam-role": {"s3Credentials": {"inheritFromIAMRole": True}},
            "gke-workload-identity": {"googleCredentials": {"gkeEnvironment": True}},
            # DefaultAzureCredential reads the federated token the AKS webhook mounts
            # (inheritFromAzureAD would ask IMDS for a node identity instead)
            "azure-workload-identity": {"azureCredentials": {"useDefaultAzureCredentials": True}},
        }
        credentials = by_kind[backup.credentials]
        return {
            "retentionPolicy": f"{backup.retention_days}d",
            "barmanObjectStore": {
                "destinationPath": backup.destination_path,
                **credentials,
                "wal": {"compression": "gzip", "maxParallel": 4},
                "data": {"compression": "gzip", "jobs": 2},
            },
        }

    def _scheduled_backup(self, opts: pulumi.ResourceOptions) -> None:
        args = self._args
        k8s.apiextensions.CustomResource(
            child(self._name, "daily-backup"),
            api_version="postgresql.cnpg.io/v1",
            kind="ScheduledBackup",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{args.name}-daily", namespace=args.namespace, labels=args.labels
            ),
            spec={
                "schedule": BACKUP_SCHEDULE,
                "cluster": {"name": args.name},
                "method": "barmanObjectStore",
                # the first base backup at once: PITR needs one before any WAL is useful
                "immediate": True,
                "backupOwnerReference": "self",
            },
            opts=opts,
        )
