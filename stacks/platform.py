"""What every cloud's stack wiring returns, and how it becomes stack outputs.

Each cloud module (``stacks/<cloud>.py``) has ``build(config) -> PlatformContracts``: it
declares its resources and returns the contracts it implemented. ``export_outputs`` turns contracts into stack outputs,
secrets staying secret.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.contracts import (
    ClusterContract,
    KafkaContract,
    NetworkContract,
    PostgresContract,
    RedisContract,
)
from infra.config.models import PlatformConfig


@dataclass(frozen=True)
class PlatformContracts:
    """The capabilities a cloud stack provides; ``None`` where not built yet."""

    network: NetworkContract
    cluster: ClusterContract | None = None
    postgres: PostgresContract | None = None
    kafka: KafkaContract | None = None
    redis: RedisContract | None = None


def export_outputs(config: PlatformConfig, contracts: PlatformContracts) -> None:
    """Stack outputs: endpoints in the clear, credentials only as secrets."""
    pulumi.export("cloud", config.cloud)
    pulumi.export("environment", config.environment)
    pulumi.export("region", config.region)
    network = contracts.network
    pulumi.export("networkId", network.id)
    pulumi.export("networkCidr", network.cidr)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
    pulumi.export("zones", network.zones)
    if contracts.cluster:
        pulumi.export("clusterName", contracts.cluster.name)
        pulumi.export("kubeconfig", pulumi.Output.secret(contracts.cluster.kubeconfig))
    if contracts.postgres:
        pg = contracts.postgres
        pulumi.export("postgresHost", pg.host)
        pulumi.export("postgresPort", pg.port)
        pulumi.export("postgresDatabase", pg.database)
        pulumi.export("postgresPassword", pulumi.Output.secret(pg.password))
    if contracts.kafka:
        pulumi.export("kafkaBootstrapServers", contracts.kafka.bootstrap_servers)
    if contracts.redis:
        pulumi.export("redisHost", contracts.redis.host)
        pulumi.export("redisPort", contracts.redis.port)
        if contracts.redis.auth_token is not None:
            pulumi.export("redisAuthToken", pulumi.Output.secret(contracts.redis.auth_token))
