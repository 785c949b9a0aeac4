"""Azure network: a resource group and a VNet with one subnet per purpose.

Creates the resource group, the VNet, an NSG on every subnet, a NAT gateway (zone-redundant
Standard public IP) for node egress, the AKS node subnet, a subnet delegated to PostgreSQL
Flexible Server, a subnet for private endpoints (Event Hubs, Redis), and the private DNS zones
those services resolve through (postgres, redis, servicebus), each linked to the VNet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.contracts import NetworkContract
from infra.naming import child

POSTGRES_ZONE = "privatelink.postgres.database.azure.com"
REDIS_ZONE = "privatelink.redis.cache.windows.net"
SERVICEBUS_ZONE = "privatelink.servicebus.windows.net"
PRIVATE_DNS_ZONES = {"postgres": POSTGRES_ZONE, "redis": REDIS_ZONE, "servicebus": SERVICEBUS_ZONE}


@dataclass(frozen=True)
class AzureNetworkArgs:
    """Inputs of ``AzureNetwork``; subnet CIDRs are validated by the config models."""

    location: str
    cidr: str
    nodes_cidr: str
    postgres_cidr: str
    endpoints_cidr: str
    zones: list[str]
    tags: dict[str, str]


def _inbound(
    name: str, priority: int, access: str, source: str, destination: str = "*"
) -> azure.network.SecurityRuleArgs:
    """An inbound NSG rule over every protocol and port from a service tag."""
    return azure.network.SecurityRuleArgs(
        name=name,
        priority=priority,
        direction="Inbound",
        access=access,
        protocol="*",
        source_address_prefix=source,
        source_port_range="*",
        destination_address_prefix=destination,
        destination_port_range="*",
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
    dns_zone_ids: dict[str, pulumi.Output[str]]
    """Private DNS zone ids by purpose (postgres, redis, servicebus)."""

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
            resource_group_name=group.name,
            location=args.location,
            address_space=azure.network.AddressSpaceArgs(address_prefixes=[args.cidr]),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnets"]),
        )
        self.vnet_id = vnet.id
        self._vnet = vnet
        nat = self._build_nat_gateway()
        self.nodes_subnet_id = self._subnet("nodes", args.nodes_cidr, nat=nat).id
        self.postgres_subnet_id = self._subnet(
            "postgres",
            args.postgres_cidr,
            delegation="Microsoft.DBforPostgreSQL/flexibleServers",
        ).id
        self.endpoints_subnet_id = self._subnet("endpoints", args.endpoints_cidr).id
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
            resource_group_name=self.resource_group_name,
            location=self._args.location,
            sku=azure.network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
            public_ip_allocation_method="Static",
            zones=self._args.zones,
            tags=self._args.tags,
            opts=self._opts,
        )
        return azure.network.NatGateway(
            child(self._name, "nat"),
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
        return azure.network.NetworkSecurityGroup(
            child(self._name, purpose),
            resource_group_name=self.resource_group_name,
            location=self._args.location,
            security_rules=[
                _inbound("allow-vnet-inbound", 4000, "Allow", "VirtualNetwork", "VirtualNetwork"),
                _inbound("allow-load-balancer-inbound", 4010, "Allow", "AzureLoadBalancer"),
                _inbound("deny-internet-inbound", 4096, "Deny", "Internet"),
            ],
            tags=self._args.tags,
            opts=self._opts,
        )

    def _subnet(
        self,
        purpose: str,
        cidr: str,
        nat: azure.network.NatGateway | None = None,
        delegation: str | None = None,
    ) -> azure.network.Subnet:
        return azure.network.Subnet(
            child(self._name, purpose),
            resource_group_name=self.resource_group_name,
            virtual_network_name=self._vnet.name,
            address_prefix=cidr,
            network_security_group=azure.network.NetworkSecurityGroupArgs(id=self._nsg(purpose).id),
            nat_gateway=azure.network.SubResourceArgs(id=nat.id) if nat else None,
            delegations=[azure.network.DelegationArgs(name=purpose, service_name=delegation)]
            if delegation
            else None,
            private_endpoint_network_policies="Enabled" if purpose == "endpoints" else None,
            default_outbound_access=False,
            opts=self._opts,
        )

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
            resource_group_name=self.resource_group_name,
            private_zone_name=private_zone.name,
            virtual_network=azure.privatedns.SubResourceArgs(id=self.vnet_id),
            registration_enabled=False,
            location="Global",
            tags=self._args.tags,
            opts=self._opts,
        )
        return private_zone.id


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
