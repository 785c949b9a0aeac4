"""Plan speed: what the plan runner does to stay near its floor, and what the floor charges.

The timings themselves are ``make bench`` (benchmarks/plan_speed.py); these tests pin the
behaviour the figures rest on.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.plan import runner
from infra.plan.cli import plan_many
from infra.plan.stackfile import read_stack_file
from tests.conftest import ROOT, make_project

sys.path.insert(0, str(ROOT / "benchmarks"))
from floor import sdk_inventory

COLLECTOR_PROGRAM = """
import gc
import pulumi
pulumi.export("collecting", gc.isenabled())
"""


def test_the_collector_is_paused_while_the_program_runs(tmp_path: Path) -> None:
    (outcome,) = plan_many([make_project(tmp_path, COLLECTOR_PROGRAM, {})], tmp_path)
    assert outcome.plan is not None, outcome.errors
    assert outcome.plan["outputs"] == {"collecting": False}


@pytest.mark.parametrize("fails", [False, True])
def test_the_collector_is_resumed_after_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    seen: list[bool] = []

    def program(*_: object) -> None:
        seen.append(gc.isenabled())
        if fails:
            raise runner.PlanError(["boom"])

    monkeypatch.setattr(runner, "_run_program", program)
    stack_file = read_stack_file(make_project(tmp_path, COLLECTOR_PROGRAM, {}), tmp_path)
    assert gc.isenabled()
    try:
        runner.run_program(stack_file, tmp_path)
    except runner.PlanError:
        assert fails
    assert seen == [False] and gc.isenabled()


def test_the_floor_charges_the_aliases_every_sdk_class_adds() -> None:
    inventory = sdk_inventory(
        {"azure-native:network:VirtualNetwork", "kubernetes:apps/v1:Deployment", "aws:s3/bucket:Bucket"}
    )  # fmt: skip
    network = inventory["azure-native:network:VirtualNetwork"]
    assert (network["module"], network["class"]) == (
        "pulumi_azure_native.network.virtual_network",
        "VirtualNetwork",
    )
    # every older API version of the type: what VirtualNetwork(...) turns into alias URNs
    assert "azure-native:network/v20230901:VirtualNetwork" in network["aliases"]
    assert len(network["aliases"]) >= 50
    deployment = inventory["kubernetes:apps/v1:Deployment"]
    assert "kubernetes:apps/v1beta1:Deployment" in deployment["aliases"]


def test_the_floor_registers_a_plan_as_sdk_class_instances(tmp_path: Path) -> None:
    urn = "urn:pulumi:dev::platform::"
    plan = {
        "stack": "dev",
        "resources": [
            {"urn": f"{urn}platform:azure:Network::net", "type": "platform:azure:Network",
             "custom": False, "inputs": {}},
            {"urn": f"{urn}azure-native:network:VirtualNetwork::vnet",
             "type": "azure-native:network:VirtualNetwork", "custom": True,
             "inputs": {"resourceGroupName": "rg", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
        ],
    }  # fmt: skip
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(plan_file)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "floor: 1 SDK modules, 2 resources"


def test_preload_lists_the_sdk_modules_each_cloud_uses() -> None:
    """What ``plan_many`` imports before forking is what each cloud's code uses: a module the
    code left (the Azure Cache for Redis after the move to Managed Redis) is not imported for
    nothing, and a module the code added is not imported again in every child."""
    import importlib.util
    import re

    from infra.plan.preload import CLOUD_MODULES

    packages = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "azure": "pulumi_azure_native"}
    for cloud, package in packages.items():
        sources = [*(ROOT / "components" / cloud).glob("*.py"), ROOT / "stacks" / f"{cloud}.py"]
        named = {
            m
            for path in sources
            for m in re.findall(rf"\b{cloud}\.([a-z0-9_]+)\.[A-Za-z_]", path.read_text("utf-8"))
        }
        used = {m for m in named if importlib.util.find_spec(f"{package}.{m}") is not None}
        listed = {m.split(".", 1)[1] for m in CLOUD_MODULES[cloud] if m.startswith(package + ".")}
        assert listed == used, (cloud, sorted(listed - used), sorted(used - listed))
