"""Cloud-neutral specs of the data services and alarms: what to build, whatever the cloud.

``stacks/specs.py`` builds each spec once from the stack config (sizes from the profiles,
environment differences from ``infra.config.profiles.EnvironmentTraits``); every cloud's
component takes the spec plus its own placement (subnets, DNS zones, project, resource group),
so the three clouds read the same field names instead of re-mapping them. Sizes stay strings:
their meaning is the cloud's (an RDS class, a Cloud SQL tier, an Azure SKU).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.contracts import TopicSpec


@dataclass(frozen=True, kw_only=True)
class PostgresSpec:
    """The managed PostgreSQL server (``platform:postgres``)."""

    #: PostgreSQL major version ("15", "16", "17"); each cloud pins its own minor
    version: str
    #: server class / tier / SKU, cloud-specific (db.r6g.xlarge, db-custom-4-15360, Standard_D4ds_v5)
    instance_size: str
    #: initial storage (GiB)
    storage_gb: int
    #: storage autogrowth ceiling (GiB; AWS/GCP, Azure grows on its own)
    max_storage_gb: int
    #: standby in another zone (Multi-AZ / REGIONAL / ZoneRedundant); off in dev to stay cheap
    high_availability: bool
    #: days automated backups and point-in-time restore are kept (prod: 14 or more)
    backup_retention_days: int
    #: the cloud refuses to delete the server (prod: on)
    deletion_protection: bool
    #: database created for the apps
    database_name: str
    #: admin user the apps connect as (password generated)
    username: str
    #: extensions allow-listed / preloaded on the server
    extensions: list[str]
    #: in-cluster engine (CloudNativePG): Postgres pods, one primary + replicas
    instances: int
    #: in-cluster engine: standbys every commit waits for (0: asynchronous replication)
    synchronous_replicas: int
    #: in-cluster engine: CPU per Postgres pod (a Kubernetes quantity; parallel workers follow it)
    pod_cpu: str
    #: in-cluster engine: memory per Postgres pod (a Kubernetes quantity; parameters follow it)
    pod_memory: str
    #: take a final snapshot when the server is deleted (prod only: dev/staging are disposable)
    final_snapshot: bool
    #: backups also kept in the region's pair / DR region (Azure geo-redundant backup; prod)
    geo_redundant_backup: bool
    #: region holding cross-region copies (replica / backups); None: no DR copy
    dr_region: str | None
    #: days the cross-region backup copies are kept
    dr_backup_retention_days: int
    #: days the server's exported logs are kept (the environment's log retention)
    log_retention_days: int
    #: Pulumi ``protect`` on the stateful resources (prod)
    protect: bool


@dataclass(frozen=True, kw_only=True)
class KafkaSpec:
    """The managed Kafka cluster and its topics (``platform:kafka``)."""

    #: Kafka version in MSK naming (e.g. 3.8.x)
    version: str
    #: broker count (AWS: a multiple of the zones)
    brokers: int
    #: broker type / vCPUxGiB / Event Hubs tier, cloud-specific (in-cluster Strimzi: each
    #: broker pod's "<cpu>/<memory>" requests)
    broker_size: str
    #: initial storage per broker (GiB)
    storage_gb: int
    #: storage autoscaling ceiling per broker (GiB)
    max_storage_gb: int
    #: copies of each partition (prod: 3, survives a broker loss)
    replication_factor: int
    #: replicas that must acknowledge a write (prod: 2)
    min_insync_replicas: int
    #: topics created for the apps
    topics: list[TopicSpec]
    #: days broker logs are kept (the environment's log retention)
    log_retention_days: int
    #: Pulumi ``protect`` on the stateful resources (prod)
    protect: bool


@dataclass(frozen=True, kw_only=True)
class RedisSpec:
    """The managed Redis (``platform:redis``)."""

    #: Redis engine version
    version: str
    #: node type / cache SKU, cloud-specific (cache.r7g.large, REDIS_HIGHMEM_MEDIUM, Balanced_B20;
    #: in-cluster Valkey: the pod's "<cpu>/<memory>" requests)
    node_size: str
    #: cluster-mode shards (prod: 3)
    shards: int
    #: replicas per shard (0: no automatic failover; prod: 1 or more)
    replicas_per_shard: int
    #: days automatic snapshots are kept (0: none)
    snapshot_retention_days: int
    #: the cloud refuses to delete the cache where it offers that (prod)
    deletion_protection: bool
    #: days engine / slow logs are kept (the environment's log retention)
    log_retention_days: int
    #: Pulumi ``protect`` on the stateful resources (prod)
    protect: bool


@dataclass(frozen=True, kw_only=True)
class AlarmSpec:
    """Alarm thresholds and who hears them (``platform:alarms``)."""

    #: CPU above this (% of the instance) alarms
    cpu_percent: int
    #: memory used above this (%) alarms
    memory_percent: int
    #: storage / disk used above this (%) alarms
    storage_percent: int
    #: database connections above this (% of max_connections) alarm
    connections_percent: int
    #: replication lag above this (seconds) alarms
    replica_lag_seconds: int
    #: minutes a threshold must be breached before the alarm fires (tighter in prod)
    evaluation_minutes: int
    #: addresses notified (topic subscription / channel / action group receiver)
    notification_emails: list[str]


@dataclass(frozen=True, kw_only=True)
class BackupStoreSpec:
    """Object storage for the in-cluster Postgres' base backups and WAL, whatever the cloud."""

    #: days a deleted/overwritten object stays recoverable as a non-current version
    noncurrent_days: int
    #: namespace of the ServiceAccount allowed to write
    namespace: str
    #: the ServiceAccount allowed to write (CloudNativePG names it after the Cluster)
    service_account: str
    #: protect the store (bucket/account and key) from deletion (prod)
    protect: bool
