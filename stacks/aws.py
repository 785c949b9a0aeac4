"""AWS wiring: the provider, then each capability's AWS component, returning the contracts.

Order follows the dependencies: network, then the cluster (whose security group is the only
source the data services admit), then Postgres, Kafka and Redis, then one IRSA role per
application workload.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from components.aws.alarms import AlarmTargets, AwsAlarms, AwsAlarmsArgs
from components.aws.dns import AwsDnsWriter, AwsDnsWriterArgs
from components.aws.ecr import AwsImageRegistry, AwsImageRegistryArgs
from components.aws.eks import AwsCluster, AwsClusterArgs
from components.aws.elasticache import AwsRedis, AwsRedisArgs
from components.aws.msk import AwsKafka, AwsKafkaArgs
from components.aws.network import AwsNetwork, AwsNetworkArgs
from components.aws.rds import AwsPostgres, AwsPostgresArgs
from components.aws.shared import AccountScope, PrivatePlacement
from components.aws.workload_identity import (
    AwsWorkloadRole,
    AwsWorkloadRoleArgs,
    msk_client_statements,
)
from components.contracts import ClusterContract
from components.specs import KafkaSpec, PostgresSpec, RedisSpec
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, tags
from infra.providers import aws_provider
from stacks import dns, postgres_engine, specs
from stacks.platform import PlatformContracts, export_image_registry


@dataclass(frozen=True)
class _Account:
    """Where the stack deploys and as whom, read once from STS."""

    account_id: str
    partition: str
    deployer_arn: str
    scope: AccountScope


@dataclass(frozen=True)
class _DataSpecs:
    """The data services' specs, built once: their components and the alarms read them."""

    postgres: PostgresSpec
    kafka: KafkaSpec
    redis: RedisSpec


def _account(config: PlatformConfig, provider: aws.Provider) -> _Account:
    invoke = pulumi.InvokeOptions(provider=provider)
    identity = aws.get_caller_identity(opts=invoke)
    partition = aws.get_partition(opts=invoke)
    # Prod names its deployer (the config models require it). Elsewhere: the IAM role behind
    # the caller's session, path included; STS's assumed-role ARN drops the path, which IAM
    # Identity Center roles (/aws-reserved/sso.amazonaws.com/...) and CI roles have.
    deployer = (
        config.cluster.deployer_principal
        or aws.iam.get_session_context(arn=identity.arn, opts=invoke).issuer_arn
    )
    scope = AccountScope(identity.account_id, partition.partition, config.region)
    return _Account(identity.account_id, partition.partition, deployer, scope)


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the AWS stack for ``config``."""
    provider = aws_provider(config)
    opts = pulumi.ResourceOptions(providers=[provider])
    prefix = config.name_prefix
    account = _account(config, provider)
    network = _network(config, account, opts)
    cluster = _cluster(config, network, account, opts)
    placement = PrivatePlacement(
        vpc_id=network.vpc_id,
        subnet_ids=list(network.private_subnet_ids),
        client_security_group_id=cluster.cluster_security_group_id,
    )
    data = _DataSpecs(
        specs.postgres_spec(config), specs.kafka_spec(config), specs.redis_spec(config)
    )
    # postgres.engine cloudnative-pg: no RDS instance (nor its DR copy and alarms)
    postgres = None
    if not postgres_engine.in_cluster(config):
        postgres = AwsPostgres(
            f"{prefix}-postgres",
            AwsPostgresArgs(
                spec=data.postgres,
                placement=placement,
                scope=account.scope,
                tags=tags(config, "postgres"),
            ),
            opts,
        )
        _disaster_recovery(config, data.postgres, postgres, account)
    kafka = AwsKafka(
        f"{prefix}-kafka",
        AwsKafkaArgs(
            spec=data.kafka, placement=placement, scope=account.scope, tags=tags(config, "kafka")
        ),
        opts,
    )
    redis = AwsRedis(
        f"{prefix}-redis",
        AwsRedisArgs(
            spec=data.redis, placement=placement, scope=account.scope, tags=tags(config, "redis")
        ),
        opts,
    )
    _alarms(config, account, data, (postgres, kafka, redis, cluster), opts)
    _image_registry(config, account, opts)
    identities = {
        app: AwsWorkloadRole(
            f"{prefix}-{app}",
            AwsWorkloadRoleArgs(
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer=cluster.oidc_issuer,
                namespace=APP_NAMESPACE,
                service_account=app,
                policy_statements=kafka.cluster_arn.apply(msk_client_statements),
                tags=tags(config, f"app-{app}"),
            ),
            opts,
        ).annotations()
        for app in config.apps
    }
    contract = _with_dns(config, cluster.contract(identities), cluster, account, opts)
    database = (
        postgres
        if postgres is not None
        else postgres_engine.aws_postgres(config, cluster, contract, account.scope, opts)
    )
    return PlatformContracts.of(network.contract(), contract, (database, kafka, redis))


def _with_dns(
    config: PlatformConfig,
    contract: ClusterContract,
    cluster: AwsCluster,
    account: _Account,
    opts: pulumi.ResourceOptions,
) -> ClusterContract:
    """The contract with Route 53 for external-dns when ``platform:dns.zone`` is set."""
    if config.dns.zone is None:
        return contract
    writer = AwsDnsWriter(
        f"{config.name_prefix}-external-dns",
        AwsDnsWriterArgs(
            zone=config.dns.zone,
            zone_id=config.dns.zone_id,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer=cluster.oidc_issuer,
            namespace=dns.EXTERNAL_DNS_NAMESPACE,
            service_account=dns.SERVICE_ACCOUNT,
            partition=account.partition,
            region=config.region,
            tags=tags(config, "external-dns"),
        ),
        opts,
    )
    return replace(contract, dns=writer.contract())


def _image_registry(
    config: PlatformConfig, account: _Account, opts: pulumi.ResourceOptions
) -> None:
    """The apps' ECR repositories (``platform:images.createRegistry``), exported as
    ``imageRegistry``; the nodes pull with their role's AmazonEC2ContainerRegistryReadOnly."""
    if not config.images.create_registry:
        return
    registry = AwsImageRegistry(
        f"{config.name_prefix}-images",
        AwsImageRegistryArgs(
            path=config.name_prefix,
            apps=list(config.apps),
            account_id=account.account_id,
            region=config.region,
            keep_images=config.images.keep_images,
            protect=config.protect,
            tags=tags(config, "images"),
            pushers=config.images.pushers,
        ),
        opts,
    )
    export_image_registry(registry.url)


