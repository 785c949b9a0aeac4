"""The policy pack as the Pulumi CLI starts it, against the offline plan's own verdicts.

``pulumi preview --policy-pack policies`` starts ``<pack>/venv/bin/python -u -m pulumi.policy
<engine> .`` in the pack's folder, reads the port the pack prints, and talks gRPC to it:
``GetAnalyzerInfo``, ``ConfigureStack``, ``Configure`` with the reconciled config, ``Analyze``
per resource, ``AnalyzeStack``. These tests do exactly that with the pack *published*: the
folder copied alone (as ``pulumi policy publish`` ships it) to a temporary directory, with
nothing of the project importable, and its ``venv`` the runtime its requirements describe.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import yaml
from pulumi.runtime.proto import analyzer_pb2_grpc

from infra.plan.cli import Outcome
from infra.plan.policy import load_policy_config, run_pack, stack_tags
from tests.conftest import ROOT

PACK = ROOT / "policies"


def publish(destination: Path) -> Path:
    """The pack folder alone, as ``pulumi policy publish`` ships it (no venv, no caches)."""
    target = destination / "platform-policies"
    shutil.copytree(PACK, target, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    return target


@pytest.fixture(scope="module")
def published_pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[grpc.Channel]:
    """The published pack started as the CLI starts it; yields a channel to it."""
    pack = publish(tmp_path_factory.mktemp("published"))
    runtime = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    venv = pack / runtime["runtime"]["options"]["virtualenv"]
    # The CLI would create this venv from requirements.txt; the project's .venv holds the same
    # pins (test_requirements_match_the_lock), and nothing of the project is installed in it.
    venv.symlink_to(ROOT / ".venv", target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    process = subprocess.Popen(
        [str(venv / "bin" / "python"), "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=pack,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    if not port.isdigit():
        process.kill()
        pytest.fail(f"the pack did not start: {port}\n{process.communicate()[1]}")
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield channel
    finally:
        channel.close()
        process.kill()
        process.wait()


def test_the_pack_imports_nothing_outside_its_folder() -> None:
    """The pack's code names no project package: it is published alone."""
    offenders = []
    for path in PACK.rglob("*.py"):
        if "venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found = re.findall(r"^\s*(?:from|import) (infra|components|stacks|policies)\b", text, re.M)
        if found:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(set(found))}")
    assert offenders == []


def test_requirements_match_the_lock() -> None:
    """policies/requirements.txt pins what the project's lock resolves (the runtime the tests
    start the pack with), so the published pack runs the versions tested here."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"]}
    pins = {}
    for line in (PACK / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    assert {"pulumi", "pulumi-policy"} <= set(pins)
    assert {name: locked.get(name) for name in pins} == pins


def test_the_published_pack_describes_every_rule(published_pack: grpc.Channel) -> None:
    from google.protobuf import empty_pb2

    from policies.rules import ALL_POLICIES, PACK_NAME

    info = analyzer_pb2_grpc.AnalyzerStub(published_pack).GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME
    assert [p.name for p in info.policies] == [p.name for p in ALL_POLICIES]


def test_the_cli_path_agrees_with_the_offline_plan_on_every_stack(
    shipped_plans: dict[str, Outcome], published_pack: grpc.Channel
) -> None:
    """Each shipped stack's plan replayed to the published pack over gRPC gets exactly the
    diagnostics the offline plan reported, and none of them is mandatory."""
    stub = analyzer_pb2_grpc.AnalyzerStub(published_pack)
    assert len(shipped_plans) >= 10
    for stack, outcome in sorted(shipped_plans.items()):
        assert outcome.plan is not None and outcome.records, outcome.errors
        project = outcome.records[0].urn.split("::")[1]
        online = run_pack(
            stub,
            outcome.records,
            load_policy_config(ROOT, outcome.environment),
            stack_tags(project),
        )
        offline = outcome.plan["policy"]["violations"]
        key = lambda v: (v["policy"], v["urn"], v["message"], v["level"])  # noqa: E731
        assert sorted(map(key, online)) == sorted(map(key, offline)), stack
        assert [v for v in online if v["level"] == "mandatory"] == [], stack


def test_violating_resources_fire_through_the_published_pack(published_pack: grpc.Channel) -> None:
    """Every rule's violating case (tests/test_policy_rules.py) fires over gRPC too."""
    from infra.plan.monitor import RecordedResource
    from tests.test_policy_rules import DEPLOY_CASES, PROPERTY_CASES

    stub = analyzer_pb2_grpc.AnalyzerStub(published_pack)
    cases = [(rule, type_, bad, None) for rule, type_, _, bad in PROPERTY_CASES] + DEPLOY_CASES
    silent = []
    for rule, type_, bad, config in cases:
        record = RecordedResource(
            urn=f"urn:pulumi:s::p::{type_}::r", type=type_, name="r", parent="",
            provider="", custom=True, protect=False, inputs=bad,
        )  # fmt: skip
        found = run_pack(
            stub, [record], {rule: {"enforcementLevel": "mandatory", **(config or {})}}
        )
        if not [v for v in found if v["policy"] == rule and v["level"] == "mandatory"]:
            silent.append(rule)
    assert len(cases) > 60
    assert silent == []
