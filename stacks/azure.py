"""Azure wiring: the provider, then network, AKS, PostgreSQL Flexible Server, Event Hubs (Kafka),
Azure Cache for Redis and one workload identity per application workload."""

from __future__ import annotations

import pulumi

from components.azure.aks import STORAGE_CLASS, AzureCluster, AzureClusterArgs
from components.azure.eventhubs import AzureKafka, AzureKafkaArgs
from components.azure.network import AzureNetwork, AzureNetworkArgs
from components.azure.postgres import AzurePostgres, AzurePostgresArgs
from components.azure.redis import AzureRedis, AzureRedisArgs
from components.azure.workload_identity import (
    USE_LABEL,
    AzureWorkloadIdentity,
    AzureWorkloadIdentityArgs,
)
from components.contracts import ClusterContract, TopicSpec
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, tags
from infra.providers import azure_provider
from stacks.platform import PlatformContracts

# Standard-tier event hubs keep events at most 7 days; Premium up to 90.
STANDARD_MAX_RETENTION_HOURS = 168
# ingress-nginx behind the Azure load balancer: probe the controller's health endpoint
INGRESS_ANNOTATIONS = {
    "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz"
}


def subnet_plan(config: PlatformConfig) -> tuple[str, str, str]:
    """(AKS nodes, PostgreSQL delegated, private endpoints) carved from ``network.cidr``."""
    network = config.network
    private = list(network.cidr.subnets(new_prefix=network.private_subnet_prefix))
    endpoints = list(network.cidr.subnets(new_prefix=network.public_subnet_prefix))[-1]
    return str(private[0]), str(private[1]), str(endpoints)


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the Azure stack for ``config``."""
    provider = azure_provider(config)
    opts = pulumi.ResourceOptions(providers=[provider])
    prefix = config.name_prefix
    prod = config.environment == "prod"
    zones = [str(zone) for zone in range(1, config.network.zones + 1)]
    nodes_cidr, postgres_cidr, endpoints_cidr = subnet_plan(config)
    network = AzureNetwork(
        f"{prefix}-network",
        AzureNetworkArgs(
            location=config.region,
            cidr=str(config.network.cidr),
            nodes_cidr=nodes_cidr,
            postgres_cidr=postgres_cidr,
            endpoints_cidr=endpoints_cidr,
            zones=zones,
            tags=tags(config, "network"),
        ),
        opts,
    )
    group = network.resource_group_name
    cluster = AzureCluster(
        f"{prefix}-aks",
        AzureClusterArgs(
            resource_group_name=group,
            location=config.region,
            kubernetes_version=config.cluster.kubernetes_version,
            nodes_subnet_id=network.nodes_subnet_id,
            pod_cidr=str(config.network.pod_cidr),
            service_cidr=str(config.network.service_cidr),
            dns_service_ip=str(config.network.service_cidr.network_address + 10),
            zones=zones,
            private_cluster=not config.cluster.public_endpoint,
            authorized_ip_ranges=[str(n) for n in config.cluster.authorized_networks],
            admin_group_object_ids=config.cluster.admin_principals,
            vm_size=config.cluster.node_size,
            node_min=config.cluster.node_min,
            node_max=config.cluster.node_max,
            node_disk_gb=config.cluster.node_disk_gb,
            standard_tier=prod,
            log_retention_days=config.cluster.log_retention_days,
            protect=config.protect,
            tags=tags(config, "cluster"),
        ),
        opts,
    )
    postgres = AzurePostgres(
        f"{prefix}-postgres",
        AzurePostgresArgs(
            resource_group_name=group,
            location=config.region,
            version=config.postgres.version,
            sku=config.postgres.instance_size,
            storage_gb=config.postgres.storage_gb,
            backup_retention_days=config.postgres.backup_retention_days,
            high_availability=config.postgres.high_availability,
            geo_redundant_backup=prod,
            database_name=config.postgres.database_name,
            username=config.postgres.username,
            extensions=config.postgres.extensions,
            delegated_subnet_id=network.postgres_subnet_id,
            private_dns_zone_id=network.dns_zone_ids["postgres"],
            protect=config.protect,
            tags=tags(config, "postgres"),
        ),
        opts,
    )
    standard = config.kafka.broker_size == "Standard"
    kafka = AzureKafka(
        f"{prefix}-kafka",
        AzureKafkaArgs(
            resource_group_name=group,
            location=config.region,
            tier=config.kafka.broker_size,
            capacity=1,
            max_throughput_units=10 if prod else 4,
            zone_redundant=prod,
            public_access=not prod,
            topics=[
                TopicSpec(
                    t.name,
                    t.partitions,
                    min(t.retention_hours, STANDARD_MAX_RETENTION_HOURS)
                    if standard
                    else t.retention_hours,
                )
                for t in config.kafka.topics
            ],
            endpoints_subnet_id=network.endpoints_subnet_id,
            dns_zone_id=network.dns_zone_ids["servicebus"],
            protect=config.protect,
            tags=tags(config, "kafka"),
        ),
        opts,
    )
    redis = AzureRedis(
        f"{prefix}-redis",
        AzureRedisArgs(
            resource_group_name=group,
            location=config.region,
            sku=config.redis.node_size,
            shards=config.redis.shards,
            replicas_per_primary=config.redis.replicas_per_shard,
            zones=zones,
            endpoints_subnet_id=network.endpoints_subnet_id,
            dns_zone_id=network.dns_zone_ids["redis"],
            protect=config.protect,
            tags=tags(config, "redis"),
        ),
        opts,
    )
    identities = {
        app: AzureWorkloadIdentity(
            f"{prefix}-{app}",
            AzureWorkloadIdentityArgs(
                resource_group_name=group,
                location=config.region,
                oidc_issuer_url=cluster.oidc_issuer_url,
                namespace=APP_NAMESPACE,
                service_account=app,
                tags=tags(config, f"app-{app}"),
            ),
            opts,
        ).annotations()
        for app in config.apps
    }
    return PlatformContracts(
        network=network.contract(str(config.network.cidr)),
        cluster=ClusterContract(
            name=cluster.cluster_name,
            kubeconfig=cluster.kubeconfig,
            provider=cluster.provider,
            workload_identity=identities,
            workload_pod_labels=dict(USE_LABEL),
            storage_class=STORAGE_CLASS,
            ingress_service_annotations=INGRESS_ANNOTATIONS,
            ships_metrics_server=True,
        ),
        postgres=postgres.contract(),
        kafka=kafka.contract(),
        redis=redis.contract(),
    )
