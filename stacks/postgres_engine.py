"""``postgres.engine: cloudnative-pg``: Postgres (TimescaleDB) on the stack's own cluster.

Each cloud's ``build`` asks :func:`in_cluster` and, instead of RDS / Cloud SQL / Flexible
Server, calls its function here: the cloud's backup storage and workload identity for the
Cluster's ServiceAccount, then the cloud-neutral ``CnpgPostgres`` on the cluster. Cloud SDK
modules are imported inside each function: a plan imports only the selected cloud's SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pulumi

from components.contracts import ClusterContract
from components.kubernetes.addons import MONITORING_NAMESPACE
from components.kubernetes.network_policy import EgressTarget
from components.specs import BackupStoreSpec
from infra.naming import APP_NAMESPACE, kubernetes_labels, tags
from stacks.specs import postgres_spec

if TYPE_CHECKING:
    # the CNPG component (and pulumi-tls with it) is imported only when the engine is chosen:
    # a managed-engine plan does not pay for it
    from components.aws.eks import AwsCluster
    from components.aws.shared import AccountScope
    from components.azure.aks import AzureCluster
    from components.gcp.apis import ProjectApis
    from components.gcp.gke import GcpCluster
    from components.kubernetes.cnpg import BackupCredentials, CnpgBackupArgs, CnpgPostgres
    from infra.config.models import PlatformConfig

# The Cluster and its namespace. CloudNativePG names the instances' ServiceAccount after the
# Cluster: the cloud identity trusts ``system:serviceaccount:postgres:postgres``.
CLUSTER_NAME = "postgres"
NAMESPACE = "postgres"


def in_cluster(config: PlatformConfig) -> bool:
    """Whether Postgres runs in the cluster (CloudNativePG) instead of the cloud's service."""
    return config.postgres.engine == "cloudnative-pg"


def cnpg_postgres(
    config: PlatformConfig, cluster: ClusterContract, backup: CnpgBackupArgs | None
) -> CnpgPostgres:
    """The operator and the TimescaleDB Cluster on ``cluster`` (its encrypted storage class, its
    workloads' extra egress such as GKE's metadata server); ``.contract()`` is Postgres'."""
    from components.kubernetes.cnpg import CnpgPostgres, CnpgPostgresArgs

    traits = config.traits
    monitoring = MONITORING_NAMESPACE if config.addons.kube_prometheus_stack else None
    return CnpgPostgres(
        f"{config.name_prefix}-cnpg",
        CnpgPostgresArgs(
            spec=postgres_spec(config),
            name=CLUSTER_NAME,
            namespace=NAMESPACE,
            storage_class=cluster.storage_class,
            client_namespaces=[APP_NAMESPACE],
            require_zone_spread=traits.strict_zone_spread,
            backup=backup,
            monitoring_namespace=monitoring,
            extra_egress=[
                EgressTarget(d.name, d.cidrs, list(d.ports)) for d in cluster.workload_egress
            ],
            operator_replicas=2 if traits.multi_zone else 1,
            labels=kubernetes_labels(config),
        ),
        pulumi.ResourceOptions(providers=[cluster.provider]),
    )


def gcp_apis(config: PlatformConfig) -> tuple[str, ...]:
    """The project APIs a GCP stack enables: Cloud Storage too when the backups go there,
    Artifact Registry when the stack creates the image registry."""
    from components.gcp import apis

    registry = (apis.ARTIFACTREGISTRY,) if config.images.create_registry else ()
    if in_cluster(config) and config.postgres.backups:
        return (*apis.ALL, apis.STORAGE, *registry)
    return (*apis.ALL, *registry)


def _store_spec(config: PlatformConfig) -> BackupStoreSpec:
    """What every cloud's backup store shares: retention, the one writer, protection."""
    return BackupStoreSpec(
        noncurrent_days=config.postgres.backup_retention_days,
        namespace=NAMESPACE,
        service_account=CLUSTER_NAME,
        protect=config.protect,
    )


def _with_backups(
    config: PlatformConfig,
    contract: ClusterContract,
    store: Callable[[BackupStoreSpec], CnpgBackupArgs],
) -> CnpgPostgres:
    """The Cluster, backed up to what ``store`` declares (nothing with ``backups: false``)."""
    backup = None
    if config.postgres.backups:
        backup = store(_store_spec(config))
    return cnpg_postgres(config, contract, backup)


