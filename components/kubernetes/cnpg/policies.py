"""The guardrails of CloudNativePG's two namespaces: quota and who may talk to whom.

The instances' namespace is PSA restricted with a quota sized from the pods it holds. Both it
and the operator's namespace deny everything by default (DNS open); the allow policies admit the
app namespaces on 5432, the operator on the instances' status port, replication between
instances, Prometheus on the metrics ports, the API server on the operator's webhook, and
egress to the API server, object storage and whatever the cloud's workloads must reach.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.cnpg.args import (
    CLUSTER_LABEL,
    OPERATOR_NAMESPACE,
    POSTGRES_PORT,
    STATUS_PORT,
    CnpgPostgresArgs,
)
from components.kubernetes.namespace import NamespaceArgs, PlatformNamespace
from components.kubernetes.network_policy import (
    API_PORTS,
    default_deny,
    ip_egress,
    namespace_peer,
    tcp,
)
from infra.config.quantities import cpu_millicores, format_cpu, format_memory, memory_bytes
from infra.naming import child

METRICS_PORT = 9187  # instance manager's Prometheus exporter (container port "metrics")
OPERATOR_WEBHOOK_PORT = 9443  # chart value webhook.port: called by the API server
OPERATOR_METRICS_PORT = 8080
HTTPS_PORT = 443


def operator_policies(name: str, args: CnpgPostgresArgs, opts: pulumi.ResourceOptions) -> None:
    """The operator's namespace: the API server calls its webhook, it polls the instances."""
    default_deny(child(name, OPERATOR_NAMESPACE), OPERATOR_NAMESPACE, opts)
    ingress = [
        # the API server calls the admission webhooks (not a pod: no peer, this port only)
        k8s.networking.v1.NetworkPolicyIngressRuleArgs(ports=[tcp(OPERATOR_WEBHOOK_PORT)])
    ]
    if args.monitoring_namespace:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[namespace_peer(args.monitoring_namespace)],
                ports=[tcp(OPERATOR_METRICS_PORT)],
            )
        )
    egress = [
        k8s.networking.v1.NetworkPolicyEgressRuleArgs(ports=[tcp(p) for p in API_PORTS]),
        # instance status (and the primary's promotion/backup calls) on every Cluster
        k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            to=[namespace_peer(args.namespace)], ports=[tcp(STATUS_PORT)]
        ),
    ]
    k8s.networking.v1.NetworkPolicy(
        child(name, "operator-allow"),
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name="allow-platform-traffic", namespace=OPERATOR_NAMESPACE, labels=args.labels
        ),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Ingress", "Egress"],
            ingress=ingress,
            egress=egress,
        ),
        opts=opts,
    )


def instances_namespace(
    name: str, args: CnpgPostgresArgs, parent: pulumi.Resource
) -> PlatformNamespace:
    """The instances' namespace, its quota room for every instance pod and its Jobs."""
    spec = args.spec
    # instance pods, plus the initdb/join Jobs that run one at a time beside them
    pods = spec.instances + 2
    cpu = cpu_millicores(spec.pod_cpu) * pods
    memory = memory_bytes(spec.pod_memory) * pods
    return PlatformNamespace(
        child(name, args.namespace),
        NamespaceArgs(
            name=args.namespace,
            pod_security="restricted",
            quota={
                "requests.cpu": format_cpu(cpu),
                "requests.memory": format_memory(memory),
                "limits.memory": format_memory(memory),
                "pods": str(pods * 2),
                "persistentvolumeclaims": str(spec.instances * 2),
                "services.loadbalancers": "0",
            },
            default_request={"cpu": spec.pod_cpu, "memory": spec.pod_memory},
            default_limit={"memory": spec.pod_memory},
            labels=args.labels,
        ),
        pulumi.ResourceOptions(parent=parent),
    )


def instance_policies(name: str, args: CnpgPostgresArgs, opts: pulumi.ResourceOptions) -> None:
    """The instances' namespace: clients on 5432, the operator and peers on the status port."""
    default_deny(child(name, args.namespace), args.namespace, opts)
    instances = {CLUSTER_LABEL: args.name}
    peers = [namespace_peer(ns) for ns in args.client_namespaces]
    ingress = [
        k8s.networking.v1.NetworkPolicyIngressRuleArgs(
            from_=[namespace_peer(args.namespace, instances), *peers],
            ports=[tcp(POSTGRES_PORT)],
        ),
        # the operator polls every instance; instances ask each other during failover
        k8s.networking.v1.NetworkPolicyIngressRuleArgs(
            from_=[namespace_peer(OPERATOR_NAMESPACE), namespace_peer(args.namespace, instances)],
            ports=[tcp(STATUS_PORT)],
        ),
    ]  # fmt: skip
    if args.monitoring_namespace:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[namespace_peer(args.monitoring_namespace)], ports=[tcp(METRICS_PORT)]
            )
        )
    egress = [
        # replication and pg_rewind from the primary; status calls between instances
        k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            to=[namespace_peer(args.namespace, instances)],
            ports=[tcp(POSTGRES_PORT), tcp(STATUS_PORT)],
        ),
        # the API server (instance manager) and object storage / STS / Entra ID over HTTPS
        k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            ports=[tcp(port) for port in sorted({*API_PORTS, HTTPS_PORT})]
        ),
        *(ip_egress(target) for target in args.extra_egress),
    ]
    k8s.networking.v1.NetworkPolicy(
        child(name, "instances-allow"),
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=f"{args.name}-instances", namespace=args.namespace, labels=args.labels
        ),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=instances),
            policy_types=["Ingress", "Egress"],
            ingress=ingress,
            egress=egress,
        ),
        opts=opts,
    )
