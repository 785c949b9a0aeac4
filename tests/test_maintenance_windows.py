"""Backup and maintenance windows and backup retention, as exact values, on every shipped stack.

Retention comes from config (the profile plus the stack file): each assertion reads the
stack's resolved config, never the implementation. Windows are not config: the schedule below
is the platform's documented one (docs/aws.md "windows", docs/gcp.md "maintenance" and
"backups", docs/azure.md "upgrades"), stated here independently of the components' constants,
plus the rules that make it a schedule at all: each window long enough for its service, and a
store's backup never overlapping its own maintenance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.config import build_platform_config
from infra.config.models import PlatformConfig
from infra.plan.cli import Outcome
from infra.plan.stackfile import read_stack_file
from tests.conftest import ROOT, one, plan_of

AWS = ["dev", "staging", "prod"]
GCP = ["dev-gcp", "staging-gcp", "prod-gcp"]
AZURE = ["dev-azure", "staging-azure", "prod-azure"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEK = 7 * 24 * 60


def config_of(stack: str) -> PlatformConfig:
    """The stack's resolved config, as the program builds it from its stack file."""
    path = ROOT / f"Pulumi.{stack}.yaml"
    return build_platform_config(read_stack_file(path, ROOT).config, stack, Path(path).name)


def _minute(day: int, clock: str) -> int:
    hours, minutes = clock.split(":")
    return day * 24 * 60 + int(hours) * 60 + int(minutes)


def weekly_minutes(window: str) -> set[int]:
    """Minutes of the week an AWS window covers: ``hh:mm-hh:mm`` (daily, UTC) or
    ``ddd:hh:mm-ddd:hh:mm`` (weekly)."""
    start, end = window.split("-")
    if start.count(":") == 2:
        first = _minute(DAYS.index(start[:3]), start[4:])
        last = _minute(DAYS.index(end[:3]), end[4:])
        length = (last - first) % WEEK
        return {(first + m) % WEEK for m in range(length)}
    covered: set[int] = set()
    for day in range(7):
        first = _minute(day, start)
        length = (_minute(day, end) - first) % (24 * 60)
        covered |= {(first + m) % WEEK for m in range(length)}
    return covered


def test_the_window_parser() -> None:
    assert len(weekly_minutes("02:00-03:00")) == 7 * 60
    assert len(weekly_minutes("23:30-00:30")) == 7 * 60  # across midnight
    assert len(weekly_minutes("sun:23:00-mon:01:00")) == 120  # across the week's end
    assert weekly_minutes("sun:03:30-sun:04:30") & weekly_minutes("04:00-05:00")
    assert not weekly_minutes("sun:03:30-sun:04:30") & weekly_minutes("02:00-03:00")


# --- AWS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", AWS)
def test_rds_backups_and_maintenance(shipped_plans: dict[str, Outcome], stack: str) -> None:
    db = one(plan_of(shipped_plans, stack), "aws:rds/instance:Instance")["inputs"]
    assert db["backupRetentionPeriod"] == config_of(stack).postgres.backup_retention_days
    assert (db["backupWindow"], db["maintenanceWindow"]) == ("02:00-03:00", "sun:03:30-sun:04:30")
    backup, maintenance = (
        weekly_minutes(db["backupWindow"]),
        weekly_minutes(db["maintenanceWindow"]),
    )
    # RDS: each window at least 30 minutes, and the backup window must not overlap the
    # maintenance window (CreateDBInstance PreferredBackupWindow / PreferredMaintenanceWindow).
    assert len(backup) >= 7 * 30 and len(maintenance) >= 30
    assert not backup & maintenance


