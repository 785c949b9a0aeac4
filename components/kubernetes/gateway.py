"""Traffic in through the Gateway API: one ``Gateway`` per cluster, run by Envoy Gateway.

The cluster's single entry point (docs/kubernetes.md, "Gateway"): an HTTPS listener per app
host, each terminating TLS with the certificate cert-manager issues for it (the Gateway carries
``cert-manager.io/cluster-issuer``: cert-manager's gateway-shim creates one Certificate per
listener), and one HTTP listener whose only route redirects to HTTPS, keeping the port the
client uses (443 on a cloud, 8443 on kind). Apps attach one ``HTTPRoute`` each to their own
listener (``app_route``). The data plane (Envoy pods that Envoy Gateway creates for the
Gateway, in its namespace) is the only peer that reaches the apps and cert-manager's HTTP-01
solver.

Envoy Gateway provisions the Service in front of the data plane from the ``EnvoyProxy`` the
GatewayClass points at: a LoadBalancer with the cloud's annotations, or fixed NodePorts on a
cluster without load balancers (kind maps them to the laptop's ports).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from components.kubernetes.network_policy import ACME_SOLVER_PORT, namespace_peer, tcp
from infra.naming import child

GATEWAY_NAMESPACE = "envoy-gateway-system"
GATEWAY_NAME = "platform"
GATEWAY_CLASS = "envoy"
ENVOY_PROXY = "platform"
# The data plane's Service, named (EnvoyProxy envoyService.name) rather than generated, so the
# stack can read its load-balancer address (stacks/dns.py).
DATA_PLANE_SERVICE = "envoy-platform"
CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
HTTP_LISTENER = "http"
HTTP_PORT, HTTPS_PORT = 80, 443
# Envoy runs unprivileged: a listener on a port below 1024 listens on port + 10000 in the pod
# (internal/gatewayapi/translator.go wellKnownPortShift at v1.9.0), which NetworkPolicies see.
HTTP_CONTAINER_PORT, HTTPS_CONTAINER_PORT = 10080, 10443
# Envoy's admin/metrics port and the controller's xDS port the data plane connects to.
PROXY_METRICS_PORT = 19001
XDS_PORT = 18000
# The labels Envoy Gateway puts on every data-plane pod (internal/infrastructure/kubernetes/
# proxy/resource.go EnvoyAppLabel at v1.9.0).
DATA_PLANE_LABELS = {
    "app.kubernetes.io/name": "envoy",
    "app.kubernetes.io/component": "proxy",
    "app.kubernetes.io/managed-by": "envoy-gateway",
}
ACME_SOLVER_LABELS = {"acme.cert-manager.io/http01-solver": "true"}
# What ingress-nginx allowed a request before the switch (proxy-read-timeout 60 s).
REQUEST_TIMEOUT = "60s"


def data_plane_peer() -> k8s.networking.v1.NetworkPolicyPeerArgs:
    """The Gateway's Envoy pods, as a NetworkPolicy peer."""
    return namespace_peer(GATEWAY_NAMESPACE, DATA_PLANE_LABELS)


def https_listener(app: str) -> str:
    """Name of the HTTPS listener serving ``app``'s host."""
    return f"https-{app}"


def tls_secret(app: str) -> str:
    """Secret (in the Gateway's namespace) holding ``app``'s certificate."""
    return f"{app}-tls"


@dataclass(frozen=True)
class GatewayRef:
    """Where an app's HTTPRoute attaches: the Gateway and the listener of its host."""

    name: str
    namespace: str
    listener: str
    #: the Gateway resource (routes are created after it, hence after the CRDs)
    gateway: pulumi.Resource | None = None


@dataclass(frozen=True, kw_only=True)
class GatewayArgs:
    """Inputs of ``PlatformGateway``."""

    #: app name -> public host; one HTTPS listener each
    hosts: dict[str, str]
    #: namespace the apps' HTTPRoutes live in (the only one the HTTPS listeners admit)
    app_namespace: str
    #: hosts whose routes live in another namespace (name -> namespace; the laptop's Grafana
    #: and Prometheus in ``monitoring``)
    route_namespaces: dict[str, str] = field(default_factory=dict)
    #: cert-manager ClusterIssuer of the listeners' certificates; None: no certificates
    cluster_issuer: str | None
    #: HTTPS port clients use (443; kind: the host port mapped to the HTTPS NodePort)
    public_https_port: int = HTTPS_PORT
    #: Envoy replicas (2+ with a disruption budget and zone spread where HA is wanted)
    replicas: int = 1
    #: annotations on the data plane's LoadBalancer Service (cloud-specific)
    service_annotations: dict[str, str] = field(default_factory=dict)
    #: NodePorts (http, https) instead of a LoadBalancer (clusters without one: kind)
    node_ports: dict[str, int] = field(default_factory=dict)
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)
    #: what must exist first: the Gateway API and Envoy Gateway CRDs, the controller, namespace
    ready: list[pulumi.Resource] = field(default_factory=list)


