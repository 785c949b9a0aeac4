"""What ``ClusterAddons`` is given and the tables it builds from.

Its inputs (``AddonsArgs``, ``AlertReceiverArgs``), Alertmanager's routing configuration built
from the receivers, and each add-on namespace's Pod Security level, quota and NetworkPolicy
allow-list (``ADDON_NAMESPACES``): kept apart from the component (``addons.py``) and its
monitoring builders (``addons_monitoring.py``) so both read one definition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from components.kubernetes import charts
from components.kubernetes.alert_routing import ReceiverView, Severity, routing_document
from components.kubernetes.gateway import (
    GATEWAY_NAMESPACE,
    HTTP_CONTAINER_PORT,
    HTTPS_CONTAINER_PORT,
    PROXY_METRICS_PORT,
    XDS_PORT,
)
from components.kubernetes.guarded_namespace import AddonNamespace
from components.kubernetes.network_policy import ACME_SOLVER_PORT, ALL, API_PORTS, PODS, SAME, Allow
from infra.naming import APP_NAMESPACE

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


ADDON_NAMESPACES: dict[str, AddonNamespace] = {
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


def container_resources(cpu: str, memory: str) -> charts.ResourceValues:
    """Requests of ``cpu`` and ``memory``, and the same memory as the limit (no CPU limit)."""
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}
