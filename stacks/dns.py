"""DNS for the app hosts: external-dns where ``platform:dns.zone`` is set, else the records to make.

With a zone, each cloud's wiring adds a DNS writer (``components/<cloud>/dns.py``: a workload
identity limited to that zone) to the cluster contract, and the Kubernetes layer runs
external-dns with it (``components/kubernetes/external_dns.py``). Without one, the stack
outputs the Gateway's load-balancer address (``gatewayAddress``: the Envoy Service's
``status.loadBalancer.ingress``, which Envoy Gateway also copies to the Gateway's
``status.addresses``) and one record per host to create by hand (``dnsRecords``).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import ClusterContract
from components.kubernetes.addons import ClusterAddons
from components.kubernetes.external_dns import (
    EXTERNAL_DNS_NAMESPACE,
    SERVICE_ACCOUNT,
    ExternalDns,
    ExternalDnsArgs,
)
from components.kubernetes.gateway import DATA_PLANE_SERVICE, GATEWAY_NAMESPACE, PlatformGateway
from infra.config.models import PlatformConfig
from infra.registry import per_cloud
from stacks.platform import export_gateway_dns

__all__ = ["EXTERNAL_DNS_NAMESPACE", "SERVICE_ACCOUNT", "declare", "record_lines"]

# The load balancer's address as each cloud publishes it: the NLB a DNS name (a CNAME), the
# GCP and Azure load balancers an IP (an A record).
_RECORD_TYPE = per_cloud(
    "stacks.dns._RECORD_TYPE", {"aws": "CNAME", "gcp": "A", "azure": "A"}, coverage="account"
)


def owner_id(config: PlatformConfig) -> str:
    """The TXT owner id of this stack's records (unique per stack, stable across deploys)."""
    return config.name_prefix


def record_lines(record_type: str, hosts: list[str], address: str) -> list[str]:
    """Zone-file lines for ``hosts`` pointing at ``address`` (a CNAME target ends in a dot)."""
    target = f"{address}." if record_type == "CNAME" and address else address
    return [f"{host}. {record_type} {target or '<gatewayAddress>'}" for host in sorted(hosts)]


def _address(service: k8s.core.v1.Service) -> pulumi.Output[str]:
    """The first load-balancer ingress of ``service``: a DNS name (AWS) or an IP ("": none yet)."""

    def first(status: k8s.core.v1.outputs.ServiceStatus | None) -> str:
        load_balancer = status.load_balancer if status else None
        ingress = (load_balancer.ingress if load_balancer else None) or []
        return (ingress[0].hostname or ingress[0].ip or "") if ingress else ""

    return service.status.apply(first)


def declare(
    config: PlatformConfig,
    cluster: ClusterContract,
    addons: ClusterAddons,
    gateway: PlatformGateway,
    labels: dict[str, str],
) -> None:
    """external-dns for the contract's zone, or the outputs that say which records to make."""
    record_type = _RECORD_TYPE.get(config.cloud)
    if record_type is None:  # local: *.localhost resolves to the laptop, nothing to create
        export_gateway_dns(gateway.address_command())
        return
    if cluster.dns is not None:
        ExternalDns(
            f"{config.name_prefix}-external-dns",
            ExternalDnsArgs(
                dns=cluster.dns,
                owner_id=owner_id(config),
                policy=config.dns.policy,
                monitoring_namespace=addons.monitoring_namespace,
                identity_egress=list(cluster.workload_egress),
                labels=labels,
            ),
            pulumi.ResourceOptions(
                providers=[cluster.provider], depends_on=[addons, *addons.gateway_ready]
            ),
        )
        export_gateway_dns(gateway.address_command(), zone=cluster.dns.zone)
        return
    # read once the Gateway exists (its id is unknown while a preview creates it: no read then)
    service = k8s.core.v1.Service.get(
        f"{config.name_prefix}-gateway-service",
        gateway.gateway.id.apply(lambda _: f"{GATEWAY_NAMESPACE}/{DATA_PLANE_SERVICE}"),
        opts=pulumi.ResourceOptions(provider=cluster.provider, depends_on=[gateway]),
    )
    address = _address(service)
    hosts = gateway.hosts()
    export_gateway_dns(
        gateway.address_command(),
        address=address,
        records=address.apply(lambda a: record_lines(record_type, hosts, a)),
    )
