"""``platform:postgres``, ``platform:kafka`` and ``platform:redis``: the managed data services.

Sizes are cloud-specific strings (checked per cloud in ``infra.config.cloud_rules``); the
validators here are the cloud-neutral ones (storage growth, replication within brokers).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from infra.config.base import StrictModel
from infra.config.common import NonNegativeInt, PositiveInt, Version
from infra.config.quantities import cpu_millicores, memory_bytes

_SqlName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]


PostgresEngine = Literal["managed", "cloudnative-pg"]
# The smallest pod the tuned parameters make sense for (shared_buffers 25 %, work_mem, workers).
CNPG_MIN_MEMORY = "512Mi"


class PostgresConfig(StrictModel):
    """``platform:postgres``: PostgreSQL, managed by the cloud or by CloudNativePG in-cluster."""

    engine: PostgresEngine = Field(
        default="managed",
        description="managed: RDS / Cloud SQL / Flexible Server; cloudnative-pg: the "
        "CloudNativePG operator runs TimescaleDB on the cluster (docs/postgres.md)",
    )
    version: Version = Field(
        pattern=r"^\d+$",
        description='PostgreSQL major version (17 or "17"): one the engine\'s version catalog '
        "entry lists (policies/rules/facts/catalog/postgres.toml)",
    )
    instance_size: str = Field(
        min_length=1, description="server class/tier/SKU (cloud-specific; bigger in prod)"
    )
    storage_gb: int = Field(ge=20, le=65536, description="initial storage (GiB)")
    max_storage_gb: int = Field(
        ge=20, le=65536, description="storage autogrowth ceiling (GiB; AWS/GCP autoscaling limit)"
    )
    high_availability: bool = Field(
        description="standby in another zone (Multi-AZ / regional / zone-redundant; prod: on)"
    )
    backup_retention_days: int = Field(
        ge=1, le=35, description="days automated backups and PITR are kept (prod: 14 or more)"
    )
    deletion_protection: bool = Field(
        description="the cloud refuses to delete the server (prod: on, data loss is unrecoverable)"
    )
    database_name: _SqlName = Field(description="database created for the apps")
    username: _SqlName = Field(description="admin user the apps connect as (password generated)")
    extensions: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(
        description="extensions allow-listed on the server (managed: the apps create them; "
        "cloudnative-pg: created in the database at bootstrap)"
    )
    instances: int = Field(
        ge=1, le=9,
        description="cloudnative-pg: Postgres pods, one primary + replicas (dev 1, staging 2, "
        "prod 3 or more, one per zone)",
    )  # fmt: skip
    synchronous_replicas: NonNegativeInt = Field(
        le=8,
        description="cloudnative-pg: standbys every commit waits for (prod: 1 or more, no "
        "acknowledged write lost on failover); at most instances - 1",
    )
    pod_cpu: str = Field(
        description="cloudnative-pg: CPU per Postgres pod (e.g. 2; parallel workers follow it)"
    )
    pod_memory: str = Field(
        description=f"cloudnative-pg: memory per Postgres pod (at least {CNPG_MIN_MEMORY}; "
        "shared_buffers, effective_cache_size and work_mem follow it)"
    )
    backups: bool = Field(
        description="cloudnative-pg: continuous WAL archiving and daily base backups to the "
        "stack's object storage, kept backupRetentionDays (prod: on)"
    )

    @field_validator("pod_cpu")
    @classmethod
    def _cpu(cls, value: str) -> str:
        cpu_millicores(value)
        return value

    @field_validator("pod_memory")
    @classmethod
    def _memory(cls, value: str) -> str:
        if memory_bytes(value) < memory_bytes(CNPG_MIN_MEMORY):
            raise ValueError(f"{value!r} is below {CNPG_MIN_MEMORY}")
        return value

    @model_validator(mode="after")
    def _storage_growth(self) -> PostgresConfig:
        if self.max_storage_gb < self.storage_gb:
            raise ValueError(
                f"maxStorageGb ({self.max_storage_gb}) must be >= storageGb ({self.storage_gb})"
            )
        if self.synchronous_replicas > self.instances - 1:
            raise ValueError(
                f"synchronousReplicas ({self.synchronous_replicas}) must be at most "
                f"instances - 1 ({self.instances - 1}); a commit would wait for a standby "
                "that does not exist"
            )
        return self


class KafkaTopic(StrictModel):
    """One Kafka topic the service uses."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9._-]{1,249}$")] = Field(
        description="topic name"
    )
    partitions: int = Field(ge=1, le=1024, description="partition count (consumer parallelism)")
    retention_hours: int = Field(ge=1, le=8760, description="hours messages are kept")


class KafkaConfig(StrictModel):
    """``platform:kafka``: the managed Kafka cluster and its topics."""

    version: Version = Field(
        pattern=r"^\d+\.\d+\.(\d+|x)$", description="Kafka version (MSK naming, e.g. 3.8.x)"
    )
    brokers: PositiveInt = Field(
        description="broker count (AWS: a multiple of zones; prod: 3 for replication factor 3)"
    )
    broker_size: str = Field(
        min_length=1, description="broker type / vCPUxGiB / Event Hubs tier (cloud-specific)"
    )
    storage_gb: int = Field(ge=1, le=16384, description="initial storage per broker (GiB)")
    max_storage_gb: int = Field(
        ge=1, le=16384, description="storage autoscaling ceiling per broker (GiB)"
    )
    replication_factor: int = Field(
        ge=1, le=5, description="copies of each partition (prod: 3, survives a broker loss)"
    )
    min_insync_replicas: int = Field(
        ge=1, le=5, description="replicas that must ack a write (prod: 2, no acked-write loss)"
    )
    topics: list[KafkaTopic] = Field(description="topics created for the apps")

    @model_validator(mode="after")
    def _replication(self) -> KafkaConfig:
        if self.replication_factor > self.brokers:
            raise ValueError(
                f"replicationFactor ({self.replication_factor}) exceeds brokers ({self.brokers})"
            )
        if self.min_insync_replicas > self.replication_factor:
            raise ValueError(
                f"minInsyncReplicas ({self.min_insync_replicas}) exceeds "
                f"replicationFactor ({self.replication_factor})"
            )
        if self.max_storage_gb < self.storage_gb:
            raise ValueError(
                f"maxStorageGb ({self.max_storage_gb}) must be >= storageGb ({self.storage_gb})"
            )
        names = [topic.name for topic in self.topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate topic names: {', '.join(duplicates)}")
        return self


class RedisConfig(StrictModel):
    """``platform:redis``: the managed Redis (cluster mode where the cloud offers it)."""

    version: Version = Field(
        pattern=r"^\d+(\.\d+)?$",
        description='Redis engine version (7.1 or "7.1"; gcp, azure: what the service runs, '
        "it upgrades its own Redis; catalog: redis.toml)",
    )
    node_size: str = Field(
        min_length=1,
        description="node type / cache SKU (cloud-specific; azure: an Azure Managed Redis SKU)",
    )
    shards: PositiveInt = Field(
        le=500,
        description="cluster-mode shards (prod: 3, spreads keys and load; azure: the SKU "
        "must run at least this many primary shards)",
    )
    replicas_per_shard: NonNegativeInt = Field(
        le=5,
        description="replicas per shard (prod: 1 or more for automatic failover; azure: 0 "
        "or 1, high availability off or on)",
    )
    snapshot_retention_days: NonNegativeInt = Field(
        le=35, description="days automatic snapshots are kept (0: none)"
    )
