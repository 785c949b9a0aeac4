"""Who each workload may talk to: the NetworkPolicy allow-lists built from the contracts.

From the config and the contracts alone: callers among the apps, the Gateway's data plane for
an app with a host, the data services each app uses (pods when they run in the cluster, the
managed services' ranges otherwise), the OpenTelemetry gateway, the cloud's own destinations
(metadata server) and cloud APIs over HTTPS. ``stacks/kubernetes.py`` hands the result to each
``Workload`` (``WorkloadTraffic``) and its migrations Job.
"""

from __future__ import annotations

from components.contracts import ClusterContract, ClusterPeer
from components.kubernetes.addons import ClusterAddons
from components.kubernetes.gateway import PlatformGateway, data_plane_peer
from components.kubernetes.network_policy import (
    EgressTarget,
    PodPeer,
    PortSpec,
    WorkloadTraffic,
    namespace_peer,
)
from infra.config.models import AppConfig, PlatformConfig
from infra.naming import APP_NAMESPACE
from stacks import observability
from stacks.platform import PlatformContracts

HTTPS_PORT = 443
APP_LABEL = "app.kubernetes.io/name"


def cluster_ranges(config: PlatformConfig) -> list[str]:
    return [
        str(config.network.cidr),
        str(config.network.pod_cidr),
        str(config.network.service_cidr),
    ]


def service_ports(contracts: PlatformContracts) -> dict[str, list[PortSpec]]:
    redis = contracts.redis
    return {
        "postgres": [contracts.postgres.port],
        "kafka": [contracts.kafka.port],
        "redis": [redis.port, *redis.extra_ports],
    }


def cluster_peers(contracts: PlatformContracts) -> dict[str, ClusterPeer | None]:
    return {
        "postgres": contracts.postgres.cluster_peer,
        "kafka": contracts.kafka.cluster_peer,
        "redis": contracts.redis.cluster_peer,
    }


def service_egress(
    config: PlatformConfig, contracts: PlatformContracts, app: AppConfig
) -> list[EgressTarget]:
    """ipBlocks to the managed data services ``app`` uses, on every port each listens on
    (services running in the cluster are pods: see ``service_peers``)."""
    cidrs = contracts.network.service_cidrs or [str(config.network.cidr)]
    ports, in_cluster = service_ports(contracts), cluster_peers(contracts)
    return [
        EgressTarget(service, cidrs, ports[service])
        for service in app.uses
        if in_cluster[service] is None
    ]


def service_peers(contracts: PlatformContracts, app: AppConfig) -> list[PodPeer]:
    """Pod peers for the data services ``app`` uses that run in the cluster (an ``ipBlock``
    never matches a pod)."""
    ports, in_cluster = service_ports(contracts), cluster_peers(contracts)
    return [
        PodPeer(peer.namespace, peer.pod_labels, ports[service])
        for service in app.uses
        if (peer := in_cluster[service]) is not None
    ]


def outside_egress(config: PlatformConfig, cluster: ClusterContract) -> list[EgressTarget]:
    """What every workload reaches outside the cluster: the cloud's own destinations (metadata
    server, ...) and cloud APIs over HTTPS (never the private or cluster ranges)."""
    return [
        *(EgressTarget(d.name, d.cidrs, list(d.ports)) for d in cluster.workload_egress),
        EgressTarget(
            "cloud-apis", ["0.0.0.0/0"], [HTTPS_PORT], except_cidrs=cluster_ranges(config)
        ),
    ]


def traffic(
    config: PlatformConfig,
    contracts: PlatformContracts,
    addons: ClusterAddons,
    gateway: PlatformGateway | None,
    app_name: str,
    app: AppConfig,
) -> WorkloadTraffic:
    serving_from = [
        namespace_peer(APP_NAMESPACE, {APP_LABEL: caller})
        for caller, other in config.apps.items()
        if app_name in other.calls
    ]
    if app.host and gateway is not None:
        serving_from.append(data_plane_peer())
    calls = (
        [
            PodPeer(APP_NAMESPACE, {APP_LABEL: callee}, [port])
            for callee in app.calls
            if (port := config.apps[callee].port) is not None
        ]
        + service_peers(contracts, app)
        + observability.gateway_peer(config, app)
    )
    return WorkloadTraffic(
        serving_port=app.port,
        metrics_port=app.metrics_port,
        serving_from=serving_from,
        monitoring_namespace=addons.monitoring_namespace,
        egress=[
            *service_egress(config, contracts, app),
            *outside_egress(config, contracts.cluster),
        ],
        calls=calls,
    )
