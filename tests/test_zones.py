"""Issue 27 item 5: zones come from the stack file, chosen once, never from the day's lookup.

A zone is create-only: "the first N available zones" at each run (AWS
``getAvailabilityZones``, GCP zones ``UP``) moves subnets and zonal clusters when a zone is
impaired. The offline plan answers no zone invoke, so a program that made one would not plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.zones import (
    AWS_ZONE_IDS,
    EKS_UNSUPPORTED_ZONE_IDS,
    GCP_ZONES,
    _aws_prefix,
)
from infra.init import main as init_main
from infra.plan.cli import Outcome
from infra.plan.mocks import aws as aws_mocks
from infra.plan.mocks import gcp as gcp_mocks
from tests.conftest import ROOT, one, plan_config, plan_of, resources_of
from tests.test_config import build, problems


def _stack_zones(stack: str) -> list[str]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config["platform:network"]["availabilityZones"]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_aws_subnets_sit_in_the_stack_files_zone_ids(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    zones = _stack_zones(stack)
    subnets = resources_of(plan_of(shipped_plans, stack), "aws:ec2/subnet:Subnet")
    assert len(subnets) == 2 * len(zones)
    for tier in ("internal-elb", "elb"):
        tiered = [s for s in subnets if f"kubernetes.io/role/{tier}" in s["inputs"]["tags"]]
        assert [s["inputs"]["availabilityZoneId"] for s in tiered] == zones
    # by id only: a zone name maps to a different physical zone in each account
    assert not any("availabilityZone" in s["inputs"] for s in subnets)


def test_no_zone_lookup_is_answered_offline() -> None:
    # an unanswered invoke fails the plan: the shipped stacks plan without these
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" not in aws_mocks.INVOKES
    assert "gcp:compute/getZones:getZones" not in gcp_mocks.INVOKES


def test_gcp_zonal_cluster_and_outputs_use_the_stack_files_zones(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "Pulumi.dev-gcp.yaml").read_text())["config"]
    zones = ["europe-west1-d", "europe-west1-c"]  # not the table's first two
    config["platform:network"] = {**config["platform:network"], "availabilityZones": zones}
    plan = plan_of({"dev-gcp": plan_config(tmp_path, "dev-gcp", config)}, "dev-gcp")
    assert one(plan, "gcp:container/cluster:Cluster")["inputs"]["location"] == zones[0]
    assert plan["outputs"]["zones"] == zones


def test_a_stack_without_zones_gets_the_regions_table_default(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "examples" / "Pulumi.minimal.yaml").read_text())["config"]
    assert "platform:network" not in config
    plan = plan_of({"minimal": plan_config(tmp_path, "minimal", config)}, "minimal")
    subnets = resources_of(plan, "aws:ec2/subnet:Subnet")
    assert {s["inputs"]["availabilityZoneId"] for s in subnets} == {"euw1-az1", "euw1-az2"}


ZONE_CASES = [
    ("aws", {"availabilityZones": ["euw1-az1", "euc1-az2"]},
     "platform:network.availabilityZones: euc1-az2 is not a zone id of eu-west-1; allowed: euw1-az1, euw1-az2, euw1-az3"),
    ("aws", {"availabilityZones": ["eu-west-1a", "eu-west-1b"]},
     "platform:network.availabilityZones: eu-west-1a is not a zone id of eu-west-1"),
    ("aws", {"availabilityZones": ["euw1-az1"]},
     "platform:network.availabilityZones: 1 zones listed, network.zones is 2"),
    ("aws", {"availabilityZones": ["euw1-az1", "euw1-az1"]},
     "platform:network.availabilityZones: a zone is listed twice"),
    ("gcp", {"availabilityZones": ["europe-west1-b", "europe-west4-a"]},
     "platform:network.availabilityZones: europe-west4-a is not a zone of europe-west1; allowed: europe-west1-b"),
    ("azure", {"availabilityZones": ["1", "2"]},
     "platform:network.availabilityZones: only used on aws and gcp"),
]  # fmt: skip
REGION_KEY = {"aws": "aws:region", "gcp": "gcp:region", "azure": "azure-native:location"}
REGION = {"aws": "eu-west-1", "gcp": "europe-west1", "azure": "westeurope"}


def _problems(cloud: str, network: dict[str, Any], region: str | None = None) -> list[str]:
    scalars = {"platform:cloud": cloud, REGION_KEY[cloud]: region or REGION[cloud]}
    if cloud == "gcp":
        scalars["gcp:project"] = "acme-analytics-42"
    return problems({"network": network}, **scalars)


@pytest.mark.parametrize(("cloud", "network", "expected"), ZONE_CASES)
def test_a_zone_outside_the_region_is_refused(
    cloud: str, network: dict[str, Any], expected: str
) -> None:
    lines = _problems(cloud, network)
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


def test_zones_eks_cannot_use_are_refused_and_never_defaulted() -> None:
    lines = _problems("aws", {"availabilityZones": ["use1-az1", "use1-az3"]}, "us-east-1")
    assert any("use1-az3 cannot hold EKS subnets" in line for line in lines), lines
    for zone in EKS_UNSUPPORTED_ZONE_IDS:
        assert all(zone not in ids for ids in AWS_ZONE_IDS.values()), zone


def test_a_region_the_table_does_not_know_needs_its_zones_listed() -> None:
    lines = _problems("aws", {}, "me-central-1")
    assert any(
        "platform:network.availabilityZones: required for me-central-1 (no zone table" in line
        for line in lines
    ), lines
    # listed, its zone ids are checked against the region's prefix
    wrong = _problems("aws", {"availabilityZones": ["mec1-az1", "euw1-az2"]}, "me-central-1")
    assert any("euw1-az2 is not a zone id of me-central-1 (ids look like mec1-az1)" in line
               for line in wrong), wrong  # fmt: skip
    listed = build({"network": {"availabilityZones": ["mec1-az1", "mec1-az2"]}},
                   **{"aws:region": "me-central-1"})  # fmt: skip
    assert listed.pinned_zones == ["mec1-az1", "mec1-az2"]


def test_the_tables_are_consistent() -> None:
    for region, ids in AWS_ZONE_IDS.items():
        assert all(zone.startswith(f"{_aws_prefix(region)}-az") for zone in ids), region
        assert len(set(ids)) == len(ids) >= 2, region
    for region, names in GCP_ZONES.items():
        assert all(zone.startswith(f"{region}-") for zone in names), region
        assert len(set(names)) == len(names) >= 3, region


@pytest.mark.parametrize(("cloud", "expected"), [("aws", ["euw1-az1", "euw1-az2", "euw1-az3"]),
                                                 ("gcp", ["europe-west1-b", "europe-west1-c", "europe-west1-d"])])  # fmt: skip
def test_init_writes_the_zones_once(tmp_path: Path, cloud: str, expected: list[str]) -> None:
    args = ["--stack", "mine", "--cloud", cloud, "--environment", "staging", "--directory",
            str(tmp_path), "--no-plan", "--image-registry", "registry.acme-corp.io/analytics",
            "--region", REGION[cloud], "--domain", "acme-corp.io", "--acme-email",
            "ops@acme-corp.io", "--access-cidr", "81.2.69.160/28", "--alert-email",
            "oncall@acme-corp.io"]  # fmt: skip
    if cloud == "gcp":
        args += ["--gcp-project", "acme-analytics-42"]
    assert init_main(args) == 0
    config = yaml.safe_load((tmp_path / "Pulumi.mine.yaml").read_text())["config"]
    assert config["platform:network"]["availabilityZones"] == expected
