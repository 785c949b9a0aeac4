"""Observability wiring, the same on every cloud: what is watched, where alerts, traces and logs go.

From the config and the contracts alone: alert rules for the data services that run in the
cluster (``components/kubernetes/alert_rules.py``), Grafana dashboards for the engines the stack
runs and data sources for the cloud's monitoring (``components/kubernetes/grafana.py``),
the app's rules and dashboard and the in-cluster data services' PodMonitors (``AppMonitoring``),
Alertmanager receivers routed by severity, and the OpenTelemetry gateway for traces and logs (``components/kubernetes/telemetry.py``). On a
laptop (``platform:cloud: local``) the monitoring stack is sized down, Grafana and Prometheus
are served through the ingress at ``grafana.localhost`` / ``prometheus.localhost`` and traces
go to Jaeger. docs/observability.md is the operator's view.
"""

from __future__ import annotations

import pulumi

from components.kubernetes import charts
from components.kubernetes.addons import MONITORING_NAMESPACE, AlertReceiverArgs, ClusterAddons
from components.kubernetes.alert_rules import DataServiceRules, data_service_groups
from components.kubernetes.gateway import PlatformGateway
from components.kubernetes.grafana import GrafanaContent, GrafanaContentArgs, cloud_datasources
from components.kubernetes.network_policy import PodPeer
from components.kubernetes.observability import AppMonitoring, AppMonitoringArgs, PodMonitorArgs
from components.kubernetes.strimzi import CLUSTER_LABEL, METRICS_PORT_NAME
from components.kubernetes.telemetry import (
    GATEWAY_LABELS,
    OTLP_GRPC_PORT,
    OTLP_HTTP_PORT,
    TELEMETRY_NAMESPACE,
    Telemetry,
    TelemetryArgs,
)
from infra.config.models import AppConfig, PlatformConfig
from infra.registry import per_cloud
from stacks.platform import PlatformContracts

# Grafana and Prometheus on the laptop, through the apps' ingress (*.localhost is loopback)
LOCAL_HOSTS = {"grafana": "grafana.localhost", "prometheus": "prometheus.localhost"}
OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
GATEWAY_IDENTITY = "otel-gateway"
GRAFANA_IDENTITY = "grafana"


def monitoring_namespace(config: PlatformConfig) -> str | None:
    """Prometheus' namespace where the stack installs it (data services admit it on their
    metrics ports), else None."""
    return MONITORING_NAMESPACE if config.addons.kube_prometheus_stack else None


def alert_receivers(config: PlatformConfig) -> list[AlertReceiverArgs]:
    """Alertmanager receivers from ``platform:addons.alertReceivers``, credentials as secrets."""
    return [
        AlertReceiverArgs(
            name=r.name, kind=r.kind,
            url=pulumi.Output.secret(credential) if (credential := r.url or r.password) else None,
            channel=r.channel, to=r.to, smarthost=r.smarthost, sender=r.sender, username=r.username,
            severities=tuple(r.severities),
        )
        for r in config.addons.alert_receivers
    ]  # fmt: skip


def _laptop_sizes() -> charts.KubePrometheusStackValues:
    """kube-prometheus-stack within the laptop budget (docs/local.md): 260m / 1.1 GiB of
    requests instead of 860m / 3.1 GiB; Prometheus may burst to 1 GiB."""

    def sized(cpu: str, memory: str, limit: str | None = None) -> charts.ResourceValues:
        return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": limit or memory}}

    return {
        "prometheusOperator": {
            "resources": sized("50m", "128Mi"),
            "prometheusConfigReloader": {"resources": sized("10m", "32Mi")},
            "admissionWebhooks": {"patch": {"resources": sized("10m", "32Mi")}},
        },
        "prometheus": {"prometheusSpec": {"resources": sized("100m", "512Mi", "1Gi")}},
        "alertmanager": {"alertmanagerSpec": {"resources": sized("10m", "48Mi")}},
        "grafana": {
            "resources": sized("50m", "192Mi"),
            "sidecar": {"resources": sized("10m", "64Mi")},
        },
        "kube-state-metrics": {"resources": sized("10m", "64Mi")},
        "prometheus-node-exporter": {"resources": sized("10m", "32Mi")},
    }


def monitoring_values(
    config: PlatformConfig, contracts: PlatformContracts
) -> charts.KubePrometheusStackValues:
    """What observability adds to kube-prometheus-stack's values: the datasource sidecar,
    Grafana's workload identity, and laptop sizes on ``local``."""
    cluster = contracts.cluster
    identity = cluster.workload_identity.get(GRAFANA_IDENTITY, {})
    values: charts.KubePrometheusStackValues = _laptop_sizes() if config.cloud == "local" else {}
    grafana = values.setdefault("grafana", {})
    grafana["sidecar"] = {
        **grafana.get("sidecar", {}),
        "datasources": {"enabled": True, "label": "grafana_datasource", "labelValue": "1"},
    }
    if identity:
        grafana["serviceAccount"] = {"annotations": dict(identity)}
        grafana["podLabels"] = dict(cluster.workload_pod_labels)
    if config.cloud == "azure":
        grafana["grafana.ini"] = {"azure": {"workload_identity_enabled": True}}
    return values


def otlp_settings(app: AppConfig, endpoint: str) -> dict[str, str]:
    """The gateway's address for an app that receives OTLP (the ``collector`` app: other apps
    send to it on 4318) so it forwards there; an app's own ``env`` wins."""
    if app.port != OTLP_HTTP_PORT or OTLP_ENDPOINT_ENV in app.env:
        return {}
    return {OTLP_ENDPOINT_ENV: endpoint}


