"""Environment profiles: what dev, staging and prod look like before a stack overrides anything.

dev is cheap, staging has prod's shape at smaller sizes, prod is safe. Sizes are
cloud-specific, so they live in a separate table keyed by cloud. A stack file's
``platform:<section>`` object is deep-merged over ``profile(environment, cloud)`` and the result
is validated by ``infra.config.models.PlatformConfig`` (``stacks.profiles`` re-exports this module).
What an environment is beyond overridable values (final snapshot, zonal or regional control
plane, paid tiers, ...) is the ``EnvironmentTraits`` table, read as ``PlatformConfig.traits``:
the wiring in ``stacks/`` never compares environment names.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from infra.config.common import Cloud, Environment
from infra.registry import per_cloud
from policies.rules.facts.catalog import service

Profile = dict[str, dict[str, Any]]

# Default versions come from the version catalog (policies/rules/facts/catalog/), each the
# ``default`` of its service. Managed Kafka's is the API's own line (what a cluster created
# without a version runs), so clusters created before the version was passed keep it.
GCP_KAFKA_DEFAULT = service("kafka.gcp-kafka").default
# What the cloud's Redis service runs (it upgrades itself; catalog: redis.*)
_MEMORYSTORE = service("redis.memorystore-cluster").default
_AMR = service("redis.azure-managed-redis").default
_K8S = {
    cloud: service(f"kubernetes.{name}").default
    for cloud, name in (("aws", "eks"), ("gcp", "gke"), ("azure", "aks"), ("local", "kind"))
}


@dataclass(frozen=True)
class EnvironmentTraits:
    """What an environment is beyond its config values: fixed per environment, not per stack.

    The stack wiring reads these (through ``PlatformConfig.traits``) instead of comparing
    environment names, so every dev/staging/prod difference is in this module.
    """

    #: Pulumi ``protect`` and the clouds' deletion protection on clusters and stateful
    #: resources: prod data is not disposable
    protect: bool
    #: a final database snapshot on delete (prod: the last copy of the data)
    final_snapshot: bool
    #: control plane and add-ons spread over zones (regional GKE, HA Gateway/monitoring);
    #: dev runs zonal and single-replica to stay cheap
    multi_zone: bool
    #: workloads must spread over zones (DoNotSchedule) rather than prefer to (prod)
    strict_zone_spread: bool
    #: the VPA may resize DaemonSet pods (the one controller without an HPA) itself rather
    #: than only recommend (dev only: resizing evicts pods)
    automatic_vpa: bool
    #: share of VPC flow-log records kept (GCP; 0-1): more evidence in prod, cheaper elsewhere
    flow_log_sampling: float
    #: the paid control plane with an uptime SLA (AKS Standard tier; prod)
    paid_control_plane: bool
    #: database backups also kept in another region (Azure geo-redundant backup; prod)
    geo_redundant_backup: bool
    #: the Kafka service is zone-redundant (Event Hubs namespace; prod)
    zone_redundant_kafka: bool
    #: the Kafka service is reachable only through its private endpoint (Event Hubs; prod),
    #: elsewhere also from the cluster's authorized networks
    private_kafka: bool
    #: Event Hubs Standard auto-inflate ceiling (throughput units): prod may burst further
    kafka_max_throughput_units: int
    #: the managed cache persists its data to disk and reloads it after losing its nodes
    #: (Azure Managed Redis RDB persistence; prod)
    persistent_cache: bool
    #: Argo CD syncs the apps by itself (prune, self-heal) on every commit; otherwise only by
    #: hand, inside the sync window (prod: a person starts every rollout)
    automatic_sync: bool
    #: the image registry's premium tier: zone redundant, a private endpoint, network rules and
    #: a retention policy (Azure Container Registry Premium; prod)
    premium_registry: bool


_TRAITS: dict[Environment, EnvironmentTraits] = {
    "dev": EnvironmentTraits(
        protect=False, final_snapshot=False, multi_zone=False, strict_zone_spread=False,
        automatic_vpa=True, flow_log_sampling=0.1, paid_control_plane=False,
        geo_redundant_backup=False, zone_redundant_kafka=False, private_kafka=False,
        kafka_max_throughput_units=4, persistent_cache=False, automatic_sync=True,
        premium_registry=False,
    ),
    "staging": EnvironmentTraits(
        protect=False, final_snapshot=False, multi_zone=True, strict_zone_spread=False,
        automatic_vpa=False, flow_log_sampling=0.1, paid_control_plane=False,
        geo_redundant_backup=False, zone_redundant_kafka=False, private_kafka=False,
        kafka_max_throughput_units=4, persistent_cache=False, automatic_sync=True,
        premium_registry=False,
    ),
    "prod": EnvironmentTraits(
        protect=True, final_snapshot=True, multi_zone=True, strict_zone_spread=True,
        automatic_vpa=False, flow_log_sampling=0.5, paid_control_plane=True,
        geo_redundant_backup=True, zone_redundant_kafka=True, private_kafka=True,
        kafka_max_throughput_units=10, persistent_cache=True, automatic_sync=False,
        premium_registry=True,
    ),
}  # fmt: skip


def traits(environment: Environment) -> EnvironmentTraits:
    """The fixed traits of ``environment`` (see :class:`EnvironmentTraits`)."""
    return _TRAITS[environment]


_SHAPES: dict[Environment, Profile] = {
    "dev": {
        "network": {"zones": 2, "natGateways": "single", "flowLogRetentionDays": 7},
        "cluster": {
            "nodeMin": 1, "nodeMax": 3, "nodeDesired": 2, "nodeDiskGb": 50,
            "publicEndpoint": True, "logRetentionDays": 7,
        },
        "postgres": {
            "storageGb": 20, "maxStorageGb": 100, "highAvailability": False,
            "backupRetentionDays": 1, "deletionProtection": False,
            "instances": 1, "synchronousReplicas": 0, "podCpu": "500m", "podMemory": "1Gi",
            "backups": True,
        },
        "kafka": {
            "brokers": 2, "storageGb": 20, "maxStorageGb": 100,
            "replicationFactor": 2, "minInsyncReplicas": 1,
        },
        "redis": {"shards": 1, "replicasPerShard": 0, "snapshotRetentionDays": 1},
        "addons": {"prometheusRetentionDays": 3, "prometheusStorageGb": 10, "argoCd": False},
        "alarms": {"enabled": False, "cpuPercent": 90, "memoryPercent": 90, "storagePercent": 90, "connectionsPercent": 90, "replicaLagSeconds": 600, "evaluationMinutes": 15},
        "disasterRecovery": {"backupRetentionDays": 1},
        "apps": {"backend": {"replicas": 1, "minReplicas": 1, "maxReplicas": 3, "host": "api.dev.analytics.example.com"}},
    },
    "staging": {
        "network": {"zones": 3, "natGateways": "perZone", "flowLogRetentionDays": 30},
        "cluster": {
            "nodeMin": 3, "nodeMax": 6, "nodeDesired": 3, "nodeDiskGb": 80,
            "publicEndpoint": True, "logRetentionDays": 30,
        },
        "postgres": {
            "storageGb": 50, "maxStorageGb": 200, "highAvailability": True,
            "backupRetentionDays": 7, "deletionProtection": False,
            "instances": 2, "synchronousReplicas": 0, "podCpu": "1", "podMemory": "4Gi",
            "backups": True,
        },
        "kafka": {
            "brokers": 3, "storageGb": 50, "maxStorageGb": 250,
            "replicationFactor": 3, "minInsyncReplicas": 2,
        },
        "redis": {"shards": 2, "replicasPerShard": 1, "snapshotRetentionDays": 3},
        "addons": {"prometheusRetentionDays": 7, "prometheusStorageGb": 50, "argoCd": False},
        "alarms": {"enabled": True, "cpuPercent": 85, "memoryPercent": 85, "storagePercent": 85, "connectionsPercent": 85, "replicaLagSeconds": 300, "evaluationMinutes": 10},
        "disasterRecovery": {"backupRetentionDays": 7},
        "apps": {"backend": {"replicas": 2, "minReplicas": 2, "maxReplicas": 6, "host": "api.staging.analytics.example.com"}},
    },
    "prod": {
        "network": {"zones": 3, "natGateways": "perZone", "flowLogRetentionDays": 365},
        "cluster": {
            "nodeMin": 3, "nodeMax": 12, "nodeDesired": 3, "nodeDiskGb": 100,
            "publicEndpoint": False, "logRetentionDays": 365,
        },
        "postgres": {
            "storageGb": 100, "maxStorageGb": 1000, "highAvailability": True,
            "backupRetentionDays": 14, "deletionProtection": True,
            "instances": 3, "synchronousReplicas": 1, "podCpu": "2", "podMemory": "8Gi",
            "backups": True,
        },
        "kafka": {
            "brokers": 3, "storageGb": 100, "maxStorageGb": 1000,
            "replicationFactor": 3, "minInsyncReplicas": 2,
        },
        "redis": {"shards": 3, "replicasPerShard": 1, "snapshotRetentionDays": 7},
        "addons": {"prometheusRetentionDays": 15, "prometheusStorageGb": 100, "argoCd": False},
        "alarms": {"enabled": True, "cpuPercent": 80, "memoryPercent": 80, "storagePercent": 80, "connectionsPercent": 80, "replicaLagSeconds": 60, "evaluationMinutes": 5},
        "disasterRecovery": {"backupRetentionDays": 14},
        "apps": {"backend": {"replicas": 3, "minReplicas": 3, "maxReplicas": 10, "host": "api.analytics.example.com"}},
    },
}  # fmt: skip

_SIZES: dict[Cloud, dict[Environment, Profile]] = {
    "aws": {
        "dev": {
            "cluster": {"nodeSize": "t3.large", "kubernetesVersion": _K8S["aws"]},
            "postgres": {"instanceSize": "db.t4g.medium"},
            "kafka": {"brokerSize": "kafka.t3.small"},
            "redis": {"nodeSize": "cache.t4g.small"},
        },
        "staging": {
            "cluster": {"nodeSize": "m6i.large", "kubernetesVersion": _K8S["aws"]},
            "postgres": {"instanceSize": "db.m6g.large"},
            "kafka": {"brokerSize": "kafka.m5.large"},
            "redis": {"nodeSize": "cache.r7g.large"},
        },
        "prod": {
            "cluster": {"nodeSize": "m6i.xlarge", "kubernetesVersion": _K8S["aws"]},
            "postgres": {"instanceSize": "db.r6g.xlarge"},
            "kafka": {"brokerSize": "kafka.m5.xlarge"},
            "redis": {"nodeSize": "cache.r7g.large"},
        },
    },
    "gcp": {
        "dev": {
            "cluster": {"nodeSize": "e2-standard-2", "kubernetesVersion": _K8S["gcp"]},
            "postgres": {"instanceSize": "db-custom-1-3840"},
            "kafka": {"brokerSize": "3x12", "version": GCP_KAFKA_DEFAULT},
            "redis": {"nodeSize": "REDIS_SHARED_CORE_NANO", "version": _MEMORYSTORE},
        },
        "staging": {
            "cluster": {"nodeSize": "e2-standard-4", "kubernetesVersion": _K8S["gcp"]},
            "postgres": {"instanceSize": "db-custom-2-7680"},
            "kafka": {"brokerSize": "3x12", "version": GCP_KAFKA_DEFAULT},
            "redis": {"nodeSize": "REDIS_STANDARD_SMALL", "version": _MEMORYSTORE},
        },
        "prod": {
            "cluster": {"nodeSize": "n2-standard-4", "kubernetesVersion": _K8S["gcp"]},
            "postgres": {"instanceSize": "db-custom-4-15360"},
            "kafka": {"brokerSize": "6x24", "version": GCP_KAFKA_DEFAULT},
            "redis": {"nodeSize": "REDIS_HIGHMEM_MEDIUM", "version": _MEMORYSTORE},
        },
    },
    "azure": {
        "dev": {
            "cluster": {"nodeSize": "Standard_D2s_v5", "kubernetesVersion": _K8S["azure"]},
            # Flexible Server sells fixed Premium SSD sizes and keeps backups 7-35 days
            "postgres": {"instanceSize": "Standard_B2s", "storageGb": 32, "backupRetentionDays": 7},
            "kafka": {"brokerSize": "Standard"},
            # Azure Managed Redis SKUs; each runs at least redis.shards primary shards
            "redis": {"nodeSize": "Balanced_B1", "version": _AMR},
        },
        "staging": {
            "cluster": {"nodeSize": "Standard_D4s_v5", "kubernetesVersion": _K8S["azure"]},
            "postgres": {"instanceSize": "Standard_D2ds_v5", "storageGb": 64},
            "kafka": {"brokerSize": "Standard"},
            "redis": {"nodeSize": "Balanced_B5", "version": _AMR},
        },
        "prod": {
            "cluster": {"nodeSize": "Standard_D8s_v5", "kubernetesVersion": _K8S["azure"]},
            "postgres": {"instanceSize": "Standard_D4ds_v5", "storageGb": 128},
            "kafka": {"brokerSize": "Premium"},
            "redis": {"nodeSize": "Balanced_B20", "version": _AMR},
        },
    },
    # A laptop cluster (dev only): one node of "<cpu>/<memory>" capacity, pods sized by their
    # requests, kind's address ranges, and only the add-ons that fit (no Prometheus stack or
    # VPA: 0.8 CPU / 3.5 GiB of requests between them). docs/local.md sums the budget.
    "local": {
        "dev": {
            # the "kind" Docker network; pod and service ranges stay the platform's own
            # (100.64.0.0/14, 172.20.0.0/16): docs/kind-cluster.yaml gives kind exactly those,
            # so NetworkPolicies except the right ranges from internet egress
            "network": {"zones": 1, "cidr": "172.18.0.0/16"},
            "cluster": {
                "nodeSize": "4/8Gi", "nodeMin": 1, "nodeMax": 1, "nodeDesired": 1,
                "publicEndpoint": False, "kubernetesVersion": _K8S["local"],
            },
            "postgres": {
                # CloudNativePG in the cluster: instanceSize names no cloud class here
                "engine": "cloudnative-pg", "instanceSize": "in-cluster", "storageGb": 20,
                "maxStorageGb": 20, "podCpu": "250m", "podMemory": "512Mi", "backups": False,
                "extensions": ["pg_stat_statements", "timescaledb"],
            },
            "kafka": {
                "version": service("kafka.strimzi").default, "brokers": 3, "brokerSize": "200m/768Mi",
                "storageGb": 5, "maxStorageGb": 5, "replicationFactor": 3, "minInsyncReplicas": 2,
            },
            "redis": {"version": service("redis.valkey").default, "nodeSize": "50m/128Mi"},
            # a self-signed CA issues the certificates: no ACME account
            "addons": {"verticalPodAutoscaler": False, "certManagerEmail": None},
            "apps": {"backend": {"host": "api.analytics.localhost", "storageGb": 1}},
        },
    },
}  # fmt: skip
per_cloud("infra.config.profiles._SIZES", _SIZES)

# Shared by every environment and cloud; the shapes and sizes above are layered over these.
_COMMON: Profile = {
    "network": {
        "cidr": "10.0.0.0/16",
        "privateSubnetPrefix": 19,
        "publicSubnetPrefix": 24,
        "podCidr": "100.64.0.0/14",
        "serviceCidr": "172.20.0.0/16",
        "privateServicesCidr": "10.200.0.0/16",
    },
    "cluster": {"authorizedNetworks": [], "adminPrincipals": []},
    "postgres": {
        "version": service("postgres.rds").default,
        "databaseName": "analytics",
        "username": "analytics",
        "extensions": ["pg_stat_statements"],
    },
    "kafka": {
        # The version AWS marks "Recommended" for MSK (catalog: kafka.msk).
        "version": service("kafka.msk").default,
        "topics": [
            {"name": "events", "partitions": 12, "retentionHours": 168},
            {"name": "events-dlq", "partitions": 3, "retentionHours": 336},
        ],
    },
    "redis": {"version": service("redis.elasticache").default},
    # The apps' images below name no registry host: they are pulled from here.
    "images": {"registry": "ghcr.io/analytics-platform"},
    "addons": {
        "gateway": True,
        "certManager": True,
        "certManagerEmail": "platform-team@example.com",
        "kubePrometheusStack": True,
        "metricsServer": True,
        "verticalPodAutoscaler": True,
    },
    "apps": {
        "backend": {
            "kind": "StatefulSet",
            "image": "backend:1.8.2",
            "port": 8080,
            "resources": {
                "cpuRequest": "250m", "memoryRequest": "512Mi",
                "cpuLimit": "1", "memoryLimit": "1Gi",
            },
            "metricsPort": 9090,
            "migrationsCommand": ["/app/backend", "migrate", "up"],
            "storageGb": 20,
            "env": {"LOG_LEVEL": "info", "HTTP_PORT": "8080"},
            "uses": ["postgres", "kafka", "redis"],
            "calls": ["collector"],
        },
        "collector": {
            "kind": "DaemonSet",
            "image": "collector:1.8.2",
            "port": 4318,
            "metricsPort": 8888,
            "env": {"LOG_LEVEL": "info"},
            "uses": ["kafka"],
            "resources": {
                "cpuRequest": "100m", "memoryRequest": "128Mi",
                "cpuLimit": "500m", "memoryLimit": "256Mi",
            },
        },
    },
}  # fmt: skip


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` over ``base``: objects merge key by key, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def profile(environment: Environment, cloud: Cloud) -> Profile:
    """The defaults a stack of this environment on this cloud starts from."""
    merged = deep_merge(_COMMON, _SHAPES[environment])
    return deep_merge(merged, _SIZES[cloud][environment])
