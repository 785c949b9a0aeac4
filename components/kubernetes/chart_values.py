"""Typed Helm values shared by every chart, and those of gateway-helm, cert-manager, metrics-server
and the vertical-pod-autoscaler.

The TypedDicts mirror each chart's ``values.yaml`` at the version ``charts.py`` pins, so basedpyright
checks every key the platform writes; ``charts.py`` re-exports them (callers use ``charts.X``).
"""

from __future__ import annotations

from typing import TypedDict


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
