"""What every cloud's stack wiring returns, and how it becomes stack outputs.

Each cloud module (``stacks/<cloud>.py``) has ``build(config) -> PlatformContracts``: it
declares its resources and returns every contract: all five are required, so a cloud that
forgets one fails at once (``TypeError`` / ``MissingContractError``) instead of silently
skipping the Kubernetes layer. ``export_outputs`` turns contracts into stack outputs, secrets
staying secret; the ``export_*`` functions beside it export what only some stacks have (the
image registry, the Gateway's DNS records, Azure's Postgres restart command). Every stack
output is exported here and nowhere else in ``stacks/`` (tests/test_layering.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

import pulumi

from components.contracts import (
    ClusterContract,
    KafkaContract,
    NetworkContract,
    PostgresContract,
    RedisContract,
)
from infra.config.models import PlatformConfig

_C_co = TypeVar("_C_co", covariant=True)


class _Provides(Protocol[_C_co]):
    """A component that hands out a contract (every data-service component does)."""

    def contract(self) -> _C_co: ...


class MissingContractError(TypeError):
    """A cloud's ``build`` returned ``None`` for a contract the platform needs."""


@dataclass(frozen=True)
class PlatformContracts:
    """The capabilities a cloud stack provides: every one is required (no ``None``)."""

    network: NetworkContract
    cluster: ClusterContract
    postgres: PostgresContract
    kafka: KafkaContract
    redis: RedisContract

    @classmethod
    def of(
        cls,
        network: NetworkContract,
        cluster: ClusterContract,
        data: tuple[
            _Provides[PostgresContract], _Provides[KafkaContract], _Provides[RedisContract]
        ],
    ) -> PlatformContracts:
        """The contracts of a cloud's network, cluster and (postgres, kafka, redis) components."""
        postgres, kafka, redis = data
        return cls(network, cluster, postgres.contract(), kafka.contract(), redis.contract())

    def __post_init__(self) -> None:
        # the type hints say "required"; this makes it true for callers that pass None anyway
        missing = [name for name, value in vars(self).items() if value is None]
        if missing:
            raise MissingContractError(
                f"PlatformContracts: missing {', '.join(missing)}; every cloud must build the "
                "network, cluster, postgres, kafka and redis contracts"
            )


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
    pulumi.export("clusterName", contracts.cluster.name)
    pulumi.export("kubeconfig", pulumi.Output.secret(contracts.cluster.kubeconfig))
    _export_access(config, contracts)
    pg = contracts.postgres
    pulumi.export("postgresHost", pg.host)
    pulumi.export("postgresPort", pg.port)
    pulumi.export("postgresDatabase", pg.database)
    pulumi.export("postgresPassword", pulumi.Output.secret(pg.password))
    pulumi.export("kafkaBootstrapServers", contracts.kafka.bootstrap_servers)
    pulumi.export("redisHost", contracts.redis.host)
    pulumi.export("redisPort", contracts.redis.port)
    if contracts.redis.auth_token is not None:
        pulumi.export("redisAuthToken", pulumi.Output.secret(contracts.redis.auth_token))


def _api_server(kubeconfig: str) -> str:
    """The API server URL of a kubeconfig (JSON or YAML)."""
    import yaml

    document = yaml.safe_load(kubeconfig) or {}
    clusters = document.get("clusters") or [{}]
    return str((clusters[0].get("cluster") or {}).get("server", ""))


def _export_access(config: PlatformConfig, contracts: PlatformContracts) -> None:
    """What a user needs after ``pulumi up``: the API endpoint, how to get a kubeconfig and the
    apps' URLs (where DNS must point: ``gatewayAddressCommand`` and ``dnsRecords``, exported
    with the Gateway; docs: "Your first deploy")."""
    stack = config.stack
    pulumi.export(
        "apiEndpoint",
        pulumi.Output.unsecret(
            pulumi.Output.from_input(contracts.cluster.kubeconfig).apply(_api_server)
        ),
    )
    pulumi.export(
        "kubeconfigCommand",
        f"pulumi stack output kubeconfig --show-secrets -s {stack} > kubeconfig-{stack} "
        f"&& export KUBECONFIG=$PWD/kubeconfig-{stack}",
    )
    pulumi.export(
        "appUrls", {name: f"https://{app.host}" for name, app in config.apps.items() if app.host}
    )


def export_image_registry(url: pulumi.Input[str]) -> None:
    """``imageRegistry``: where CI pushes the apps' images (ECR, Artifact Registry, ACR)."""
    pulumi.export("imageRegistry", url)


def export_postgres_restart(command: pulumi.Input[str]) -> None:
    """``postgresRestartCommand``: the command that applies a managed Postgres' pending static
    parameters (Azure Flexible Server)."""
    pulumi.export("postgresRestartCommand", command)


def export_gateway_dns(
    address_command: str,
    *,
    zone: pulumi.Input[str] | None = None,
    address: pulumi.Input[str] | None = None,
    records: pulumi.Input[list[str]] | None = None,
) -> None:
    """Where DNS must point (docs: "Your first deploy"): ``gatewayAddressCommand`` always;
    ``dnsZone`` where external-dns keeps the records, else the load balancer's
    ``gatewayAddress`` and the ``dnsRecords`` to create by hand (none on a laptop)."""
    pulumi.export("gatewayAddressCommand", address_command)
    if zone is not None:
        pulumi.export("dnsZone", zone)
    if address is not None:
        pulumi.export("gatewayAddress", address)
    if records is not None:
        pulumi.export("dnsRecords", records)


def export_data_services(services: dict[str, object]) -> None:
    """The registered extra data services' outputs (``infra.registry``), when there are any."""
    if services:
        pulumi.export("dataServices", services)
