"""What each cloud accepts: instance families, supported versions, extensions, Azure sizes.

These are facts about the managed services (not choices of ours), kept apart from the section
models so that a new cloud limit is one table entry plus a test. Each rule reports one line naming
the key path and what the cloud allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from infra.config.common import REGION_KEYS, Cloud, config_value
from infra.config.offerings import offering_problems
from infra.config.principals import (
    ENTRA_UUID,
    IAM_MEMBER,
    aws_principal_problems,
    pusher_problems,
)
from infra.config.zones import zone_problems
from infra.registry import per_cloud
from policies.rules.facts import catalog
from policies.rules.facts.azure_limits import AZURE_BACKUP_RETENTION_DAYS, AZURE_POSTGRES_STORAGE_GB
from policies.rules.facts.azure_redis import AMR_SKUS, primary_shards

if TYPE_CHECKING:
    from infra.config.platform import PlatformFields

# "<cpu>/<memory>": cpu in cores or millicores, memory in Mi or Gi
_LOCAL_SIZE = re.compile(r"^(\d+|\d+m)/\d+(Mi|Gi)$")
_INSTANCE_FAMILIES: dict[Cloud, dict[str, tuple[str, re.Pattern[str]]]] = {
    "aws": {
        "cluster.nodeSize": ("an EC2 type like m6i.large", re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")),
        "postgres.instanceSize": ("an RDS class like db.m6g.large", re.compile(r"^db\.[a-z0-9-]+\.[a-z0-9]+$")),
        "kafka.brokerSize": ("an MSK type like kafka.m5.large", re.compile(r"^kafka\.[a-z0-9-]+\.[a-z0-9]+$")),
        "redis.nodeSize": ("an ElastiCache type like cache.r7g.large", re.compile(r"^cache\.[a-z0-9-]+\.[a-z0-9]+$")),
    },
    "gcp": {
        "cluster.nodeSize": ("a machine type like e2-standard-4", re.compile(r"^[a-z0-9]+-[a-z0-9-]+$")),
        "postgres.instanceSize": ("a Cloud SQL tier like db-custom-2-7680", re.compile(r"^db-[a-z0-9-]+$")),
        "kafka.brokerSize": ("vCPUxGiB like 3x12", re.compile(r"^\d+x\d+$")),
        "redis.nodeSize": ("a Memorystore node type like REDIS_SHARED_CORE_NANO", re.compile(r"^REDIS_[A-Z0-9_]+$")),
    },
    "azure": {
        "cluster.nodeSize": ("a VM size like Standard_D4s_v5", re.compile(r"^Standard_[A-Za-z0-9_]+$")),
        "postgres.instanceSize": ("a Flexible Server SKU like Standard_D2ds_v5", re.compile(r"^Standard_[A-Za-z0-9_]+$")),
        "kafka.brokerSize": ("an Event Hubs tier: Standard or Premium", re.compile(r"^(Standard|Premium)$")),
    },
    # local: the requests of one pod (or, for the cluster, the laptop node's capacity) as
    # "<cpu>/<memory>" Kubernetes quantities: there is no instance type to pick (Postgres is
    # CloudNativePG, sized by postgres.podCpu/podMemory)
    "local": {
        "cluster.nodeSize": ("the node's capacity like 4/8Gi", _LOCAL_SIZE),
        "kafka.brokerSize": ("each broker pod's requests like 200m/768Mi", _LOCAL_SIZE),
        "redis.nodeSize": ("the Valkey pod's requests like 50m/128Mi", _LOCAL_SIZE),
    },
}  # fmt: skip
per_cloud("infra.config.cloud_rules._INSTANCE_FAMILIES", _INSTANCE_FAMILIES)


# Which version catalog service (policies/rules/facts/catalog/kubernetes.toml) is each cloud's
# Kubernetes: every catalogued version is accepted here (the wiring pins add-on and engine
# versions for exactly these); whether it is still supported on the day is the plan's
# deploy-version-support rule, so "what breaks on date X" is a plan result, not a config error.
KUBERNETES_SERVICES: dict[Cloud, str] = {
    "aws": "kubernetes.eks",
    "gcp": "kubernetes.gke",
    "azure": "kubernetes.aks",
    # local: kind's node image (docs/kind-cluster.yaml)
    "local": "kubernetes.kind",
}
SUPPORTED_KUBERNETES_VERSIONS: dict[Cloud, tuple[str, ...]] = {
    cloud: catalog.service(service_id).versions for cloud, service_id in KUBERNETES_SERVICES.items()
}
per_cloud("infra.config.cloud_rules.KUBERNETES_SERVICES", KUBERNETES_SERVICES)
per_cloud("infra.config.cloud_rules.SUPPORTED_KUBERNETES_VERSIONS", SUPPORTED_KUBERNETES_VERSIONS)
# Extensions the managed service cannot load, with the reason shown to the user. The in-cluster
# engine (cloudnative-pg) runs a TimescaleDB image and has no such limits.
UNSUPPORTED_EXTENSIONS: dict[Cloud, dict[str, str]] = {
    "aws": {
        "timescaledb": "RDS for PostgreSQL does not offer TimescaleDB; set "
        "postgres.engine: cloudnative-pg to run it in the cluster"
    },
    "gcp": {
        "timescaledb": "Cloud SQL for PostgreSQL does not offer TimescaleDB; set "
        "postgres.engine: cloudnative-pg to run it in the cluster"
    },
    "azure": {},
    # local runs Postgres with CloudNativePG on a TimescaleDB image
    "local": {},
}
per_cloud("infra.config.cloud_rules.UNSUPPORTED_EXTENSIONS", UNSUPPORTED_EXTENSIONS)
# The catalog service of each cloud's managed Postgres, Kafka and Redis (the in-cluster engines:
# CloudNativePG, Strimzi, Valkey); a cloud without one pins no version of it (Event Hubs);
# Memorystore and Azure Managed Redis upgrade their own Redis: the catalog records what they run.
MANAGED_POSTGRES_SERVICES: dict[Cloud, str] = {
    "aws": "postgres.rds",
    "gcp": "postgres.cloudsql",
    "azure": "postgres.flexible-server",
}
per_cloud(
    "infra.config.cloud_rules.MANAGED_POSTGRES_SERVICES",
    MANAGED_POSTGRES_SERVICES,
    coverage="account",
)
CNPG_POSTGRES_SERVICE = "postgres.cloudnative-pg"
KAFKA_SERVICES: dict[Cloud, str] = {
    "aws": "kafka.msk", "gcp": "kafka.gcp-kafka", "local": "kafka.strimzi",
}  # fmt: skip
per_cloud("infra.config.cloud_rules.KAFKA_SERVICES", KAFKA_SERVICES, coverage="some")
REDIS_SERVICES: dict[Cloud, str] = {
    "aws": "redis.elasticache", "gcp": "redis.memorystore-cluster",
    "azure": "redis.azure-managed-redis", "local": "redis.valkey",
}  # fmt: skip
per_cloud("infra.config.cloud_rules.REDIS_SERVICES", REDIS_SERVICES)
# Clouds whose Redis service runs and upgrades its own Redis (no version input): redis.version
# can only name what the catalog records it runs.
SELF_UPGRADING_REDIS: dict[Cloud, str] = {
    "gcp": "Memorystore for Redis Cluster", "azure": "Azure Managed Redis",
}  # fmt: skip
per_cloud("infra.config.cloud_rules.SELF_UPGRADING_REDIS", SELF_UPGRADING_REDIS, coverage="some")


def postgres_service(config: PlatformFields) -> str:
    """The catalog service of the stack's Postgres engine."""
    if config.postgres.engine == "cloudnative-pg" or config.cloud == "local":
        return CNPG_POSTGRES_SERVICE
    return MANAGED_POSTGRES_SERVICES[config.cloud]


