"""What the platform watches in the application: PrometheusRules and a Grafana dashboard.

``AppMonitoring`` declares them, with the PrometheusRule and PodMonitors of the data services
that run in the cluster (``stacks/observability.py`` decides which).

Alerts cover the failure modes an on-call engineer acts on: error rate, latency, restarting
pods, an HPA pinned at its maximum and a PersistentVolumeClaim filling up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from components.kubernetes.alert_rules import Group
from components.kubernetes.moved import moved_from_root


def alert_rules(namespace: str) -> list[dict[str, object]]:
    """Alerting rules for the application namespace."""
    ns = f'namespace="{namespace}"'
    return [
        {
            "alert": "AppHighErrorRate",
            "expr": (
                f'sum(rate(http_requests_total{{{ns},status=~"5.."}}[5m])) '
                f"/ sum(rate(http_requests_total{{{ns}}}[5m])) > 0.05"
            ),
            "for": "10m",
            "labels": {"severity": "critical"},
            "annotations": {"summary": "More than 5% of requests fail in {{ $labels.namespace }}"},
        },
        {
            "alert": "AppHighLatency",
            "expr": (
                "histogram_quantile(0.99, sum by (le) "
                f"(rate(http_request_duration_seconds_bucket{{{ns}}}[5m]))) > 1"
            ),
            "for": "10m",
            "labels": {"severity": "warning"},
            "annotations": {"summary": "p99 latency above 1s"},
        },
        {
            "alert": "AppPodRestarting",
            "expr": f"increase(kube_pod_container_status_restarts_total{{{ns}}}[1h]) > 3",
            "labels": {"severity": "warning"},
            "annotations": {"summary": "{{ $labels.pod }} restarted more than 3 times in an hour"},
        },
        {
            "alert": "AppHpaAtMaximum",
            "expr": (
                f"kube_horizontalpodautoscaler_status_current_replicas{{{ns}}} "
                f">= kube_horizontalpodautoscaler_spec_max_replicas{{{ns}}}"
            ),
            "for": "15m",
            "labels": {"severity": "warning"},
            "annotations": {
                "summary": "{{ $labels.horizontalpodautoscaler }} cannot scale further"
            },
        },
        {
            "alert": "AppVolumeFillingUp",
            "expr": (
                f"kubelet_volume_stats_available_bytes{{{ns}}} "
                f"/ kubelet_volume_stats_capacity_bytes{{{ns}}} < 0.15"
            ),
            "for": "10m",
            "labels": {"severity": "warning"},
            "annotations": {"summary": "{{ $labels.persistentvolumeclaim }} has under 15% free"},
        },
    ]


def dashboard(namespace: str) -> dict[str, object]:
    """A Grafana dashboard of the service's traffic, errors, latency and replicas."""
    ns = f'namespace="{namespace}"'
    panels = [
        ("Requests/s", f"sum(rate(http_requests_total{{{ns}}}[5m]))"),
        ("Error ratio", f'sum(rate(http_requests_total{{{ns},status=~"5.."}}[5m])) / sum(rate(http_requests_total{{{ns}}}[5m]))'),
        ("p99 latency (s)", f"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{{ns}}}[5m])))"),
        ("Replicas", f"kube_horizontalpodautoscaler_status_current_replicas{{{ns}}}"),
    ]  # fmt: skip
    return {
        "title": f"Analytics service ({namespace})",
        "uid": f"platform-{namespace}",
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "panels": [
            {
                "id": index + 1,
                "type": "timeseries",
                "title": title,
                "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8},
                "targets": [{"expr": expr, "refId": "A"}],
            }
            for index, (title, expr) in enumerate(panels)
        ],
    }


@dataclass(frozen=True, kw_only=True)
class PodMonitorArgs:
    """A PodMonitor of an in-cluster data service's pods."""

    #: object name (``postgres``, ``kafka``, ``valkey``); the resource is ``<prefix>-<name>-pod-monitor``
    name: str
    #: namespace of the pods (the PodMonitor goes there too)
    namespace: str
    #: labels selecting the pods
    selector: Mapping[str, str]
    #: name of the pods' metrics port
    port: str


@dataclass(frozen=True, kw_only=True)
class AppMonitoringArgs:
    """Inputs of ``AppMonitoring``."""

    #: namespace of the applications the alert rules and the dashboard watch
    app_namespace: str
    #: namespace of Prometheus and Grafana (the rules and the dashboard ConfigMap go there)
    monitoring_namespace: str
    #: prefix of the data-service objects' resource names (``<prefix>-data-service-rules``, ...)
    prefix: str
    #: rule groups for the data services running in the cluster (none: no PrometheusRule)
    data_service_groups: list[Group] = field(default_factory=list)
    #: PodMonitors of the data services running in the cluster
    pod_monitors: list[PodMonitorArgs] = field(default_factory=list)
    #: labels on the data services' PrometheusRule
    labels: dict[str, str] = field(default_factory=dict)


class AppMonitoring(pulumi.ComponentResource):
    """The app's PrometheusRule and dashboard ConfigMap (picked up by Grafana's sidecar), and
    the in-cluster data services' rules and PodMonitors.

    Declared after the monitoring stack (its CRDs): ``depends_on`` applies to each object. They
    were declared at the root of the stack before, and keep those URNs as aliases (``moved.py``).
    """

    def __init__(
        self,
        name: str,
        args: AppMonitoringArgs,
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:kubernetes:AppMonitoring", name, None, opts)
        child_opts = pulumi.ResourceOptions(
            parent=self, depends_on=depends_on, aliases=moved_from_root()
        )
        k8s.apiextensions.CustomResource(
            f"{name}-rules",
            api_version=api_versions.PROMETHEUS_OPERATOR,
            kind="PrometheusRule",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="analytics-service", namespace=args.monitoring_namespace
            ),
            spec={
                "groups": [{"name": "analytics-service", "rules": alert_rules(args.app_namespace)}]
            },
            opts=child_opts,
        )
        k8s.core.v1.ConfigMap(
            f"{name}-dashboard",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="analytics-service-dashboard",
                namespace=args.monitoring_namespace,
                labels={"grafana_dashboard": "1"},
            ),
            data={"analytics-service.json": json.dumps(dashboard(args.app_namespace))},
            opts=child_opts,
        )
        if args.data_service_groups:
            k8s.apiextensions.CustomResource(
                f"{args.prefix}-data-service-rules",
                api_version=api_versions.PROMETHEUS_OPERATOR,
                kind="PrometheusRule",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name="data-services", namespace=args.monitoring_namespace, labels=args.labels
                ),
                spec={"groups": args.data_service_groups},
                opts=child_opts,
            )
        for monitor in args.pod_monitors:
            k8s.apiextensions.CustomResource(
                f"{args.prefix}-{monitor.name}-pod-monitor",
                api_version=api_versions.PROMETHEUS_OPERATOR,
                kind="PodMonitor",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=monitor.name, namespace=monitor.namespace),
                spec={
                    "selector": {"matchLabels": dict(monitor.selector)},
                    "namespaceSelector": {"matchNames": [monitor.namespace]},
                    "podMetricsEndpoints": [{"port": monitor.port}],
                },
                opts=child_opts,
            )
        self.register_outputs({})
