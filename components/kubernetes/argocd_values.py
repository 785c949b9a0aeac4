"""The typed subset of the argo-cd chart's values this platform sets.

Mirrors ``charts/argo-cd/values.yaml`` of argoproj/argo-helm at tag argo-cd-9.7.1 (the pin in
``charts.ARGO_CD``); keys with dots (``admin.enabled``, ``policy.csv``) are ConfigMap keys the
chart copies verbatim into ``argocd-cm``, ``argocd-rbac-cm`` and ``argocd-cmd-params-cm``.
"""

from __future__ import annotations

from typing import TypedDict


class Toggle(TypedDict, total=False):
    enabled: bool


class NetworkPolicyValues(TypedDict, total=False):
    create: bool
    defaultDenyIngress: bool


class GlobalValues(TypedDict, total=False):
    networkPolicy: NetworkPolicyValues
    domain: str


class CrdValues(TypedDict, total=False):
    install: bool
    keep: bool


class ServiceMonitorValues(TypedDict, total=False):
    enabled: bool
    interval: str


class MetricsValues(TypedDict, total=False):
    enabled: bool
    serviceMonitor: ServiceMonitorValues


class PdbValues(TypedDict, total=False):
    enabled: bool
    minAvailable: int


class ComponentValues(TypedDict, total=False):
    replicas: int
    pdb: PdbValues
    metrics: MetricsValues


class ConfigsValues(TypedDict, total=False):
    cm: dict[str, str | bool]
    params: dict[str, str | bool]
    rbac: dict[str, str]


class NotificationsSecretValues(TypedDict, total=False):
    create: bool


class NotificationsValues(TypedDict, total=False):
    enabled: bool
    argocdUrl: str
    secret: NotificationsSecretValues
    notifiers: dict[str, str]
    templates: dict[str, str]
    triggers: dict[str, str]
    metrics: MetricsValues


ArgoCdValues = TypedDict(
    "ArgoCdValues",
    {
        "global": GlobalValues,
        "crds": CrdValues,
        "dex": Toggle,
        "configs": ConfigsValues,
        "controller": ComponentValues,
        "server": ComponentValues,
        "repoServer": ComponentValues,
        "applicationSet": ComponentValues,
        "notifications": NotificationsValues,
        "redis-ha": Toggle,
    },
    total=False,
)
