"""The monitoring add-on of ``ClusterAddons``: kube-prometheus-stack and its two Secrets.

A base class of ``ClusterAddons`` (``addons.py``), split from it so each module stays small: the
shared builders of every add-on (guarded namespace, Helm release, CRD manifests) and the
monitoring stack, with Alertmanager's routing configuration (receivers' URLs are credentials,
so a Secret) and Grafana's generated admin password.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.kubernetes import charts
from components.kubernetes.addons_args import (
    ADDON_NAMESPACES,
    ALERTMANAGER_CONFIG_SECRET,
    GRAFANA_ADMIN_SECRET,
    MONITORING_NAMESPACE,
    AddonsArgs,
    alertmanager_config,
)
from components.kubernetes.addons_args import container_resources as _resources
from components.kubernetes.guarded_namespace import guarded_namespace
from components.kubernetes.helm import helm_release
from components.kubernetes.namespace import PlatformNamespace
from infra.config.profiles import deep_merge
from infra.naming import child


class AddonsMonitoring(pulumi.ComponentResource):
    """The add-on builders and the monitoring stack (``ClusterAddons.__init__`` sets the fields)."""

    _name: str
    _args: AddonsArgs
    _crd_releases: list[pulumi.Resource]
    prometheus_release: k8s.helm.v3.Release
    """The kube-prometheus-stack release (its CRDs: ServiceMonitor, PrometheusRule, ...)."""

    def _namespace(self, namespace: str) -> PlatformNamespace:
        return guarded_namespace(
            self._name, namespace, ADDON_NAMESPACES[namespace], self._args.labels,
            pulumi.ResourceOptions(parent=self),
        )  # fmt: skip

    def _release(
        self,
        chart: charts.Chart,
        namespace: str,
        values: Mapping[str, object],
        depends_on: list[pulumi.Resource],
    ) -> k8s.helm.v3.Release:
        return helm_release(
            child(self._name, chart.name), chart, namespace, values,
            pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )  # fmt: skip

    def _manifests(
        self, manifests: charts.Manifests, depends_on: list[pulumi.Resource]
    ) -> pulumi.Resource:
        opts = pulumi.ResourceOptions(parent=self, depends_on=depends_on)
        if len(manifests.urls) == 1:
            return k8s.yaml.v2.ConfigFile(
                child(self._name, manifests.name), file=manifests.urls[0], opts=opts
            )
        return k8s.yaml.v2.ConfigGroup(
            child(self._name, manifests.name), files=list(manifests.urls), opts=opts
        )

    def _monitoring(self) -> str:
        namespace = self._namespace(MONITORING_NAMESPACE)
        args = self._args

        def claim(size_gb: int) -> charts.StorageSpec:
            return {
                "volumeClaimTemplate": {
                    "spec": {
                        "storageClassName": args.storage_class,
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": f"{size_gb}Gi"}},
                    }
                }
            }

        hidden = args.hidden_control_plane
        values: charts.KubePrometheusStackValues = {
            # managed control planes do not expose these: scraping them only fires TargetDown
            "kubeControllerManager": {"enabled": not hidden},
            "kubeScheduler": {"enabled": not hidden},
            "kubeEtcd": {"enabled": not hidden},
            "kubeProxy": {"enabled": not hidden},
            # GKE runs kube-dns: a CoreDNS ServiceMonitor there matches nothing (TargetDown)
            "coreDns": {"enabled": not args.kube_dns},
            "kubeDns": {"enabled": args.kube_dns},
            "prometheusOperator": {
                "resources": _resources("100m", "256Mi"),
                "prometheusConfigReloader": {"resources": _resources("10m", "64Mi")},
                "admissionWebhooks": {"patch": {"resources": _resources("10m", "64Mi")}},
            },
            "prometheus": {
                "prometheusSpec": {
                    "retention": f"{args.prometheus_retention_days}d",
                    "replicas": 2 if args.highly_available else 1,
                    "storageSpec": claim(args.prometheus_storage_gb),
                    "resources": _resources("500m", "2Gi"),
                    # pick up rules and monitors from every namespace, not just the release's
                    "ruleSelectorNilUsesHelmValues": False,
                    "serviceMonitorSelectorNilUsesHelmValues": False,
                    "podMonitorSelectorNilUsesHelmValues": False,
                }
            },
            "alertmanager": {
                "alertmanagerSpec": {
                    "replicas": 2 if args.highly_available else 1,
                    "storage": claim(5),
                    "resources": _resources("50m", "128Mi"),
                    # the routing config (with the receivers' secret URLs) is our Secret
                    "useExistingSecret": True,
                    "configSecret": ALERTMANAGER_CONFIG_SECRET,
                }
            },
            "grafana": {
                "enabled": True,
                "admin": {
                    "existingSecret": GRAFANA_ADMIN_SECRET,
                    "userKey": "admin-user",
                    "passwordKey": "admin-password",
                },
                "resources": _resources("100m", "256Mi"),
                "sidecar": {
                    "resources": _resources("20m", "96Mi"),
                    "dashboards": {
                        "enabled": True,
                        "label": "grafana_dashboard",
                        "labelValue": "1",
                        "searchNamespace": "ALL",
                    },
                },
            },
            "kube-state-metrics": {"resources": _resources("50m", "192Mi")},
            "prometheus-node-exporter": {"resources": _resources("20m", "64Mi")},
        }
        values = cast(
            charts.KubePrometheusStackValues, deep_merge(dict(values), dict(args.monitoring_values))
        )
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        secrets = [self._alertmanager_config(in_namespace), self._grafana_admin(in_namespace)]
        self.prometheus_release = self._release(
            charts.KUBE_PROMETHEUS_STACK, MONITORING_NAMESPACE, values, [namespace, *secrets]
        )
        self._crd_releases.append(self.prometheus_release)
        return MONITORING_NAMESPACE

    def _alertmanager_config(self, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        return k8s.core.v1.Secret(
            child(self._name, "alertmanager-config"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ALERTMANAGER_CONFIG_SECRET, namespace=MONITORING_NAMESPACE,
                labels=self._args.labels,
            ),
            type="Opaque",
            string_data={"alertmanager.yaml": alertmanager_config(self._args.alert_receivers)},
            opts=opts,
        )  # fmt: skip

    def _grafana_admin(self, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        password = random.RandomPassword(
            child(self._name, "grafana-admin"), length=32, special=False,
            opts=pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        return k8s.core.v1.Secret(
            child(self._name, "grafana-admin"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=GRAFANA_ADMIN_SECRET, namespace=MONITORING_NAMESPACE, labels=self._args.labels
            ),
            type="Opaque",
            string_data={"admin-user": "admin", "admin-password": password.result},
            opts=opts,
        )
