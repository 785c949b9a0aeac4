"""``postgres.engine: cloudnative-pg``: Postgres (TimescaleDB) on the stack's own cluster.

Each cloud's ``build`` asks :func:`in_cluster` and, instead of RDS / Cloud SQL / Flexible
Server, calls its function here: the cloud's backup storage and workload identity for the
Cluster's ServiceAccount, then the cloud-neutral ``CnpgPostgres`` on the cluster. Cloud SDK
modules are imported inside each function: a plan imports only the selected cloud's SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from components.contracts import ClusterContract
from components.kubernetes.addons import MONITORING_NAMESPACE
from components.kubernetes.cnpg import (
    BackupCredentials,
    CnpgBackupArgs,
    CnpgPostgres,
    CnpgPostgresArgs,
)
from components.kubernetes.network_policy import EgressTarget
from infra.naming import APP_NAMESPACE, tags

if TYPE_CHECKING:
    from components.aws.eks import AwsCluster
    from components.aws.shared import AccountScope
    from components.azure.aks import AzureCluster
    from components.gcp.apis import ProjectApis
    from components.gcp.gke import GcpCluster
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
    pg = config.postgres
    traits = config.traits
    monitoring = MONITORING_NAMESPACE if config.addons.kube_prometheus_stack else None
    return CnpgPostgres(
        f"{config.name_prefix}-cnpg",
        CnpgPostgresArgs(
            name=CLUSTER_NAME,
            namespace=NAMESPACE,
            postgres_version=pg.version,
            instances=pg.instances,
            synchronous_replicas=pg.synchronous_replicas,
            cpu=pg.pod_cpu,
            memory=pg.pod_memory,
            storage_gb=pg.storage_gb,
            storage_class=cluster.storage_class,
            database=pg.database_name,
            owner=pg.username,
            extensions=list(pg.extensions),
            client_namespaces=[APP_NAMESPACE],
            require_zone_spread=traits.strict_zone_spread,
            backup=backup,
            monitoring_namespace=monitoring,
            extra_egress=[
                EgressTarget(d.name, d.cidrs, list(d.ports)) for d in cluster.workload_egress
            ],
            operator_replicas=2 if traits.multi_zone else 1,
            labels={"platform.example.com/environment": config.environment},
            protect=traits.protect,
        ),
        pulumi.ResourceOptions(providers=[cluster.provider]),
    )


def gcp_apis(config: PlatformConfig) -> tuple[str, ...]:
    """The project APIs a GCP stack enables: Cloud Storage too when the backups go there."""
    from components.gcp import apis

    if in_cluster(config) and config.postgres.backups:
        return (*apis.ALL, apis.STORAGE)
    return apis.ALL


def _backup_args(
    config: PlatformConfig,
    destination: pulumi.Input[str],
    credentials: BackupCredentials,
    annotations: dict[str, pulumi.Output[str]],
    pod_labels: dict[str, str] | None = None,
) -> CnpgBackupArgs:
    return CnpgBackupArgs(
        destination_path=destination,
        credentials=credentials,
        retention_days=config.postgres.backup_retention_days,
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

    backup = None
    if config.postgres.backups:
        bucket = AwsBackupBucket(
            f"{config.name_prefix}-pg-backups",
            AwsBackupBucketArgs(
                # account + region make the global name unique per stack's home
                bucket_name=f"{config.name_prefix}-pg-{scope.account_id}-{scope.region}"[
                    :63
                ].rstrip("-"),
                noncurrent_days=config.postgres.backup_retention_days,
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer=cluster.oidc_issuer,
                namespace=NAMESPACE,
                service_account=CLUSTER_NAME,
                scope=scope,
                protect=config.protect,
                tags=tags(config, "postgres-backups"),
            ),
            opts,
        )
        backup = _backup_args(
            config,
            pulumi.Output.concat("s3://", bucket.bucket_name, "/"),
            "aws-iam-role",
            bucket.role.annotations(),
        )
    return cnpg_postgres(config, contract, backup)


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

    backup = None
    if config.postgres.backups:
        bucket = GcpBackupBucket(
            f"{config.name_prefix}-pg-backups",
            GcpBackupBucketArgs(
                project=project,
                region=config.region,
                # bucket names are global: the project id makes it unique per stack's home
                bucket_name=f"{config.name_prefix}-pg-{project}"[:63].rstrip("-"),
                noncurrent_days=config.postgres.backup_retention_days,
                workload_pool=cluster.workload_pool,
                namespace=NAMESPACE,
                service_account=CLUSTER_NAME,
                apis=apis,
                protect=config.protect,
                labels=tags(config, "postgres-backups"),
            ),
            opts,
        )
        backup = _backup_args(
            config,
            pulumi.Output.concat("gs://", bucket.bucket_name, "/"),
            "gke-workload-identity",
            bucket.identity.annotations(),
        )
    return cnpg_postgres(config, contract, backup)


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

    backup = None
    if config.postgres.backups:
        storage = AzureBackupStorage(
            f"{config.name_prefix}-pg-backups",
            AzureBackupStorageArgs(
                resource_group_name=resource_group_name,
                location=config.region,
                name_seed=name_seed,
                noncurrent_days=config.postgres.backup_retention_days,
                oidc_issuer_url=cluster.oidc_issuer_url,
                namespace=NAMESPACE,
                service_account=CLUSTER_NAME,
                subscription_id=subscription_id,
                protect=config.protect,
                tags=tags(config, "postgres-backups"),
            ),
            opts,
        )
        backup = _backup_args(
            config,
            storage.destination,
            "azure-workload-identity",
            storage.identity.annotations(),
            contract.workload_pod_labels,
        )
    return cnpg_postgres(config, contract, backup)