def _disaster_recovery(
    config: PlatformConfig, spec: PostgresSpec, postgres: AwsPostgres, account: _Account
) -> None:
    """Copy the RDS automated backups to the DR region when one is set (prod must set one).

    One explicit provider for the DR region, so nothing else lands there by accident.
    """
    if spec.dr_region is None:
        return
    provider = aws.Provider(f"{config.name_prefix}-aws-dr", region=spec.dr_region)
    scope = AccountScope(account.account_id, account.partition, spec.dr_region)
    postgres.replicate_backups(provider, scope, spec.dr_backup_retention_days)


def _alarms(
    config: PlatformConfig,
    account: _Account,
    data: _DataSpecs,
    watched: tuple[AwsPostgres | None, AwsKafka, AwsRedis, AwsCluster],
    opts: pulumi.ResourceOptions,
) -> None:
    """CloudWatch alarms on every data service and the nodes, when the environment wants them."""
    spec = specs.alarm_spec(config)
    if spec is None:
        return
    postgres, kafka, redis, cluster = watched
    AwsAlarms(
        f"{config.name_prefix}-alarms",
        AwsAlarmsArgs(
            spec=spec,
            targets=AlarmTargets(
                rds_identifier=postgres.instance.identifier if postgres else None,
                postgres=data.postgres,
                msk_cluster_name=kafka.cluster_name,
                kafka=data.kafka,
                redis_group_id=redis.group_id,
                redis=data.redis,
                node_asg_name=cluster.node_asg_name,
                node_min=config.cluster.node_min,
            ),
            scope=account.scope,
            protect=config.protect,
            tags=tags(config, "alarms"),
        ),
        opts,
    )


def _network(config: PlatformConfig, account: _Account, opts: pulumi.ResourceOptions) -> AwsNetwork:
    return AwsNetwork(
        f"{config.name_prefix}-network",
        AwsNetworkArgs(
            cidr=str(config.network.cidr),
            private_subnets=[str(s) for s in config.network.private_subnets()],
            public_subnets=[str(s) for s in config.network.public_subnets()],
            nat_per_zone=config.network.nat_gateways == "perZone",
            zone_ids=config.pinned_zones,
            flow_log_retention_days=config.network.flow_log_retention_days,
            account_id=account.account_id,
            partition=account.partition,
            region=config.region,
            protect=config.protect,
            tags=tags(config, "network"),
        ),
        opts,
    )


def _cluster(
    config: PlatformConfig, network: AwsNetwork, account: _Account, opts: pulumi.ResourceOptions
) -> AwsCluster:
    cluster = config.cluster
    return AwsCluster(
        f"{config.name_prefix}-cluster",
        AwsClusterArgs(
            cluster_name=f"{config.name_prefix}-eks",
            kubernetes_version=cluster.kubernetes_version,
            region=config.region,
            vpc_id=network.vpc_id,
            subnet_ids=list(network.private_subnet_ids),
            service_cidr=str(config.network.service_cidr),
            # deployerNetworks open the public side to the deploy only (prod's first way in)
            public_endpoint=cluster.public_endpoint or bool(cluster.deployer_networks),
            public_access_cidrs=[
                str(n) for n in (*cluster.authorized_networks, *cluster.deployer_networks)
            ],
            private_access_cidrs=[str(n) for n in cluster.private_access_cidrs],
            admin_role_arns=cluster.admin_principals,
            deployer_principal_arn=account.deployer_arn,
            viewer_principal_arns=list(cluster.preview_principals),
            node_instance_type=cluster.node_size,
            node_min=cluster.node_min,
            node_desired=cluster.node_desired,
            node_max=cluster.node_max,
            node_disk_gb=cluster.node_disk_gb,
            log_retention_days=cluster.log_retention_days,
            deletion_protection=config.protect,
            protect=config.protect,
            tags=tags(config, "cluster"),
            scope=account.scope,
        ),
        opts,
    )
