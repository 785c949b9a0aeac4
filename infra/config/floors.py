"""prod floors: the minimums a prod stack may not go below, and prod's other must-haves.

Values below these are config errors (exit 2 before a plan), not policy violations, because a
policy would only catch them after a plan. ``PROD_FLOORS`` is a table so that docs/config.md and
the tests are generated from it: every floor has a test case that goes just below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from infra.config.common import config_value

if TYPE_CHECKING:
    from infra.config.platform import PlatformFields


class ProdFloor(BaseModel):
    """A minimum that prod may not go below, with the reason shown to the user.

    An ``int`` minimum is a lower bound; a ``bool`` one is the only value prod accepts.
    """

    path: str = Field(description="section.camelKey the floor applies to")
    minimum: int | bool = Field(description="lowest int allowed, or the one bool allowed")
    reason: str = Field(description="why prod needs it (shown in the error)")
    when: tuple[str, str] | None = Field(
        default=None, description="(section.camelKey, value): the floor applies only then"
    )


# prod is "safe": values below these are config errors, not policy violations, because they
# would be caught only after a plan otherwise.
PROD_FLOORS: tuple[ProdFloor, ...] = (
    ProdFloor(path="network.zones", minimum=3, reason="prod spans three zones"),
    ProdFloor(path="postgres.backupRetentionDays", minimum=14, reason="PITR window"),
    ProdFloor(path="postgres.highAvailability", minimum=True, reason="zone failure"),
    ProdFloor(path="postgres.deletionProtection", minimum=True, reason="no data loss"),
    ProdFloor(
        path="postgres.instances",
        minimum=3,
        reason="one instance per zone",
        when=("postgres.engine", "cloudnative-pg"),
    ),
    ProdFloor(
        path="postgres.synchronousReplicas",
        minimum=1,
        reason="no acked-write loss",
        when=("postgres.engine", "cloudnative-pg"),
    ),
    ProdFloor(
        path="postgres.backups",
        minimum=True,
        reason="PITR from object storage",
        when=("postgres.engine", "cloudnative-pg"),
    ),
    ProdFloor(path="kafka.brokers", minimum=3, reason="replication factor 3"),
    ProdFloor(path="kafka.replicationFactor", minimum=3, reason="durability"),
    ProdFloor(path="kafka.minInsyncReplicas", minimum=2, reason="durability"),
    ProdFloor(path="redis.shards", minimum=3, reason="cluster mode 3 shards"),
    ProdFloor(path="redis.replicasPerShard", minimum=1, reason="failover"),
    ProdFloor(path="cluster.nodeMin", minimum=3, reason="one node per zone"),
    ProdFloor(path="cluster.publicEndpoint", minimum=False, reason="private API endpoint"),
)
# Apps that serve traffic keep one pod per zone in prod (a DaemonSet already runs on every node).
APP_MIN_REPLICAS_FLOOR = 3


def prod_floor_problems(config: PlatformFields) -> list[str]:
    if config.environment != "prod":
        return []
    problems = []
    for floor in PROD_FLOORS:
        if floor.when and config_value(config, floor.when[0]) != floor.when[1]:
            continue
        value = config_value(config, floor.path)
        if isinstance(floor.minimum, bool):
            if value is not floor.minimum:
                problems.append(
                    f"{floor.path}: must be {str(floor.minimum).lower()} in prod ({floor.reason})"
                )
        elif isinstance(value, int) and value < floor.minimum:
            problems.append(
                f"{floor.path}: {value} is below the prod floor {floor.minimum} ({floor.reason})"
            )
    return problems


def _operations_problems(config: PlatformFields) -> list[str]:
    """prod is heard and survives a region: alarms with a recipient, a distinct DR region."""
    if config.environment != "prod":
        return []
    problems = []
    if not config.alarms.enabled:
        problems.append("alarms.enabled: prod must declare its cloud alarms")
    if not config.alarms.notification_emails:
        problems.append(
            "alarms.notificationEmails: prod needs at least one address; alarms would reach nobody"
        )
    region = config.disaster_recovery.region
    if not region:
        problems.append(
            "disasterRecovery.region: prod needs a DR region for cross-region backup copies"
        )
    elif region == config.region:
        problems.append(
            f"disasterRecovery.region: {region} is the stack's own region; pick another one"
        )
    return problems


def prod_problems(config: PlatformFields) -> list[str]:
    """Everything prod needs beyond the numeric floors: private API, alert receivers, HA apps."""
    if config.environment != "prod":
        return []
    problems = prod_floor_problems(config) + _operations_problems(config)
    if config.addons.kube_prometheus_stack and not config.addons.alert_receivers:
        problems.append(
            "addons.alertReceivers: prod needs at least one receiver (kind slack or webhook, "
            "url set with pulumi config set --secret --path); alerts would reach nobody"
        )
    postgres = config.postgres
    if postgres.engine == "cloudnative-pg" and postgres.instances > config.network.zones:
        problems.append(
            f"postgres.instances: {postgres.instances} exceeds network.zones "
            f"({config.network.zones}); prod requires one instance per zone (pod anti-affinity)"
        )
    for name, app in config.apps.items():
        if app.kind != "DaemonSet" and app.min_replicas < 3:
            problems.append(
                f"apps.{name}.minReplicas: {app.min_replicas} is below the prod floor 3"
            )
    return problems
