"""prod floors bite: every floor in the table rejects a value just below it, on every cloud,
and the safety a prod stack needs is asserted independently of the table (deleting or lowering
a floor fails here, not just the floor's own case).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.config import ConfigError, build_platform_config
from infra.config.floors import PROD_FLOORS, ProdFloor
from infra.config.profiles import deep_merge

CLOUD_KEYS = {
    "aws": {"aws:region": "eu-west-1"},
    "gcp": {"gcp:region": "europe-west1", "gcp:project": "analytics-prod"},
    "azure": {"azure-native:location": "westeurope"},
}
PROD_REQUIRED = {
    # prod names its deployer (each cloud ignores the other cloud's key)
    "cluster": {
        "deployerPrincipal": "arn:aws:iam::123456789012:role/ci/deployer",
        "deployerPrincipals": ["00000000-0000-0000-0000-000000000000"],
    },
    "addons": {
        "alertReceivers": [{"name": "oncall", "kind": "webhook", "url": "https://alerts.example"}]
    },
    "alarms": {"notificationEmails": ["oncall@example.com"]},
    "disasterRecovery": {"region": "elsewhere-1"},
}
# Lowering brokers alone would first trip "replicationFactor exceeds brokers" (a section
# error that stops the cross checks); keep the section valid so the floor itself is tested.
KEEP_SECTION_VALID: dict[str, dict[str, Any]] = {
    "kafka.brokers": {"kafka": {"replicationFactor": 2, "minInsyncReplicas": 1}},
}


def prod_problems(cloud: str, overrides: dict[str, Any]) -> list[str]:
    raw: dict[str, Any] = {
        "platform:example": "true",
        "platform:cloud": cloud,
        "platform:environment": "prod",
        **CLOUD_KEYS[cloud],
    }
    for key, value in deep_merge(PROD_REQUIRED, overrides).items():
        raw[f"platform:{key}"] = json.dumps(value)
    try:
        build_platform_config(raw, "prod", "Pulumi.prod.yaml")
    except ConfigError as error:
        return error.lines()
    return []


def just_below(floor: ProdFloor) -> dict[str, Any]:
    section, key = floor.path.split(".")
    # a bool floor is the only value prod accepts; an int floor's case is one below it
    value = (not floor.minimum) if isinstance(floor.minimum, bool) else floor.minimum - 1
    override = deep_merge(KEEP_SECTION_VALID.get(floor.path, {}), {section: {key: value}})
    if floor.when:  # a conditional floor is tested where it applies
        when_section, when_key = floor.when[0].split(".")
        override = deep_merge(override, {when_section: {when_key: floor.when[1]}})
    return override


@pytest.mark.parametrize("cloud", sorted(CLOUD_KEYS))
def test_the_prod_profile_sits_on_or_above_every_floor(cloud: str) -> None:
    assert prod_problems(cloud, {}) == []


@pytest.mark.parametrize("cloud", sorted(CLOUD_KEYS))
@pytest.mark.parametrize("floor", PROD_FLOORS, ids=[f.path for f in PROD_FLOORS])
def test_every_floor_rejects_a_value_just_below_it(floor: ProdFloor, cloud: str) -> None:
    lines = prod_problems(cloud, just_below(floor))
    prefix = f"Pulumi.prod.yaml: platform:{floor.path}: "
    assert any(line.startswith(prefix) and floor.reason in line for line in lines), (
        f"{floor.path} just below its floor was accepted on {cloud}: {lines}"
    )


# What prod must never accept, written out independently of PROD_FLOORS: removing a floor from
# the table, or lowering one, makes one of these pass validation and fails the test.
UNSAFE_PROD = [
    ("network.zones", {"network": {"zones": 2}}),
    ("postgres.backupRetentionDays", {"postgres": {"backupRetentionDays": 13}}),
    ("postgres.highAvailability", {"postgres": {"highAvailability": False}}),
    ("postgres.deletionProtection", {"postgres": {"deletionProtection": False}}),
    ("postgres.instances", {"postgres": {"engine": "cloudnative-pg", "instances": 2}}),
    ("postgres.synchronousReplicas", {"postgres": {"engine": "cloudnative-pg", "synchronousReplicas": 0}}),
    ("postgres.backups", {"postgres": {"engine": "cloudnative-pg", "backups": False}}),
    ("kafka.brokers", {"kafka": {"brokers": 2, "replicationFactor": 2, "minInsyncReplicas": 1}}),
    ("kafka.replicationFactor", {"kafka": {"replicationFactor": 2}}),
    ("kafka.minInsyncReplicas", {"kafka": {"minInsyncReplicas": 1}}),
    ("redis.shards", {"redis": {"shards": 2}}),
    ("redis.replicasPerShard", {"redis": {"replicasPerShard": 0}}),
    ("cluster.nodeMin", {"cluster": {"nodeMin": 2}}),
    ("cluster.publicEndpoint", {"cluster": {"publicEndpoint": True, "authorizedNetworks": ["203.0.113.0/24"]}}),
    ("apps.backend.minReplicas", {"apps": {"backend": {"minReplicas": 2, "replicas": 2}}}),
    ("alarms.enabled", {"alarms": {"enabled": False}}),
    ("alarms.notificationEmails", {"alarms": {"notificationEmails": []}}),
    ("disasterRecovery.region", {"disasterRecovery": {"region": None}}),
    ("addons.alertReceivers", {"addons": {"alertReceivers": []}}),
]  # fmt: skip


@pytest.mark.parametrize("cloud", sorted(CLOUD_KEYS))
@pytest.mark.parametrize(("path", "overrides"), UNSAFE_PROD, ids=[c[0] for c in UNSAFE_PROD])
def test_unsafe_prod_values_are_rejected_naming_the_key(
    path: str, overrides: dict[str, Any], cloud: str
) -> None:
    lines = prod_problems(cloud, overrides)
    assert any(line.startswith(f"Pulumi.prod.yaml: platform:{path}: ") for line in lines), (
        f"prod accepted an unsafe {path} on {cloud}: {lines}"
    )


# MSK spreads brokers evenly over the zones: keep zones and brokers in step in staging; staging's
# alarms (on in its profile) need a recipient in every environment, so going without one means
# turning them off
STAGING_EVEN_BROKERS: dict[str, dict[str, Any]] = {
    "network.zones": {"kafka": {"brokers": 2, "replicationFactor": 2}},
    "kafka.brokers": {"network": {"zones": 2}},
    "alarms.notificationEmails": {"alarms": {"enabled": False}},
}


@pytest.mark.parametrize(("path", "overrides"), UNSAFE_PROD, ids=[c[0] for c in UNSAFE_PROD])
def test_the_same_values_are_accepted_in_staging(path: str, overrides: dict[str, Any]) -> None:
    raw: dict[str, Any] = {
        "platform:example": "true",
        "platform:cloud": "aws",
        "platform:environment": "staging",
        "aws:region": "eu-west-1",
    }
    heard = {"alarms": {"notificationEmails": ["oncall@example.com"]}}
    staging = deep_merge(
        {"cluster": {"authorizedNetworks": ["203.0.113.0/24"]}, **heard}, overrides
    )
    staging = deep_merge(staging, STAGING_EVEN_BROKERS.get(path, {}))
    for key, value in staging.items():
        raw[f"platform:{key}"] = json.dumps(value)
    config = build_platform_config(raw, "staging", "Pulumi.staging.yaml")
    assert config.environment == "staging", path
