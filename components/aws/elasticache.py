"""AWS ElastiCache for Redis (cluster mode): the Redis contract on AWS.

Creates a subnet group over the private subnets, a security group admitting 6379 only from the
cluster's nodes, a cluster-mode parameter group, a customer-managed KMS key, a pulumi-random
AUTH token (secret), slow and engine log groups, and a replication group with TLS required,
encryption at rest, automatic failover (required in cluster mode), Multi-AZ wherever there are
replicas, snapshots and
a maintenance window. Prod runs 3 shards with 1 replica each; dev 1 shard without replicas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.shared import (
    AccountScope,
    PortRange,
    PrivatePlacement,
    key_policy,
    kms_key,
    log_group,
)
from components.contracts import RedisContract
from components.specs import RedisSpec
from infra.naming import child

PORT = 6379
SNAPSHOT_WINDOW = "03:00-04:00"
MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"
LOG_TYPES = ("slow-log", "engine-log")


@dataclass(frozen=True, kw_only=True)
class AwsRedisArgs:
    """Inputs of ``AwsRedis``: the cloud-neutral spec placed in the VPC."""

    #: what to build (version, node type, shards, replicas, snapshots; see components/specs.py)
    spec: RedisSpec
    #: private subnets and the cluster security group admitted on 6379
    placement: PrivatePlacement
    #: account/region the key policies name
    scope: AccountScope
    #: AWS tags on every resource
    tags: dict[str, str]


def parameter_family(engine_version: str) -> str:
    """ElastiCache parameter group family for a Redis version (7.x -> redis7)."""
    return f"redis{engine_version.split('.')[0]}"


class AwsRedis(pulumi.ComponentResource):
    """A private, encrypted, authenticated ElastiCache replication group in cluster mode."""

    host: pulumi.Output[str]
    """The configuration endpoint (cluster mode clients discover shards from it)."""
    port: pulumi.Output[int]
    """TCP port."""
    auth_token: pulumi.Output[str]
    """AUTH token (secret)."""

    def __init__(
        self, name: str, args: AwsRedisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:Redis", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        token = random.RandomPassword(
            child(name, "auth"),
            length=64,
            # AUTH tokens allow printable ASCII except '@', '"' and '/'.
            special=True,
            override_special="!&#$^<>-",
            opts=self._opts,
        )
        self.auth_token = pulumi.Output.secret(token.result)
        group = self._build_replication_group(token)
        self._ready: list[pulumi.Resource] = [group]
        self.group_id = group.id
        self.host = group.configuration_endpoint_address
        self.port = group.port.apply(lambda port: port or PORT)
        self.register_outputs({"host": self.host, "port": self.port, "authToken": self.auth_token})

    def contract(self) -> RedisContract:
        """The cloud-neutral view of this cache."""
        return RedisContract(
            ready=self._ready, host=self.host, port=self.port, tls=True, auth_token=self.auth_token
        )

    def _log_delivery(
        self, key: aws.kms.Key
    ) -> list[aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs]:
        """One group per log type, encrypted with the cache's key (so created after it)."""
        deliveries = []
        for log_type in LOG_TYPES:
            group = log_group(
                child(self._name, log_type),
                key,
                self._args.spec.log_retention_days,
                self._args.tags,
                self,
            )
            deliveries.append(
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
            )
        return deliveries

    def _build_replication_group(
        self, token: random.RandomPassword
    ) -> aws.elasticache.ReplicationGroup:
        args = self._args
        has_replicas = args.spec.replicas_per_shard > 0
        # Auto-named log groups are "<logical name>-<random suffix>".
        key = kms_key(
            child(self._name, "data"),
            f"{self._name} data at rest and slow/engine logs",
            args.tags,
            self,
            args.spec.protect,
            key_policy(
                args.scope,
                log_groups=tuple(f"{child(self._name, t)}-*" for t in LOG_TYPES),
            ),
        )
        subnet_group = aws.elasticache.SubnetGroup(
            self._name,
            description=f"{self._name} private subnets",
            subnet_ids=args.placement.subnet_ids,
            tags=args.tags,
            opts=self._opts,
        )
        security_group = args.placement.security_group(
            child(self._name, "cache"),
            "Redis from the cluster nodes only",
            [PortRange(PORT, PORT, "Redis TLS from the cluster nodes")],
            args.tags,
            self,
        )
        parameter_group = aws.elasticache.ParameterGroup(
            self._name,
            family=parameter_family(args.spec.version),
            description=f"{self._name}: cluster mode",
            parameters=[
                aws.elasticache.ParameterGroupParameterArgs(name="cluster-enabled", value="yes"),
                aws.elasticache.ParameterGroupParameterArgs(
                    name="slowlog-log-slower-than", value="10000"
                ),
            ],
            tags=args.tags,
            opts=self._opts,
        )
        return aws.elasticache.ReplicationGroup(
            self._name,
            description=f"{self._name} (cluster mode, {args.spec.shards}x{args.spec.replicas_per_shard})",
            engine="redis",
            engine_version=args.spec.version,
            node_type=args.spec.node_size,
            port=PORT,
            cluster_mode="enabled",
            num_node_groups=args.spec.shards,
            replicas_per_node_group=args.spec.replicas_per_shard,
            # ElastiCache refuses a cluster-mode group without automatic failover, even with
            # no replicas; Multi-AZ needs a replica to fail over to.
            automatic_failover_enabled=True,
            multi_az_enabled=has_replicas,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            kms_key_id=key.arn,
            auth_token=token.result,
            auth_token_update_strategy="ROTATE",
            parameter_group_name=parameter_group.name,
            subnet_group_name=subnet_group.name,
            security_group_ids=[security_group.id],
            snapshot_retention_limit=args.spec.snapshot_retention_days,
            snapshot_window=SNAPSHOT_WINDOW,
            maintenance_window=MAINTENANCE_WINDOW,
            auto_minor_version_upgrade=True,
            log_delivery_configurations=self._log_delivery(key),
            apply_immediately=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect),
        )
