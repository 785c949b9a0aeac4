"""Cluster add-ons as Helm releases at pinned chart versions, each in its own guarded namespace.

The Gateway API (standard-channel CRDs) and Envoy Gateway (its CRDs and controller; the
Gateway itself is ``components/kubernetes/gateway.py``), cert-manager with its CRDs, Gateway
API support and Let's Encrypt ClusterIssuers (staging and production) solving HTTP-01 through
the Gateway, kube-prometheus-stack with retention
and persistent storage, metrics-server where the cloud ships none, the vertical-pod-autoscaler
(Argo CD is ``components/kubernetes/argocd.py``). ``helm.v3.Release`` (not ``helm.v4.Chart``) because the new cluster's
kubeconfig is unknown at preview time and v4 renders client-side (pulumi/pulumi#16331).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.kubernetes import charts
from components.kubernetes.alert_routing import ReceiverView, Severity, routing_document
from components.kubernetes.gateway import (
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
    HTTP_CONTAINER_PORT,
    HTTP_LISTENER,
    HTTPS_CONTAINER_PORT,
    PROXY_METRICS_PORT,
    XDS_PORT,
)
from components.kubernetes.guarded_namespace import AddonNamespace, guarded_namespace
from components.kubernetes.helm import helm_release
from components.kubernetes.local_issuer import self_signed_ca
from components.kubernetes.namespace import PlatformNamespace
from components.kubernetes.network_policy import ACME_SOLVER_PORT, ALL, API_PORTS, PODS, SAME, Allow
from infra.config.profiles import deep_merge
from infra.naming import APP_NAMESPACE, child

MONITORING_NAMESPACE = "monitoring"
ISSUERS = {
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
}


ALERTMANAGER_CONFIG_SECRET = "alertmanager-platform-config"
GRAFANA_ADMIN_SECRET = "grafana-admin"


def alertmanager_document(receivers: list[AlertReceiverArgs], secrets: list[str]) -> dict[str, Any]:
    """Alertmanager's configuration for ``receivers`` whose resolved credentials (webhook URL,
    SMTP password) are ``secrets``: routed by severity (``alert_routing``); without any
    receiver (dev) every alert goes to ``null``."""
    return routing_document([
        ReceiverView(
            r.name, r.kind, secret, r.channel, r.to, r.smarthost, r.sender, r.username,
            r.severities,
        )
        for r, secret in zip(receivers, secrets, strict=True)
    ])  # fmt: skip


def alertmanager_config(receivers: list[AlertReceiverArgs]) -> pulumi.Output[str]:
    """Alertmanager's configuration file, a secret (receiver URLs are credentials)."""
    urls = pulumi.Output.all(*(r.url if r.url is not None else "" for r in receivers))
    rendered = urls.apply(lambda resolved: json.dumps(alertmanager_document(receivers, resolved)))
    return pulumi.Output.secret(rendered)


@dataclass(frozen=True, kw_only=True)
class AddonsArgs:
    """Inputs of ``ClusterAddons``."""

    #: install the Gateway API CRDs and Envoy Gateway (apps' hosts are served through it)
    gateway: bool
    #: install cert-manager and the Let's Encrypt ClusterIssuer
    cert_manager: bool
    #: ACME account e-mail Let's Encrypt sends expiry notices to (None: a self-signed issuer)
    acme_email: str | None
    #: install Prometheus, Alertmanager and Grafana (kube-prometheus-stack)
    kube_prometheus_stack: bool
    #: days Prometheus keeps metrics (longer in prod)
    prometheus_retention_days: int
    #: Prometheus volume size (GiB)
    prometheus_storage_gb: int
    #: install metrics-server (HPA needs it; skipped where the cloud ships one)
    metrics_server: bool
    #: install the VPA (recommendations for requests)
    vertical_pod_autoscaler: bool
    #: run the add-ons with replicas and PDBs (staging/prod)
    highly_available: bool
    #: StorageClass of the add-ons' volumes (Prometheus, Alertmanager)
    storage_class: str
    #: labels added to every add-on object
    labels: dict[str, str] = field(default_factory=dict)
    #: the managed control plane hides its components from Prometheus
    hidden_control_plane: bool = True
    #: where Alertmanager sends alerts (prod: at least one)
    alert_receivers: list[AlertReceiverArgs] = field(default_factory=list)
    #: issue certificates from a self-signed CA of our own instead of Let's Encrypt
    self_signed_issuer: bool = False
    #: kubelets serve self-signed certificates (kind): metrics-server skips verifying them
    kubelet_insecure_tls: bool = False
    #: the cluster runs kube-dns (GKE) rather than CoreDNS: scrape kube-dns, not CoreDNS
    kube_dns: bool = False
    #: kube-prometheus-stack values merged over the platform's (observability: sizes on a
    #: laptop, Grafana's data sources and identity; ``stacks/observability.py``)
    monitoring_values: charts.KubePrometheusStackValues = field(
        default_factory=lambda: charts.KubePrometheusStackValues()
    )


