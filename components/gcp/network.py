"""GCP network: a custom-mode VPC with one regional subnet for nodes, pods and services.

Creates the VPC (no auto subnets, default internet route kept for Cloud NAT), a subnet with
secondary ranges for GKE pods and services, Private Google Access and flow logs, a Cloud Router
with Cloud NAT (egress for private nodes), firewall rules (deny all ingress at the lowest
priority; allow Google health checks and the GKE control plane to reach nodes), Private Service
Access for Cloud SQL (reserved range and the service networking peering), and the Private
Service Connect policy Memorystore for Redis Cluster needs. Managed Kafka attaches to the subnet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.contracts import NetworkContract
from components.gcp.apis import COMPUTE, NETWORKCONNECTIVITY, SERVICENETWORKING, ProjectApis
from components.gcp.names import resource_name
from infra.naming import child

HEALTH_CHECK_RANGES = ["130.211.0.0/22", "35.191.0.0/16"]
# kubelet, webhooks (cert-manager 10250, VPA 8000, ingress-nginx 8443) and the API proxy
CONTROL_PLANE_PORTS = ["443", "8000", "8443", "9443", "10250"]
PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True, kw_only=True)
class GcpNetworkArgs:
    """Inputs of ``GcpNetwork``."""

    #: GCP project id
    project: str
    #: region of the subnet, router and NAT
    region: str
    #: the nodes' subnet (primary range)
    subnet_cidr: str
    #: secondary range for pods (VPC-native)
    pod_cidr: str
    #: secondary range for Services
    service_cidr: str
    #: the GKE control plane's /28 (admitted by the firewall)
    control_plane_cidr: str
    #: range reserved for Private Service Access (Cloud SQL private IP)
    private_services_cidr: str
    #: share of flow-log records kept (0-1; prod: 0.5 for more evidence, else 0.1)
    flow_log_sampling: float
    #: GCP labels where the resources take them
    labels: dict[str, str]
    #: the project's API enablement (compute, servicenetworking wait for it)
    apis: ProjectApis


def args_address(cidr: str) -> str:
    """``10.200.0.0/16`` -> ``10.200.0.0``."""
    return cidr.split("/")[0]


def prefix_length(cidr: str) -> int:
    """``10.200.0.0/16`` -> 16."""
    return int(cidr.split("/")[1])


class GcpNetwork(pulumi.ComponentResource):
    """A private VPC for one region."""

    network_id: pulumi.Output[str]
    """The VPC's id (``projects/<p>/global/networks/<n>``)."""
    subnet_id: pulumi.Output[str]
    """The regional subnet's id."""
    subnet_name: pulumi.Output[str]
    """The regional subnet's name."""
    private_services: pulumi.Resource
    """The service networking connection Cloud SQL waits for."""
    redis_psc_policy: pulumi.Resource
    """The service connection policy Memorystore for Redis Cluster waits for."""

    def __init__(
        self, name: str, args: GcpNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Network", name, None, opts)
        self._name = name
        self._args = args
        # every resource here calls the Compute Engine API
        self._opts = pulumi.ResourceOptions(parent=self, depends_on=args.apis.needs(COMPUTE))
        network = gcp.compute.Network(
            name,
            name=resource_name(name),
            project=args.project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=self._opts,
        )
        self.network_id = network.id
        subnet = self._build_subnet(network)
        self.subnet_id = subnet.id
        self.subnet_name = subnet.name
        self._build_nat(network)
        self._build_firewall(network)
        self.private_services = self._build_private_service_access(network)
        self.redis_psc_policy = gcp.networkconnectivity.ServiceConnectionPolicy(
            child(name, "redis-psc"),
            name=resource_name(child(name, "redis-psc")),
            project=args.project,
            location=args.region,
            service_class="gcp-memorystore-redis",
            network=network.id,
            description="Private Service Connect for Memorystore for Redis Cluster",
            psc_config=gcp.networkconnectivity.ServiceConnectionPolicyPscConfigArgs(
                subnetworks=[subnet.id]
            ),
            labels=args.labels,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=args.apis.needs(COMPUTE, NETWORKCONNECTIVITY)
            ),
        )
        self.register_outputs({"networkId": self.network_id, "subnetId": self.subnet_id})

    def contract(self, cidr: str, zones: list[pulumi.Output[str]]) -> NetworkContract:
        """The cloud-neutral view of this network (one regional subnet spans every zone)."""
        return NetworkContract(
            id=self.network_id,
            cidr=pulumi.Output.from_input(cidr),
            private_subnet_ids=[self.subnet_id],
            zones=zones,
            service_cidrs=[self._args.subnet_cidr, self._args.private_services_cidr],
        )

    def _build_subnet(self, network: gcp.compute.Network) -> gcp.compute.Subnetwork:
        args = self._args
        return gcp.compute.Subnetwork(
            child(self._name, "nodes"),
            name=resource_name(child(self._name, "nodes")),
            project=args.project,
            region=args.region,
            network=network.id,
            ip_cidr_range=args.subnet_cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=PODS_RANGE, ip_cidr_range=args.pod_cidr
                ),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=SERVICES_RANGE, ip_cidr_range=args.service_cidr
                ),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_30_SEC",
                flow_sampling=args.flow_log_sampling,
                metadata="INCLUDE_ALL_METADATA",
            ),
            opts=self._opts,
        )

    def _build_nat(self, network: gcp.compute.Network) -> None:
        router = gcp.compute.Router(
            child(self._name, "router"),
            name=resource_name(child(self._name, "router")),
            project=self._args.project,
            region=self._args.region,
            network=network.id,
            opts=self._opts,
        )
        gcp.compute.RouterNat(
            child(self._name, "nat"),
            name=resource_name(child(self._name, "nat")),
            project=self._args.project,
            region=self._args.region,
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            enable_endpoint_independent_mapping=False,
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=self._opts,
        )

    def _build_firewall(self, network: gcp.compute.Network) -> None:
        args = self._args
        self._firewall(network, "deny-all-ingress", 65534, ["0.0.0.0/0"],
                       denies=[gcp.compute.FirewallDenyArgs(protocol="all")])  # fmt: skip
        self._firewall(network, "allow-health-checks", 1000, HEALTH_CHECK_RANGES,
                       allows=[gcp.compute.FirewallAllowArgs(protocol="tcp")])  # fmt: skip
        self._firewall(network, "allow-control-plane", 1000, [args.control_plane_cidr],
                       allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=CONTROL_PLANE_PORTS)])  # fmt: skip
        self._firewall(network, "allow-internal", 1000, [args.subnet_cidr, args.pod_cidr],
                       allows=[gcp.compute.FirewallAllowArgs(protocol="all")])  # fmt: skip

    def _firewall(
        self,
        network: gcp.compute.Network,
        suffix: str,
        priority: int,
        sources: list[str],
        allows: list[gcp.compute.FirewallAllowArgs] | None = None,
        denies: list[gcp.compute.FirewallDenyArgs] | None = None,
    ) -> None:
        """An ingress rule; the deny-all one is logged."""
        gcp.compute.Firewall(
            child(self._name, suffix),
            name=resource_name(child(self._name, suffix)),
            project=self._args.project,
            network=network.id,
            direction="INGRESS",
            priority=priority,
            source_ranges=sources,
            allows=allows,
            denies=denies,
            log_config=gcp.compute.FirewallLogConfigArgs(metadata="INCLUDE_ALL_METADATA")
            if denies
            else None,
            opts=self._opts,
        )

    def _build_private_service_access(self, network: gcp.compute.Network) -> pulumi.Resource:
        reserved = gcp.compute.GlobalAddress(
            child(self._name, "private-services"),
            name=resource_name(child(self._name, "private-services")),
            project=self._args.project,
            network=network.id,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=args_address(self._args.private_services_cidr),
            prefix_length=prefix_length(self._args.private_services_cidr),
            labels=self._args.labels,
            opts=self._opts,
        )
        return gcp.servicenetworking.Connection(
            child(self._name, "private-services"),
            network=network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[reserved.name],
            # Removing the peering fails while Cloud SQL still holds addresses in the range
            # (it is released days after the instance is deleted): abandon it on destroy, as
            # the provider documents, so `pulumi destroy` completes.
            deletion_policy="ABANDON",
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=self._args.apis.needs(COMPUTE, SERVICENETWORKING)
            ),
        )
