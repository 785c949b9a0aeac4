"""Cluster add-ons as Helm releases at pinned chart versions, each in its own guarded namespace.

The Gateway API (standard-channel CRDs) and Envoy Gateway (its CRDs and controller; the
Gateway itself is ``components/kubernetes/gateway.py``), cert-manager with its CRDs, Gateway
API support and Let's Encrypt ClusterIssuers (staging and production) solving HTTP-01 through
the Gateway, kube-prometheus-stack with retention
and persistent storage, metrics-server where the cloud ships none, the vertical-pod-autoscaler
(Argo CD is ``components/kubernetes/argocd.py``). ``helm.v3.Release`` (not ``helm.v4.Chart``) because the new cluster's
kubeconfig is unknown at preview time and v4 renders client-side (pulumi/pulumi#16331).

Inputs and tables are in ``addons_args.py``, the shared builders and the monitoring stack in
``addons_monitoring.py`` (the base class); importers keep using this module.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from components.kubernetes import charts
from components.kubernetes.addons_args import (
    ISSUERS,
    MONITORING_NAMESPACE,
    AddonsArgs,
    AlertReceiverArgs,
    alertmanager_config,
    alertmanager_document,
)
from components.kubernetes.addons_args import container_resources as _resources
from components.kubernetes.addons_monitoring import AddonsMonitoring
from components.kubernetes.gateway import GATEWAY_NAME, GATEWAY_NAMESPACE, HTTP_LISTENER
from components.kubernetes.local_issuer import self_signed_ca
from infra.naming import child

__all__ = [
    "MONITORING_NAMESPACE",
    "AddonsArgs",
    "AlertReceiverArgs",
    "ClusterAddons",
    "alertmanager_config",
    "alertmanager_document",
]


class ClusterAddons(AddonsMonitoring):
    """The platform's cluster-wide services."""

    cluster_issuer: str | None
    """ClusterIssuer that Ingresses should request certificates from (None without cert-manager)."""
    gateway_namespace: str | None
    """Namespace of Envoy Gateway, its data plane and the Gateway (None without it)."""
    gateway_ready: list[pulumi.Resource]
    """What Gateway API objects wait for: the CRDs and the controller (empty without them)."""
    monitoring_namespace: str | None
    """Namespace of Prometheus (None without it)."""
    vpa_enabled: bool
    """Whether VerticalPodAutoscaler objects can be created."""

    def __init__(
        self, name: str, args: AddonsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:Addons", name, None, opts)
        self._name = name
        self._args = args
        # kube-prometheus-stack first: it brings the ServiceMonitor CRD that the cert-manager
        # release uses ("no matches for kind ServiceMonitor" otherwise); the Gateway API CRDs
        # before cert-manager (its gateway-shim watches Gateways from the start).
        self._crd_releases: list[pulumi.Resource] = []
        self.monitoring_namespace = self._monitoring() if args.kube_prometheus_stack else None
        self.gateway_ready = []
        self.gateway_namespace = self._gateway() if args.gateway else None
        self.cluster_issuer = self._cert_manager() if args.cert_manager else None
        if args.metrics_server:
            self._metrics_server()
        self.vpa_enabled = args.vertical_pod_autoscaler
        if args.vertical_pod_autoscaler:
            self._vpa()
        self.register_outputs({})

    def _gateway(self) -> str:
        """The Gateway API's standard-channel CRDs, Envoy Gateway's CRDs and its controller."""
        namespace = self._namespace(GATEWAY_NAMESPACE)
        gateway_api = self._manifests(charts.GATEWAY_API_CRDS, [])
        envoy_crds = self._manifests(charts.ENVOY_GATEWAY_CRDS, [gateway_api])
        replicas = 2 if self._args.highly_available else 1
        values: charts.EnvoyGatewayValues = {
            # the CRDs above instead of the chart's (experimental-channel Gateway API)
            "crds": {"enabled": False},
            "deployment": {
                "replicas": replicas,
                "envoyGateway": {"resources": _resources("100m", "256Mi")},
            },
            "podDisruptionBudget": {"minAvailable": replicas - 1},
            "certgen": {"job": {"resources": _resources("10m", "64Mi")}},
        }
        release = self._release(
            charts.ENVOY_GATEWAY, GATEWAY_NAMESPACE, values,
            [namespace, gateway_api, envoy_crds, *self._crd_releases],
        )  # fmt: skip
        self.gateway_ready = [gateway_api, envoy_crds, release, namespace]
        return GATEWAY_NAMESPACE

    def _cert_manager(self) -> str:
        namespace = self._namespace("cert-manager")
        replicas = 2 if self._args.highly_available else 1
        budget: charts.PodDisruptionBudgetToggle = {"enabled": replicas > 1, "minAvailable": 1}
        values: charts.CertManagerValues = {
            "crds": {"enabled": True, "keep": True},
            # the gateway-shim: a Certificate per HTTPS listener of an annotated Gateway, and
            # HTTP-01 solver routes attached to it (needs the Gateway API CRDs installed first)
            "config": {
                "apiVersion": "controller.config.cert-manager.io/v1alpha1",
                "kind": "ControllerConfiguration",
                "gatewayAPI": {"enabled": self._args.gateway},
            },
            "replicaCount": replicas,
            "podDisruptionBudget": budget,
            # the webhook admits every cert-manager object: one replica stops issuance on a drain
            "webhook": {
                "replicaCount": replicas,
                "podDisruptionBudget": budget,
                "resources": _resources("20m", "64Mi"),
            },
            "cainjector": {
                "replicaCount": replicas,
                "podDisruptionBudget": budget,
                "resources": _resources("20m", "192Mi"),
            },
            "startupapicheck": {"resources": _resources("10m", "64Mi")},
            "prometheus": {
                "enabled": True,
                "servicemonitor": {"enabled": self._args.kube_prometheus_stack},
            },
            "resources": _resources("50m", "128Mi"),
        }
        release = self._release(
            charts.CERT_MANAGER, "cert-manager", values,
            [namespace, *self._crd_releases, *self.gateway_ready[:2]],
        )  # fmt: skip
        if self._args.self_signed_issuer:
            return self_signed_ca(
                self._name, pulumi.ResourceOptions(parent=self, depends_on=[release])
            )
        for issuer, server in ISSUERS.items():
            k8s.apiextensions.CustomResource(
                child(self._name, issuer),
                api_version=api_versions.CERT_MANAGER,
                kind="ClusterIssuer",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=issuer),
                spec={
                    "acme": {
                        "server": server,
                        "email": self._args.acme_email,
                        "privateKeySecretRef": {"name": f"{issuer}-account-key"},
                        # HTTP-01 through the Gateway's plain-HTTP listener: cert-manager
                        # attaches an HTTPRoute for the challenge path next to the Gateway
                        "solvers": [
                            {
                                "http01": {
                                    "gatewayHTTPRoute": {
                                        "parentRefs": [
                                            {
                                                "name": GATEWAY_NAME,
                                                "namespace": GATEWAY_NAMESPACE,
                                                "kind": "Gateway",
                                                "sectionName": HTTP_LISTENER,
                                            }
                                        ]
                                    }
                                }
                            }
                        ],
                    }
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[release]),
            )
        return "letsencrypt-prod" if self._args.highly_available else "letsencrypt-staging"

    def _metrics_server(self) -> None:
        values: charts.MetricsServerValues = {
            "replicas": 2 if self._args.highly_available else 1,
            "podDisruptionBudget": {"enabled": self._args.highly_available, "minAvailable": 1},
            # the chart appends ``args`` to ``defaultArgs``: override the defaults instead of
            # passing a second, conflicting --kubelet-preferred-address-types
            "defaultArgs": [
                "--cert-dir=/tmp",
                "--kubelet-preferred-address-types=InternalIP",
                "--kubelet-use-node-status-port",
                "--metric-resolution=15s",
                # kind's kubelets serve self-signed certificates: without this every scrape
                # fails verification and the Deployment never becomes Ready
                *(["--kubelet-insecure-tls"] if self._args.kubelet_insecure_tls else []),
            ],
            "resources": _resources("100m", "200Mi"),
        }
        self._release(charts.METRICS_SERVER, "kube-system", values, [])

    def _vpa(self) -> None:
        namespace = self._namespace("vpa")
        values: charts.VpaValues = {
            "recommender": {"enabled": True, "resources": _resources("50m", "256Mi")},
            "updater": {"enabled": True, "resources": _resources("50m", "128Mi")},
            "admissionController": {"enabled": True, "resources": _resources("50m", "128Mi")},
        }
        self._release(charts.VERTICAL_POD_AUTOSCALER, "vpa", values, [namespace])
