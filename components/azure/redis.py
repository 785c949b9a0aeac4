"""Azure Managed Redis (``Microsoft.Cache/redisEnterprise``): the Redis contract on Azure.

Azure Cache for Redis is retiring (new tenants cannot create Basic/Standard/Premium caches
since 2026-04-01); Azure Managed Redis is its successor. One cluster (``RedisEnterprise``: the
SKU, high availability, TLS 1.2 minimum, public network access off) holds one database
(``Database``, named ``default``: TLS only on port 10000, the Enterprise clustering policy,
access keys off, RDB persistence where the environment asks for it), reached through a private
endpoint whose record lives in ``privatelink.redis.azure.net``.

Authentication is Microsoft Entra ID only: each app that uses Redis gets an access policy
assignment for its workload identity's object id, and authenticates with a token for
``https://redis.azure.com/.default`` as that object id
(https://learn.microsoft.com/azure/redis/entra-for-authentication). There is no key to leak.

Clustering: the Enterprise policy puts a proxy in front of the shards, so a client sees one
endpoint on one port (no cluster-aware client, no 85XX shard ports to allow), at the price of
the proxy's throughput (https://learn.microsoft.com/azure/redis/architecture#cluster-policies).
It can only be chosen at creation. High availability (a replica of every shard on another
node, spread over the region's zones where it has them) comes from ``replicasPerShard >= 1``;
it can be enabled later but never disabled.
Names: the cluster's name is part of its DNS name, derived from the logical name and a hash of
the stack's seed (``policies/rules/facts/azure_names.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.azure.network import ServicePlacement, private_endpoint
from components.contracts import RedisContract
from components.specs import RedisSpec
from infra.naming import child
from policies.rules.facts import azure_redis as amr
from policies.rules.facts.azure_names import digest, global_name

CLUSTER = "azure-native:redisenterprise:RedisEnterprise"
TLS_PORT = amr.AMR_PORT


@dataclass(frozen=True, kw_only=True)
class AzureRedisArgs:
    """Inputs of ``AzureRedis``: the cloud-neutral spec behind a private endpoint."""

    #: what to build (an Azure Managed Redis SKU such as Balanced_B5, replicas; components/specs.py)
    spec: RedisSpec
    #: resource group, region, name seed, private-endpoint subnet and the redis DNS zone
    placement: ServicePlacement
    #: RDB snapshots (hourly) to the cluster's managed disk, restored after a loss of nodes
    persistence: bool
    #: app name -> the object (principal) id of its workload identity: the Entra identities
    #: allowed to use the database
    clients: Mapping[str, pulumi.Input[str]]
    #: Azure tags on the cluster and its endpoint
    tags: dict[str, str]


def assignment_name(app: str) -> str:
    """An access policy assignment's name (letters and digits, at most 60): the app's name
    itself when it fits, else its letters and digits plus a hash of it, so that two apps
    (``history-worker``, ``historyworker``) never share one."""
    if re.fullmatch(r"[A-Za-z0-9]{1,60}", app):
        return app
    return re.sub(r"[^A-Za-z0-9]", "", app)[:52] + digest(app)


class AzureRedis(pulumi.ComponentResource):
    """A private, TLS-only Azure Managed Redis database with Entra ID authentication."""

    host: pulumi.Output[str]
    """The cluster's host name (``<name>.<region>.redis.azure.net``)."""
    port: pulumi.Output[int]
    """The database's TLS port (10000)."""

    def __init__(
        self, name: str, args: AzureRedisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Redis", name, None, opts)
        self._args = args
        protected = pulumi.ResourceOptions(parent=self, protect=args.spec.protect)
        placement = args.placement
        cluster = azure.redisenterprise.RedisEnterprise(
            name,
            cluster_name=pulumi.Output.from_input(placement.name_seed).apply(
                lambda seed: global_name(CLUSTER, name, seed)
            ),
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=azure.redisenterprise.SkuArgs(name=args.spec.node_size),
            high_availability="Enabled" if args.spec.replicas_per_shard else "Disabled",
            minimum_tls_version="1.2",
            public_network_access="Disabled",
            tags=args.tags,
            opts=protected,
        )
        database = azure.redisenterprise.Database(
            name,
            resource_group_name=placement.resource_group_name,
            cluster_name=cluster.name,
            database_name=amr.AMR_DATABASE,
            client_protocol="Encrypted",
            port=TLS_PORT,
            clustering_policy="EnterpriseCluster",
            eviction_policy="VolatileLRU",
            access_keys_authentication="Disabled",
            # The service moves the database to each new Redis version itself (no version input;
            # https://aka.ms/redisversionupgrade): the version catalog's redis.azure-managed-redis
            # entry records what it runs, under that rolling rule.
            defer_upgrade="NotDeferred",
            persistence=azure.redisenterprise.PersistenceArgs(rdb_enabled=True, rdb_frequency="1h")
            if args.persistence
            else azure.redisenterprise.PersistenceArgs(aof_enabled=False, rdb_enabled=False),
            opts=protected,
        )
        private_endpoint(
            child(name, "pe"),
            placement.resource_group_name,
            placement.location,
            placement.subnet_id,
            cluster.id,
            amr.AMR_PRIVATE_LINK_GROUP,
            placement.dns_zone_id,
            args.tags,
            self,
        )
        # A client is ready once its identity may sign in: the database and every assignment.
        self._ready: list[pulumi.Resource] = [
            database,
            *(self._assign(name, app, principal, cluster, database)
              for app, principal in sorted(args.clients.items())),
        ]  # fmt: skip
        self.cluster_id = cluster.id
        self.host = cluster.host_name
        self.port = database.port.apply(lambda port: int(port or TLS_PORT))
        self.register_outputs({"host": self.host, "port": self.port})

    def _assign(
        self,
        name: str,
        app: str,
        principal: pulumi.Input[str],
        cluster: azure.redisenterprise.RedisEnterprise,
        database: azure.redisenterprise.Database,
    ) -> azure.redisenterprise.AccessPolicyAssignment:
        """The database's default access policy for one app's workload identity."""
        return azure.redisenterprise.AccessPolicyAssignment(
            child(name, f"access-{app}"),
            resource_group_name=self._args.placement.resource_group_name,
            cluster_name=cluster.name,
            database_name=database.name,
            access_policy_assignment_name=assignment_name(app),
            access_policy_name=amr.AMR_ACCESS_POLICY,
            user=azure.redisenterprise.AccessPolicyAssignmentPropertiesUserArgs(
                object_id=principal
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def contract(self) -> RedisContract:
        """The cloud-neutral view of this database."""
        return RedisContract(
            ready=self._ready,
            host=self.host,
            port=self.port,
            tls=True,
            auth_token=None,
            auth_mode="entra",
        )
