"""GCP Memorystore for Redis Cluster: the Redis contract on GCP.

Redis Cluster rather than a STANDARD_HA instance: it has the same shape as the other clouds
(shards x replicas, prod 3 x 1), scales out instead of up, and spreads over zones. Its AUTH is
IAM-based (``AUTH_MODE_IAM_AUTH``): workloads authenticate with their Google service account
(``roles/redis.dbConnectionUser``), so there is no static password to leak or rotate; in-transit
encryption with server authentication; reached over Private Service Connect (the network's
service connection policy); RDB persistence, a weekly maintenance window, multi-zone placement,
and deletion protection in prod.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.contracts import RedisContract

PORT = 6379


@dataclass(frozen=True)
class GcpRedisArgs:
    """Inputs of ``GcpRedis``."""

    project: str
    region: str
    node_type: str
    shards: int
    replicas_per_shard: int
    network_id: pulumi.Input[str]
    psc_policy: pulumi.Resource
    deletion_protection: bool
    protect: bool
    labels: dict[str, str]


class GcpRedis(pulumi.ComponentResource):
    """A private, TLS-only, IAM-authenticated Redis Cluster."""

    host: pulumi.Output[str]
    """The discovery endpoint's address."""
    port: pulumi.Output[int]
    """The discovery endpoint's port."""

    def __init__(
        self, name: str, args: GcpRedisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Redis", name, None, opts)
        cluster = gcp.redis.Cluster(
            name,
            project=args.project,
            region=args.region,
            shard_count=args.shards,
            replica_count=args.replicas_per_shard,
            node_type=args.node_type,
            authorization_mode="AUTH_MODE_IAM_AUTH",
            transit_encryption_mode="TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
            psc_configs=[gcp.redis.ClusterPscConfigArgs(network=args.network_id)],
            zone_distribution_config=gcp.redis.ClusterZoneDistributionConfigArgs(mode="MULTI_ZONE"),
            persistence_config=gcp.redis.ClusterPersistenceConfigArgs(
                mode="RDB",
                rdb_config=gcp.redis.ClusterPersistenceConfigRdbConfigArgs(
                    rdb_snapshot_period="ONE_HOUR"
                ),
            ),
            maintenance_policy=gcp.redis.ClusterMaintenancePolicyArgs(
                weekly_maintenance_windows=[
                    gcp.redis.ClusterMaintenancePolicyWeeklyMaintenanceWindowArgs(
                        day="SUNDAY",
                        start_time=gcp.redis.ClusterMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs(
                            hours=5, minutes=0
                        ),
                    )
                ]
            ),
            redis_configs={"maxmemory-policy": "volatile-lru"},
            deletion_protection_enabled=args.deletion_protection,
            labels=args.labels,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=[args.psc_policy]
            ),
        )
        endpoint = cluster.discovery_endpoints.apply(lambda endpoints: endpoints[0])
        self.host = endpoint.apply(lambda e: e.address or "")
        self.port = endpoint.apply(lambda e: e.port or PORT)
        self.register_outputs({"host": self.host, "port": self.port})

    def contract(self) -> RedisContract:
        """The cloud-neutral view of this cache (no token: IAM authentication)."""
        return RedisContract(host=self.host, port=self.port, tls=True, auth_token=None)