def postgres_majors(service_id: str) -> tuple[str, ...]:
    """The Postgres majors a catalog service lists (RDS also lists retired minors)."""
    return tuple(v for v in catalog.service(service_id).versions if v.isdigit())


# Kafka versions the pinned Strimzi operator runs (catalog: kafka.strimzi)
STRIMZI_KAFKA_VERSIONS = catalog.service("kafka.strimzi").versions
_STRIMZI = catalog.service("charts.strimzi-kafka-operator").default
# Kafka lines Managed Service for Apache Kafka accepts as ``kafka_version`` (kafka.gcp-kafka)
GCP_KAFKA_VERSIONS = catalog.service("kafka.gcp-kafka").versions
# Valkey (the BSD-licensed Redis fork) lines with a pinned image (redis.valkey)
VALKEY_VERSIONS = catalog.service("redis.valkey").versions


def cloud_rule_problems(config: PlatformFields) -> list[str]:
    """What this cloud cannot run: instance families, versions, extensions, naming of principals."""
    network = config.network
    problems = _instance_family_problems(config)
    shaped = {problem.split(":", 1)[0] for problem in problems}
    offered = [p for p in offering_problems(config) if p.split(":", 1)[0] not in shaped]
    problems += offered
    if not any(p.startswith(tuple(REGION_KEYS.values())) for p in offered):
        zones = zone_problems(
            config.cloud, config.region, network.zones, network.availability_zones
        )
        problems += zones
    if config.kafka.brokers % config.network.zones and config.cloud == "aws":
        problems.append(
            f"kafka.brokers: {config.kafka.brokers} is not a multiple of "
            f"network.zones ({config.network.zones}); MSK places brokers evenly across zones"
        )
    if config.cloud == "gcp" and not config.project:
        problems.append("gcp:project: required when platform:cloud is gcp")
    versions = SUPPORTED_KUBERNETES_VERSIONS[config.cloud]
    if config.cluster.kubernetes_version not in versions:
        problems.append(
            f"cluster.kubernetesVersion: {config.cluster.kubernetes_version} is not supported on "
            f"{config.cloud}; allowed: {', '.join(versions)}"
        )
    majors = postgres_majors(postgres_service(config))
    if config.postgres.version not in majors:
        problems.append(
            f"postgres.version: {config.postgres.version} is not in the version catalog of "
            f"{postgres_service(config)}; allowed: {', '.join(majors)}"
        )
    managed = config.postgres.engine == "managed"
    for extension in config.postgres.extensions if managed else []:
        reason = UNSUPPORTED_EXTENSIONS[config.cloud].get(extension)
        if reason:
            problems.append(f"postgres.extensions: {extension!r} is not available: {reason}")
    if config.cluster.storage_class is not None and config.cloud != "local":
        problems.append(
            f"cluster.storageClass: only used when platform:cloud is local ({config.cloud} "
            "picks its own encrypted class); remove it"
        )
    if config.cloud == "local":
        problems += _local_problems(config)
    problems += _self_upgrading_redis_problems(config)
    if config.cluster.deployer_networks and config.cloud not in ("aws", "azure"):
        problems.append(
            f"cluster.deployerNetworks: only used on aws and azure ({config.cloud}: "
            + ("GKE's DNS endpoint is the way in" if config.cloud == "gcp" else "no cloud API")
            + "); remove it"
        )
    problems += _CLOUD_PROBLEMS.get(config.cloud, _no_problems)(config)
    problems += pusher_problems(config)
    return problems


