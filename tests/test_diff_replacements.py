"""Replacement awareness of the offline diff: per-provider force-new tables (each entry checked
against the provider SDK and exercised), the prod VPC CIDR change, and a Kubernetes immutable
field change."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.diff.compute import StackDiff, diff_plans
from infra.diff.markdown import render_markdown
from infra.diff.replacement import aws, azure, force_new, gcp, kubernetes, replacing_paths
from infra.plan.cli import Outcome
from policies.rules.facts.cfn import create_only
from tests.conftest import ROOT, plan_config

PROD = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def _sdk_inputs(module: str, cls: str) -> set[str]:
    # the resource's own module: a package may export a same-named nested input type
    resource = getattr(importlib.import_module(module), cls)
    # (azure-native names a resource's own args ``<Cls>InitArgs`` when a type shares the name)
    home = importlib.import_module(resource.__module__)
    args = getattr(home, f"{cls}InitArgs", None) or getattr(home, f"{cls}Args")
    return {_norm(p) for p in inspect.signature(args.__init__).parameters}


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _sdk_module(pulumi_type: str) -> tuple[str, str]:
    package, module, cls = pulumi_type.split(":")
    python_package = {
        "aws": "pulumi_aws",
        "gcp": "pulumi_gcp",
        "azure-native": "pulumi_azure_native",
    }
    return f"{python_package[package]}.{module.split('/')[0]}", cls


def _a_change(pulumi_type: str, path: str) -> list[str]:
    """The flattened path a change of ``path`` produces (``[*]`` -> first item)."""
    return replacing_paths(pulumi_type, [path.replace("[*]", "[0]") + ".x"])


# --- the tables, entry by entry ------------------------------------------------------------

AWS_TYPES = sorted(set(aws.TYPES) | {"aws:iam/rolePolicyAttachment:RolePolicyAttachment"})


@pytest.mark.parametrize("pulumi_type", AWS_TYPES)
def test_aws_force_new_inputs_exist_in_pulumi_aws(pulumi_type: str) -> None:
    inputs = _sdk_inputs(*_sdk_module(pulumi_type))
    props = force_new(pulumi_type)
    assert all(_norm(_top(p)) in inputs for p in props), (pulumi_type, props)


@pytest.mark.parametrize("pulumi_type", sorted(aws.TYPES))
def test_aws_table_names_a_cloudformation_type_cfn_lint_knows(pulumi_type: str) -> None:
    cfn_type, _ = aws.TYPES[pulumi_type]
    from policies.rules.facts.cfn import _type_index  # pyright: ignore[reportPrivateUsage] -- the index is what is under test

    assert cfn_type in _type_index()


def test_aws_create_only_comes_from_cloudformation() -> None:
    assert ("CidrBlock",) in create_only("AWS::EC2::VPC")
    assert "cidrBlock" in force_new("aws:ec2/vpc:Vpc")
    assert {"vpcId", "cidrBlock", "availabilityZone"} <= set(force_new("aws:ec2/subnet:Subnet"))
    # renamed: CloudFormation NodeRole/Subnets are pulumi-aws nodeRoleArn/subnetIds
    assert {"nodeRoleArn", "subnetIds", "instanceTypes"} <= set(
        force_new("aws:eks/nodeGroup:NodeGroup")
    )
    assert "brokerNodeGroupInfo.clientSubnets" in force_new("aws:msk/cluster:Cluster")
    # Terraform updates these in place although CloudFormation lists them
    assert "replicasPerNodeGroup" not in force_new(
        "aws:elasticache/replicationGroup:ReplicationGroup"
    )
    assert "routeTableId" not in force_new("aws:ec2/routeTableAssociation:RouteTableAssociation")
    # tags and scaling never replace
    assert not replacing_paths(
        "aws:eks/nodeGroup:NodeGroup", ["tags.owner", "scalingConfig.maxSize"]
    )


GCP_ENTRIES = [(t, p) for t, props in gcp.FORCE_NEW.items() for p in props]
AZURE_ENTRIES = [(t, p) for t, props in azure.FORCE_NEW.items() for p in props]


@pytest.mark.parametrize(("pulumi_type", "prop"), GCP_ENTRIES + AZURE_ENTRIES)
def test_gcp_and_azure_entries_exist_and_replace(pulumi_type: str, prop: str) -> None:
    assert _norm(_top(prop)) in _sdk_inputs(*_sdk_module(pulumi_type)), (pulumi_type, prop)
    assert _a_change(pulumi_type, prop), (pulumi_type, prop)


K8S_ENTRIES = [(g, k, p) for (g, k), props in kubernetes.IMMUTABLE.items() for p in props]
_K8S_MODULES = {"core": "core", "apps": "apps", "batch": "batch", "storage.k8s.io": "storage",
                "rbac.authorization.k8s.io": "rbac"}  # fmt: skip


@pytest.mark.parametrize(("group", "kind", "prop"), K8S_ENTRIES)
def test_kubernetes_immutable_fields_exist_and_replace(group: str, kind: str, prop: str) -> None:
    module = importlib.import_module(f"pulumi_kubernetes.{_K8S_MODULES[group]}.v1")
    first, *rest = prop.split(".")
    cls = f"{kind}SpecArgs" if first == "spec" else f"{kind}Args"
    field = rest[0] if first == "spec" else first
    assert _norm(field) in {
        _norm(p) for p in inspect.signature(getattr(module, cls).__init__).parameters
    }
    pulumi_type = f"kubernetes:{group}/v1:{kind}"
    assert _a_change(pulumi_type, prop)


def test_kubernetes_mutable_fields_are_updates() -> None:
    sts = "kubernetes:apps/v1:StatefulSet"
    assert not replacing_paths(sts, ["spec.replicas", "spec.template.spec.containers[0].image"])
    assert replacing_paths(sts, ["spec.volumeClaimTemplates[0].spec.resources.requests.storage"])
    assert replacing_paths("kubernetes:core/v1:ConfigMap", ["metadata.name"])


# --- real programs -------------------------------------------------------------------------


def _prod_with(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    outcome = plan_config(tmp_path, "prod", {**PROD, **overrides})
    assert outcome.plan is not None, outcome.errors
    return outcome.plan


def _names(items: list[Any]) -> set[tuple[str, str]]:
    return {(i.type, i.name) for i in items}


@pytest.fixture(scope="module")
def cidr_diff(
    shipped_plans: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> StackDiff:
    plan = _prod_with(
        tmp_path_factory.mktemp("cidr"), **{"platform:network": {"cidr": "10.1.0.0/16"}}
    )
    base = shipped_plans["prod"].plan
    assert base is not None
    return diff_plans("prod", base, plan)


def test_a_vpc_cidr_change_replaces_the_vpc_and_its_subnets(cidr_diff: StackDiff) -> None:
    replaced = _names(cidr_diff.replaced)
    assert ("aws:ec2/vpc:Vpc", "platform-prod-network") in replaced
    assert sum(1 for t, _ in replaced if t == "aws:ec2/subnet:Subnet") == 6
    assert all(c.replace_paths == ["cidrBlock"] for c in cidr_diff.replaced)


def test_resources_using_replaced_ids_may_be_replaced(cidr_diff: StackDiff) -> None:
    maybe = _names(cidr_diff.may_replace)
    types = {t for t, _ in maybe}
    assert {"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/routeTable:RouteTable",
            "aws:ec2/natGateway:NatGateway", "aws:eks/nodeGroup:NodeGroup",
            "aws:msk/cluster:Cluster"} <= types  # fmt: skip
    assert sum(1 for t, _ in maybe if t == "aws:ec2/natGateway:NatGateway") == 3
    assert len(maybe) >= 25
    msk = next(m for m in cidr_diff.may_replace if m.type == "aws:msk/cluster:Cluster")
    assert msk.path.startswith("brokerNodeGroupInfo.clientSubnets")
    # nothing is both replaced and "may be replaced"
    assert not maybe & _names(cidr_diff.replaced)


def test_the_comment_says_replace_and_flags_stateful_resources_first(
    cidr_diff: StackDiff,
) -> None:
    from infra.diff.report import DiffReport

    text = render_markdown(DiffReport("main", "a" * 40, "b" * 40, False, [cidr_diff]))
    assert "+-7 to replace" in text and "may be replaced" in text
    assert "~9 to change" not in text
    hazards = text.index("Destroys or may destroy")
    assert hazards < text.index("### **prod**")
    flagged = text[hazards : text.index("### **prod**")]
    assert "platform-prod-kafka" in flagged and "platform-prod-postgres" in flagged
    assert "`cidrBlock` **(forces replacement)**" in text


def test_a_statefulset_volume_claim_change_is_a_replacement(
    shipped_plans: dict[str, Outcome], tmp_path: Path
) -> None:
    plan = _prod_with(tmp_path, **{"platform:apps": {"backend": {"storageGb": 200}}})
    base = shipped_plans["prod"].plan
    assert base is not None
    diff = diff_plans("prod", base, plan)
    (sts,) = [c for c in diff.changed if c.type == "kubernetes:apps/v1:StatefulSet"]
    assert sts.replaced and sts.replace_paths[0].startswith("spec.volumeClaimTemplates")
    assert any(h.name == sts.name and h.action == "replace" for h in diff.hazards)