class PlatformGateway(pulumi.ComponentResource):
    """The GatewayClass, its EnvoyProxy, the Gateway, the HTTP->HTTPS redirect route and the
    solver's NetworkPolicy. Needs the Gateway API and Envoy Gateway CRDs and controller
    (``ClusterAddons``) first."""

    gateway: k8s.apiextensions.CustomResource
    """The Gateway; its ``status.addresses`` is the load balancer's address."""

    def __init__(
        self, name: str, args: GatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:Gateway", name, None, opts)
        self._name, self._args = name, args
        child_opts = pulumi.ResourceOptions(parent=self, depends_on=args.ready)
        proxy = self._envoy_proxy(child_opts)
        gateway_class = k8s.apiextensions.CustomResource(
            child(name, "class"),
            api_version=api_versions.GATEWAY_API,
            kind="GatewayClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_CLASS, labels=args.labels),
            spec={
                "controllerName": CONTROLLER_NAME,
                "parametersRef": {
                    "group": "gateway.envoyproxy.io",
                    "kind": "EnvoyProxy",
                    "name": ENVOY_PROXY,
                    "namespace": GATEWAY_NAMESPACE,
                },
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[proxy]),
        )
        self.gateway = self._gateway(
            pulumi.ResourceOptions(parent=self, depends_on=[gateway_class])
        )
        self._redirect(pulumi.ResourceOptions(parent=self, depends_on=[self.gateway]))
        self._solver_policy(child_opts)
        self.register_outputs({})

    def hosts(self) -> list[str]:
        """The hosts served (one HTTPS listener each)."""
        return list(self._args.hosts.values())

    @staticmethod
    def address_command() -> str:
        """The command printing the load balancer's address (the Gateway's status)."""
        return (
            f"kubectl -n {GATEWAY_NAMESPACE} get gateway {GATEWAY_NAME} "
            "-o jsonpath='{.status.addresses[0].value}'"
        )

    def ref(self, app: str) -> GatewayRef:
        """Where ``app``'s HTTPRoute attaches."""
        return GatewayRef(GATEWAY_NAME, GATEWAY_NAMESPACE, https_listener(app), self.gateway)

    def _metadata(
        self, name: str, annotations: dict[str, str] | None = None
    ) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=GATEWAY_NAMESPACE, labels=self._args.labels,
            annotations=annotations,
        )  # fmt: skip

    def _envoy_proxy(self, opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        args = self._args
        service: dict[str, object] = {"name": DATA_PLANE_SERVICE, "externalTrafficPolicy": "Local"}
        if args.node_ports:
            # Service ports merge on ``port``: pin the NodePorts kind maps to the laptop
            service["type"] = "NodePort"
            service["patch"] = {
                "type": "StrategicMerge",
                "value": {
                    "spec": {
                        "ports": [
                            {"port": HTTP_PORT, "nodePort": args.node_ports["http"]},
                            {"port": HTTPS_PORT, "nodePort": args.node_ports["https"]},
                        ]
                    }
                },
            }
        else:
            service["type"] = "LoadBalancer"
            service["annotations"] = args.service_annotations
        kubernetes: dict[str, object] = {
            "envoyDeployment": {
                "replicas": args.replicas,
                "container": {
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "256Mi"},
                        "limits": {"memory": "256Mi"},
                    }
                },
                "pod": {
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": DATA_PLANE_LABELS},
                        }
                    ]
                },
            },
            "envoyService": service,
        }
        if args.replicas > 1:
            kubernetes["envoyPDB"] = {"minAvailable": args.replicas - 1}
        return k8s.apiextensions.CustomResource(
            child(self._name, "envoy-proxy"),
            api_version="gateway.envoyproxy.io/v1alpha1",
            kind="EnvoyProxy",
            metadata=self._metadata(ENVOY_PROXY),
            spec={"provider": {"type": "Kubernetes", "kubernetes": kubernetes}},
            opts=opts,
        )

    def _gateway(self, opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        args = self._args
        listeners: list[dict[str, object]] = [
            {
                "name": HTTP_LISTENER,
                "protocol": "HTTP",
                "port": HTTP_PORT,
                # only the redirect (and cert-manager's HTTP-01 solver routes, which it
                # creates next to the Gateway) attach here
                "allowedRoutes": {"namespaces": {"from": "Same"}},
            }
        ]
        for app, host in sorted(args.hosts.items()):
            listeners.append(
                {
                    "name": https_listener(app),
                    "protocol": "HTTPS",
                    "port": HTTPS_PORT,
                    "hostname": host,
                    "tls": {
                        "mode": "Terminate",
                        "certificateRefs": [{"kind": "Secret", "name": tls_secret(app)}],
                    },
                    "allowedRoutes": {
                        "namespaces": {
                            "from": "Selector",
                            "selector": {
                                "matchLabels": {
                                    "kubernetes.io/metadata.name": args.route_namespaces.get(
                                        app, args.app_namespace
                                    )
                                }
                            },
                        },
                        "kinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                    },
                }
            )
        annotations = (
            {"cert-manager.io/cluster-issuer": args.cluster_issuer} if args.cluster_issuer else {}
        )
        # pulumi-kubernetes waits for this condition (its generic await): the data plane runs
        # and the load balancer has an address when the Gateway is created
        annotations["pulumi.com/waitFor"] = "condition=Programmed"
        return k8s.apiextensions.CustomResource(
            child(self._name, "gateway"),
            api_version=api_versions.GATEWAY_API,
            kind="Gateway",
            metadata=self._metadata(GATEWAY_NAME, annotations),
            spec={"gatewayClassName": GATEWAY_CLASS, "listeners": listeners},
            opts=opts,
        )

    def _redirect(self, opts: pulumi.ResourceOptions) -> None:
        """Every plain-HTTP request to HTTPS on the port clients use (the filter's default
        would be 443, which nothing listens on at kind's localhost:8443)."""
        redirect: dict[str, object] = {"scheme": "https", "statusCode": 301}
        if self._args.public_https_port != HTTPS_PORT:
            redirect["port"] = self._args.public_https_port
        k8s.apiextensions.CustomResource(
            child(self._name, "https-redirect"),
            api_version=api_versions.GATEWAY_API,
            kind="HTTPRoute",
            metadata=self._metadata("https-redirect"),
            spec={
                "parentRefs": [{"name": GATEWAY_NAME, "sectionName": HTTP_LISTENER}],
                "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": redirect}]}],
            },
            opts=opts,
        )

    def _solver_policy(self, opts: pulumi.ResourceOptions) -> None:
        """cert-manager's HTTP-01 solver pods (created next to the Gateway, labelled
        ``acme.cert-manager.io/http01-solver``) take the challenge from the data plane only."""
        k8s.networking.v1.NetworkPolicy(
            child(self._name, "allow-acme-solver"),
            metadata=self._metadata("allow-acme-http01-solver"),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=ACME_SOLVER_LABELS),
                policy_types=["Ingress"],
                ingress=[
                    k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                        from_=[data_plane_peer()], ports=[tcp(ACME_SOLVER_PORT)]
                    )
                ],
            ),
            opts=opts,
        )


def app_route(
    name: str,
    app: str,
    namespace: str,
    host: str,
    service: str,
    port: int,
    gateway: GatewayRef,
    labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """``app``'s HTTPRoute: its host, on its own HTTPS listener, to its Service's port."""
    return k8s.apiextensions.CustomResource(
        name,
        api_version=api_versions.GATEWAY_API,
        kind="HTTPRoute",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=app, namespace=namespace, labels=labels),
        spec={
            "parentRefs": [
                {
                    "name": gateway.name,
                    "namespace": gateway.namespace,
                    "sectionName": gateway.listener,
                }
            ],
            "hostnames": [host],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [{"name": service, "port": port}],
                    "timeouts": {"request": REQUEST_TIMEOUT},
                }
            ],
        },
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[gateway.gateway] if gateway.gateway else [])
        ),
    )