def _backup_args(
    destination: pulumi.Input[str],
    credentials: BackupCredentials,
    annotations: dict[str, pulumi.Output[str]],
    pod_labels: dict[str, str] | None = None,
) -> CnpgBackupArgs:
    from components.kubernetes.cnpg import CnpgBackupArgs

    return CnpgBackupArgs(
        destination_path=destination,
        credentials=credentials,
        service_account_annotations=annotations,
        pod_labels=pod_labels or {},
    )


def aws_postgres(
    config: PlatformConfig,
    cluster: AwsCluster,
    contract: ClusterContract,
    scope: AccountScope,
    opts: pulumi.ResourceOptions,
) -> CnpgPostgres:
    """S3 + an IRSA role for the Cluster's ServiceAccount, then the Cluster on EKS."""
    from components.aws.backup_bucket import AwsBackupBucket, AwsBackupBucketArgs

    def s3(spec: BackupStoreSpec) -> CnpgBackupArgs:
        # account + region make the global name unique per stack's home
        name = f"{config.name_prefix}-pg-{scope.account_id}-{scope.region}"[:63].rstrip("-")
        bucket = AwsBackupBucket(
            f"{config.name_prefix}-pg-backups",
            AwsBackupBucketArgs(
                bucket_name=name, spec=spec, oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer=cluster.oidc_issuer, scope=scope, tags=tags(config, "postgres-backups"),
            ),
            opts,
        )  # fmt: skip
        destination = pulumi.Output.concat("s3://", bucket.bucket_name, "/")
        return _backup_args(destination, "aws-iam-role", bucket.role.annotations())

    return _with_backups(config, contract, s3)


def gcp_postgres(
    config: PlatformConfig,
    cluster: GcpCluster,
    contract: ClusterContract,
    project: str,
    apis: ProjectApis,
    opts: pulumi.ResourceOptions,
) -> CnpgPostgres:
    """GCS + a Workload Identity GSA for the Cluster's ServiceAccount, then the Cluster on GKE."""
    from components.gcp.backup_bucket import GcpBackupBucket, GcpBackupBucketArgs
    from components.gcp.names import bucket_name

    def gcs(spec: BackupStoreSpec) -> CnpgBackupArgs:
        # bucket names are global: the project id (kept whole) makes it unique per stack's home
        name = bucket_name(f"{config.name_prefix}-pg", project)
        # backups live in the DR region when there is one: losing the primary region must
        # not lose them with it (the bucket's key ring sits beside it, as CMEK requires)
        region = config.disaster_recovery.region or config.region
        bucket = GcpBackupBucket(
            f"{config.name_prefix}-pg-backups",
            GcpBackupBucketArgs(
                project=project, region=region, bucket_name=name, spec=spec,
                workload_pool=cluster.workload_pool, apis=apis, labels=tags(config, "postgres-backups"),
            ),
            opts,
        )  # fmt: skip
        destination = pulumi.Output.concat("gs://", bucket.bucket_name, "/")
        annotations = bucket.identity.annotations()
        return _backup_args(destination, "gke-workload-identity", annotations)

    return _with_backups(config, contract, gcs)


def azure_postgres(
    config: PlatformConfig,
    cluster: AzureCluster,
    contract: ClusterContract,
    resource_group_name: pulumi.Input[str],
    name_seed: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> CnpgPostgres:
    """Blob storage + a federated identity for the Cluster's ServiceAccount, then the Cluster
    on AKS (the pods carry the workload-identity label the AKS webhook looks for)."""
    from components.azure.backup_storage import AzureBackupStorage, AzureBackupStorageArgs

    def blob(spec: BackupStoreSpec) -> CnpgBackupArgs:
        storage = AzureBackupStorage(
            f"{config.name_prefix}-pg-backups",
            AzureBackupStorageArgs(
                resource_group_name=resource_group_name, location=config.region,
                name_seed=name_seed, spec=spec, oidc_issuer_url=cluster.oidc_issuer_url,
                subscription_id=subscription_id, tags=tags(config, "postgres-backups"),
            ),
            opts,
        )  # fmt: skip
        annotations = storage.identity.annotations()
        return _backup_args(
            storage.destination, "azure-workload-identity", annotations,
            contract.workload_pod_labels,
        )  # fmt: skip

    return _with_backups(config, contract, blob)
