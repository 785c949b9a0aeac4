"""Pinned Helm charts and the typed subset of their values this platform sets.

The pins (chart, repository, version) live in the version catalog,
``policies/rules/facts/catalog/charts.toml``, with each release line's support rule; this module
builds them from there. Values are TypedDicts rather than YAML blobs: basedpyright checks every
key we write against these declarations, and each declaration mirrors the chart's own
``values.yaml`` at the pinned version. Bump a version only together with a look at that chart's
values and upgrade notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from policies.rules.facts.catalog import service


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


def _chart(name: str) -> Chart:
    """The chart ``name`` at its catalogued pin (``charts.<name>``)."""
    pinned = service(f"charts.{name}")
    return Chart(name, pinned.default, str(pinned.extra["repo"]))


# Envoy Gateway publishes its charts to Docker Hub as OCI (its install docs at v1.9.0:
# "helm install eg oci://docker.io/envoyproxy/gateway-helm --version v1.9.0"); the chart version
# is the controller's. The chart's own CRDs are applied from the manifests below instead
# (crds.enabled=false), so it never installs its bundled experimental-channel Gateway API CRDs.
ENVOY_GATEWAY = _chart("gateway-helm")
CERT_MANAGER = _chart("cert-manager")
KUBE_PROMETHEUS_STACK = _chart("kube-prometheus-stack")
METRICS_SERVER = _chart("metrics-server")
VERTICAL_POD_AUTOSCALER = _chart("vpa")
ARGO_CD = _chart("argo-cd")
# Strimzi publishes its chart to quay.io as OCI (its docs: "helm install ...
# oci://quay.io/strimzi-helm/strimzi-kafka-operator"; the https://strimzi.io/charts/ repository
# is deprecated); the chart version is the operator's.
STRIMZI_KAFKA_OPERATOR = _chart("strimzi-kafka-operator")
# the chart's appVersion is the operator's: the Cluster CRD fields used by
# components/kubernetes/cnpg.py are those of that operator release.
CLOUDNATIVE_PG = _chart("cloudnative-pg")
# the image is the contrib distribution (cloud exporters), at the chart's appVersion.
OPENTELEMETRY_COLLECTOR = _chart("opentelemetry-collector")
# Jaeger v2: all-in-one, in-memory store
JAEGER = _chart("jaeger")
# kubernetes-sigs/external-dns (its repository: https://kubernetes-sigs.github.io/external-dns/)
EXTERNAL_DNS = _chart("external-dns")


@dataclass(frozen=True)
class Manifests:
    """CRD manifests at a pinned release, applied as they are published (``yaml.v2``)."""

    name: str
    version: str
    urls: tuple[str, ...]


# Gateway API, standard channel: the release's own install manifest (built from
# config/crd/standard at the tag; docs "Getting started": kubectl apply --server-side -f
# https://github.com/kubernetes-sigs/gateway-api/releases/download/<version>/standard-install.yaml),
# at the version Envoy Gateway is built and conformance-tested against (its go.mod).
_GATEWAY_API = service("charts.gateway-api")
GATEWAY_API_CRDS = Manifests(
    "gateway-api",
    _GATEWAY_API.default,
    (str(_GATEWAY_API.extra["url"]).format(version=_GATEWAY_API.default),),
)
_EG_CRDS = (
    f"https://raw.githubusercontent.com/envoyproxy/gateway/{ENVOY_GATEWAY.version}"
    "/charts/gateway-helm/charts/crds/crds/generated"
)
# Envoy Gateway's own CRDs at the chart's tag (the files the chart's crds sub-chart installs).
ENVOY_GATEWAY_CRDS = Manifests(
    "envoy-gateway-crds",
    ENVOY_GATEWAY.version,
    tuple(
        f"{_EG_CRDS}/gateway.envoyproxy.io_{kind}.yaml"
        for kind in (
            "backends", "backendtrafficpolicies", "clienttrafficpolicies",
            "envoyextensionpolicies", "envoypatchpolicies", "envoyproxies",
            "httproutefilters", "securitypolicies",
        )
    ),
)  # fmt: skip


class Quantities(TypedDict, total=False):
    cpu: str
    memory: str


class ResourceValues(TypedDict, total=False):
    requests: Quantities
    limits: Quantities


class ServiceMonitorToggle(TypedDict, total=False):
    enabled: bool


class ResourcesOnly(TypedDict, total=False):
    resources: ResourceValues


# --- gateway-helm (values.tmpl.yaml at tag v1.9.0) ---------------------------------------------


class EnvoyGatewayCrds(TypedDict, total=False):
    enabled: bool


class EnvoyGatewayContainer(TypedDict, total=False):
    resources: ResourceValues


class EnvoyGatewayDeployment(TypedDict, total=False):
    replicas: int
    envoyGateway: EnvoyGatewayContainer


class EnvoyGatewayPdb(TypedDict, total=False):
    minAvailable: int


class EnvoyGatewayCertgen(TypedDict, total=False):
    job: ResourcesOnly


class EnvoyGatewayValues(TypedDict, total=False):
    crds: EnvoyGatewayCrds
    deployment: EnvoyGatewayDeployment
    podDisruptionBudget: EnvoyGatewayPdb
    certgen: EnvoyGatewayCertgen


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


class CertManagerGatewayApi(TypedDict, total=False):
    """``gatewayAPI`` of the ControllerConfiguration (v1alpha1 GatewayAPIConfig at v1.21.1;
    it replaces the deprecated ``enableGatewayAPI``)."""

    enabled: bool


class CertManagerConfig(TypedDict, total=False):
    """The controller's ControllerConfiguration (``config`` in values.yaml at v1.21.1)."""

    apiVersion: str
    kind: str
    gatewayAPI: CertManagerGatewayApi


class CertManagerValues(TypedDict, total=False):
    crds: CertManagerCrds
    config: CertManagerConfig
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


# --- metrics-server, vpa ----------------------------------------------------------------


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


# --- external-dns (values.yaml at tag external-dns-helm-chart-1.21.1) ---------------------------


class ExternalDnsProvider(TypedDict, total=False):
    name: str


class ExternalDnsServiceAccount(TypedDict, total=False):
    name: str
    annotations: dict[str, object]


class ExternalDnsValues(TypedDict, total=False):
    fullnameOverride: str
    provider: ExternalDnsProvider
    sources: list[str]
    policy: str
    registry: str
    txtOwnerId: str
    txtPrefix: str
    domainFilters: list[str]
    # a map: ``--key=value`` per entry (values may be Outputs)
    extraArgs: dict[str, object]
    triggerLoopOnEvent: bool
    serviceAccount: ExternalDnsServiceAccount
    podLabels: dict[str, str]
    env: list[EnvVar]
    resources: ResourceValues
    podSecurityContext: dict[str, object]
    securityContext: dict[str, object]
    serviceMonitor: ServiceMonitorToggle
    extraVolumes: list[dict[str, object]]
    extraVolumeMounts: list[dict[str, object]]
