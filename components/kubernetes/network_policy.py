"""NetworkPolicies: default deny for a namespace, then explicit allow-lists.

Kubernetes ANDs nothing and ORs everything: once any policy selects a pod for a direction, only
what some policy allows gets through. So the namespace-wide deny selects every pod for both
directions, DNS is opened for all, and each workload gets its own allow-list.

How peers are named matters on the CNIs the clusters run (Cilium on AKS, GKE Dataplane V2,
vpc-cni with the network-policy agent on EKS): an ``ipBlock`` never matches a pod or a node
there (Cilium gives them identities, not CIDRs), so

- pods are always named with namespace/pod selectors (``kubernetes.io/metadata.name``);
- peers that are not pods and have no stable CIDR (the API server calling webhooks through
  konnectivity, kubelets and host-network exporters on node IPs, internet clients through the
  load balancer) are allowed by *omitting* the peer, always restricted to the ports concerned;
- ``ipBlock`` is kept for destinations outside the cluster (data services, the metadata server,
  cloud APIs), and a catch-all block always excepts the cluster's own ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import EgressDestination
from components.kubernetes.moved import moved_from_root

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
DNS_PORT = 53
# Omit the peer: any source/destination, pods, nodes, the API server and the internet alike.
ALL = "all"
# Every pod in every namespace (an empty namespaceSelector).
PODS = "pods"
SAME = "same"
# The API server, as seen from pods (managed control planes use both; kind serves 6443 behind
# the kubernetes Service's 443).
API_PORTS = [443, 6443]
# Prometheus' own pods (kube-prometheus-stack's operator labels them so): the only scrapers.
PROMETHEUS_PODS = {"app.kubernetes.io/name": "prometheus"}

# A port, or an inclusive (first, last) range of ports.
PortSpec = pulumi.Input[int] | tuple[int, int]


@dataclass(frozen=True)
class EgressTarget:
    """Somewhere outside the cluster a workload may connect to: CIDRs and TCP ports."""

    name: str
    cidrs: list[str]
    ports: list[PortSpec]
    except_cidrs: list[str] | None = None


@dataclass(frozen=True)
class PodPeer:
    """Pods matching ``labels`` in ``namespace``, on TCP ``ports``."""

    namespace: str
    labels: dict[str, str]
    ports: list[PortSpec]


def namespace_peer(
    namespace: str, pods: dict[str, str] | None = None
) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    """Pods of ``namespace`` (those matching ``pods`` when given)."""
    return k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={NAMESPACE_LABEL: namespace}),
        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=pods) if pods else None,
    )


def tcp(port: PortSpec) -> k8s.networking.v1.NetworkPolicyPortArgs:
    """A TCP port, or a range (``endPort``, stable since Kubernetes 1.25)."""
    if isinstance(port, tuple):
        first, last = port
        if first != last:
            return k8s.networking.v1.NetworkPolicyPortArgs(
                protocol="TCP", port=first, end_port=last
            )
        port = first
    return k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=port)


def default_deny(name: str, namespace: str, opts: pulumi.ResourceOptions) -> None:
    """Deny all ingress and egress in ``namespace``, then allow DNS to kube-dns."""
    k8s.networking.v1.NetworkPolicy(
        f"{name}-default-deny",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="default-deny", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Ingress", "Egress"],
        ),
        opts=opts,
    )
    k8s.networking.v1.NetworkPolicy(
        f"{name}-allow-dns",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="allow-dns", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Egress"],
            egress=[
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[namespace_peer("kube-system", {"k8s-app": "kube-dns"})],
                    ports=[
                        k8s.networking.v1.NetworkPolicyPortArgs(protocol="UDP", port=DNS_PORT),
                        k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=DNS_PORT),
                    ],
                )
            ],
        ),
        opts=opts,
    )


class DefaultDeny(pulumi.ComponentResource):
    """``default_deny`` of a namespace declared outside any other component (the application
    namespace's: its workloads bring their own allow-lists). The policies keep their old URNs
    as aliases (``moved.py``); ``depends_on`` (the namespace) applies to each of them."""

    def __init__(
        self,
        name: str,
        namespace: str,
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:kubernetes:DefaultDeny", name, None, opts)
        default_deny(
            name,
            namespace,
            pulumi.ResourceOptions(parent=self, depends_on=depends_on, aliases=moved_from_root()),
        )
        self.register_outputs({})


@dataclass(frozen=True)
class WorkloadTraffic:
    """What one workload may receive and send."""

    serving_port: int | None
    metrics_port: int | None
    # who may reach the serving port: the ingress controller's pods, calling apps' pods
    serving_from: list[k8s.networking.v1.NetworkPolicyPeerArgs]
    monitoring_namespace: str | None
    egress: list[EgressTarget]
    # other pods it calls (another app's serving port, the collector's OTLP port)
    calls: list[PodPeer] = field(default_factory=list)


def ip_egress(
    target: EgressTarget | EgressDestination,
) -> k8s.networking.v1.NetworkPolicyEgressRuleArgs:
    """Egress to ``target``'s CIDRs (less its exceptions, if it has any) on its TCP ports: a
    workload's ``EgressTarget`` or a cluster's ``EgressDestination`` (no exceptions)."""
    except_cidrs = target.except_cidrs if isinstance(target, EgressTarget) else None
    return k8s.networking.v1.NetworkPolicyEgressRuleArgs(
        to=[
            k8s.networking.v1.NetworkPolicyPeerArgs(
                ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr, except_=except_cidrs)
            )
            for cidr in target.cidrs
        ],
        ports=[tcp(port) for port in target.ports],
    )


def workload_policy(
    name: str,
    object_name: str,
    namespace: str,
    selector: dict[str, str],
    traffic: WorkloadTraffic,
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """The allow-list of one workload: its callers and Prometheus in, its dependencies out."""
    ingress: list[k8s.networking.v1.NetworkPolicyIngressRuleArgs] = []
    if traffic.serving_port and traffic.serving_from:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=traffic.serving_from, ports=[tcp(traffic.serving_port)]
            )
        )
    if traffic.metrics_port and traffic.monitoring_namespace:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[namespace_peer(traffic.monitoring_namespace, PROMETHEUS_PODS)],
                ports=[tcp(traffic.metrics_port)],
            )
        )
    egress = [ip_egress(target) for target in traffic.egress]
    egress += [
        k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            to=[namespace_peer(call.namespace, call.labels)],
            ports=[tcp(port) for port in call.ports],
        )
        for call in traffic.calls
    ]
    return k8s.networking.v1.NetworkPolicy(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
            policy_types=["Ingress", "Egress"],
            ingress=ingress,
            egress=egress,
        ),
        opts=opts,
    )


ACME_SOLVER_PORT = 8089


@dataclass(frozen=True)
class Allow:
    """One allow rule of an add-on namespace: a peer and TCP ports (None: every port).

    ``peer`` is ``ALL`` (no peer: the API server, nodes and the internet have no pod labels;
    always give ports), ``PODS`` (every pod of every namespace), ``SAME`` (pods of this
    namespace) or a namespace name.
    """

    peer: str
    ports: list[int] | None = None
    # with a namespace ``peer``: only its pods with these labels (None: every pod of it)
    pods: dict[str, str] | None = None


def _peers(
    peer: str, namespace: str, pods: dict[str, str] | None = None
) -> list[k8s.networking.v1.NetworkPolicyPeerArgs] | None:
    if peer == ALL:
        return None
    if peer == PODS:
        return [
            k8s.networking.v1.NetworkPolicyPeerArgs(
                namespace_selector=k8s.meta.v1.LabelSelectorArgs()
            )
        ]
    return [namespace_peer(namespace if peer == SAME else peer, pods)]


def namespace_allow_list(
    name: str,
    namespace: str,
    ingress: list[Allow],
    egress: list[Allow],
    opts: pulumi.ResourceOptions,
) -> None:
    """Allow-list for every pod of a namespace that already has ``default_deny``."""

    def ports(allow: Allow) -> list[k8s.networking.v1.NetworkPolicyPortArgs] | None:
        return [tcp(port) for port in allow.ports] if allow.ports else None

    k8s.networking.v1.NetworkPolicy(
        f"{name}-allow",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="allow-platform-traffic", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Ingress", "Egress"],
            ingress=[
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=_peers(a.peer, namespace, a.pods), ports=ports(a)
                )
                for a in ingress
            ],
            egress=[
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=_peers(a.peer, namespace, a.pods), ports=ports(a)
                )
                for a in egress
            ],
        ),
        opts=opts,
    )
