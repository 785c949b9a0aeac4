"""GCP wiring: the provider and the project's APIs, then network, GKE, Cloud SQL, Managed Kafka,
Memorystore and one Workload Identity per application workload, returning the contracts."""

from __future__ import annotations

from dataclasses import replace

import pulumi

from components.gcp.alarms import GcpAlarms, GcpAlarmsArgs, GcpWatched
from components.gcp.apis import DNS, ProjectApis, ProjectApisArgs
from components.gcp.artifact_registry import GcpImageRegistry, GcpImageRegistryArgs
from components.gcp.cloudsql import GcpPostgres, GcpPostgresArgs
from components.gcp.dns import GcpDnsWriter, GcpDnsWriterArgs
from components.gcp.gke import GcpCluster, GcpClusterArgs
from components.gcp.kafka import GcpKafka, GcpKafkaArgs
from components.gcp.memorystore import GcpRedis, GcpRedisArgs
from components.gcp.names import resource_name
from components.gcp.network import PODS_RANGE, SERVICES_RANGE, GcpNetwork, GcpNetworkArgs
from components.gcp.workload_identity import GcpWorkloadIdentity, GcpWorkloadIdentityArgs
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, tags
from infra.providers import gcp_provider
from stacks import dns, postgres_engine, specs
from stacks.platform import PlatformContracts, export_image_registry

CONTROL_PLANE_CIDR = "172.16.0.0/28"


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the GCP stack for ``config``."""
    assert config.project is not None  # the config models require gcp:project on gcp
    project = config.project
    provider = gcp_provider(config, project)
    opts = pulumi.ResourceOptions(providers=[provider])
    prefix = config.name_prefix
    apis = ProjectApis(
        f"{prefix}-apis",
        ProjectApisArgs(
            project=project,
            services=(*postgres_engine.gcp_apis(config), *((DNS,) if config.dns.zone else ())),
        ),
        opts,
    )
    # pinned in config, never "the zones UP today" (a zone is create-only; infra/config/zones.py)
    zones = config.pinned_zones

    network = GcpNetwork(
        f"{prefix}-network",
        GcpNetworkArgs(
            project=project,
            region=config.region,
            subnet_cidr=str(config.network.private_subnets()[0]),
            pod_cidr=str(config.network.pod_cidr),
            service_cidr=str(config.network.service_cidr),
            control_plane_cidr=CONTROL_PLANE_CIDR,
            private_services_cidr=str(config.network.private_services_cidr),
            flow_log_sampling=config.traits.flow_log_sampling,
            labels=tags(config, "network"),
            apis=apis,
        ),
        opts,
    )
    # dev runs a zonal cluster (one zone's control plane, cheaper); elsewhere regional
    regional = config.traits.multi_zone
    cluster = GcpCluster(
        f"{prefix}-gke",
        GcpClusterArgs(
            project=project,
            region=config.region,
            location=config.region if regional else zones[0],
            kubernetes_version=config.cluster.kubernetes_version,
            network_id=network.network_id,
            subnet_id=network.subnet_id,
            pods_range=PODS_RANGE,
            services_range=SERVICES_RANGE,
            control_plane_cidr=CONTROL_PLANE_CIDR,
            private_endpoint=not config.cluster.public_endpoint,
            authorized_networks=[str(n) for n in config.cluster.authorized_networks]
            + [str(config.network.cidr)],
            machine_type=config.cluster.node_size,
            node_min=config.cluster.node_min,
            node_max=config.cluster.node_max,
            node_disk_gb=config.cluster.node_disk_gb,
            deletion_protection=config.protect,
            protect=config.protect,
            labels=tags(config, "cluster"),
            apis=apis,
            viewer_members=list(config.cluster.preview_principals),
        ),
        opts,
    )
    # postgres.engine cloudnative-pg: no Cloud SQL instance (nor its DR replica and alarms)
    postgres = None
    if not postgres_engine.in_cluster(config):
        postgres = GcpPostgres(
            f"{prefix}-postgres",
            GcpPostgresArgs(
                spec=specs.postgres_spec(config),
                project=project,
                region=config.region,
                network_id=network.network_id,
                private_services=network.private_services,
                labels=tags(config, "postgres"),
                apis=apis,
                # pods connect from the pod range (see GcpPostgres._authorized_networks)
                client_cidrs=[str(config.network.pod_cidr)],
            ),
            opts,
        )
    kafka = GcpKafka(
        f"{prefix}-kafka",
        GcpKafkaArgs(
            spec=specs.kafka_spec(config),
            project=project,
            region=config.region,
            subnet_id=network.subnet_id,
            labels=tags(config, "kafka"),
            apis=apis,
        ),
        opts,
    )
    redis = GcpRedis(
        f"{prefix}-redis",
        GcpRedisArgs(
            spec=specs.redis_spec(config),
            project=project,
            region=config.region,
            network_id=network.network_id,
            psc_policy=network.redis_psc_policy,
            labels=tags(config, "redis"),
            apis=apis,
        ),
        opts,
    )
    alarms = specs.alarm_spec(config)
    if alarms is not None:
        watched = GcpWatched(postgres, redis, cluster)
        GcpAlarms(
            f"{prefix}-alarms",
            GcpAlarmsArgs(
                spec=alarms,
                project=project,
                watched=watched,
                labels=tags(config, "alarms"),
                apis=apis,
            ),
            opts,
        )
    identities = {
        app: GcpWorkloadIdentity(
            f"{prefix}-{app}",
            GcpWorkloadIdentityArgs(
                project=project,
                account_id=f"{app}-{config.stack}",
                workload_pool=cluster.workload_pool,
                namespace=APP_NAMESPACE,
                service_account=app,
                apis=apis,
            ),
            opts,
        ).annotations()
        for app in config.apps
    }
    network_contract = network.contract(
        str(config.network.cidr), [pulumi.Output.from_input(zone) for zone in zones]
    )
    _image_registry(config, project, apis, opts)
    contract = cluster.contract(identities)
    if config.dns.zone is not None:
        writer = GcpDnsWriter(
            f"{prefix}-external-dns",
            GcpDnsWriterArgs(
                project=project,
                zone=config.dns.zone,
                zone_name=config.dns.zone_id,
                account_id=f"external-dns-{config.stack}",
                workload_pool=cluster.workload_pool,
                namespace=dns.EXTERNAL_DNS_NAMESPACE,
                service_account=dns.SERVICE_ACCOUNT,
                apis=apis,
            ),
            opts,
        )
        contract = replace(contract, dns=writer.contract())
    database = (
        postgres
        if postgres is not None
        else postgres_engine.gcp_postgres(config, cluster, contract, project, apis, opts)
    )
    return PlatformContracts.of(network_contract, contract, (database, kafka, redis))


def _image_registry(
    config: PlatformConfig, project: str, apis: ProjectApis, opts: pulumi.ResourceOptions
) -> None:
    """The apps' Docker repository (``platform:images.createRegistry``), exported as
    ``imageRegistry``; the GKE nodes pull with their account's artifactregistry.reader."""
    if not config.images.create_registry:
        return
    registry = GcpImageRegistry(
        f"{config.name_prefix}-images",
        GcpImageRegistryArgs(
            project=project,
            location=config.region,
            repository_id=resource_name(config.name_prefix),
            keep_images=config.images.keep_images,
            protect=config.protect,
            labels=tags(config, "images"),
            apis=apis,
            pushers=config.images.pushers,
        ),
        opts,
    )
    export_image_registry(registry.url)
