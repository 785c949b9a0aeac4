"""AWS operations in the shipped plans: explicit KMS key policies, customer-managed keys on every
CloudWatch log group, cross-region RDS backup copies and CloudWatch alarms (docs/aws.md)."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from infra.plan.cli import Outcome
from tests.conftest import plan_of, resources_of

AWS_STACKS = ("dev", "staging", "prod")
ACCOUNT_ROOT = "arn:aws:iam::123456789012:root"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def by_urn(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in plan["resources"]}


def statements(key: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(key["inputs"]["policy"])["Statement"]


def log_group_name(group: dict[str, Any]) -> str:
    """The group's name as AWS will see it: explicit, or Pulumi's "<logical>-<7 random>"."""
    return group["inputs"].get("name") or f"{group['name']}-a1b2c3d"


# --- CKV2_AWS_64: explicit key policies ----------------------------------------------------


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_every_key_has_a_policy_for_the_account_root_and_only_needed_services(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    keys = resources_of(plan, KEY)
    assert keys
    for key in keys:
        found = statements(key)
        assert found[0]["Principal"] == {"AWS": ACCOUNT_ROOT}, key["name"]
        services = {
            s["Principal"]["Service"] for s in found[1:] if "Service" in s.get("Principal", {})
        }
        assert services <= {"logs.eu-west-1.amazonaws.com", "cloudwatch.amazonaws.com"}, (
            key["name"],
            services,
        )
        for statement in found[1:]:
            # no service statement without a condition scoping it to this stack's resources
            assert statement.get("Condition"), (key["name"], statement)


# --- CKV_AWS_158: every log group encrypted with a key whose policy names it ---------------


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_every_log_group_waits_for_a_key_whose_policy_admits_it(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    urns = by_urn(plan)
    groups = resources_of(plan, LOG_GROUP)
    assert len(groups) >= 7
    for group in groups:
        assert group["inputs"]["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:"), group["name"]
        keys = [urns[d] for d in group["dependencies"] if urns[d]["type"] == KEY]
        assert len(keys) == 1, group["name"]
        logs = [
            s for s in statements(keys[0]) if s["Principal"].get("Service", "").startswith("logs.")
        ]
        assert len(logs) == 1, keys[0]["name"]
        patterns = logs[0]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
        arn = f"arn:aws:logs:eu-west-1:123456789012:log-group:{log_group_name(group)}"
        assert any(fnmatchcase(arn, p) for p in patterns), (arn, patterns)


def test_redis_log_groups_are_created_after_the_cache_key(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod")
    for group in resources_of(plan, LOG_GROUP):
        if "-redis-" in group["name"]:
            assert any(d.endswith("::platform-prod-redis-data") for d in group["dependencies"])