def _instance_family_problems(config: PlatformFields) -> list[str]:
    problems = []
    for path, (example, pattern) in _INSTANCE_FAMILIES[config.cloud].items():
        value = config_value(config, path)
        if not isinstance(value, str) or not pattern.match(value):
            problems.append(f"{path}: {value!r} is not valid on {config.cloud}; expected {example}")
    return problems


def _azure_problems(config: PlatformFields) -> list[str]:
    problems = []
    for key, kind, principals in (
        ("adminPrincipals", "group object id", config.cluster.admin_principals),
        ("deployerPrincipals", "object id", config.cluster.deployer_principals),
        ("previewPrincipals", "object id", config.cluster.preview_principals),
    ):
        for principal in principals:
            if not ENTRA_UUID.match(principal):
                problems.append(f"cluster.{key}: {principal!r} is not an Entra ID {kind} (a UUID)")
    if config.environment == "prod" and not config.cluster.deployer_principals:
        problems.append(
            "cluster.deployerPrincipals: required in prod: the object id of the identity that "
            "runs pulumi up (the deploy runner's managed identity), never whoever runs it"
        )
    if config.postgres.engine == "managed":
        problems += _azure_flexible_server_problems(config)
    return problems + _azure_redis_problems(config)


def _self_upgrading_redis_problems(config: PlatformFields) -> list[str]:
    """On a cloud whose Redis service picks its own version, redis.version is what it runs."""
    if config.cloud not in SELF_UPGRADING_REDIS:
        return []
    versions = catalog.service(REDIS_SERVICES[config.cloud]).versions
    if config.redis.version in versions:
        return []
    return [
        f"redis.version: {config.redis.version} is not what {SELF_UPGRADING_REDIS[config.cloud]} "
        f"runs (the service runs and upgrades its own Redis); allowed: {', '.join(versions)}"
    ]


def _azure_redis_problems(config: PlatformFields) -> list[str]:
    """Azure Managed Redis: a SKU it sells, running at least ``shards`` primary shards, and at
    most one replica per shard (high availability on or off)."""
    redis = config.redis
    shards = primary_shards(redis.node_size)
    if shards is None:
        return [
            f"redis.nodeSize: {redis.node_size!r} is not an Azure Managed Redis SKU (Azure Cache "
            f"for Redis' Basic/Standard/Premium are retiring); allowed: {', '.join(AMR_SKUS)}"
        ]
    problems = []
    if redis.shards > shards:
        # the smallest SKU of each tier that runs enough shards (the table is in size order)
        smallest: dict[str, str] = {}
        for sku, (_, runs) in AMR_SKUS.items():
            if runs >= redis.shards:
                smallest.setdefault(sku.split("_")[0], sku)
        hint = f": {', '.join(smallest.values())} or larger" if smallest else ""
        problems.append(
            f"redis.shards: {redis.shards} is more than the {shards} primary shard(s) "
            f"{redis.node_size} runs; pick a SKU that runs at least {redis.shards}{hint}"
        )
    if redis.replicas_per_shard > 1:
        problems.append(
            f"redis.replicasPerShard: {redis.replicas_per_shard}; Azure Managed Redis keeps one "
            "replica per shard (high availability) or none; allowed: 0, 1"
        )
    return problems


