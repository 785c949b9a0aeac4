"""What the platform watches in the application: PrometheusRules and a Grafana dashboard.

Alerts cover the failure modes an on-call engineer acts on: error rate, latency, restarting
pods, an HPA pinned at its maximum and a PersistentVolumeClaim filling up.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_kubernetes as k8s


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


def declare_observability(
    name: str, app_namespace: str, monitoring_namespace: str, opts: pulumi.ResourceOptions
) -> None:
    """The PrometheusRule and the dashboard ConfigMap (picked up by Grafana's sidecar)."""
    k8s.apiextensions.CustomResource(
        f"{name}-rules",
        api_version="monitoring.coreos.com/v1",
        kind="PrometheusRule",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name="analytics-service", namespace=monitoring_namespace
        ),
        spec={"groups": [{"name": "analytics-service", "rules": alert_rules(app_namespace)}]},
        opts=opts,
    )
    k8s.core.v1.ConfigMap(
        f"{name}-dashboard",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name="analytics-service-dashboard",
            namespace=monitoring_namespace,
            labels={"grafana_dashboard": "1"},
        ),
        data={"analytics-service.json": json.dumps(dashboard(app_namespace))},
        opts=opts,
    )
