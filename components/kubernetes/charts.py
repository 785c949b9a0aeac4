"""Pinned Helm charts and the typed subset of their values this platform sets.

Values are TypedDicts rather than YAML blobs: basedpyright checks every key we write against
these declarations, and each declaration mirrors the chart's own ``values.yaml`` at the pinned
version. Bump a version only together with a look at that chart's values and upgrade notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True)
class Chart:
    """A chart at a pinned version in its upstream repository."""

    name: str
    version: str
    repo: str

    @property
    def oci(self) -> bool:
        """Published to an OCI registry (``oci://...``) rather than a chart repository."""
        return self.repo.startswith("oci://")


INGRESS_NGINX = Chart("ingress-nginx", "4.12.4", "https://kubernetes.github.io/ingress-nginx")
CERT_MANAGER = Chart("cert-manager", "v1.17.4", "https://charts.jetstack.io")
KUBE_PROMETHEUS_STACK = Chart(
    "kube-prometheus-stack", "72.9.1", "https://prometheus-community.github.io/helm-charts"
)
METRICS_SERVER = Chart(
    "metrics-server", "3.12.2", "https://kubernetes-sigs.github.io/metrics-server/"
)
VERTICAL_POD_AUTOSCALER = Chart("vpa", "4.7.2", "https://charts.fairwinds.com/stable")
ARGO_CD = Chart("argo-cd", "8.0.17", "https://argoproj.github.io/argo-helm")
# Strimzi publishes its chart to quay.io as OCI (its docs at 1.2.0:
# "helm install ... oci://quay.io/strimzi-helm/strimzi-kafka-operator"; the https://strimzi.io/charts/
# repository is deprecated); the chart version is the operator's.
STRIMZI_KAFKA_OPERATOR = Chart("strimzi-kafka-operator", "1.2.0", "oci://quay.io/strimzi-helm")
# chart 0.29.0 ships operator 1.30.0 (the chart's appVersion): the Cluster CRD fields used by
# components/kubernetes/cnpg.py are those of 1.30.0.
CLOUDNATIVE_PG = Chart("cloudnative-pg", "0.29.0", "https://cloudnative-pg.github.io/charts")
# open-telemetry/opentelemetry-helm-charts tag opentelemetry-collector-0.170.0 (appVersion
# 0.158.0); the image is the contrib distribution (cloud exporters), at the chart's appVersion.
OPENTELEMETRY_COLLECTOR = Chart(
    "opentelemetry-collector",
    "0.170.0",
    "https://open-telemetry.github.io/opentelemetry-helm-charts",
)
# jaegertracing/helm-charts tag jaeger-4.11.1 (Jaeger v2 2.19.0: all-in-one, in-memory store)
JAEGER = Chart("jaeger", "4.11.1", "https://jaegertracing.github.io/helm-charts")


class Quantities(TypedDict, total=False):
    cpu: str
    memory: str


class ResourceValues(TypedDict, total=False):
    requests: Quantities
    limits: Quantities


class ServiceMonitorToggle(TypedDict, total=False):
    enabled: bool


# --- ingress-nginx -----------------------------------------------------------------------


class IngressNginxMetrics(TypedDict, total=False):
    enabled: bool
    serviceMonitor: ServiceMonitorToggle


class IngressNginxService(TypedDict, total=False):
    type: str
    externalTrafficPolicy: str
    annotations: dict[str, str]
    nodePorts: dict[str, int]  # http / https, with type NodePort


class ResourcesOnly(TypedDict, total=False):
    resources: ResourceValues


class IngressNginxAdmissionWebhooks(TypedDict, total=False):
    createSecretJob: ResourcesOnly
    patchWebhookJob: ResourcesOnly


class IngressNginxController(TypedDict, total=False):
    replicaCount: int
    minAvailable: int
    config: dict[str, str]
    service: IngressNginxService
    metrics: IngressNginxMetrics
    resources: ResourceValues
    topologySpreadConstraints: list[dict[str, object]]
    allowSnippetAnnotations: bool
    admissionWebhooks: IngressNginxAdmissionWebhooks


class IngressNginxValues(TypedDict, total=False):
    controller: IngressNginxController


# --- cert-manager ------------------------------------------------------------------------


class CertManagerCrds(TypedDict, total=False):
    enabled: bool
    keep: bool


class CertManagerPrometheus(TypedDict, total=False):
    enabled: bool
    servicemonitor: ServiceMonitorToggle


class PodDisruptionBudgetToggle(TypedDict, total=False):
    enabled: bool
    minAvailable: int


class CertManagerComponent(TypedDict, total=False):
    replicaCount: int
    podDisruptionBudget: PodDisruptionBudgetToggle
    resources: ResourceValues


class CertManagerValues(TypedDict, total=False):
    crds: CertManagerCrds
    replicaCount: int
    podDisruptionBudget: PodDisruptionBudgetToggle
    webhook: CertManagerComponent
    cainjector: CertManagerComponent
    startupapicheck: ResourcesOnly
    prometheus: CertManagerPrometheus
    resources: ResourceValues


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


# grafana.ini is a nested mapping of ini sections (grafana chart 9.2.1, kube-prometheus-stack's)
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


# --- metrics-server, vpa, argo-cd ----------------------------------------------------------


class MetricsServerValues(TypedDict, total=False):
    replicas: int
    defaultArgs: list[str]
    podDisruptionBudget: PodDisruptionBudgetToggle
    resources: ResourceValues


class VpaComponent(TypedDict, total=False):
    enabled: bool
    resources: ResourceValues


class VpaValues(TypedDict, total=False):
    recommender: VpaComponent
    updater: VpaComponent
    admissionController: VpaComponent


class ArgoCdConfigs(TypedDict, total=False):
    params: dict[str, str | bool]


class ArgoCdValues(TypedDict, total=False):
    configs: ArgoCdConfigs


# --- strimzi-kafka-operator ------------------------------------------------------------------


class EnvVar(TypedDict):
    name: str
    value: str


class StrimziValues(TypedDict, total=False):
    replicas: int
    resources: ResourceValues
    extraEnvs: list[EnvVar]
    # the operator would write NetworkPolicies admitting every listener from anywhere; the
    # platform's own default-deny allow-list of the namespace is the single source instead
    generateNetworkPolicy: bool


# --- cloudnative-pg (values.yaml at tag cloudnative-pg-v0.29.0) ------------------------------


class CnpgCrds(TypedDict, total=False):
    create: bool


class CnpgConfig(TypedDict, total=False):
    clusterWide: bool


class CnpgMonitoring(TypedDict, total=False):
    podMonitorEnabled: bool


class CnpgValues(TypedDict, total=False):
    replicaCount: int
    crds: CnpgCrds
    config: CnpgConfig
    resources: ResourceValues
    monitoring: CnpgMonitoring
    podLabels: dict[str, str]


# --- opentelemetry-collector (values.yaml at tag opentelemetry-collector-0.170.0) -------------


class OtelImage(TypedDict, total=False):
    repository: str
    tag: str


class OtelPort(TypedDict, total=False):
    enabled: bool


class OtelServiceAccount(TypedDict, total=False):
    annotations: dict[str, object]


class OtelPdb(TypedDict, total=False):
    enabled: bool
    minAvailable: int


class OpenTelemetryCollectorValues(TypedDict, total=False):
    mode: str
    fullnameOverride: str
    replicaCount: int
    image: OtelImage
    alternateConfig: dict[str, object]
    resources: ResourceValues
    serviceAccount: OtelServiceAccount
    podLabels: dict[str, str]
    podSecurityContext: dict[str, object]
    securityContext: dict[str, object]
    ports: dict[str, OtelPort]
    serviceMonitor: ServiceMonitorToggle
    podDisruptionBudget: OtelPdb


# --- jaeger (values.yaml at tag jaeger-4.11.1) --------------------------------------------------


class JaegerComponent(TypedDict, total=False):
    replicas: int
    resources: ResourceValues
    securityContext: dict[str, object]
    podSecurityContext: dict[str, object]


class JaegerValues(TypedDict, total=False):
    fullnameOverride: str
    jaeger: JaegerComponent
    userconfig: dict[str, object]
