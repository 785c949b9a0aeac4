"""Each rule with a compliant and a non-compliant case, plus the pack's shape and config."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel

from infra.naming import REQUIRED_TAG_KEYS
from infra.plan.policy import enforcement_level, load_policy_config, policy_config
from policies.rules import ALL_POLICIES
from tests.policy_helpers import find, resource, violations_of_resource, violations_of_stack

TAGS = dict.fromkeys(REQUIRED_TAG_KEYS, "x")


def test_every_rule_is_named_described_and_has_remediation_and_severity() -> None:
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))
    for policy in ALL_POLICIES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name)
        assert policy.description and policy.remediation_steps and policy.severity


def test_environment_configs_make_prod_mandatory(root: Path) -> None:
    prod = load_policy_config(root, "prod")
    dev = load_policy_config(root, "dev")
    # Kafka clients on Event Hubs authenticate with SAS unless they speak OAUTHBEARER;
    # a version's end of support approaching is a warning (deploy-version-support fails)
    advisory_in_prod = {"azure-eventhubs-local-auth-disabled", "version-support-ending"}
    for policy in ALL_POLICIES:
        if policy.name.startswith("deploy-"):
            continue  # mandatory everywhere: test_deployability_rules_are_mandatory_...
        expected = (
            EnforcementLevel.ADVISORY
            if policy.name in advisory_in_prod
            else EnforcementLevel.MANDATORY
        )
        assert enforcement_level(policy, prod) == expected, policy.name
        assert enforcement_level(policy, dev) in (
            EnforcementLevel.ADVISORY,
            EnforcementLevel.DISABLED,
        )
    for env in ("dev", "staging", "prod"):
        json.loads((root / "policies" / "config" / f"{env}.json").read_text())


def test_policy_config_overrides_schema_defaults() -> None:
    policy = find(ALL_POLICIES, "aws-log-group-retention")
    assert policy_config(policy, {}) == {"minimumDays": 7}
    assert policy_config(
        policy, {"aws-log-group-retention": {"enforcementLevel": "mandatory", "minimumDays": 30}}
    ) == {"minimumDays": 30}


VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


def test_vpc_flow_logs() -> None:
    policy = find(ALL_POLICIES, "aws-vpc-flow-logs")
    vpc = resource(VPC, "vpc", {"tags": TAGS})
    flow_log = resource(FLOW_LOG, "fl", {"vpcId": "vpc-1"})
    assert violations_of_stack(policy, [vpc, flow_log]) == ["VPC vpc has no flow log"]
    flow_log.property_dependencies = {"vpcId": [vpc]}
    assert violations_of_stack(policy, [vpc, flow_log]) == []


@pytest.mark.parametrize(
    ("rule", "bad"),
    [
        ({"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}, True),
        ({"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}, True),
        ({"protocol": "tcp", "fromPort": 5000, "toPort": 6000, "ipv6CidrBlocks": ["::/0"]}, True),
        ({"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}, False),
        (
            {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/16"]},
            False,
        ),
    ],
)
def test_no_public_sensitive_ingress(rule: dict, bad: bool) -> None:
    policy = find(ALL_POLICIES, "aws-security-group-no-public-sensitive-ingress")
    found = violations_of_resource(
        policy, "aws:ec2/securityGroup:SecurityGroup", {"ingress": [rule]}
    )
    assert bool(found) is bad, found


def test_no_public_sensitive_ingress_rule_resource() -> None:
    policy = find(ALL_POLICIES, "aws-security-group-no-public-sensitive-ingress")
    rule_type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    bad = {"ipProtocol": "tcp", "fromPort": 9092, "toPort": 9098, "cidrIpv4": "0.0.0.0/0"}
    assert violations_of_resource(policy, rule_type, bad)
    assert not violations_of_resource(policy, rule_type, {**bad, "cidrIpv4": "10.0.0.0/8"})


def test_default_security_group_closed() -> None:
    policy = find(ALL_POLICIES, "aws-default-security-group-closed")
    sg_type = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    assert violations_of_resource(policy, sg_type, {"ingress": [{"protocol": "-1"}]})
    assert not violations_of_resource(policy, sg_type, {"ingress": [], "egress": []})


def test_log_group_retention() -> None:
    policy = find(ALL_POLICIES, "aws-log-group-retention")
    log_type = "aws:cloudwatch/logGroup:LogGroup"
    assert violations_of_resource(policy, log_type, {}) == [
        "log group never expires: set retention_in_days"
    ]
    assert violations_of_resource(policy, log_type, {"retentionInDays": 3})
    assert not violations_of_resource(policy, log_type, {"retentionInDays": 30})
    assert violations_of_resource(policy, log_type, {"retentionInDays": 30}, {"minimumDays": 90})


def test_required_tags() -> None:
    policy = find(ALL_POLICIES, "required-tags")
    good = resource(VPC, "good", {"tags": TAGS})
    bad = resource(VPC, "bad", {"tags": {"project": "x"}})
    untagged = resource(VPC, "untagged", {})
    labelled = resource("gcp:compute/network:Network", "net", {"labels": TAGS})
    found = violations_of_stack(policy, [good, bad, untagged, labelled])
    assert len(found) == 2 and found[0].startswith("bad lacks tags: environment")
    assert violations_of_stack(policy, [bad], {"requiredKeys": ["project"]}) == []


def test_stateful_resources_protected() -> None:
    policy = find(ALL_POLICIES, "protect-stateful-resources")
    rds = "aws:rds/instance:Instance"
    assert violations_of_stack(policy, [resource(rds, "db", {})]) == [
        "db (aws:rds/instance:Instance) is not protected"
    ]
    assert (
        violations_of_stack(
            policy, [resource(rds, "db", {}, protect=True), resource(VPC, "vpc", {})]
        )
        == []
    )


def test_docs_list_every_rule_with_its_levels(root: Path) -> None:
    from infra.plan.policy_docs import rules_section

    assert rules_section(root) in (root / "docs" / "policies.md").read_text(), (
        "docs/policies.md is stale: regenerate the table with `python -m infra policy-docs`"
    )


def test_deployability_rules_are_mandatory_in_every_environment(root: Path) -> None:
    from infra.plan.policy import enforcement_level, load_policy_config
    from policies.rules.base import DEPLOYABILITY_PREFIX
    from policies.rules.deployability import NAMES, POLICIES

    assert {p.name for p in ALL_POLICIES if p.name.startswith(DEPLOYABILITY_PREFIX)} == NAMES
    for environment in ("dev", "staging", "prod"):
        config = load_policy_config(root, environment)
        for policy in POLICIES:
            assert enforcement_level(policy, config).value == "mandatory", (
                environment,
                policy.name,
            )


def test_a_config_that_demotes_a_deployability_rule_is_caught() -> None:
    from pulumi_policy import EnforcementLevel, Severity

    from infra.plan.policy import enforcement_level
    from policies.rules.base import deployable, resource_rule

    rule = deployable(
        resource_rule("deploy-test-rule", "why", "fix", Severity.HIGH, lambda a, r: None)
    )
    assert enforcement_level(rule, {}) == EnforcementLevel.MANDATORY
    assert enforcement_level(rule, {"all": "advisory"}) == EnforcementLevel.ADVISORY
    with pytest.raises(ValueError, match="deploy-"):
        deployable(resource_rule("no-prefix", "why", "fix", Severity.HIGH, lambda a, r: None))
