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

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.contracts import PortRange, RedisContract
from components.gcp.apis import (
    COMPUTE,
    NETWORKCONNECTIVITY,
    REDIS,
    SERVICECONSUMERMANAGEMENT,
    ProjectApis,
)
from components.gcp.names import resource_name
from components.specs import RedisSpec

PORT = 6379
# Clients reach the discovery endpoint on 6379, then each shard's node endpoints on ports in
# 11000-13047 ("Memorystore for Redis Cluster networking": firewall rules must allow both,
# https://cloud.google.com/memorystore/docs/cluster/networking).
SHARD_PORTS: PortRange = (11000, 13047)


@dataclass(frozen=True, kw_only=True)
class GcpRedisArgs:
    """Inputs of ``GcpRedis``: the cloud-neutral spec reached over Private Service Connect."""

    #: what to build (node type, shards, replicas, protection; components/specs.py)
    spec: RedisSpec
    #: GCP project id
    project: str
    #: region of the cluster
    region: str
    #: VPC the Private Service Connect endpoints are created in
    network_id: pulumi.Input[str]
    #: the network's service connection policy for Redis; the cluster waits for it
    psc_policy: pulumi.Resource
    #: GCP labels on the cluster
    labels: dict[str, str]
    #: the project's API enablement (the cluster waits for redis, compute, PSC APIs)
    apis: ProjectApis


class GcpRedis(pulumi.ComponentResource):
    """A private, TLS-only, IAM-authenticated Redis Cluster."""

    host: pulumi.Output[str]
    """The discovery endpoint's address."""
    port: pulumi.Output[int]
    """The discovery endpoint's port."""
    ca_certificate: pulumi.Output[str]
    """PEM bundle of the cluster's managed server CAs (verifies the TLS server)."""
    cluster_name: pulumi.Output[str]
    """The cluster's id (the ``cluster_id`` label of its metrics)."""

    def __init__(
        self, name: str, args: GcpRedisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Redis", name, None, opts)
        cluster = gcp.redis.Cluster(
            name,
            # ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$ (Memorystore's cluster id rule)
            name=resource_name(name),
            project=args.project,
            region=args.region,
            shard_count=args.spec.shards,
            replica_count=args.spec.replicas_per_shard,
            node_type=args.spec.node_size,
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
            deletion_protection_enabled=args.spec.deletion_protection,
            labels=args.labels,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.spec.protect,
                depends_on=[
                    args.psc_policy,
                    # PSC endpoints live in a service-consumer project on the VPC
                    *args.apis.needs(
                        REDIS, NETWORKCONNECTIVITY, SERVICECONSUMERMANAGEMENT, COMPUTE
                    ),
                ],
            ),
        )
        self._ready: list[pulumi.Resource] = [cluster]
        self.cluster_name = cluster.name
        endpoint = cluster.discovery_endpoints.apply(lambda endpoints: endpoints[0])
        self.host = endpoint.apply(lambda e: e.address or "")
        self.port = endpoint.apply(lambda e: e.port or PORT)
        # Populated because transit encryption is SERVER_AUTHENTICATION (provider docs of
        # managed_server_cas); clients verify the server against these, not the system CAs.
        self.ca_certificate = cluster.managed_server_cas.apply(_pem_bundle)
        self.register_outputs({"host": self.host, "port": self.port})

    def contract(self) -> RedisContract:
        """The cloud-neutral view of this cache (no token: IAM authentication)."""
        return RedisContract(
            ready=self._ready,
            host=self.host,
            port=self.port,
            tls=True,
            auth_token=None,
            extra_ports=[SHARD_PORTS],
            ca_certificate=self.ca_certificate,
        )


def _pem_bundle(cas: Sequence[gcp.redis.outputs.ClusterManagedServerCa] | None) -> str:
    """Every certificate of every managed server CA, one PEM bundle."""
    return "\n".join(
        certificate.strip()
        for ca in cas or []
        for chain in ca.ca_certs or []
        for certificate in chain.certificates or []
    )
