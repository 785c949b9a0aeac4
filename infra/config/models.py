"""The whole stack config (``PlatformConfig``) and the section models behind each key.

The models are the single source of truth for what a stack file may say. They are strict:
unknown keys are rejected, types are not coerced silently, and every mistake is reported before
a single resource is declared. The pieces live in their own modules:

- section models: ``network`` (network, cluster), ``data_services`` (postgres, kafka, redis),
  ``workloads`` (addons, apps), ``operations`` (alarms, disaster recovery), ``dns`` (dns);
- ``cloud_rules``: what each cloud accepts (instance families, versions, extensions, Azure sizes);
- ``floors``: the prod floors and prod's other must-haves;
- ``profiles``: the per-environment defaults merged under a stack's overrides.
- ``platform``: ``PlatformFields``, the whole config's fields and properties; ``PlatformConfig``
  below adds the cross-checks that call the rule modules (which type against ``PlatformFields``).

Keys are camelCase in YAML (as Pulumi's own config keys are); Python code uses snake_case. The
names below are re-exported so ``from infra.config.models import X`` keeps working.
"""

from __future__ import annotations

from pydantic import model_validator

from infra.config.base import StrictModel
from infra.config.cloud_rules import (
    AZURE_BACKUP_RETENTION_DAYS,
    AZURE_POSTGRES_STORAGE_GB,
    SUPPORTED_KUBERNETES_VERSIONS,
    UNSUPPORTED_EXTENSIONS,
    cloud_rule_problems,
)
from infra.config.common import Cloud, Environment
from infra.config.data_services import KafkaConfig, KafkaTopic, PostgresConfig, RedisConfig
from infra.config.delivery import ArgoCdConfig
from infra.config.dns import DnsConfig, dns_problems
from infra.config.floors import PROD_FLOORS, ProdFloor, prod_problems
from infra.config.network import CLOUDWATCH_RETENTION_DAYS, ClusterConfig, NetworkConfig
from infra.config.operations import AlarmsConfig, DisasterRecoveryConfig
from infra.config.platform import PlatformFields
from infra.config.workloads import AddonsConfig, AlertReceiver, AppConfig, ImagesConfig, Resources

__all__ = [
    "AZURE_BACKUP_RETENTION_DAYS",
    "AZURE_POSTGRES_STORAGE_GB",
    "CLOUDWATCH_RETENTION_DAYS",
    "PROD_FLOORS",
    "SECTION_MODELS",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "UNSUPPORTED_EXTENSIONS",
    "AddonsConfig",
    "AlarmsConfig",
    "AlertReceiver",
    "AppConfig",
    "ArgoCdConfig",
    "Cloud",
    "ClusterConfig",
    "DisasterRecoveryConfig",
    "DnsConfig",
    "Environment",
    "ImagesConfig",
    "KafkaConfig",
    "KafkaTopic",
    "NetworkConfig",
    "PlatformConfig",
    "PostgresConfig",
    "ProdFloor",
    "RedisConfig",
    "Resources",
]


class PlatformConfig(PlatformFields):
    """The whole stack configuration, profile defaults merged with the stack's overrides."""

    @model_validator(mode="after")
    def _cross_checks(self) -> PlatformConfig:
        problems = cloud_rule_problems(self) + prod_problems(self)
        heard = self.alarms.notification_emails or self.environment == "prod"  # prod: floors
        if self.alarms.enabled and not heard:
            problems.append(
                f"alarms.notificationEmails: alarms are on ({self.environment}) but reach nobody; "
                "list the addresses that read them, or set alarms.enabled: false"
            )
        if self.cluster.public_endpoint and not self.cluster.authorized_networks:
            problems.append(
                "cluster.authorizedNetworks: required when cluster.publicEndpoint is true "
                "(list the CIDRs allowed to reach the API; the endpoint is never open to 0.0.0.0/0)"
            )
        if (
            self.addons.cert_manager
            and self.cloud != "local"
            and not self.addons.cert_manager_email
        ):
            problems.append(
                "addons.certManagerEmail: required when addons.certManager is on (the ACME "
                "account e-mail Let's Encrypt registers and sends expiry notices to)"
            )
        problems += _app_collision_problems(self)
        if self.delivery == "argocd" and self.argocd.repo_url is None:
            problems.append(
                "argocd.repoUrl: required when platform:delivery is argocd (the repository "
                "Argo CD reads the rendered apps from)"
            )
        problems += dns_problems(
            self.cloud,
            self.dns,
            {name: app.host for name, app in self.apps.items() if app.host},
            self.addons.gateway,
        )
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _app_collision_problems(config: PlatformConfig) -> list[str]:
    problems = []
    hosts: dict[str, str] = {}
    for name, app in config.apps.items():
        for callee in app.calls:
            target = config.apps.get(callee)
            if target is None or target.port is None or callee == name:
                problems.append(
                    f"apps.{name}.calls: {callee!r} is not another app with a port; "
                    f"allowed: {', '.join(n for n, a in config.apps.items() if a.port and n != name)}"
                )
        if app.host and app.host in hosts:
            problems.append(
                f"apps.{name}.host: {app.host} is already routed to apps.{hosts[app.host]}"
            )
        elif app.host:
            hosts[app.host] = name
    return problems


SECTION_MODELS: dict[str, type[StrictModel]] = {
    "network": NetworkConfig,
    "cluster": ClusterConfig,
    "postgres": PostgresConfig,
    "kafka": KafkaConfig,
    "redis": RedisConfig,
    "addons": AddonsConfig,
    "dns": DnsConfig,
    "alarms": AlarmsConfig,
    "disasterRecovery": DisasterRecoveryConfig,
    "images": ImagesConfig,
    "argocd": ArgoCdConfig,
}