@dataclass(frozen=True, kw_only=True)
class AlertReceiverArgs:
    """An Alertmanager receiver; ``url`` carries a credential and is handled as a secret."""

    #: receiver name in the Alertmanager config
    name: str
    #: slack incoming webhook, generic webhook or e-mail
    kind: Literal["slack", "webhook", "email"]
    #: webhook URL, or an e-mail receiver's SMTP password; a credential, kept a Pulumi secret
    url: pulumi.Input[str] | None
    #: Slack channel override (None: the webhook's own channel)
    channel: str | None = None
    #: e-mail: recipient address
    to: str | None = None
    #: e-mail: SMTP server ``host:port`` (STARTTLS required)
    smarthost: str | None = None
    #: e-mail: sender address
    sender: str | None = None
    #: e-mail: SMTP user (None: no SMTP authentication)
    username: str | None = None
    #: severities this receiver takes
    severities: tuple[Severity, ...] = ("critical", "warning")


# Webhook ports the API server calls. It is not a pod (and on AKS/GKE it comes through
# konnectivity from addresses no policy can name), so these ports are open to every source,
# and only on the webhook-serving namespaces.
ENVOY_GATEWAY_WEBHOOK_PORT = 9443  # topology injector (gateway-helm topologyInjector)
CERT_MANAGER_WEBHOOK_PORT = 10250
PROMETHEUS_OPERATOR_WEBHOOK_PORT = (
    10250  # kube-prometheus-stack prometheusOperator.tls.internalPort
)
VPA_WEBHOOK_PORT = 8000
KUBELET_PORT = 10250
NODE_EXPORTER_PORT = 9100


_NAMESPACES: dict[str, AddonNamespace] = {
    GATEWAY_NAMESPACE: AddonNamespace(
        "restricted", "8", "8Gi",
        # clients from anywhere on the data plane's listeners (the internet through the load
        # balancer, cert-manager's HTTP-01 self check from inside); the data plane to the
        # controller's xDS; the topology webhook from the API server; metrics scraping. The
        # HTTP-01 solver's own policy admits the data plane only (gateway.py).
        ingress=[
            Allow(ALL, [HTTP_CONTAINER_PORT, HTTPS_CONTAINER_PORT, ENVOY_GATEWAY_WEBHOOK_PORT]),
            Allow(SAME, [XDS_PORT]),
            Allow(MONITORING_NAMESPACE, [PROXY_METRICS_PORT]),
        ],
        # the API server (watches); the data plane to the controller, to the solvers and to
        # the apps (each app's own policy admits the data plane on its serving port only)
        egress=[
            Allow(ALL, API_PORTS), Allow(SAME, [XDS_PORT, ACME_SOLVER_PORT]), Allow(APP_NAMESPACE),
        ],
    ),
    "cert-manager": AddonNamespace(
        "restricted", "2", "2Gi",
        ingress=[Allow(ALL, [CERT_MANAGER_WEBHOOK_PORT]), Allow(MONITORING_NAMESPACE, [9402])],
        # API server, ACME directory (HTTPS) and the HTTP-01 self check: the public address on
        # 80, or the Envoy pods on 10080 when the CNI short-circuits the load balancer's address
        # to its endpoints inside the cluster (kube-proxy, Cilium: policies see the pod port)
        egress=[Allow(ALL, [*API_PORTS, 80, HTTP_CONTAINER_PORT])],
    ),
    # node-exporter needs host networking, PID namespace and host paths
    MONITORING_NAMESPACE: AddonNamespace(
        "privileged", "16", "32Gi",
        # Grafana -> Prometheus -> Alertmanager inside; the operator's webhook from the API server
        ingress=[Allow(SAME), Allow(ALL, [PROMETHEUS_OPERATOR_WEBHOOK_PORT])],
        egress=[
            Allow(SAME),
            Allow(PODS),  # scrape targets: every pod's metrics port, in every namespace
            # the API server and HTTPS alert receivers; kubelets and node-exporter on node IPs
            Allow(ALL, [*API_PORTS, KUBELET_PORT, NODE_EXPORTER_PORT]),
        ],
    ),
    "vpa": AddonNamespace(
        "restricted", "2", "4Gi",
        ingress=[Allow(ALL, [VPA_WEBHOOK_PORT]), Allow(MONITORING_NAMESPACE, [8942, 8943, 8944])],
        egress=[Allow(ALL, API_PORTS)],
    ),
}  # fmt: skip


def _resources(cpu: str, memory: str) -> charts.ResourceValues:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}


class ClusterAddons(pulumi.ComponentResource):
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

    def _namespace(self, namespace: str) -> PlatformNamespace:
        return guarded_namespace(
            self._name, namespace, _NAMESPACES[namespace], self._args.labels,
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
                api_version="cert-manager.io/v1",
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
