"""The AWS network component, as planned in the shipped stacks (dev vs prod)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.plan.cli import Outcome
from tests.conftest import resources_of


def _plan(plans: dict[str, Outcome], stack: str) -> dict[str, Any]:
    plan = plans[stack].plan
    assert plan is not None, plans[stack].errors
    return plan


@pytest.mark.parametrize(
    ("stack", "zones", "nats"), [("dev", 2, 1), ("staging", 3, 3), ("prod", 3, 3)]
)
def test_zones_and_nat_layout(
    shipped_plans: dict[str, Outcome], stack: str, zones: int, nats: int
) -> None:
    plan = _plan(shipped_plans, stack)
    subnets = resources_of(plan, "aws:ec2/subnet:Subnet")
    private = [s for s in subnets if "kubernetes.io/role/internal-elb" in s["inputs"]["tags"]]
    public = [s for s in subnets if "kubernetes.io/role/elb" in s["inputs"]["tags"]]
    assert len(private) == len(public) == zones
    # zone ids pinned in the stack file (tests/test_zones.py), one per zone
    assert {s["inputs"]["availabilityZoneId"] for s in private} == {
        f"euw1-az{i}" for i in range(1, zones + 1)
    }
    assert not any(s["inputs"]["mapPublicIpOnLaunch"] for s in subnets)
    assert len(resources_of(plan, "aws:ec2/natGateway:NatGateway")) == nats
    private_routes = [
        rt
        for rt in resources_of(plan, "aws:ec2/routeTable:RouteTable")
        if "natGatewayId" in rt["inputs"]["routes"][0]
    ]
    assert len(private_routes) == zones
    assert len({rt["inputs"]["routes"][0]["natGatewayId"] for rt in private_routes}) == nats


@pytest.mark.parametrize(("stack", "retention"), [("dev", 7), ("prod", 365)])
def test_flow_logs_to_cloudwatch_with_retention(
    shipped_plans: dict[str, Outcome], stack: str, retention: int
) -> None:
    plan = _plan(shipped_plans, stack)
    (flow_log,) = resources_of(plan, "aws:ec2/flowLog:FlowLog")
    (vpc,) = resources_of(plan, "aws:ec2/vpc:Vpc")
    (log_group,) = [
        r
        for r in resources_of(plan, "aws:cloudwatch/logGroup:LogGroup")
        if r["name"].endswith("-network-flow-logs")
    ]
    assert flow_log["inputs"]["trafficType"] == "ALL"
    assert flow_log["inputs"]["logDestinationType"] == "cloud-watch-logs"
    assert flow_log["inputs"]["vpcId"].startswith("vpc-")
    assert flow_log["inputs"]["logDestination"].startswith("arn:aws:logs:eu-west-1:")
    assert log_group["inputs"]["retentionInDays"] == retention
    assert vpc["inputs"]["cidrBlock"] == "10.0.0.0/16"
    assert vpc["inputs"]["enableDnsHostnames"] is True


def test_default_security_group_is_stripped(shipped_plans: dict[str, Outcome]) -> None:
    (sg,) = resources_of(
        _plan(shipped_plans, "prod"), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    )
    assert sg["inputs"]["ingress"] == [] and sg["inputs"]["egress"] == []
