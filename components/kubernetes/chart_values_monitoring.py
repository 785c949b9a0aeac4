"""Typed Helm values of kube-prometheus-stack (Prometheus, Alertmanager, Grafana, the operator).

Split from ``chart_values.py`` for size; ``charts.py`` re-exports them (callers use ``charts.X``).
"""

from __future__ import annotations

from typing import TypedDict

from components.kubernetes.chart_values import ResourcesOnly, ResourceValues

# --- kube-prometheus-stack ---------------------------------------------------------------


class VolumeClaimSpec(TypedDict, total=False):
    storageClassName: str
    accessModes: list[str]
    resources: dict[str, dict[str, str]]


class VolumeClaimTemplate(TypedDict, total=False):
    spec: VolumeClaimSpec


class StorageSpec(TypedDict, total=False):
    volumeClaimTemplate: VolumeClaimTemplate


class PrometheusSpec(TypedDict, total=False):
    retention: str
    replicas: int
    storageSpec: StorageSpec
    resources: ResourceValues
    ruleSelectorNilUsesHelmValues: bool
    serviceMonitorSelectorNilUsesHelmValues: bool
    podMonitorSelectorNilUsesHelmValues: bool


class PrometheusValues(TypedDict, total=False):
    prometheusSpec: PrometheusSpec


class AlertmanagerSpec(TypedDict, total=False):
    replicas: int
    storage: StorageSpec
    resources: ResourceValues
    useExistingSecret: bool
    configSecret: str


class AlertmanagerValues(TypedDict, total=False):
    alertmanagerSpec: AlertmanagerSpec


class GrafanaDashboardsSidecar(TypedDict, total=False):
    enabled: bool
    label: str
    labelValue: str
    searchNamespace: str


class GrafanaDatasourcesSidecar(TypedDict, total=False):
    enabled: bool
    label: str
    labelValue: str


class GrafanaSidecar(TypedDict, total=False):
    dashboards: GrafanaDashboardsSidecar
    datasources: GrafanaDatasourcesSidecar
    resources: ResourceValues


class GrafanaServiceAccount(TypedDict, total=False):
    annotations: dict[str, object]


class GrafanaAdmin(TypedDict, total=False):
    existingSecret: str
    userKey: str
    passwordKey: str


# grafana.ini is a nested mapping of ini sections (grafana chart 12.11.1, kube-prometheus-stack's)
GrafanaValues = TypedDict(
    "GrafanaValues",
    {
        "enabled": bool,
        "admin": GrafanaAdmin,
        "resources": ResourceValues,
        "sidecar": GrafanaSidecar,
        "serviceAccount": GrafanaServiceAccount,
        "podLabels": dict[str, str],
        "grafana.ini": dict[str, dict[str, object]],
    },
    total=False,
)


class Toggle(TypedDict, total=False):
    enabled: bool


class OperatorWebhooks(TypedDict, total=False):
    patch: ResourcesOnly


class PrometheusOperatorValues(TypedDict, total=False):
    resources: ResourceValues
    prometheusConfigReloader: ResourcesOnly
    admissionWebhooks: OperatorWebhooks


# Sub-chart keys contain dashes, hence the functional form.
KubePrometheusStackValues = TypedDict(
    "KubePrometheusStackValues",
    {
        "kubeControllerManager": Toggle,
        "kubeScheduler": Toggle,
        "kubeEtcd": Toggle,
        "kubeProxy": Toggle,
        "coreDns": Toggle,
        "kubeDns": Toggle,
        "prometheusOperator": PrometheusOperatorValues,
        "prometheus": PrometheusValues,
        "alertmanager": AlertmanagerValues,
        "grafana": GrafanaValues,
        "kube-state-metrics": ResourcesOnly,
        "prometheus-node-exporter": ResourcesOnly,
    },
    total=False,
)
