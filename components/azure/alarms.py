"""Azure alarms: Azure Monitor metric alerts on the data services and AKS, to an action group.

Declared when ``platform:alarms.enabled`` (staging, prod). One ``ActionGroup`` with an email
receiver per address in ``alarms.notificationEmails``; one ``MetricAlert`` per signal, thresholds
from the config, evaluated every minute over ``alarms.evaluationMinutes``.

Metrics (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/):
- Flexible Server (microsoft-dbforpostgresql-flexibleservers-metrics): ``cpu_percent``,
  ``memory_percent``, ``storage_percent``, and ``active_connections`` against the SKU's
  ``max_connections``.
- Azure Managed Redis (microsoft-cache-redisenterprise-metrics): ``usedmemorypercentage`` and
  ``percentProcessorTime`` (CPU), both Maximum; not ``serverLoad``, which Microsoft warns "can
  present incorrect data" on this resource type and recommends CPU instead
  (https://learn.microsoft.com/azure/redis/monitor-cache-reference). These metrics are sampled
  every 5 minutes (time grains PT5M, PT1H), so their alerts evaluate every 5 minutes over at
  least 5.
- Event Hubs (microsoft-eventhub-namespaces-metrics): ``ThrottledRequests``.
- AKS (microsoft-containerservice-managedclusters-metrics): ``kube_node_status_condition``
  with condition Ready and status False/Unknown (nodes not Ready).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_azure_native as azure

from components.specs import AlarmSpec
from policies.rules.facts.azure_names import SHORT_NAME_LIMIT, fit

if TYPE_CHECKING:
    from components.azure.aks import AzureCluster
    from components.azure.eventhubs import AzureKafka
    from components.azure.postgres import AzurePostgres
    from components.azure.redis import AzureRedis
from infra.naming import child

ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
# Flexible Server's max_connections by memory (GiB), from "Maximum connections" in
# https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-limits (5000 from 48 GiB).
MAX_CONNECTIONS_BY_MEMORY = {2: 50, 4: 429, 8: 859, 16: 1718, 32: 3437}
MAX_CONNECTIONS_CAP = 5000
# Memory of the Burstable SKUs (GiB); D-series have 4 GiB per vCore, E-series 8.
_BURSTABLE_MEMORY = {"B1ms": 2, "B2s": 4, "B2ms": 8, "B4ms": 16, "B8ms": 32}
_SERIES_MEMORY_PER_VCORE = {"D": 4, "E": 8}
_SKU = re.compile(r"Standard_([DE])(\d+)[a-z]*_v\d+")


def max_connections(sku: str) -> int:
    """Flexible Server's max_connections for ``sku`` (e.g. Standard_D4ds_v5 -> 1718)."""
    burstable = _BURSTABLE_MEMORY.get(sku.removeprefix("Standard_"))
    if burstable is not None:
        memory = burstable
    else:
        match = _SKU.fullmatch(sku)
        if match is None:
            raise ValueError(f"no max_connections known for {sku}")
        memory = _SERIES_MEMORY_PER_VCORE[match.group(1)] * int(match.group(2))
    return MAX_CONNECTIONS_BY_MEMORY.get(memory, MAX_CONNECTIONS_CAP)


# A metric alert's window is one of these (minutes; "windowSize" in
# https://learn.microsoft.com/rest/api/monitor/metric-alerts/create-or-update): the config's
# evaluation minutes round up to the next one.
WINDOW_MINUTES = (1, 5, 15, 30, 60)


def short_name(stack: str) -> str:
    """The action group's short name: the stack's alphanumerics, at most 12 characters."""
    return re.sub(r"[^A-Za-z0-9]", "", stack)[:SHORT_NAME_LIMIT]


def window(minutes: int) -> str:
    """The smallest allowed alert window covering ``minutes`` (ISO 8601 duration)."""
    chosen = next(w for w in WINDOW_MINUTES if w >= minutes)
    return "PT1H" if chosen == 60 else f"PT{chosen}M"


@dataclass(frozen=True)
class AzureWatched:
    """What the alarms watch: the components whose resource ids scope the metric alerts."""

    #: the Flexible Server (its SKU's memory gives max_connections); None: no Flexible Server
    #: (Postgres runs in the cluster, watched by Prometheus)
    postgres: AzurePostgres | None
    #: the Event Hubs namespace (throttled requests)
    kafka: AzureKafka
    #: the Azure Managed Redis cluster (memory, CPU)
    redis: AzureRedis
    #: the AKS cluster (nodes not Ready)
    cluster: AzureCluster