def gateway_peer(config: PlatformConfig, app: AppConfig) -> list[PodPeer]:
    """Egress from an OTLP-forwarding app to the gateway's pods."""
    if not config.addons.kube_prometheus_stack or not otlp_settings(app, "x"):
        return []
    return [PodPeer(TELEMETRY_NAMESPACE, GATEWAY_LABELS, [OTLP_GRPC_PORT, OTLP_HTTP_PORT])]


def entry_hosts(config: PlatformConfig, addons: ClusterAddons) -> dict[str, str]:
    """Grafana's and Prometheus' hosts on the laptop's Gateway (none elsewhere)."""
    if config.cloud != "local" or not addons.monitoring_namespace or not addons.gateway_namespace:
        return {}
    return dict(LOCAL_HOSTS)


def data_service_rules(config: PlatformConfig, contracts: PlatformContracts) -> DataServiceRules:
    """Which engines run in the cluster (from the contracts' ``cluster_peer``)."""
    postgres = contracts.postgres.cluster_peer
    kafka = contracts.kafka.cluster_peer
    redis = contracts.redis.cluster_peer
    return DataServiceRules(
        cnpg_namespace=postgres.namespace if postgres else None,
        cnpg_backups=bool(postgres) and config.postgres.backups,
        kafka_namespace=kafka.namespace if kafka else None,
        kafka_brokers=config.kafka.brokers,
        valkey_namespace=redis.namespace if redis else None,
    )


# Each cloud account's dashboard of its managed services (``dashboards/<name>.json``).
MANAGED_DASHBOARDS = per_cloud(
    "stacks.observability.MANAGED_DASHBOARDS",
    {"aws": "managed-aws", "gcp": "managed-gcp", "azure": "managed-azure"},
    coverage="account",
)


def dashboards(config: PlatformConfig, engines: DataServiceRules) -> list[str]:
    """The dashboards a stack loads: backend and cluster everywhere, one per in-cluster engine,
    and the cloud's managed services where any is managed."""
    names = ["backend", "cluster"]
    names += ["postgres-cnpg"] if engines.cnpg_namespace else []
    names += ["kafka-strimzi"] if engines.kafka_namespace else []
    names += ["valkey"] if engines.valkey_namespace else []
    managed = not (engines.cnpg_namespace and engines.kafka_namespace and engines.valkey_namespace)
    if config.cloud != "local" and managed:
        names.append(MANAGED_DASHBOARDS[config.cloud])
    return names


def pod_monitors(contracts: PlatformContracts) -> list[PodMonitorArgs]:
    """Scrape the in-cluster Postgres (CloudNativePG's metrics port), Kafka (brokers and Kafka
    Exporter) and Valkey (exporter sidecar)."""
    monitors = []
    postgres = contracts.postgres.cluster_peer
    if postgres is not None and postgres.metrics_port_name is not None:
        monitors.append(
            PodMonitorArgs(
                name="postgres", namespace=postgres.namespace, selector=postgres.pod_labels,
                port=postgres.metrics_port_name,
            )
        )  # fmt: skip
    kafka = contracts.kafka.cluster_peer
    if kafka is not None and CLUSTER_LABEL in kafka.pod_labels:
        selector = {CLUSTER_LABEL: kafka.pod_labels[CLUSTER_LABEL], "strimzi.io/kind": "Kafka"}
        monitors.append(
            PodMonitorArgs(
                name="kafka", namespace=kafka.namespace, selector=selector, port=METRICS_PORT_NAME
            )
        )
    redis = contracts.redis.cluster_peer
    if redis is not None and redis.metrics_port_name:
        monitors.append(
            PodMonitorArgs(
                name="valkey", namespace=redis.namespace, selector=redis.pod_labels,
                port=redis.metrics_port_name,
            )
        )  # fmt: skip
    return monitors


def declare(
    config: PlatformConfig,
    contracts: PlatformContracts,
    addons: ClusterAddons,
    labels: dict[str, str],
    client_namespace: str,
    gateway: PlatformGateway | None = None,
) -> Telemetry | None:
    """Everything above, after the monitoring stack (its CRDs and Grafana's sidecars)."""
    if not addons.monitoring_namespace:
        return None
    prefix = config.name_prefix
    cluster = contracts.cluster
    after_addons = pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[addons])
    engines = data_service_rules(config, contracts)
    AppMonitoring(
        f"{prefix}-observability",
        AppMonitoringArgs(
            app_namespace=client_namespace,
            monitoring_namespace=addons.monitoring_namespace,
            prefix=prefix,
            data_service_groups=data_service_groups(engines),
            pod_monitors=pod_monitors(contracts),
            labels=labels,
        ),
        [addons],
        after_addons,
    )
    telemetry = Telemetry(
        f"{prefix}-telemetry",
        TelemetryArgs(
            destination=config.cloud,
            client_namespace=client_namespace,
            monitoring_namespace=addons.monitoring_namespace,
            stack=config.stack,
            region=config.region,
            project=config.project,
            replicas=2 if config.traits.multi_zone else 1,
            service_account_annotations=cluster.workload_identity.get(GATEWAY_IDENTITY, {}),
            pod_labels=cluster.workload_pod_labels
            if GATEWAY_IDENTITY in cluster.workload_identity
            else {},
            labels=labels,
        ),
        after_addons,
    )
    GrafanaContent(
        f"{prefix}-grafana",
        GrafanaContentArgs(
            namespace=addons.monitoring_namespace,
            dashboards=dashboards(config, engines),
            datasources=cloud_datasources(
                config.cloud, config.region, config.project, telemetry.jaeger_ui
            ),
            routes={app: gateway.ref(app) for app in entry_hosts(config, addons)}
            if gateway is not None
            else {},
            hosts=entry_hosts(config, addons),
            labels=labels,
        ),
        after_addons,
    )
    return telemetry
