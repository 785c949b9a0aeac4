"""Azure wiring: the provider, then network, AKS, PostgreSQL Flexible Server, Event Hubs (Kafka),
one workload identity per application workload and Azure Managed Redis (which admits the
identities of the apps that use it).

The caller's identity (``getClientConfig``) provides the subscription id (the seed of globally
unique names, with the stack) and, unless ``cluster.deployerPrincipals`` says otherwise, the
principal granted cluster-admin for deploying the Kubernetes layer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

import pulumi
import pulumi_azure_native as azure

from components.azure import kubeconfig, roles
from components.azure.acr import AzureImageRegistry, AzureImageRegistryArgs
from components.azure.aks import DNS_SERVICE_OFFSET, AzureCluster, AzureClusterArgs
from components.azure.alarms import AzureAlarms, AzureAlarmsArgs, AzureWatched, short_name
from components.azure.dns import AzureDnsWriter, AzureDnsWriterArgs
from components.azure.eventhubs import AzureKafka, AzureKafkaArgs
from components.azure.network import AzureNetwork, AzureNetworkArgs, ServicePlacement
from components.azure.postgres import AzurePostgres, AzurePostgresArgs
from components.azure.redis import AzureRedis, AzureRedisArgs
from components.azure.workload_identity import AzureWorkloadIdentity, AzureWorkloadIdentityArgs
from infra.config.dns import azure_zone_parts
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, tags
from infra.providers import azure_provider
from stacks import dns, postgres_engine, specs
from stacks.platform import PlatformContracts, export_image_registry, export_postgres_restart

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


def api_public(config: PlatformConfig) -> bool:
    """The API server has a public side: dev/staging, or prod with deployerNetworks (restricted
    to them and the NAT gateway's address; the private side stays for the VNet)."""
    return config.cluster.public_endpoint or bool(config.cluster.deployer_networks)


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
    traits = config.traits
    zones = config.pinned_zones
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
            apiserver_public=api_public(config),
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
            dns_service_ip=str(config.network.service_cidr.network_address + DNS_SERVICE_OFFSET),
            zones=zones,
            private_cluster=not api_public(config),
            authorized_ip_ranges=[
                str(n)
                for n in (*config.cluster.authorized_networks, *config.cluster.deployer_networks)
            ],
            admin_group_object_ids=config.cluster.admin_principals,
            vm_size=config.cluster.node_size,
            node_min=config.cluster.node_min,
            node_max=config.cluster.node_max,
            node_disk_gb=config.cluster.node_disk_gb,
            standard_tier=traits.paid_control_plane,
            log_retention_days=config.cluster.log_retention_days,
            viewers=[
                (principal, config.cluster.preview_principal_type)
                for principal in config.cluster.preview_principals
            ],
            protect=config.protect,
            tags=tags(config, "cluster"),
        ),
        opts,
    )

    def placement(subnet_id: pulumi.Input[str], dns_zone: str) -> ServicePlacement:
        """A data service in this stack's resource group, reached at ``subnet_id``."""
        return ServicePlacement(
            group, config.region, name_seed, subnet_id, network.dns_zone_ids[dns_zone]
        )

    # postgres.engine cloudnative-pg: no Flexible Server (nor its alarms)
    postgres = None
    if not postgres_engine.in_cluster(config):
        postgres = AzurePostgres(
            f"{prefix}-postgres",
            AzurePostgresArgs(
                spec=specs.postgres_spec(config),
                placement=placement(network.postgres_subnet_id, "postgres"),
                tags=tags(config, "postgres"),
            ),
            opts,
        )
    kafka = AzureKafka(
        f"{prefix}-kafka",
        AzureKafkaArgs(
            spec=specs.kafka_spec(config),
            placement=placement(network.endpoints_subnet_id, "servicebus"),
            capacity=1,
            max_throughput_units=traits.kafka_max_throughput_units,
            zone_redundant=traits.zone_redundant_kafka,
            public_access=not traits.private_kafka,
            allowed_subnet_ids=[network.nodes_subnet_id],
            allowed_ip_ranges=[str(n) for n in config.cluster.authorized_networks],
            tags=tags(config, "kafka"),
        ),
        opts,
    )
    workload_identities = {
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
        )
        for app in config.apps
    }
    redis = AzureRedis(
        f"{prefix}-redis",
        AzureRedisArgs(
            spec=specs.redis_spec(config),
            placement=placement(network.endpoints_subnet_id, "redis"),
            persistence=traits.persistent_cache,
            # Entra ID is the only way in: the apps that use Redis, as their workload identity
            clients={
                app: identity.principal_id
                for app, identity in workload_identities.items()
                if "redis" in config.apps[app].uses
            },
            tags=tags(config, "redis"),
        ),
        opts,
    )
    if config.images.create_registry:
        _image_registry(
            config,
            cluster,
            placement(network.endpoints_subnet_id, "registry"),
            subscription_id,
            opts,
        )
    alarms = specs.alarm_spec(config)
    if alarms is not None:
        watched = AzureWatched(postgres, kafka, redis, cluster)
        action_group = short_name(config.stack)
        alarm_args = AzureAlarmsArgs(
            spec=alarms,
            resource_group_name=group,
            short_name=action_group,
            watched=watched,
            tags=tags(config, "alarms"),
        )
        AzureAlarms(f"{prefix}-alarms", alarm_args, opts)
    identities = {app: identity.annotations() for app, identity in workload_identities.items()}
    contract = cluster.contract(identities)
    if config.dns.zone is not None and config.dns.zone_id is not None:
        zone_subscription, zone_group, _ = azure_zone_parts(config.dns.zone_id)
        writer = AzureDnsWriter(
            f"{prefix}-external-dns",
            AzureDnsWriterArgs(
                zone=config.dns.zone,
                zone_id=config.dns.zone_id,
                zone_subscription_id=zone_subscription,
                zone_resource_group=zone_group,
                tenant_id=caller.tenant_id,
                resource_group_name=group,
                location=config.region,
                oidc_issuer_url=cluster.oidc_issuer_url,
                namespace=dns.EXTERNAL_DNS_NAMESPACE,
                service_account=dns.SERVICE_ACCOUNT,
                tags=tags(config, "external-dns"),
            ),
            opts,
        )
        contract = replace(contract, dns=writer.contract())
    if postgres is not None:
        export_postgres_restart(postgres.restart_command)
    database = (
        postgres
        if postgres is not None
        else postgres_engine.azure_postgres(
            config, cluster, contract, group, name_seed, subscription_id, opts
        )
    )
    network_contract = network.contract(str(config.network.cidr))
    return PlatformContracts.of(network_contract, contract, (database, kafka, redis))


def _image_registry(
    config: PlatformConfig,
    cluster: AzureCluster,
    placement: ServicePlacement,
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> None:
    """The apps' container registry (``platform:images.createRegistry``), exported as
    ``imageRegistry`` (its login server); the kubelet identity pulls with AcrPull. Private
    (Premium, public access off) where the cluster is; Premium in prod in any case."""
    private = not api_public(config)
    registry = AzureImageRegistry(
        f"{config.name_prefix}-images",
        AzureImageRegistryArgs(
            placement=placement,
            premium=config.traits.premium_registry or private,
            private=private,
            allowed_ip_ranges=[
                str(n)
                for n in (*config.cluster.authorized_networks, *config.cluster.deployer_networks)
            ],
            kubelet_object_id=cluster.kubelet_object_id,
            pushers=[(principal, "ServicePrincipal") for principal in config.images.pushers],
            subscription_id=subscription_id,
            protect=config.protect,
            tags=tags(config, "images"),
        ),
        opts,
    )
    export_image_registry(registry.login_server)