def _azure_flexible_server_problems(config: PlatformFields) -> list[str]:
    """Flexible Server's limits (only when it is the engine)."""
    problems = []
    if config.postgres.storage_gb not in AZURE_POSTGRES_STORAGE_GB:
        allowed = ", ".join(str(size) for size in AZURE_POSTGRES_STORAGE_GB)
        problems.append(
            f"postgres.storageGb: {config.postgres.storage_gb} is not a Flexible Server "
            f"Premium SSD size; allowed: {allowed}"
        )
    low, high = AZURE_BACKUP_RETENTION_DAYS
    if not low <= config.postgres.backup_retention_days <= high:
        problems.append(
            f"postgres.backupRetentionDays: {config.postgres.backup_retention_days} is outside "
            f"Flexible Server's range; allowed: {low}-{high}"
        )
    if config.postgres.high_availability and config.postgres.instance_size.startswith("Standard_B"):
        problems.append(
            f"postgres.highAvailability: zone-redundant HA is not available on Burstable "
            f"{config.postgres.instance_size}; use a General Purpose SKU such as Standard_D2ds_v5"
        )
    return problems


def _gcp_kafka_capacity_problems(broker_size: str) -> list[str]:
    match = re.fullmatch(r"(\d+)x(\d+)", broker_size)
    if not match:
        return []  # the instance-family check already reported it
    vcpus, memory = int(match.group(1)), int(match.group(2))
    if vcpus < 3 or not vcpus <= memory <= 8 * vcpus:
        return [
            f"kafka.brokerSize: {broker_size} is not a Managed Kafka capacity; needs at least 3 "
            "vCPUs and 1 to 8 GiB of memory per vCPU (e.g. 3x12)"
        ]
    return []


def _local_problems(config: PlatformFields) -> list[str]:
    problems = []
    if config.postgres.engine != "cloudnative-pg":
        problems.append(
            f"postgres.engine: {config.postgres.engine} needs a cloud; allowed on local: "
            "cloudnative-pg"
        )
    if config.postgres.backups:
        problems.append(
            "postgres.backups: true needs object storage, which a local stack has none of; "
            "allowed on local: false"
        )
    if config.kafka.version not in STRIMZI_KAFKA_VERSIONS:
        problems.append(
            f"kafka.version: {config.kafka.version} is not run by Strimzi {_STRIMZI} on local; "
            f"allowed: {', '.join(STRIMZI_KAFKA_VERSIONS)}"
        )
    if config.redis.version not in VALKEY_VERSIONS:
        problems.append(
            f"redis.version: {config.redis.version} has no pinned Valkey image on local; "
            f"allowed: {', '.join(VALKEY_VERSIONS)}"
        )
    return problems


def _gcp_problems(config: PlatformFields) -> list[str]:
    """Managed Kafka capacity and versions; IAM members allowed to preview."""
    problems = _gcp_kafka_capacity_problems(config.kafka.broker_size)
    if config.kafka.version not in GCP_KAFKA_VERSIONS:
        problems.append(
            f"kafka.version: {config.kafka.version} is not a Managed Kafka version; "
            f"allowed: {', '.join(GCP_KAFKA_VERSIONS)}"
        )
    for member in config.cluster.preview_principals:
        if not IAM_MEMBER.match(member):
            problems.append(
                f"cluster.previewPrincipals: {member!r} is not an IAM member "
                "(serviceAccount:NAME@PROJECT.iam.gserviceaccount.com, group:EMAIL, user:EMAIL)"
            )
    return problems


def _no_problems(_config: PlatformFields) -> list[str]:
    return []


#: cloud -> its own config checks, beyond the tables above (a cloud may have none)
_CLOUD_PROBLEMS: dict[str, Callable[[PlatformFields], list[str]]] = per_cloud(
    "infra.config.cloud_rules._CLOUD_PROBLEMS",
    {"gcp": _gcp_problems, "azure": _azure_problems, "aws": aws_principal_problems},
    coverage="some",
)
