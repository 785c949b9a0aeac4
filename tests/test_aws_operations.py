"""AWS operations in the shipped plans: explicit KMS key policies, customer-managed keys on every
CloudWatch log group, cross-region RDS backup copies and CloudWatch alarms (docs/aws.md)."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from components.aws.alarms import rds_max_connections
from infra.plan.cli import Outcome
from tests.conftest import one, plan_of, resources_of

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


# --- disaster recovery: RDS automated backups in the DR region ------------------------------


def test_prod_replicates_rds_backups_to_the_dr_region_with_a_key_there(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod")
    urns = by_urn(plan)
    replication = resources_of(
        plan,
        "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
    )
    assert len(replication) == 1
    copy = replication[0]
    provider = urns[copy["provider"]]
    dr_region = provider["inputs"]["region"]
    assert dr_region != "eu-west-1"
    assert copy["inputs"]["retentionPeriod"] == 14  # disasterRecovery.backupRetentionDays
    assert copy["inputs"]["sourceDbInstanceArn"].startswith("arn:aws:rds:eu-west-1:")
    assert copy["protect"] is True
    keys = [urns[d] for d in copy["dependencies"] if urns[d]["type"] == KEY]
    assert len(keys) == 1 and keys[0]["provider"] == copy["provider"]
    assert any(
        d == next(r["urn"] for r in resources_of(plan, "aws:rds/instance:Instance"))
        for d in copy["dependencies"]
    )
    # one explicit DR provider, used by nothing but the copy and its key/alias
    in_dr = [r for r in plan["resources"] if r.get("provider") == copy["provider"]]
    assert {r["type"] for r in in_dr} == {copy["type"], KEY, "aws:kms/alias:Alias"}


def test_dev_has_no_cross_region_copy(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "dev")
    assert not [r for r in plan["resources"] if "AutomatedBackupsReplication" in r["type"]]


# --- CloudWatch alarms -> encrypted SNS topic ----------------------------------------------


ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def alarms_by_metric(plan: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for alarm in resources_of(plan, ALARM):
        found.setdefault(alarm["inputs"]["metricName"], []).append(alarm["inputs"])
    return found


def test_prod_alarms_cover_every_data_service_and_the_nodes(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod")
    metrics = alarms_by_metric(plan)
    assert set(metrics) == {
        "CPUUtilization", "FreeStorageSpace", "DatabaseConnections",
        "KafkaDataLogsDiskUsed", "UnderReplicatedPartitions", "OfflinePartitionsCount",
        "EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions", "ReplicationLag",
        "GroupInServiceInstances",
    }  # fmt: skip
    # prod: 3 brokers, 3 shards x (1 primary + 1 replica)
    assert len(metrics["KafkaDataLogsDiskUsed"]) == 3
    assert len(metrics["EngineCPUUtilization"]) == 6
    assert len(metrics["ReplicationLag"]) == 6  # every node: any can be a replica
    assert all(a["threshold"] == 60 for a in metrics["ReplicationLag"])  # replicaLagSeconds
    assert all(
        a["evaluationPeriods"] == 5 for a in resources_of(plan, ALARM) for a in [a["inputs"]]
    )
    storage = metrics["FreeStorageSpace"][0]
    db_gb = one(plan, "aws:rds/instance:Instance")["inputs"]["allocatedStorage"]
    assert storage["threshold"] == db_gb * 1024**3 * 0.2  # storagePercent 80 -> 20% free
    assert storage["comparisonOperator"] == "LessThanThreshold"


def test_alarms_notify_an_encrypted_topic_cloudwatch_may_publish_to(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod")
    urns = by_urn(plan)
    topic = one(plan, "aws:sns/topic:Topic")
    keys = [urns[d] for d in topic["dependencies"] if urns[d]["type"] == KEY]
    assert len(keys) == 1
    services = [s["Principal"].get("Service") for s in statements(keys[0])]
    assert "cloudwatch.amazonaws.com" in services
    subscription = one(plan, "aws:sns/topicSubscription:TopicSubscription")["inputs"]
    assert subscription["protocol"] == "email"
    assert subscription["endpoint"] == "oncall@example.com" or "@" in subscription["endpoint"]
    for alarm in resources_of(plan, ALARM):
        assert topic["urn"] in alarm["dependencies"], alarm["name"]
        assert alarm["inputs"]["alarmActions"] == alarm["inputs"]["okActions"]


def test_dev_declares_no_alarms(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "dev")
    assert not resources_of(plan, ALARM)
    assert not resources_of(plan, "aws:sns/topic:Topic")


def test_rds_max_connections_follows_instance_memory() -> None:
    assert rds_max_connections("db.t4g.micro") == 112
    assert rds_max_connections("db.r7g.large") == 1802
    assert rds_max_connections("db.m7g.2xlarge") == 3604
    assert rds_max_connections("db.r6g.16xlarge") == 5000
