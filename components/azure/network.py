"""Azure network: a resource group and a VNet with one subnet per purpose.

Creates the resource group, the VNet, an NSG on every subnet, a NAT gateway (zone-redundant
Standard public IP) for node egress, the AKS node subnet (with an Event Hubs service endpoint for
the namespace's VNet rule), a subnet delegated to PostgreSQL Flexible Server, a subnet for
private endpoints (Event Hubs, Managed Redis), the AKS API server subnet (API server VNet integration,
delegated to ``Microsoft.ContainerService/managedClusters``), optionally a subnet for the
self-hosted deploy runner of a private cluster, and the private DNS zones those services resolve
through (postgres, redis, servicebus), each linked to the VNet.

Subnets are created one after another: ARM rejects concurrent writes to one VNet
(``AnotherOperationInProgress``). The nodes subnet's NSG admits HTTP/HTTPS from the internet:
AKS writes its load-balancer rules only into its own (node resource group) NSG, so without this
rule the ingress load balancer is unreachable
(https://learn.microsoft.com/azure/aks/concepts-network#network-security-groups).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.contracts import NetworkContract
from infra.naming import child
from policies.rules.facts.azure_names import fit
from policies.rules.facts.azure_redis import AMR_DNS_ZONE

VNET = "azure-native:network:VirtualNetwork"
NSG = "azure-native:network:NetworkSecurityGroup"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
NAT_GATEWAY = "azure-native:network:NatGateway"

# VNet-integrated Flexible Server registers in a zone ending in .postgres.database.azure.com;
# "privatelink." is Private Link's zone and must not be reused for it
# (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private#private-dns-zone-and-vnet-integration).
POSTGRES_ZONE = "private.postgres.database.azure.com"
REDIS_ZONE = AMR_DNS_ZONE  # Azure Managed Redis' Private Link zone
SERVICEBUS_ZONE = "privatelink.servicebus.windows.net"
# the container registry's Private Link zone (login server and its regional data endpoints)
REGISTRY_ZONE = "privatelink.azurecr.io"
PRIVATE_DNS_ZONES = {
    "postgres": POSTGRES_ZONE,
    "redis": REDIS_ZONE,
    "servicebus": SERVICEBUS_ZONE,
    "registry": REGISTRY_ZONE,
}


@dataclass(frozen=True, kw_only=True)
class AzureNetworkArgs:
    """Inputs of ``AzureNetwork``; subnet CIDRs are validated by the config models."""

    #: Azure region (location)
    location: str
    #: VNet address space
    cidr: str
    #: AKS nodes' subnet
    nodes_cidr: str
    #: PostgreSQL Flexible Server's delegated subnet
    postgres_cidr: str
    #: private endpoints' subnet (Event Hubs, Redis, the container registry)
    endpoints_cidr: str
    #: AKS API server's delegated subnet (VNet integration, at least /28)
    apiserver_cidr: str
    #: whether the API server is public (its subnet then admits 443 from the internet; AKS
    #: enforces the authorized ranges)
    apiserver_public: bool
    #: the deploy runner's subnet for a private cluster (None: public API server)
    runner_cidr: str | None
    #: availability zones (the NAT gateway and its IP)
    zones: list[str]
    #: Azure tags on every resource
    tags: dict[str, str]


INGRESS_PORTS = ["80", "443"]
# Microsoft.ContainerService must own the API server subnet (API server VNet integration).
APISERVER_DELEGATION = "Microsoft.ContainerService/managedClusters"


def _inbound(
    name: str,
    priority: int,
    access: str,
    source: str,
    destination: str = "*",
    ports: list[str] | None = None,
) -> azure.network.SecurityRuleArgs:
    """An inbound NSG rule from a service tag: every protocol and port, or TCP ``ports``."""
    return azure.network.SecurityRuleArgs(
        name=name,
        priority=priority,
        direction="Inbound",
        access=access,
        protocol="Tcp" if ports else "*",
        source_address_prefix=source,
        source_port_range="*",
        destination_address_prefix=destination,
        destination_port_range=None if ports else "*",
        destination_port_ranges=ports,
    )


class AzureNetwork(pulumi.ComponentResource):
    """A resource group and a private VNet."""

    resource_group_name: pulumi.Output[str]
    """The resource group every other Azure resource goes in."""
    vnet_id: pulumi.Output[str]
    """The VNet's id."""
    nodes_subnet_id: pulumi.Output[str]
    """Subnet of the AKS nodes."""
    postgres_subnet_id: pulumi.Output[str]
    """Subnet delegated to PostgreSQL Flexible Server."""
    endpoints_subnet_id: pulumi.Output[str]
    """Subnet for private endpoints."""
    apiserver_subnet_id: pulumi.Output[str]
    """Subnet the AKS API server is projected into (VNet integration)."""
    nat_public_ip: pulumi.Output[str]
    """The NAT gateway's public IP address (the nodes' egress address)."""
    dns_zone_ids: dict[str, pulumi.Output[str]]
    """Private DNS zone ids by purpose (postgres, redis, servicebus, registry)."""

    def __init__(
        self, name: str, args: AzureNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Network", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        group = azure.resources.ResourceGroup(
            name, location=args.location, tags=args.tags, opts=self._opts
        )
        self.resource_group_name = group.name
        vnet = azure.network.VirtualNetwork(
            name,
            virtual_network_name=fit(VNET, name),
            resource_group_name=group.name,
            location=args.location,
            address_space=azure.network.AddressSpaceArgs(address_prefixes=[args.cidr]),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnets"]),
        )
        self.vnet_id = vnet.id
        self._vnet = vnet
        self._previous_subnet: azure.network.Subnet | None = None
        nat = self._build_nat_gateway()
        self.nodes_subnet_id = self._subnet(
            "nodes", args.nodes_cidr, nat=nat, service_endpoints=["Microsoft.EventHub"]
        ).id
        self.postgres_subnet_id = self._subnet(
            "postgres",
            args.postgres_cidr,
            delegation="Microsoft.DBforPostgreSQL/flexibleServers",
        ).id
        self.endpoints_subnet_id = self._subnet("endpoints", args.endpoints_cidr).id
        self.apiserver_subnet_id = self._subnet(
            "apiserver", args.apiserver_cidr, delegation=APISERVER_DELEGATION
        ).id
        if args.runner_cidr:  # the self-hosted deploy runner's subnet (private clusters)
            self._subnet("runner", args.runner_cidr, nat=nat)
        self.dns_zone_ids = {
            purpose: self._private_zone(purpose, zone)
            for purpose, zone in PRIVATE_DNS_ZONES.items()
        }
        self.register_outputs(
            {"vnetId": self.vnet_id, "resourceGroupName": self.resource_group_name}
        )

    def contract(self, cidr: str) -> NetworkContract:
        """The cloud-neutral view of this network."""
        return NetworkContract(
            id=self.vnet_id,
            cidr=pulumi.Output.from_input(cidr),
            private_subnet_ids=[self.nodes_subnet_id],
            zones=[pulumi.Output.from_input(zone) for zone in self._args.zones],
            service_cidrs=[self._args.postgres_cidr, self._args.endpoints_cidr],
        )

    def _build_nat_gateway(self) -> azure.network.NatGateway:
        ip = azure.network.PublicIPAddress(
            child(self._name, "nat"),
            public_ip_address_name=fit(PUBLIC_IP, child(self._name, "nat")),
            resource_group_name=self.resource_group_name,
            location=self._args.location,
            sku=azure.network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
            public_ip_allocation_method="Static",
            zones=self._args.zones,
            tags=self._args.tags,
            opts=self._opts,
        )
        self.nat_public_ip = ip.ip_address.apply(lambda address: address or "")
        return azure.network.NatGateway(
            child(self._name, "nat"),
            nat_gateway_name=fit(NAT_GATEWAY, child(self._name, "nat")),
            resource_group_name=self.resource_group_name,
            location=self._args.location,
            sku=azure.network.NatGatewaySkuArgs(name="Standard"),
            public_ip_addresses=[azure.network.SubResourceArgs(id=ip.id)],
            idle_timeout_in_minutes=10,
            tags=self._args.tags,
            opts=self._opts,
        )

    def _nsg(self, purpose: str) -> azure.network.NetworkSecurityGroup:
        # Inbound from the internet is denied by Azure's default rules; the explicit rule keeps
        # that true even if someone adds a broad allow at a lower priority number later.
        rules = [
            _inbound("allow-vnet-inbound", 4000, "Allow", "VirtualNetwork", "VirtualNetwork"),
            _inbound("allow-load-balancer-inbound", 4010, "Allow", "AzureLoadBalancer"),
            _inbound("deny-internet-inbound", 4096, "Deny", "Internet"),
        ]
        if purpose == "nodes":
            # the ingress controller's public load balancer forwards 80/443 to the nodes
            rules.insert(
                0, _inbound("allow-ingress-http", 3000, "Allow", "Internet", ports=INGRESS_PORTS)
            )
        if purpose == "apiserver" and self._args.apiserver_public:
            # a public VNet-integrated API server is reached through a load balancer into this
            # subnet; AKS itself enforces the authorized IP ranges
            # (https://learn.microsoft.com/azure/aks/api-server-vnet-integration#network-security-group-rules)
            rules.insert(0, _inbound("allow-api-server", 3000, "Allow", "Internet", ports=["443"]))
        return azure.network.NetworkSecurityGroup(
            child(self._name, purpose),
            network_security_group_name=fit(NSG, child(self._name, purpose)),
            resource_group_name=self.resource_group_name,
            location=self._args.location,
            security_rules=rules,
            tags=self._args.tags,
            opts=self._opts,
        )

    def _subnet(
        self,
        purpose: str,
        cidr: str,
        nat: azure.network.NatGateway | None = None,
        delegation: str | None = None,
        service_endpoints: list[str] | None = None,
    ) -> azure.network.Subnet:
        # One subnet write at a time on a VNet: each subnet waits for the previous one.
        previous = [self._previous_subnet] if self._previous_subnet else []
        subnet = azure.network.Subnet(
            child(self._name, purpose),
            resource_group_name=self.resource_group_name,
            virtual_network_name=self._vnet.name,
            address_prefix=cidr,
            network_security_group=azure.network.NetworkSecurityGroupArgs(id=self._nsg(purpose).id),
            nat_gateway=azure.network.SubResourceArgs(id=nat.id) if nat else None,
            delegations=[azure.network.DelegationArgs(name=purpose, service_name=delegation)]
            if delegation
            else None,
            service_endpoints=[
                azure.network.ServiceEndpointPropertiesFormatArgs(service=service)
                for service in service_endpoints
            ]
            if service_endpoints
            else None,
            private_endpoint_network_policies="Enabled" if purpose == "endpoints" else None,
            default_outbound_access=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
        )
        self._previous_subnet = subnet
        return subnet

    def _private_zone(self, purpose: str, zone: str) -> pulumi.Output[str]:
        private_zone = azure.privatedns.PrivateZone(
            child(self._name, f"{purpose}-dns"),
            resource_group_name=self.resource_group_name,
            private_zone_name=zone,
            location="Global",
            tags=self._args.tags,
            opts=self._opts,
        )
        azure.privatedns.VirtualNetworkLink(
            child(self._name, f"{purpose}-dns"),
            virtual_network_link_name=f"{purpose}-vnet",
            resource_group_name=self.resource_group_name,
            private_zone_name=private_zone.name,
            virtual_network=azure.privatedns.SubResourceArgs(id=self.vnet_id),
            registration_enabled=False,
            location="Global",
            tags=self._args.tags,
            opts=self._opts,
        )
        return private_zone.id


