"""Typed Helm values of the in-cluster services' charts: Strimzi, CloudNativePG, the OpenTelemetry
Collector, Jaeger and external-dns.

Split from ``chart_values.py`` for size; ``charts.py`` re-exports them (callers use ``charts.X``).
"""

from __future__ import annotations

from typing import TypedDict

from components.kubernetes.chart_values import ResourceValues, ServiceMonitorToggle

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