@pytest.mark.parametrize("stack", AWS)
def test_elasticache_snapshots_and_maintenance(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    inputs = one(
        plan_of(shipped_plans, stack), "aws:elasticache/replicationGroup:ReplicationGroup"
    )["inputs"]
    assert inputs["snapshotRetentionLimit"] == config_of(stack).redis.snapshot_retention_days
    assert (inputs["snapshotWindow"], inputs["maintenanceWindow"]) == (
        "03:00-04:00",
        "sun:05:00-sun:06:00",
    )
    snapshot = weekly_minutes(inputs["snapshotWindow"])
    maintenance = weekly_minutes(inputs["maintenanceWindow"])
    # ElastiCache: the maintenance window is at least 60 minutes (CreateReplicationGroup
    # PreferredMaintenanceWindow); snapshots and maintenance are kept apart.
    assert len(maintenance) >= 60 and len(snapshot) >= 7 * 60
    assert not snapshot & maintenance


# --- GCP ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", GCP)
def test_cloud_sql_backups_and_maintenance(shipped_plans: dict[str, Outcome], stack: str) -> None:
    config = config_of(stack)
    settings = one(
        plan_of(shipped_plans, stack), "gcp:sql/databaseInstance:DatabaseInstance", "-postgres"
    )["inputs"]["settings"]
    backup = settings["backupConfiguration"]
    assert backup["enabled"] is True and backup["pointInTimeRecoveryEnabled"] is True
    assert backup["startTime"] == "02:00"
    assert backup["backupRetentionSettings"] == {
        "retainedBackups": config.postgres.backup_retention_days,
        "retentionUnit": "COUNT",
    }
    # Cloud SQL keeps at most 7 days of transaction logs
    assert backup["transactionLogRetentionDays"] == min(config.postgres.backup_retention_days, 7)
    # day 7 = Sunday (Cloud SQL counts Monday as 1), 03:00 UTC: after the 02:00 backup
    assert settings["maintenanceWindow"] == {"day": 7, "hour": 3, "updateTrack": "stable"}


@pytest.mark.parametrize("stack", GCP)
def test_memorystore_and_gke_maintenance(shipped_plans: dict[str, Outcome], stack: str) -> None:
    plan = plan_of(shipped_plans, stack)
    redis = one(plan, "gcp:redis/cluster:Cluster")["inputs"]
    assert redis["maintenancePolicy"] == {
        "weeklyMaintenanceWindows": [{"day": "SUNDAY", "startTime": {"hours": 5, "minutes": 0}}]
    }
    gke = one(plan, "gcp:container/cluster:Cluster")["inputs"]
    # weekends 02:00-08:00 UTC (docs/gcp.md); 2025-01-04 is a Saturday
    assert gke["maintenancePolicy"] == {
        "recurringWindow": {
            "startTime": "2025-01-04T02:00:00Z",
            "endTime": "2025-01-04T08:00:00Z",
            "recurrence": "FREQ=WEEKLY;BYDAY=SA,SU",
        }
    }


# --- Azure -------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", AZURE)
def test_flexible_server_backups_and_maintenance(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    config = config_of(stack)
    inputs = one(plan_of(shipped_plans, stack), "azure-native:dbforpostgresql:Server")["inputs"]
    assert inputs["backup"]["backupRetentionDays"] == config.postgres.backup_retention_days
    # dayOfWeek 0 = Sunday (Flexible Server), 03:00 UTC
    assert inputs["maintenanceWindow"] == {
        "customWindow": "Enabled",
        "dayOfWeek": 0,
        "startHour": 3,
        "startMinute": 0,
    }


@pytest.mark.parametrize("stack", AZURE)
def test_redis_and_aks_upgrade_windows(shipped_plans: dict[str, Outcome], stack: str) -> None:
    plan = plan_of(shipped_plans, stack)
    # Azure Managed Redis schedules its own maintenance (REST API 2025-07-01 has no window to
    # set): no Azure Cache for Redis patch schedule is left behind
    assert not [r for r in plan["resources"] if r["type"].startswith("azure-native:redis:")]
    schedules: dict[str, Any] = {
        r["inputs"]["configName"]: r["inputs"]["maintenanceWindow"]
        for r in plan["resources"]
        if r["type"] == "azure-native:containerservice:MaintenanceConfiguration"
    }
    sunday = {
        "durationHours": 6,
        "schedule": {"weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}},
        "startTime": "02:00",
        "utcOffset": "+00:00",
    }
    assert schedules == {
        "aksManagedAutoUpgradeSchedule": sunday,
        "aksManagedNodeOSUpgradeSchedule": sunday,
    }
