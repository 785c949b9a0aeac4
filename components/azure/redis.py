"""Azure Cache for Redis: the Redis contract on Azure.

Premium with clustering in prod (shards, replicas per primary, spread over zones) and a
smaller Standard/Basic cache in dev; the non-TLS port off, TLS 1.2 minimum, public network
access off with a private endpoint (and its record in the redis private DNS zone); RDB
persistence to a dedicated storage account where the tier allows it (Premium); a weekly patch
schedule. The access key is the AUTH token (secret).

Zones: a Premium cache places its primary and replicas in distinct zones, so it may list at most
``1 + replicasPerPrimary`` zones (https://learn.microsoft.com/azure/azure-cache-for-redis/cache-high-availability#zone-redundancy).
Names: the cache and the storage account are globally unique DNS names, derived from the
logical name and a hash of the stack's seed (``policies/rules/facts/azure_names.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.azure.network import ServicePlacement, field, private_endpoint
from components.azure.storage import hardened_storage_account
from components.contracts import RedisContract
from components.specs import RedisSpec
from infra.naming import child
from policies.rules.facts.azure_names import global_name

TLS_PORT = 6380
REDIS = "azure-native:redis:Redis"
# A clustered Premium cache redirects clients to per-shard TLS ports 15000-15999
# (https://learn.microsoft.com/azure/azure-cache-for-redis/cache-how-to-premium-clustering:
# "ports 13XXX and 15XXX"; 15XXX are the TLS ones, the non-TLS port is off here).
CLUSTER_TLS_PORTS = (15000, 15999)


@dataclass(frozen=True, kw_only=True)
class AzureRedisArgs:
    """Inputs of ``AzureRedis``: the cloud-neutral spec behind a private endpoint."""

    #: what to build (SKU such as Premium_P1 / Standard_C1, shards, replicas; components/specs.py)
    spec: RedisSpec
    #: resource group, region, name seed, private-endpoint subnet and the redis DNS zone
    placement: ServicePlacement
    #: the region's availability zones (a Premium cache spans one per node)
    zones: list[str]
    #: Azure tags on the cache and its endpoint
    tags: dict[str, str]


def parse_sku(sku: str) -> tuple[str, str, int]:
    """``Premium_P2`` -> ("Premium", "P", 2)."""
    name, size = sku.split("_")
    return name, size[0], int(size[1:])


def extra_ports(premium: bool, shards: int) -> list[tuple[int, int]]:
    """TCP ranges a client must reach besides the TLS port: the shard ports of a cluster."""
    return [CLUSTER_TLS_PORTS] if premium and shards > 1 else []


def cache_zones(zones: list[str], replicas_per_primary: int) -> list[str]:
    """The zones a cache with ``replicas_per_primary`` may span: one node per zone at most."""
    return zones[: 1 + replicas_per_primary]


class AzureRedis(pulumi.ComponentResource):
    """A private, TLS-only Azure Cache for Redis."""

    host: pulumi.Output[str]
    """The cache's host name."""
    port: pulumi.Output[int]
    """The TLS port."""
    auth_token: pulumi.Output[str]
    """The primary access key (secret)."""

    def __init__(
        self, name: str, args: AzureRedisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Redis", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        tier, family, capacity = parse_sku(args.spec.node_size)
        premium = tier == "Premium"
        self._extra_ports = extra_ports(premium, args.spec.shards)
        cache = azure.redis.Redis(
            name,
            name=pulumi.Output.from_input(args.placement.name_seed).apply(
                lambda seed: global_name(REDIS, name, seed)
            ),
            resource_group_name=args.placement.resource_group_name,
            location=args.placement.location,
            sku=azure.redis.SkuArgs(name=tier, family=family, capacity=capacity),
            redis_version="6",
            enable_non_ssl_port=False,
            minimum_tls_version="1.2",
            public_network_access="Disabled",
            shard_count=args.spec.shards if premium and args.spec.shards > 1 else None,
            replicas_per_primary=args.spec.replicas_per_shard if premium else None,
            zones=cache_zones(args.zones, args.spec.replicas_per_shard) if premium else None,
            redis_configuration=self._configuration() if premium else None,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect),
        )
        self._ready: list[pulumi.Resource] = [cache]
        azure.redis.PatchSchedule(
            child(name, "patching"),
            resource_group_name=args.placement.resource_group_name,
            name=cache.name,
            default="default",
            schedule_entries=[
                azure.redis.ScheduleEntryArgs(
                    day_of_week=azure.redis.DayOfWeek.SUNDAY,
                    start_hour_utc=5,
                    maintenance_window="PT5H",
                )
            ],
            opts=self._opts,
        )
        private_endpoint(
            child(name, "pe"),
            args.placement.resource_group_name,
            args.placement.location,
            args.placement.subnet_id,
            cache.id,
            "redisCache",
            args.placement.dns_zone_id,
            args.tags,
            self,
        )
        keys = azure.redis.list_redis_keys_output(
            resource_group_name=args.placement.resource_group_name,
            name=cache.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.auth_token = pulumi.Output.secret(keys.primary_key)
        self.host = cache.host_name
        self.cache_id = cache.id
        self.port = cache.ssl_port
        self.register_outputs({"host": self.host, "port": self.port, "authToken": self.auth_token})

    def contract(self) -> RedisContract:
        """The cloud-neutral view of this cache."""
        return RedisContract(
            ready=self._ready,
            host=self.host,
            port=self.port,
            tls=True,
            auth_token=self.auth_token,
            extra_ports=self._extra_ports,
        )

    def _configuration(self) -> azure.redis.RedisCommonPropertiesRedisConfigurationArgs:
        args = self._args
        placement = args.placement
        account = hardened_storage_account(
            child(self._name, "rdb"), placement.name_seed, placement.resource_group_name,
            placement.location, args.tags,
            pulumi.ResourceOptions(parent=self, protect=args.spec.protect), entra_only=False,
        )  # fmt: skip
        keys = azure.storage.list_storage_account_keys_output(
            resource_group_name=args.placement.resource_group_name,
            account_name=account.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        connection = pulumi.Output.all(account.name, keys.keys).apply(
            lambda v: (
                "DefaultEndpointsProtocol=https;"
                f"AccountName={v[0]};AccountKey={field(v[1][0], 'value')};EndpointSuffix=core.windows.net"
            )
        )
        return azure.redis.RedisCommonPropertiesRedisConfigurationArgs(
            rdb_backup_enabled="true",
            rdb_backup_frequency="60",
            rdb_backup_max_snapshot_count="1",
            rdb_storage_connection_string=pulumi.Output.secret(connection),
            maxmemory_policy="volatile-lru",
        )
