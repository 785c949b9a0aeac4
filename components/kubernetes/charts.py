"""Pinned Helm charts and the typed subset of their values this platform sets.

The pins (chart, repository, version) live in the version catalog,
``policies/rules/facts/catalog/charts.toml``, with each release line's support rule; this module
builds them from there. Values are TypedDicts rather than YAML blobs: basedpyright checks every
key we write against these declarations, and each declaration mirrors the chart's own
``values.yaml`` at the pinned version. Bump a version only together with a look at that chart's
values and upgrade notes. The values' TypedDicts are in ``chart_values*.py``, re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.kubernetes.chart_values import (
    CertManagerComponent,
    CertManagerConfig,
    CertManagerCrds,
    CertManagerGatewayApi,
    CertManagerPrometheus,
    CertManagerValues,
    EnvoyGatewayCertgen,
    EnvoyGatewayContainer,
    EnvoyGatewayCrds,
    EnvoyGatewayDeployment,
    EnvoyGatewayPdb,
    EnvoyGatewayValues,
    MetricsServerValues,
    PodDisruptionBudgetToggle,
    Quantities,
    ResourcesOnly,
    ResourceValues,
    ServiceMonitorToggle,
    VpaComponent,
    VpaValues,
)
from components.kubernetes.chart_values_monitoring import (
    AlertmanagerSpec,
    AlertmanagerValues,
    GrafanaAdmin,
    GrafanaDashboardsSidecar,
    GrafanaDatasourcesSidecar,
    GrafanaServiceAccount,
    GrafanaSidecar,
    GrafanaValues,
    KubePrometheusStackValues,
    OperatorWebhooks,
    PrometheusOperatorValues,
    PrometheusSpec,
    PrometheusValues,
    StorageSpec,
    Toggle,
    VolumeClaimSpec,
    VolumeClaimTemplate,
)
from components.kubernetes.chart_values_services import (
    CnpgConfig,
    CnpgCrds,
    CnpgMonitoring,
    CnpgValues,
    EnvVar,
    ExternalDnsProvider,
    ExternalDnsServiceAccount,
    ExternalDnsValues,
    JaegerComponent,
    JaegerValues,
    OpenTelemetryCollectorValues,
    OtelImage,
    OtelPdb,
    OtelPort,
    OtelServiceAccount,
    StrimziValues,
)
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
# components/kubernetes/cnpg/ are those of that operator release.
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

__all__ = [
    "ARGO_CD",
    "CERT_MANAGER",
    "CLOUDNATIVE_PG",
    "ENVOY_GATEWAY",
    "ENVOY_GATEWAY_CRDS",
    "EXTERNAL_DNS",
    "GATEWAY_API_CRDS",
    "JAEGER",
    "KUBE_PROMETHEUS_STACK",
    "METRICS_SERVER",
    "OPENTELEMETRY_COLLECTOR",
    "STRIMZI_KAFKA_OPERATOR",
    "VERTICAL_POD_AUTOSCALER",
    "_EG_CRDS",
    "_GATEWAY_API",
    "AlertmanagerSpec",
    "AlertmanagerValues",
    "CertManagerComponent",
    "CertManagerConfig",
    "CertManagerCrds",
    "CertManagerGatewayApi",
    "CertManagerPrometheus",
    "CertManagerValues",
    "Chart",
    "CnpgConfig",
    "CnpgCrds",
    "CnpgMonitoring",
    "CnpgValues",
    "EnvVar",
    "EnvoyGatewayCertgen",
    "EnvoyGatewayContainer",
    "EnvoyGatewayCrds",
    "EnvoyGatewayDeployment",
    "EnvoyGatewayPdb",
    "EnvoyGatewayValues",
    "ExternalDnsProvider",
    "ExternalDnsServiceAccount",
    "ExternalDnsValues",
    "GrafanaAdmin",
    "GrafanaDashboardsSidecar",
    "GrafanaDatasourcesSidecar",
    "GrafanaServiceAccount",
    "GrafanaSidecar",
    "GrafanaValues",
    "JaegerComponent",
    "JaegerValues",
    "KubePrometheusStackValues",
    "Manifests",
    "MetricsServerValues",
    "OpenTelemetryCollectorValues",
    "OperatorWebhooks",
    "OtelImage",
    "OtelPdb",
    "OtelPort",
    "OtelServiceAccount",
    "PodDisruptionBudgetToggle",
    "PrometheusOperatorValues",
    "PrometheusSpec",
    "PrometheusValues",
    "Quantities",
    "ResourceValues",
    "ResourcesOnly",
    "ServiceMonitorToggle",
    "StorageSpec",
    "StrimziValues",
    "Toggle",
    "VolumeClaimSpec",
    "VolumeClaimTemplate",
    "VpaComponent",
    "VpaValues",
]