@dataclass(frozen=True, kw_only=True)
class AzureAlarmsArgs:
    """Inputs of ``AzureAlarms``."""

    #: thresholds and recipients (components/specs.py); tighter in prod
    spec: AlarmSpec
    #: resource group of the action group and the alerts
    resource_group_name: pulumi.Input[str]
    #: the action group's short name (at most 12 characters, shown in notifications)
    short_name: str
    #: the resources watched
    watched: AzureWatched
    #: Azure tags on the action group and alerts
    tags: dict[str, str]


@dataclass(frozen=True)
class _Signal:
    key: str
    scope: pulumi.Input[str]
    metric: str
    namespace: str
    threshold: float
    aggregation: str = "Average"
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the metric's smallest time grain (minutes): the alert's window and frequency
    grain_minutes: int = 1


class AzureAlarms(pulumi.ComponentResource):
    """An email action group and the metric alerts that notify it."""

    def __init__(
        self, name: str, args: AzureAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Alarms", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        group = azure.monitor.ActionGroup(
            fit(ACTION_GROUP, child(name, "oncall")),
            resource_group_name=args.resource_group_name,
            location="Global",
            enabled=True,
            group_short_name=args.short_name,
            email_receivers=[
                azure.monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{index}", email_address=address, use_common_alert_schema=True
                )
                for index, address in enumerate(args.spec.notification_emails)
            ],
            tags=args.tags,
            opts=self._opts,
        )
        for signal in self._signals():
            self._alert(signal, group.id)
        self.register_outputs({})

    def _signals(self) -> list[_Signal]:
        args = self._args
        alarms = args.spec
        watched = args.watched
        redis_id = watched.redis.cluster_id
        redis = "Microsoft.Cache/redisEnterprise"
        signals = [] if watched.postgres is None else self._postgres_signals(watched.postgres)
        return [
            *signals,
            _Signal("redis-memory", redis_id, "usedmemorypercentage", redis,
                    alarms.memory_percent, aggregation="Maximum", grain_minutes=5),
            _Signal("redis-cpu", redis_id, "percentProcessorTime", redis, alarms.cpu_percent,
                    aggregation="Maximum", grain_minutes=5),
            # Event Hubs throttles when a namespace runs out of throughput units.
            _Signal("eh-throttled", watched.kafka.namespace_id, "ThrottledRequests",
                    "Microsoft.EventHub/namespaces", 0, aggregation="Total"),
            _Signal("aks-not-ready", watched.cluster.cluster_id, "kube_node_status_condition",
                    "Microsoft.ContainerService/managedClusters", 0,
                    dimensions=(("condition", ("Ready",)), ("status", ("False", "Unknown")))),
        ]  # fmt: skip

    def _postgres_signals(self, server: AzurePostgres) -> list[_Signal]:
        alarms = self._args.spec
        pg_id = server.server_id
        postgres = "Microsoft.DBforPostgreSQL/flexibleServers"
        return [
            _Signal("pg-cpu", pg_id, "cpu_percent", postgres, alarms.cpu_percent),
            _Signal("pg-memory", pg_id, "memory_percent", postgres,
                    alarms.memory_percent),
            _Signal("pg-storage", pg_id, "storage_percent", postgres,
                    alarms.storage_percent),
            _Signal("pg-connections", pg_id, "active_connections", postgres,
                    max_connections(server.spec.instance_size) * alarms.connections_percent // 100,
                    aggregation="Maximum"),
        ]  # fmt: skip

    def _alert(self, signal: _Signal, action_group_id: pulumi.Output[str]) -> None:
        args = self._args
        size = window(max(args.spec.evaluation_minutes, signal.grain_minutes))
        azure.monitor.MetricAlert(
            fit(METRIC_ALERT, child(self._name, signal.key)),
            resource_group_name=args.resource_group_name,
            location="global",
            description=f"{signal.metric} above {signal.threshold:g} for {size}",
            enabled=True,
            severity=1 if signal.key == "aks-not-ready" else 2,
            scopes=[signal.scope],
            evaluation_frequency=f"PT{signal.grain_minutes}M",
            window_size=size,
            auto_mitigate=True,
            criteria=azure.monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                all_of=[
                    azure.monitor.MetricCriteriaArgs(
                        criterion_type="StaticThresholdCriterion",
                        name=signal.key,
                        metric_name=signal.metric,
                        metric_namespace=signal.namespace,
                        operator="GreaterThan",
                        threshold=signal.threshold,
                        time_aggregation=signal.aggregation,
                        dimensions=[
                            azure.monitor.MetricDimensionArgs(
                                name=dimension, operator="Include", values=list(values)
                            )
                            for dimension, values in signal.dimensions
                        ],
                    )
                ],
            ),
            actions=[azure.monitor.MetricAlertActionArgs(action_group_id=action_group_id)],
            tags=args.tags,
            opts=self._opts,
        )
