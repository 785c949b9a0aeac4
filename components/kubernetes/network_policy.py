"""NetworkPolicies: default deny for a namespace, then explicit allow-lists.

Kubernetes ANDs nothing and ORs everything: once any policy selects a pod for a direction, only
what some policy allows gets through. So the namespace-wide deny selects every pod for both
directions, DNS is opened for all, and each workload gets its own allow-list.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
DNS_PORT = 53


@dataclass(frozen=True)
class EgressTarget:
    """Where a workload may connect to: a CIDR and TCP ports (a data service)."""

    name: str
    cidrs: list[str]
    ports: list[pulumi.Input[int]]
    except_cidrs: list[str] | None = None


def _namespace_peer(namespace: str) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    return k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={NAMESPACE_LABEL: namespace})
    )


def _tcp(port: pulumi.Input[int]) -> k8s.networking.v1.NetworkPolicyPortArgs:
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
                    to=[
                        k8s.networking.v1.NetworkPolicyPeerArgs(
                            namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={NAMESPACE_LABEL: "kube-system"}
                            ),
                            pod_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={"k8s-app": "kube-dns"}
                            ),
                        )
                    ],
                    ports=[
                        k8s.networking.v1.NetworkPolicyPortArgs(protocol="UDP", port=DNS_PORT),
                        k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=DNS_PORT),
                    ],
                )
            ],
        ),
        opts=opts,
    )


@dataclass(frozen=True)
class WorkloadTraffic:
    """What one workload may receive and send."""

    serving_port: int | None
    metrics_port: int | None
    # namespace whose pods may reach the serving port (the ingress controller's, or the app's own)
    serving_from: str | None
    monitoring_namespace: str | None
    egress: list[EgressTarget]


def workload_policy(
    name: str,
    object_name: str,
    namespace: str,
    selector: dict[str, str],
    traffic: WorkloadTraffic,
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """The allow-list of one workload: ingress controller and Prometheus in, data services out."""
    ingress: list[k8s.networking.v1.NetworkPolicyIngressRuleArgs] = []
    if traffic.serving_port and traffic.serving_from:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[_namespace_peer(traffic.serving_from)],
                ports=[_tcp(traffic.serving_port)],
            )
        )
    if traffic.metrics_port and traffic.monitoring_namespace:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[_namespace_peer(traffic.monitoring_namespace)],
                ports=[_tcp(traffic.metrics_port)],
            )
        )
    egress = [
        k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            to=[
                k8s.networking.v1.NetworkPolicyPeerArgs(
                    ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr, except_=target.except_cidrs)
                )
                for cidr in target.cidrs
            ],
            ports=[_tcp(port) for port in target.ports],
        )
        for target in traffic.egress
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


@dataclass(frozen=True)
class Allow:
    """One allow rule of an add-on namespace: a peer and TCP ports (None: every port).

    ``peer`` is ``"anywhere"`` (an ipBlock of 0.0.0.0/0: the API server and the internet have
    no pod labels), ``"same"`` (pods of this namespace) or a namespace name.
    """

    peer: str
    ports: list[int] | None = None


def _peer(peer: str) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    if peer == "anywhere":
        return k8s.networking.v1.NetworkPolicyPeerArgs(
            ip_block=k8s.networking.v1.IPBlockArgs(cidr="0.0.0.0/0")
        )
    return _namespace_peer(peer)


def namespace_allow_list(
    name: str,
    namespace: str,
    ingress: list[Allow],
    egress: list[Allow],
    opts: pulumi.ResourceOptions,
) -> None:
    """Allow-list for every pod of a namespace that already has ``default_deny``."""

    def ports(allow: Allow) -> list[k8s.networking.v1.NetworkPolicyPortArgs] | None:
        return [_tcp(port) for port in allow.ports] if allow.ports else None

    def peer_of(allow: Allow) -> k8s.networking.v1.NetworkPolicyPeerArgs:
        return _peer(namespace if allow.peer == "same" else allow.peer)

    k8s.networking.v1.NetworkPolicy(
        f"{name}-allow",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="allow-platform-traffic", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Ingress", "Egress"],
            ingress=[
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[peer_of(a)], ports=ports(a))
                for a in ingress
            ],
            egress=[
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(to=[peer_of(a)], ports=ports(a))
                for a in egress
            ],
        ),
        opts=opts,
    )
