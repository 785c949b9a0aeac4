"""GCP wiring: the provider and the project's APIs, then network, GKE, Cloud SQL, Managed Kafka,
Memorystore and one Workload Identity per application workload, returning the contracts."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.contracts import ClusterContract, EgressDestination, TopicSpec
from components.gcp import apis as api
from components.gcp.alarms import GcpAlarms, GcpAlarmsArgs
from components.gcp.apis import ProjectApis, ProjectApisArgs
from components.gcp.cloudsql import GcpPostgres, GcpPostgresArgs
from components.gcp.gke import STORAGE_CLASS, GcpCluster, GcpClusterArgs
from components.gcp.kafka import GcpKafka, GcpKafkaArgs, capacity
from components.gcp.memorystore import GcpRedis, GcpRedisArgs
from components.gcp.network import PODS_RANGE, SERVICES_RANGE, GcpNetwork, GcpNetworkArgs
from components.gcp.workload_identity import GcpWorkloadIdentity, GcpWorkloadIdentityArgs
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, tags
from infra.providers import gcp_provider
from stacks import postgres_engine
from stacks.platform import PlatformContracts

CONTROL_PLANE_CIDR = "172.16.0.0/28"
# GKE's metadata server, which hands out Workload Identity tokens (Kafka OAUTHBEARER, Redis IAM
# AUTH): with Dataplane V2 NetworkPolicies, egress to both addresses must be allowed
# (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#troubleshooting,
# "Dataplane V2 ... 169.254.169.252/32 port 988 and 169.254.169.254/32 port 80").
METADATA_SERVER_EGRESS = [
    EgressDestination("gke-metadata-server", ["169.254.169.254/32"], [(80, 80)]),
    EgressDestination("gke-metadata-server-wi", ["169.254.169.252/32"], [(988, 988)]),
]


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the GCP stack for ``config``."""
    assert config.project is not None  # the config models require gcp:project on gcp
    project = config.project
    provider = gcp_provider(config, project)
    opts = pulumi.ResourceOptions(providers=[provider])
    prefix = config.name_prefix
    apis = ProjectApis(
        f"{prefix}-apis",
        ProjectApisArgs(project=project, services=postgres_engine.gcp_apis(config)),
        opts,
    )
    # Even lookups fail on a fresh project until their API is on.
    zones = gcp.compute.get_zones_output(
        project=project,
        region=config.region,
        status="UP",
        opts=pulumi.InvokeOutputOptions(provider=provider, depends_on=apis.needs(api.COMPUTE)),
    )
    project_number = gcp.organizations.get_project_output(
        project_id=project,
        opts=pulumi.InvokeOutputOptions(
            provider=provider, depends_on=apis.needs(api.CLOUDRESOURCEMANAGER)
        ),
    ).number

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
            flow_log_sampling=0.5 if config.environment == "prod" else 0.1,
            labels=tags(config, "network"),
            apis=apis,
        ),
        opts,
    )
    regional = config.environment != "dev"
    cluster = GcpCluster(
        f"{prefix}-gke",
        GcpClusterArgs(
            project=project,
            project_number=project_number,
            region=config.region,
            location=config.region if regional else zones.names.apply(lambda names: names[0]),
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
            deletion_protection=config.environment == "prod",
            protect=config.protect,
            labels=tags(config, "cluster"),
            apis=apis,
        ),
        opts,
    )
    # postgres.engine cloudnative-pg: no Cloud SQL instance (nor its DR replica and alarms)
    postgres = (
        None
        if postgres_engine.in_cluster(config)
        else GcpPostgres(
            f"{prefix}-postgres",
            GcpPostgresArgs(
                project=project,
                region=config.region,
                major_version=config.postgres.version,
                tier=config.postgres.instance_size,
                storage_gb=config.postgres.storage_gb,
                max_storage_gb=config.postgres.max_storage_gb,
                high_availability=config.postgres.high_availability,
                backup_retention_days=config.postgres.backup_retention_days,
                deletion_protection=config.postgres.deletion_protection,
                database_name=config.postgres.database_name,
                username=config.postgres.username,
                network_id=network.network_id,
                private_services=network.private_services,
                protect=config.protect,
                labels=tags(config, "postgres"),
                apis=apis,
                # pods connect from the pod range (see GcpPostgres._authorized_networks)
                client_cidrs=[str(config.network.pod_cidr)],
                dr_region=config.disaster_recovery.region,
            ),
            opts,
        )
    )
    vcpus, memory = capacity(config.kafka.broker_size)
    kafka = GcpKafka(
        f"{prefix}-kafka",
        GcpKafkaArgs(
            project=project,
            region=config.region,
            vcpus=vcpus,
            memory_gib=memory,
            replication_factor=config.kafka.replication_factor,
            topics=[
                TopicSpec(t.name, t.partitions, t.retention_hours) for t in config.kafka.topics
            ],
            subnet_id=network.subnet_id,
            protect=config.protect,
            labels=tags(config, "kafka"),
            apis=apis,
        ),
        opts,
    )
    redis = GcpRedis(
        f"{prefix}-redis",
        GcpRedisArgs(
            project=project,
            region=config.region,
            node_type=config.redis.node_size,
            shards=config.redis.shards,
            replicas_per_shard=config.redis.replicas_per_shard,
            network_id=network.network_id,
            psc_policy=network.redis_psc_policy,
            deletion_protection=config.environment == "prod",
            protect=config.protect,
            labels=tags(config, "redis"),
            apis=apis,
        ),
        opts,
    )
    if config.alarms.enabled:
        GcpAlarms(
            f"{prefix}-alarms",
            GcpAlarmsArgs(
                project=project,
                alarms=config.alarms,
                sql_instance=postgres.instance_name if postgres else None,
                sql_tier=config.postgres.instance_size,
                sql_replica=postgres.replica_name if postgres else None,
                redis_cluster=redis.cluster_name,
                gke_cluster=cluster.cluster_name,
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
    return PlatformContracts(
        network=network.contract(
            str(config.network.cidr),
            [zones.names.apply(lambda names, i=i: names[i]) for i in range(config.network.zones)],
        ),
        cluster=ClusterContract(
            name=cluster.cluster_name,
            kubeconfig=cluster.kubeconfig,
            provider=cluster.provider,
            workload_identity=identities,
            storage_class=STORAGE_CLASS,
            ships_metrics_server=True,
            workload_egress=METADATA_SERVER_EGRESS,
        ),
        postgres=postgres.contract()
        if postgres is not None
        else postgres_engine.gcp_postgres(
            config, cluster, project, apis, STORAGE_CLASS, METADATA_SERVER_EGRESS, opts
        ),
        kafka=kafka.contract(),
        redis=redis.contract(),
    )
