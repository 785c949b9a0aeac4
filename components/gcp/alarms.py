"""GCP alarms: Cloud Monitoring alert policies on the data services and GKE, to email channels.

Declared when ``platform:alarms.enabled`` (staging, prod). One email ``NotificationChannel`` per
address in ``alarms.notificationEmails``; one ``AlertPolicy`` per signal, thresholds from the
config (percentages become the fractions Cloud Monitoring reports). Every resource waits for the
Monitoring API (a fresh project has it off).

Signals (metric types from https://cloud.google.com/monitoring/api/metrics_gcp):
- Cloud SQL: ``database/cpu/utilization``, ``database/disk/utilization``,
  ``database/memory/utilization`` (fractions), ``database/postgresql/num_backends`` against the
  tier's default ``max_connections``, and ``database/replication/replica_lag`` (seconds) on the
  cross-region replica.
- Memorystore for Redis Cluster: ``cluster/memory/maximum_utilization`` (fraction, the fullest
  node).
- GKE: ``kubernetes.io/node/status_condition`` (GKE 1.32.1-gke.1357001+), nodes whose Ready
  condition is not true.
Managed Kafka: not alarmed here; docs/gcp.md says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_gcp as gcp

from components.gcp.apis import MONITORING, ProjectApis
from components.specs import AlarmSpec

if TYPE_CHECKING:
    from components.gcp.cloudsql import GcpPostgres
    from components.gcp.gke import GcpCluster
    from components.gcp.memorystore import GcpRedis
from infra.naming import child

# Cloud SQL for PostgreSQL's default max_connections by instance memory (GB, lower bound):
# https://cloud.google.com/sql/docs/postgres/flags#postgres-m ("max_connections") and the
# "Cloud SQL for PostgreSQL connection limits" table of
# https://cloud.google.com/sql/docs/postgres/quotas ("Maximum concurrent connections").
DEFAULT_MAX_CONNECTIONS = [(120, 1000), (60, 800), (30, 600), (15, 500), (7.5, 400), (6, 200)]
SMALLEST_MAX_CONNECTIONS = 100  # 3.75 GB up to 6 GB (db-custom tiers start at 3.75 GB)
# The shared-core tiers config accepts (CLOUD_SQL_TIERS in policies/rules/facts/gcp_offerings.py,
# with their memory): the same quotas table, "0.6 (db-f1-micro): 25", "1.7 (db-g1-small): 50".
# Their CPU and memory alarms need nothing per tier: both metrics are fractions of the tier's.
SHARED_CORE_MAX_CONNECTIONS = {"db-f1-micro": 25, "db-g1-small": 50}
_CUSTOM_TIER = re.compile(r"db-custom-(\d+)-(\d+)")
ALIGNMENT = "60s"


def max_connections(tier: str) -> int:
    """Cloud SQL's default max_connections for a tier config accepts: a shared-core tier or
    ``db-custom-<vCPUs>-<MiB>``."""
    if tier in SHARED_CORE_MAX_CONNECTIONS:
        return SHARED_CORE_MAX_CONNECTIONS[tier]
    match = _CUSTOM_TIER.fullmatch(tier)
    if match is None:
        raise ValueError(f"not a shared-core or db-custom tier: {tier}")
    memory_gb = int(match.group(2)) / 1024
    for floor, connections in DEFAULT_MAX_CONNECTIONS:
        if memory_gb >= floor:
            return connections
    return SMALLEST_MAX_CONNECTIONS


@dataclass(frozen=True)
class GcpWatched:
    """What the alarms watch: the components whose names the metrics are labelled with."""

    #: Cloud SQL primary (database_id project:name; its tier gives max_connections) and replica;
    #: None: no Cloud SQL (Postgres runs in the cluster, watched by Prometheus)
    postgres: GcpPostgres | None
    #: the Redis Cluster (cluster_id label)
    redis: GcpRedis
    #: the GKE cluster (cluster_name label)
    cluster: GcpCluster


@dataclass(frozen=True, kw_only=True)
class GcpAlarmsArgs:
    """Inputs of ``GcpAlarms``."""

    #: thresholds and recipients (components/specs.py); tighter in prod
    spec: AlarmSpec
    #: GCP project id
    project: str
    #: the resources watched
    watched: GcpWatched
    #: GCP labels on channels and policies
    labels: dict[str, str]
    #: the project's API enablement (every resource waits for monitoring)
    apis: ProjectApis


@dataclass(frozen=True)
class _Signal:
    key: str
    title: str
    filter: pulumi.Input[str]
    threshold: float
    aligner: str = "ALIGN_MEAN"
    reducer: str | None = None


class GcpAlarms(pulumi.ComponentResource):
    """Email notification channels and the alert policies that page them."""

    def __init__(
        self, name: str, args: GcpAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Alarms", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self, depends_on=args.apis.needs(MONITORING))
        channels = [
            gcp.monitoring.NotificationChannel(
                child(name, f"email-{index}"),
                project=args.project,
                type="email",
                display_name=f"{name} {address}",
                labels={"email_address": address},
                user_labels=args.labels,
                opts=self._opts,
            ).id
            for index, address in enumerate(args.spec.notification_emails)
        ]
        for signal in self._signals():
            self._policy(signal, channels)
        self.register_outputs({})

    def _signals(self) -> list[_Signal]:
        args = self._args
        alarms = args.spec
        postgres, redis, cluster = args.watched.postgres, args.watched.redis, args.watched.cluster
        signals = [] if postgres is None else self._sql_signals(postgres)
        signals += [
            _Signal("redis-memory", "Memorystore memory used",
                    pulumi.Output.concat(
                        'resource.type = "redis.googleapis.com/Cluster" AND '
                        'resource.labels.cluster_id = "', redis.cluster_name, '" AND '
                        'metric.type = "redis.googleapis.com/cluster/memory/maximum_utilization"'),
                    alarms.memory_percent / 100, aligner="ALIGN_MAX"),
            # One series per node; count the ones whose Ready condition is False or Unknown.
            _Signal("gke-nodes-not-ready", "GKE nodes not Ready",
                    pulumi.Output.concat(
                        'resource.type = "k8s_node" AND resource.labels.cluster_name = "',
                        cluster.cluster_name, '" AND '
                        'metric.type = "kubernetes.io/node/status_condition" AND '
                        'metric.labels.condition = "Ready" AND '
                        'metric.labels.status != "True"'),
                    0, aligner="ALIGN_COUNT_TRUE", reducer="REDUCE_SUM"),
        ]  # fmt: skip
        if postgres is not None and postgres.replica_name is not None:
            replica = _sql_filter(args.project, postgres.replica_name)
            signals.append(
                _Signal("sql-replica-lag", "Cloud SQL DR replica lag",
                        replica("database/replication/replica_lag"),
                        alarms.replica_lag_seconds, aligner="ALIGN_MAX")
            )  # fmt: skip
        return signals

    def _sql_signals(self, postgres: GcpPostgres) -> list[_Signal]:
        args = self._args
        alarms = args.spec
        sql = _sql_filter(args.project, postgres.instance_name)
        return [
            _Signal("sql-cpu", "Cloud SQL CPU", sql("database/cpu/utilization"),
                    alarms.cpu_percent / 100),
            _Signal("sql-disk", "Cloud SQL disk used", sql("database/disk/utilization"),
                    alarms.storage_percent / 100),
            _Signal("sql-memory", "Cloud SQL memory used", sql("database/memory/utilization"),
                    alarms.memory_percent / 100),
            _Signal("sql-connections", "Cloud SQL connections",
                    sql("database/postgresql/num_backends"),
                    max_connections(postgres.spec.instance_size) * alarms.connections_percent // 100,
                    # one series per database: the instance's total is their sum
                    aligner="ALIGN_MAX", reducer="REDUCE_SUM"),
        ]  # fmt: skip

    def _policy(self, signal: _Signal, channels: list[pulumi.Output[str]]) -> None:
        args = self._args
        gcp.monitoring.AlertPolicy(
            child(self._name, signal.key),
            project=args.project,
            display_name=f"{self._name} {signal.title}",
            combiner="OR",
            severity="CRITICAL" if signal.key == "gke-nodes-not-ready" else "WARNING",
            conditions=[
                gcp.monitoring.AlertPolicyConditionArgs(
                    display_name=f"{signal.title} above {signal.threshold:g}",
                    condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                        filter=signal.filter,
                        comparison="COMPARISON_GT",
                        threshold_value=signal.threshold,
                        duration=f"{args.spec.evaluation_minutes * 60}s",
                        aggregations=[
                            gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                                alignment_period=ALIGNMENT,
                                per_series_aligner=signal.aligner,
                                cross_series_reducer=signal.reducer,
                            )
                        ],
                    ),
                )
            ],
            notification_channels=channels,
            user_labels=args.labels,
            opts=self._opts,
        )


def _sql_filter(project: str, instance: pulumi.Input[str]) -> Callable[[str], pulumi.Output[str]]:
    """A filter builder for one Cloud SQL instance (``database_id`` is ``project:instance``)."""

    def metric(name: str) -> pulumi.Output[str]:
        return pulumi.Output.concat(
            'resource.type = "cloudsql_database" AND resource.labels.database_id = "',
            project, ":", instance, f'" AND metric.type = "cloudsql.googleapis.com/{name}"',
        )  # fmt: skip

    return metric
