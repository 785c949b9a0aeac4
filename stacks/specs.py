"""Build the cloud-neutral specs (``components.specs``) once from the stack config.

Every cloud's wiring calls these and hands the spec to its component together with the
cloud's placement, so a config field is mapped to a component input in exactly one place.
Environment differences come from ``config.traits`` (``infra.config.profiles``), never from
comparing environment names here.
"""

from __future__ import annotations

from components.contracts import TopicSpec
from components.specs import AlarmSpec, KafkaSpec, PostgresSpec, RedisSpec
from infra.config.models import PlatformConfig


def postgres_spec(config: PlatformConfig) -> PostgresSpec:
    """The PostgreSQL server ``config`` asks for."""
    postgres = config.postgres
    return PostgresSpec(
        version=postgres.version,
        instance_size=postgres.instance_size,
        storage_gb=postgres.storage_gb,
        max_storage_gb=postgres.max_storage_gb,
        high_availability=postgres.high_availability,
        backup_retention_days=postgres.backup_retention_days,
        deletion_protection=postgres.deletion_protection,
        database_name=postgres.database_name,
        username=postgres.username,
        extensions=postgres.extensions,
        instances=postgres.instances,
        synchronous_replicas=postgres.synchronous_replicas,
        pod_cpu=postgres.pod_cpu,
        pod_memory=postgres.pod_memory,
        final_snapshot=config.traits.final_snapshot,
        geo_redundant_backup=config.traits.geo_redundant_backup,
        dr_region=config.disaster_recovery.region,
        dr_backup_retention_days=config.disaster_recovery.backup_retention_days,
        log_retention_days=config.cluster.log_retention_days,
        protect=config.protect,
    )


def kafka_spec(config: PlatformConfig) -> KafkaSpec:
    """The Kafka cluster and topics ``config`` asks for."""
    kafka = config.kafka
    return KafkaSpec(
        version=kafka.version,
        brokers=kafka.brokers,
        broker_size=kafka.broker_size,
        storage_gb=kafka.storage_gb,
        max_storage_gb=kafka.max_storage_gb,
        replication_factor=kafka.replication_factor,
        min_insync_replicas=kafka.min_insync_replicas,
        topics=[
            TopicSpec(name=t.name, partitions=t.partitions, retention_hours=t.retention_hours)
            for t in kafka.topics
        ],
        log_retention_days=config.cluster.log_retention_days,
        protect=config.protect,
    )


def redis_spec(config: PlatformConfig) -> RedisSpec:
    """The Redis ``config`` asks for."""
    redis = config.redis
    return RedisSpec(
        version=redis.version,
        node_size=redis.node_size,
        shards=redis.shards,
        replicas_per_shard=redis.replicas_per_shard,
        snapshot_retention_days=redis.snapshot_retention_days,
        deletion_protection=config.protect,
        log_retention_days=config.cluster.log_retention_days,
        protect=config.protect,
    )


def alarm_spec(config: PlatformConfig) -> AlarmSpec | None:
    """The alarm thresholds and recipients, or None where the environment declares no alarms."""
    alarms = config.alarms
    if not alarms.enabled:
        return None
    return AlarmSpec(
        cpu_percent=alarms.cpu_percent,
        memory_percent=alarms.memory_percent,
        storage_percent=alarms.storage_percent,
        connections_percent=alarms.connections_percent,
        replica_lag_seconds=alarms.replica_lag_seconds,
        evaluation_minutes=alarms.evaluation_minutes,
        notification_emails=list(alarms.notification_emails),
    )