@dataclass(frozen=True)
class ServicePlacement:
    """Where a data service lives on Azure and how it gets its private address."""

    #: resource group of the service
    resource_group_name: pulumi.Input[str]
    #: Azure region (location)
    location: str
    #: seed of the service's globally unique name (subscription id / stack prefix)
    name_seed: pulumi.Input[str]
    #: the subnet its private address is in (Flexible Server: its delegated subnet; the
    #: others: the private-endpoint subnet)
    subnet_id: pulumi.Input[str]
    #: the private DNS zone its name resolves in
    dns_zone_id: pulumi.Input[str]


def field(value: object, name: str) -> str:
    """A field of an invoke result item, typed output class or plain mapping alike."""
    found = getattr(value, name, None)
    if found is None and isinstance(value, dict):
        found = value.get(name)
    return str(found or "")


def private_endpoint(
    name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    subnet_id: pulumi.Input[str],
    target_id: pulumi.Input[str],
    group_id: str,
    dns_zone_id: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> azure.network.PrivateEndpoint:
    """A private endpoint to ``target_id`` with its A record in ``dns_zone_id``."""
    opts = pulumi.ResourceOptions(parent=parent)
    endpoint = azure.network.PrivateEndpoint(
        name,
        private_endpoint_name=fit("azure-native:network:PrivateEndpoint", name),
        resource_group_name=resource_group_name,
        location=location,
        subnet=azure.network.SubnetArgs(id=subnet_id),
        private_link_service_connections=[
            azure.network.PrivateLinkServiceConnectionArgs(
                name=name, private_link_service_id=target_id, group_ids=[group_id]
            )
        ],
        tags=tags,
        opts=opts,
    )
    azure.network.PrivateDnsZoneGroup(
        name,
        resource_group_name=resource_group_name,
        private_endpoint_name=endpoint.name,
        private_dns_zone_group_name="default",
        private_dns_zone_configs=[
            azure.network.PrivateDnsZoneConfigArgs(name=group_id, private_dns_zone_id=dns_zone_id)
        ],
        opts=opts,
    )
    return endpoint
