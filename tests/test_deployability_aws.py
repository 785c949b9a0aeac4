"""AWS's own API rules (issue 11): each fixed item, the rules that would have caught it, and
the shipped AWS stacks planning with zero deployability violations."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest

from components.aws.msk import VOLUME_SIZE_PATH
from components.aws.rds_ca import RDS_CA_BUNDLE, RDS_CA_IDENTIFIER
from infra.plan.cli import Outcome
from policies.rules import versions as advisory
from policies.rules.deployability import aws as rules
from policies.rules.deployability import aws_schema
from policies.rules.deployability import versions as catalog_rules
from tests.conftest import ROOT, one, plan_config, plan_of, prod_requirements, resources_of
from tests.policy_helpers import find, resource, violations_of_resource, violations_of_stack

AWS_STACKS = ("dev", "staging", "prod")
TODAY = {"today": "2026-11-23"}
SG = "aws:ec2/securityGroup:SecurityGroup"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def by_urn(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in plan["resources"]}


def waits_for(plan: dict[str, Any], resource_: dict[str, Any], type_: str) -> set[str]:
    """Names of the ``type_`` resources ``resource_`` depends on."""
    urns = by_urn(plan)
    return {urns[u]["name"] for u in resource_["dependencies"] if urns[u]["type"] == type_}


# --- every AWS stack plans clean --------------------------------------------------------


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_aws_stacks_have_no_deployability_violations(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    found = [v for v in plan["policy"]["violations"] if v["policy"].startswith("deploy-")]
    assert found == []


def test_every_planned_aws_type_is_mapped_or_explained(
    shipped_plans: dict[str, Outcome],
) -> None:
    planned = {
        r["type"]
        for stack in AWS_STACKS
        for r in plan_of(shipped_plans, stack)["resources"]
        if r["type"].startswith("aws:")
    }
    assert planned <= set(aws_schema.CFN_TYPES), planned - set(aws_schema.CFN_TYPES)
    for pulumi_type, found in aws_schema.CFN_TYPES.items():
        if isinstance(found, str):
            assert found, pulumi_type  # no CFN equivalent: the reason is given
            continue
        properties = aws_schema.resource_schema(found.cfn_type)["properties"]
        assert set(found.properties.values()) <= set(properties), pulumi_type


# --- 1. security group descriptions -----------------------------------------------------


OLD_DESCRIPTIONS = [
    "PostgreSQL from the cluster's nodes only",
    "Kafka (SASL/IAM over TLS) from the cluster's nodes only",
    "Redis from the cluster's nodes only",
]


@pytest.mark.parametrize("description", OLD_DESCRIPTIONS)
@pytest.mark.parametrize("type_", [SG, RULE])
def test_schema_rule_catches_the_apostrophe(type_: str, description: str) -> None:
    policy = find(rules.POLICIES, "deploy-aws-cfn-schema")
    messages = violations_of_resource(policy, type_, {"description": description})
    assert messages and "does not match" in messages[0]


def test_group_description_is_create_only() -> None:
    # changing it replaces the group: the schema says so, and the helper exposes it
    assert "description" in aws_schema.create_only(SG)


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_planned_descriptions_fit_ec2(shipped_plans: dict[str, Outcome], stack: str) -> None:
    plan = plan_of(shipped_plans, stack)
    groups = [*resources_of(plan, SG), *resources_of(plan, RULE)]
    assert len(groups) >= 6
    for group in groups:
        assert "'" not in group["inputs"]["description"]
        assert aws_schema.violations(group["type"], group["inputs"]) == []


# --- 2. Redis cluster mode needs automatic failover -------------------------------------


def test_dev_redis_fails_over_and_is_single_az(shipped_plans: dict[str, Outcome]) -> None:
    group = one(plan_of(shipped_plans, "dev"), "aws:elasticache/replicationGroup:ReplicationGroup")
    inputs = group["inputs"]
    assert inputs["clusterMode"] == "enabled" and inputs["replicasPerNodeGroup"] == 0
    assert inputs["automaticFailoverEnabled"] is True
    assert inputs["multiAzEnabled"] is False


def test_failover_rule_catches_the_old_dev_group() -> None:
    policy = find(rules.POLICIES, "deploy-aws-elasticache-cluster-failover")
    old = {"clusterMode": "enabled", "automaticFailoverEnabled": False, "multiAzEnabled": False}
    assert violations_of_resource(policy, rules.REPLICATION_GROUP, old)
    no_replicas = {**old, "automaticFailoverEnabled": True, "multiAzEnabled": True}
    assert violations_of_resource(
        policy, rules.REPLICATION_GROUP, {**no_replicas, "replicasPerNodeGroup": 0}
    )


# --- 3. the deployer reaches and authenticates to the cluster ---------------------------


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_deployer_is_cluster_admin_before_the_kubernetes_provider(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    entry = one(plan, "aws:eks/accessEntry:AccessEntry", "deployer")["inputs"]
    # prod names its deployer; elsewhere the mocked STS caller is an IAM Identity Center
    # session, whose role lives under a path that the session context keeps
    expected = (
        "arn:aws:iam::123456789012:role/ci/platform-deployer"
        if stack == "prod"
        else "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
        "AWSReservedSSO_PlatformDeployer_0123456789abcdef"
    )
    assert entry["principalArn"] == expected
    association = one(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "deployer")
    assert association["inputs"]["policyArn"].endswith("AmazonEKSClusterAdminPolicy")
    provider = one(plan, "pulumi:providers:kubernetes", "cluster-k8s")
    urns = set(provider["dependencies"])
    assert association["urn"] in urns
    addons = waits_for(plan, provider, "aws:eks/addon:Addon")
    assert {f"platform-{stack}-cluster-vpc-cni", f"platform-{stack}-cluster-coredns"} <= addons


def test_prod_private_endpoint_admits_the_runner(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod")
    cluster = one(plan, "aws:eks/cluster:Cluster")["inputs"]["vpcConfig"]
    assert cluster["endpointPublicAccess"] is False
    api = one(plan, RULE, "cluster-api-0")["inputs"]
    assert (api["fromPort"], api["toPort"], api["cidrIpv4"]) == (443, 443, "10.100.0.0/24")


def test_reachability_rule_catches_a_private_cluster_without_a_way_in() -> None:
    policy = find(rules.POLICIES, "deploy-aws-eks-reachable")
    cluster = resource(
        rules.EKS,
        "c",
        {
            "vpcConfig": {"endpointPublicAccess": False, "clusterSecurityGroupId": "sg-1"},
            "accessConfig": {
                "authenticationMode": "API",
                "bootstrapClusterCreatorAdminPermissions": False,
            },
        },
    )
    messages = violations_of_stack(policy, [cluster])
    assert any("privateAccessCidrs" in m for m in messages)
    assert any("cannot authenticate" in m for m in messages)
    https = resource(RULE, "r", {"securityGroupId": "sg-1", "fromPort": 443, "toPort": 443})
    admin = resource(rules.ACCESS_ASSOCIATION, "a", {"policyArn": rules.CLUSTER_ADMIN})
    assert violations_of_stack(policy, [cluster, https, admin]) == []


def test_prod_without_private_access_fails_the_plan(tmp_path: Path) -> None:
    outcome = plan_config(
        tmp_path,
        "prod",
        {
            "aws:region": "eu-west-1",
            "platform:example": "true",
            "platform:cloud": "aws",
            "platform:environment": "prod",
            "platform:cluster": {
                "adminPrincipals": ["arn:aws:iam::123456789012:role/admins"],
                "deployerPrincipal": "arn:aws:iam::123456789012:role/ci/deployer",
            },
            **prod_requirements("aws"),
        },
    )
    assert outcome.plan is not None, outcome.errors
    assert {v["policy"] for v in outcome.plan["policy"]["violations"]} >= {
        "deploy-aws-eks-reachable"
    }


# --- 4. versions --------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["15.12", "16.8", "17.4"])
def test_rds_version_rule_catches_the_old_pins(version: str) -> None:
    policy = find(catalog_rules.POLICIES, "deploy-version-support")
    props = {"engine": "postgres", "engineVersion": version}
    messages = violations_of_resource(policy, "aws:rds/instance:Instance", props, TODAY)
    assert messages and "2026-05-31" in messages[0] and "platform:postgres.version" in messages[0]


@pytest.mark.parametrize("version", ["1.32", "1.33"])
def test_eks_versions_out_of_the_catalog_fail(version: str) -> None:
    policy = find(catalog_rules.POLICIES, "deploy-version-support")
    messages = violations_of_resource(policy, rules.EKS, {"version": version}, TODAY)
    assert messages and "platform:cluster.kubernetesVersion" in messages[0]
    assert "newest supported: 1.35" in messages[0]


def test_within_90_days_warns_and_today_is_injectable() -> None:
    warn = find(advisory.POLICIES, "version-support-ending")
    fail = find(catalog_rules.POLICIES, "deploy-version-support")
    # EKS 1.35 ends standard support on 2027-03-27 (catalog: kubernetes.eks)
    january = {"today": "2027-01-05"}
    assert violations_of_resource(warn, rules.EKS, {"version": "1.35"}, january)
    assert violations_of_resource(fail, rules.EKS, {"version": "1.35"}, january) == []
    later = {"today": "2027-04-01"}
    assert violations_of_resource(fail, rules.EKS, {"version": "1.35"}, later)
    assert violations_of_resource(warn, rules.EKS, {"version": "1.35"}, TODAY) == []


# --- 5, 6. ordering -----------------------------------------------------------------------


ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def test_roles_are_used_only_after_their_policies_attach(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod")
    cluster = one(plan, "aws:eks/cluster:Cluster")
    assert waits_for(plan, cluster, ATTACHMENT) == {
        "platform-prod-cluster-cluster-AmazonEKSClusterPolicy"
    }
    nodes = one(plan, "aws:eks/nodeGroup:NodeGroup")
    assert len(waits_for(plan, nodes, ATTACHMENT)) == 3
    db = one(plan, "aws:rds/instance:Instance")
    assert waits_for(plan, db, ATTACHMENT) == {
        "platform-prod-postgres-monitoring-AmazonRDSEnhancedMonitoringRole"
    }


def test_node_group_waits_for_cni_kube_proxy_and_pod_identity(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "dev")
    nodes = one(plan, "aws:eks/nodeGroup:NodeGroup")
    assert waits_for(plan, nodes, "aws:eks/addon:Addon") == {
        "platform-dev-cluster-vpc-cni",
        "platform-dev-cluster-kube-proxy",
        "platform-dev-cluster-eks-pod-identity-agent",
    }


# --- 7, 8 ---------------------------------------------------------------------------------


def test_vpc_cni_enforces_network_policies(shipped_plans: dict[str, Outcome]) -> None:
    cni = one(plan_of(shipped_plans, "dev"), "aws:eks/addon:Addon", "vpc-cni")["inputs"]
    assert json.loads(cni["configurationValues"]) == {"enableNetworkPolicy": "true"}


def test_msk_ignores_the_autoscaled_volume_size(shipped_plans: dict[str, Outcome]) -> None:
    # ignore_changes is not in the plan JSON: check the path names the planned input, and
    # that the component passes it.
    inputs = one(plan_of(shipped_plans, "prod"), "aws:msk/cluster:Cluster")["inputs"]
    value: Any = inputs
    for step in VOLUME_SIZE_PATH.split("."):
        value = value[step]
    assert value == 100
    source = (ROOT / "components/aws/msk.py").read_text(encoding="utf-8")
    assert "ignore_changes=[VOLUME_SIZE_PATH]" in source


# --- minor items --------------------------------------------------------------------------


def test_nat_and_eip_wait_for_the_internet_gateway(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod")
    for type_ in ("aws:ec2/eip:Eip", "aws:ec2/natGateway:NatGateway"):
        for r in resources_of(plan, type_):
            assert waits_for(plan, r, "aws:ec2/internetGateway:InternetGateway"), r["name"]


def test_flow_log_role_trusts_only_this_accounts_flow_logs(
    shipped_plans: dict[str, Outcome],
) -> None:
    role = one(plan_of(shipped_plans, "prod"), "aws:iam/role:Role", "network-flow-logs")
    condition = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert condition["ArnLike"] == {
        "aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"
    }


def test_rds_log_groups_exist_first_with_retention(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod")
    db = one(plan, "aws:rds/instance:Instance")
    groups = [
        r
        for r in resources_of(plan, "aws:cloudwatch/logGroup:LogGroup")
        if r["inputs"].get("name", "").startswith("/aws/rds/instance/platform-prod-postgres/")
    ]
    assert {g["inputs"]["name"].rsplit("/", 1)[-1] for g in groups} == {"postgresql", "upgrade"}
    assert all(g["inputs"]["retentionInDays"] == 365 for g in groups)
    assert {g["name"] for g in groups} <= waits_for(plan, db, "aws:cloudwatch/logGroup:LogGroup")
    assert db["inputs"]["identifier"] == "platform-prod-postgres"


def test_final_snapshot_name_is_unique_per_instance(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod")
    name = one(plan, "aws:rds/instance:Instance")["inputs"]["finalSnapshotIdentifier"]
    assert (
        name.startswith("platform-prod-postgres-final-") and name != "platform-prod-postgres-final"
    )
    assert one(plan, "random:index/randomId:RandomId", "final-snapshot")


def test_rds_ca_bundle_verifies_the_instance_ca(shipped_plans: dict[str, Outcome]) -> None:
    db = one(plan_of(shipped_plans, "prod"), "aws:rds/instance:Instance")["inputs"]
    assert db["caCertIdentifier"] == RDS_CA_IDENTIFIER == "rds-ca-rsa2048-g1"
    context = ssl.create_default_context(cadata=RDS_CA_BUNDLE)
    certs: list[Any] = context.get_ca_certs()
    subjects = {dict(pair[0] for pair in cert["subject"])["commonName"] for cert in certs}
    assert "Amazon RDS eu-west-1 Root CA RSA2048 G1" in subjects


# --- config keys of the deployer's access -------------------------------------------------


def test_deployer_principal_must_be_an_iam_arn() -> None:
    from tests.test_config import problems

    sts = "arn:aws:sts::123456789012:assumed-role/deployer/session"
    lines = problems({"cluster": {"deployerPrincipal": sts}})
    assert any(
        line.endswith("cluster.deployerPrincipal: "
                      f"'{sts}' is not an IAM role or user ARN "
                      "(arn:aws:iam::<account>:role/<path/name>; not an sts:assumed-role ARN)")
        for line in lines
    ), lines  # fmt: skip


def test_configured_deployer_replaces_the_caller_identity() -> None:
    from tests.test_config import build

    role = "arn:aws:iam::123456789012:role/ci/deployer"
    config = build({"cluster": {"deployerPrincipal": role, "privateAccessCidrs": ["10.9.0.0/24"]}})
    assert config.cluster.deployer_principal == role
    assert [str(n) for n in config.cluster.private_access_cidrs] == ["10.9.0.0/24"]
