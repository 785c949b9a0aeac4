"""Issue 27 item 9 (rest): staging's alarms reach someone; MSK exposes no port nothing scrapes."""

from __future__ import annotations

from typing import Any

import pytest

from infra.plan.cli import Outcome
from tests.conftest import one, plan_of, resources_of
from tests.test_config import problems


def _recipients(plan: dict[str, Any], type_: str, field: str) -> list[Any]:
    return [r["inputs"][field] for r in resources_of(plan, type_)]


def test_staging_aws_alarms_publish_to_a_subscribed_topic(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "staging")
    alarms = resources_of(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms
    topic_arns = {arn for alarm in alarms for arn in alarm["inputs"]["alarmActions"]}
    [topic] = topic_arns
    emails = [s for s in resources_of(plan, "aws:sns/topicSubscription:TopicSubscription")
              if s["inputs"]["topic"] == topic]  # fmt: skip
    assert [s["inputs"]["protocol"] for s in emails] == ["email"]


def test_staging_gcp_alert_policies_notify_a_channel(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "staging-gcp")
    policies = resources_of(plan, "gcp:monitoring/alertPolicy:AlertPolicy")
    assert policies
    channels = _recipients(plan, "gcp:monitoring/notificationChannel:NotificationChannel", "type")
    assert channels == ["email"]
    assert all(p["inputs"]["notificationChannels"] for p in policies)


def test_staging_azure_action_group_mails_someone(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "staging-azure")
    [receivers] = _recipients(plan, "azure-native:monitor:ActionGroup", "emailReceivers")
    assert receivers


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_alarms_that_reach_nobody_are_a_config_error(environment: str) -> None:
    lines = problems(
        {"alarms": {"notificationEmails": []}}, **{"platform:environment": environment}
    )
    assert any("platform:alarms.notificationEmails:" in line for line in lines), lines


def test_staging_may_turn_its_alarms_off_instead() -> None:
    from tests.test_config import build

    config = build({"alarms": {"enabled": False, "notificationEmails": []}},
                   **{"platform:environment": "staging"})  # fmt: skip
    assert not config.alarms.enabled


def test_msk_open_monitoring_is_off_and_its_ports_closed(shipped_plans: dict[str, Outcome]) -> None:
    for stack in ("dev", "staging", "prod"):
        plan = plan_of(shipped_plans, stack)
        prometheus = one(plan, "aws:msk/cluster:Cluster")["inputs"]["openMonitoring"]["prometheus"]
        assert prometheus["jmxExporter"] == {"enabledInBroker": False}, stack
        assert prometheus["nodeExporter"] == {"enabledInBroker": False}, stack
        rules = resources_of(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        kafka = [r["inputs"] for r in rules if "-kafka-" in r["name"]]
        assert [(r["fromPort"], r["toPort"]) for r in kafka] == [(9098, 9098)], stack
