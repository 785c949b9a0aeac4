"""Azure wiring: the provider, then network, AKS, PostgreSQL Flexible Server, Event Hubs (Kafka),
Azure Cache for Redis and one workload identity per application workload.

The caller's identity (``getClientConfig``) provides the subscription id (the seed of globally
unique names, with the stack) and, unless ``cluster.deployerPrincipals`` says otherwise, the
principal granted cluster-admin for deploying the Kubernetes layer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pulumi
import pulumi_azure_native as azure

from components.azure import kubeconfig, roles
from components.azure.aks import STORAGE_CLASS, AzureCluster, AzureClusterArgs
from components.azure.alarms import AzureAlarms, AzureAlarmsArgs, short_name
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
from stacks import postgres_engine
from stacks.platform import PlatformContracts

# Standard-tier event hubs keep events at most 7 days; Premium up to 90.
STANDARD_MAX_RETENTION_HOURS = 168
# ingress-nginx behind the Azure load balancer: probe the controller's health endpoint
INGRESS_ANNOTATIONS = {
    "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz"
}


# AKS API server VNet integration needs a delegated subnet of at least /28.
APISERVER_PREFIX = 28
# Where a caller is a service principal / workload identity, CI login tools export its client id.
SERVICE_PRINCIPAL_ENV = ("AZURE_CLIENT_ID", "ARM_CLIENT_ID")


def subnet_plan(config: PlatformConfig) -> dict[str, str]:
    """Subnets carved from ``network.cidr``: the two first private-size blocks (AKS nodes,
    PostgreSQL), and from the end public-size blocks: private endpoints, the API server (/28),
    and for a private cluster the deploy runner's subnet."""
    network = config.network
    private = list(network.cidr.subnets(new_prefix=network.private_subnet_prefix))
    tail = list(network.cidr.subnets(new_prefix=network.public_subnet_prefix))
    apiserver = next(tail[-2].subnets(new_prefix=max(APISERVER_PREFIX, tail[-2].prefixlen)))
    plan = {
        "nodes": str(private[0]),
        "postgres": str(private[1]),
        "endpoints": str(tail[-1]),
        "apiserver": str(apiserver),
    }
    if not config.cluster.public_endpoint:
        plan["runner"] = str(tail[-3])
    return plan


def deployer_principal_type(config: PlatformConfig, environ: Mapping[str, str]) -> str:
    """The configured type, else ServicePrincipal when CI logged in as one, else User."""
    if config.cluster.deployer_principal_type:
        return config.cluster.deployer_principal_type
    return "ServicePrincipal" if any(environ.get(k) for k in SERVICE_PRINCIPAL_ENV) else "User"


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the Azure stack for ``config``."""
    provider = azure_provider(config)
    opts = pulumi.ResourceOptions(providers=[provider])
    prefix = config.name_prefix
    prod = config.environment == "prod"
    zones = [str(zone) for zone in range(1, config.network.zones + 1)]
    subnets = subnet_plan(config)
    caller = azure.authorization.get_client_config_output(
        opts=pulumi.InvokeOutputOptions(provider=provider)
    )
    subscription_id = caller.subscription_id
    name_seed = subscription_id.apply(lambda sub: f"{sub}/{prefix}")
    principal_type = deployer_principal_type(config, os.environ)
    deployers: list[tuple[pulumi.Input[str], str]] = (
        [(p, principal_type) for p in config.cluster.deployer_principals]
        if config.cluster.deployer_principals
        else [(caller.object_id, principal_type)]
    )
    network = AzureNetwork(
        f"{prefix}-network",
        AzureNetworkArgs(
            location=config.region,
            cidr=str(config.network.cidr),
            nodes_cidr=subnets["nodes"],
            postgres_cidr=subnets["postgres"],
            endpoints_cidr=subnets["endpoints"],
            apiserver_cidr=subnets["apiserver"],
            apiserver_public=config.cluster.public_endpoint,
            runner_cidr=subnets.get("runner"),
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
            apiserver_subnet_id=network.apiserver_subnet_id,
            vnet_id=network.vnet_id,
            nat_public_ip=network.nat_public_ip,
            subscription_id=subscription_id,
            deployers=deployers,
            kubelogin_mode=kubeconfig.resolve_mode(config.cluster.kubelogin_mode),
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
    # postgres.engine cloudnative-pg: no Flexible Server (nor its alarms)
    postgres = (
        None
        if postgres_engine.in_cluster(config)
        else AzurePostgres(
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
                dr_region=config.disaster_recovery.region,
                database_name=config.postgres.database_name,
                username=config.postgres.username,
                extensions=config.postgres.extensions,
                delegated_subnet_id=network.postgres_subnet_id,
                private_dns_zone_id=network.dns_zone_ids["postgres"],
                name_seed=name_seed,
                protect=config.protect,
                tags=tags(config, "postgres"),
            ),
            opts,
        )
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
            allowed_subnet_ids=[network.nodes_subnet_id],
            allowed_ip_ranges=[str(n) for n in config.cluster.authorized_networks],
            name_seed=name_seed,
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
            name_seed=name_seed,
            endpoints_subnet_id=network.endpoints_subnet_id,
            dns_zone_id=network.dns_zone_ids["redis"],
            protect=config.protect,
            tags=tags(config, "redis"),
        ),
        opts,
    )
    if config.alarms.enabled:
        AzureAlarms(
            f"{prefix}-alarms",
            AzureAlarmsArgs(
                resource_group_name=group,
                short_name=short_name(config.stack),
                alarms=config.alarms,
                postgres_id=postgres.server_id if postgres else None,
                postgres_sku=config.postgres.instance_size,
                redis_id=redis.cache_id,
                eventhubs_id=kafka.namespace_id,
                cluster_id=cluster.cluster_id,
                tags=tags(config, "alarms"),
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
                subscription_id=subscription_id,
                # every app holds the Kafka contract (send + listen): the same rights as Entra
                # roles, so a move from SAS to OAUTHBEARER needs no new grant
                grants=[
                    (roles.EVENT_HUBS_DATA_SENDER, kafka.namespace_id),
                    (roles.EVENT_HUBS_DATA_RECEIVER, kafka.namespace_id),
                ],
                tags=tags(config, f"app-{app}"),
            ),
            opts,
        ).annotations()
        for app in config.apps
    }
    if postgres is not None:
        pulumi.export("postgresRestartCommand", postgres.restart_command)
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
        postgres=postgres.contract()
        if postgres is not None
        else postgres_engine.azure_postgres(
            config,
            cluster,
            group,
            name_seed,
            subscription_id,
            STORAGE_CLASS,
            dict(USE_LABEL),
            opts,
        ),
        kafka=kafka.contract(),
        redis=redis.contract(),
    )
