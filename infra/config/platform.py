"""The stack config's fields and derived properties (``PlatformFields``), without the checks.

``models.PlatformConfig`` adds the cross-checks, which call the rule modules (``cloud_rules``,
``floors``, ``dns``). The rule modules, ``common`` and ``infra.naming`` type against this base
instead, so no config module imports ``models`` back (tests/test_layering.py requires zero import
circles).
"""

from __future__ import annotations

from pydantic import Field

from infra.config.base import StrictModel
from infra.config.common import Cloud, Environment, Name
from infra.config.data_services import KafkaConfig, PostgresConfig, RedisConfig
from infra.config.delivery import ArgoCdConfig, Delivery
from infra.config.dns import DnsConfig
from infra.config.network import ClusterConfig, NetworkConfig
from infra.config.operations import AlarmsConfig, DisasterRecoveryConfig
from infra.config.profiles import EnvironmentTraits, traits
from infra.config.workloads import AddonsConfig, AppConfig, ImagesConfig
from infra.config.zones import pinned_zones


class PlatformFields(StrictModel):
    """The whole stack configuration's fields and properties; ``PlatformConfig`` validates it."""

    cloud: Cloud = Field(description="which cloud the stack runs on (platform:cloud)")
    environment: Environment = Field(
        description="dev, staging or prod (platform:environment): picks the profile and floors"
    )
    stack: str = Field(description="Pulumi stack name (prefix of resource names)")
    region: str = Field(min_length=1, description="aws:region / gcp:region / azure-native:location")
    project: str | None = Field(default=None, description="GCP project id (gcp:project)")
    example: bool = Field(
        default=False,
        description="a sample stack (documentation ranges, example.com, sample principals and "
        "images): plans offline, refused by pulumi preview/up; python -m infra init never writes it",
    )
    kube_context: str | None = Field(
        default=None,
        description="local: kubeconfig context to deploy onto (kubernetes:context; default: current)",
    )
    network: NetworkConfig = Field(description="platform:network")
    cluster: ClusterConfig = Field(description="platform:cluster")
    postgres: PostgresConfig = Field(description="platform:postgres")
    kafka: KafkaConfig = Field(description="platform:kafka")
    redis: RedisConfig = Field(description="platform:redis")
    addons: AddonsConfig = Field(description="platform:addons")
    dns: DnsConfig = Field(default_factory=DnsConfig, description="platform:dns")
    alarms: AlarmsConfig = Field(description="platform:alarms")
    disaster_recovery: DisasterRecoveryConfig = Field(description="platform:disasterRecovery")
    images: ImagesConfig = Field(description="platform:images")
    apps: dict[Name, AppConfig] = Field(description="platform:apps, by app name")
    delivery: Delivery = Field(
        default="pulumi",
        description="who applies the apps' workloads (platform:delivery): pulumi, or argocd "
        "from the manifests rendered into the repository (docs/delivery.md)",
    )
    argocd: ArgoCdConfig = Field(
        default_factory=ArgoCdConfig, description="platform:argocd (with delivery argocd)"
    )

    @property
    def traits(self) -> EnvironmentTraits:
        """The environment's fixed traits (final snapshot, zonal vs regional, ...): the wiring
        reads these instead of comparing environment names."""
        return traits(self.environment)

    @property
    def protect(self) -> bool:
        """Stateful resources get ``protect=True`` (and deletion protection) in prod."""
        return self.traits.protect

    @property
    def pinned_zones(self) -> list[str]:
        """The zones, chosen once: AWS zone ids, GCP zone names, Azure "1".."N"."""
        network = self.network
        return pinned_zones(self.cloud, self.region, network.zones, network.availability_zones)

    @property
    def name_prefix(self) -> str:
        """Prefix for child resource names, unique per stack."""
        return f"platform-{self.stack}"
