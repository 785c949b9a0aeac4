"""Azure Event Hubs as Kafka: the Kafka contract on Azure.

Creates a namespace of a tier with the Kafka endpoint (Standard or Premium; Basic has none),
zone redundant in prod, TLS 1.2 minimum, public network access off in prod with a private
endpoint in the endpoints subnet (and its record in the servicebus private DNS zone), auto-inflate
on Standard; one event hub per topic with partitions and retention; and a send/listen
authorization rule whose connection string is the Kafka SASL/PLAIN password (secret). The
Kafka contract exposes ``<namespace>.servicebus.windows.net:9093``.

Where public network access stays on (dev/staging, so developers can reach it from the
authorized ranges), a network rule set denies everything but the AKS nodes subnet (service
endpoint), the authorized IP ranges and trusted Azure services
(https://learn.microsoft.com/azure/event-hubs/network-security). The namespace name is globally
unique (a DNS name): derived from the logical name and a hash of the stack's seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.azure.network import ServicePlacement, private_endpoint
from components.contracts import KafkaContract
from components.specs import KafkaSpec
from infra.naming import child
from policies.rules.facts.azure_names import global_name

KAFKA_PORT = 9093
# Standard-tier event hubs keep events at most 7 days; Premium up to 90.
STANDARD_MAX_RETENTION_HOURS = 168
NAMESPACE = "azure-native:eventhub:Namespace"


@dataclass(frozen=True, kw_only=True)
class AzureKafkaArgs:
    """Inputs of ``AzureKafka``: the cloud-neutral spec behind a private endpoint."""

    #: what to build (broker size = Event Hubs tier Standard/Premium, topics; components/specs.py)
    spec: KafkaSpec
    #: resource group, region, name seed, private-endpoint subnet and the servicebus DNS zone
    placement: ServicePlacement
    #: throughput units (Standard) / processing units (Premium) to start with
    capacity: int
    #: Standard auto-inflate ceiling (throughput units); prod may burst further
    max_throughput_units: int
    #: spread the namespace over the region's zones (prod)
    zone_redundant: bool
    #: also reachable from the allowed subnets / IP ranges, not only the private endpoint
    #: (non-prod: the operators' networks may reach it)
    public_access: bool
    #: subnets admitted by the namespace's network rules when public access is on
    allowed_subnet_ids: list[pulumi.Input[str]]
    #: CIDRs admitted by the namespace's network rules when public access is on
    allowed_ip_ranges: list[str]
    #: Azure tags on the namespace and its endpoint
    tags: dict[str, str]


class AzureKafka(pulumi.ComponentResource):
    """An Event Hubs namespace reached as Kafka over a private endpoint."""

    bootstrap_servers: pulumi.Output[str]
    """``<namespace>.servicebus.windows.net:9093``."""
    namespace_id: pulumi.Output[str]
    """The namespace's ARM id (scope of data-plane role assignments)."""
    connection_string: pulumi.Output[str]
    """SAS connection string (secret): the SASL/PLAIN password."""

    def __init__(
        self, name: str, args: AzureKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Kafka", name, None, opts)
        self._args = args
        child_opts = pulumi.ResourceOptions(parent=self)
        standard = args.spec.broker_size == "Standard"
        namespace = azure.eventhub.Namespace(
            name,
            namespace_name=pulumi.Output.from_input(args.placement.name_seed).apply(
                lambda seed: global_name(NAMESPACE, name, seed)
            ),
            resource_group_name=args.placement.resource_group_name,
            location=args.placement.location,
            sku=azure.eventhub.SkuArgs(
                name=args.spec.broker_size, tier=args.spec.broker_size, capacity=args.capacity
            ),
            zone_redundant=args.zone_redundant,
            minimum_tls_version="1.2",
            public_network_access="Enabled" if args.public_access else "Disabled",
            # Kafka clients authenticate with the SAS connection string (SASL/PLAIN).
            disable_local_auth=False,
            is_auto_inflate_enabled=standard,
            maximum_throughput_units=args.max_throughput_units if standard else None,
            tags=args.tags,
            # auto-inflate raises the throughput units (sku.capacity) under load
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.spec.protect,
                ignore_changes=["sku.capacity"] if standard else [],
            ),
        )
        self._ready: list[pulumi.Resource] = [namespace]
        if args.public_access:
            self._restrict_public_access(name, namespace, child_opts)
        for topic in args.spec.topics:
            azure.eventhub.EventHub(
                child(name, topic.name),
                resource_group_name=args.placement.resource_group_name,
                namespace_name=namespace.name,
                event_hub_name=topic.name,
                partition_count=topic.partitions,
                retention_description=azure.eventhub.RetentionDescriptionArgs(
                    cleanup_policy="Delete",
                    # a longer retention on Standard is capped, not refused
                    retention_time_in_hours=min(topic.retention_hours, STANDARD_MAX_RETENTION_HOURS)
                    if standard
                    else topic.retention_hours,
                ),
                opts=child_opts,
            )
        rule = azure.eventhub.NamespaceAuthorizationRule(
            child(name, "app"),
            resource_group_name=args.placement.resource_group_name,
            namespace_name=namespace.name,
            authorization_rule_name="app",
            rights=["Listen", "Send"],
            opts=child_opts,
        )
        private_endpoint(
            child(name, "pe"),
            args.placement.resource_group_name,
            args.placement.location,
            args.placement.subnet_id,
            namespace.id,
            "namespace",
            args.placement.dns_zone_id,
            args.tags,
            self,
        )
        keys = azure.eventhub.list_namespace_keys_output(
            resource_group_name=args.placement.resource_group_name,
            namespace_name=namespace.name,
            authorization_rule_name=rule.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.namespace_id = namespace.id
        self.connection_string = pulumi.Output.secret(keys.primary_connection_string)
        self.bootstrap_servers = namespace.name.apply(
            lambda n: f"{n}.servicebus.windows.net:{KAFKA_PORT}"
        )
        self.register_outputs({"bootstrapServers": self.bootstrap_servers})

    def _restrict_public_access(
        self, name: str, namespace: azure.eventhub.Namespace, opts: pulumi.ResourceOptions
    ) -> None:
        args = self._args
        azure.eventhub.NamespaceNetworkRuleSet(
            child(name, "network-rules"),
            resource_group_name=args.placement.resource_group_name,
            namespace_name=namespace.name,
            default_action="Deny",
            public_network_access="Enabled",
            trusted_service_access_enabled=True,
            virtual_network_rules=[
                azure.eventhub.NWRuleSetVirtualNetworkRulesArgs(
                    subnet=azure.eventhub.SubnetArgs(id=subnet_id),
                    ignore_missing_vnet_service_endpoint=False,
                )
                for subnet_id in args.allowed_subnet_ids
            ],
            ip_rules=[
                azure.eventhub.NWRuleSetIpRulesArgs(action="Allow", ip_mask=cidr)
                for cidr in args.allowed_ip_ranges
            ],
            opts=opts,
        )

    def contract(self) -> KafkaContract:
        """The cloud-neutral view: SASL/PLAIN with ``$ConnectionString`` as the user."""
        return KafkaContract(
            ready=self._ready,
            bootstrap_servers=self.bootstrap_servers,
            port=KAFKA_PORT,
            security_protocol="SASL_SSL",
            sasl_mechanism="PLAIN",
            username=pulumi.Output.from_input("$ConnectionString"),
            password=self.connection_string,
        )
