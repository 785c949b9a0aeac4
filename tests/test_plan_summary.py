"""What the plan says a stack costs and risks: sizes, estimated monthly cost from dated price
rows (figures present and summed), protected resources, internet exposure; readable at 80
columns; the diff shows the cost change."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra.diff.compute import cost_change, diff_plans
from infra.diff.markdown import render_markdown
from infra.diff.report import DiffReport
from infra.plan.cli import Outcome
from infra.plan.prices import HOURS_PER_MONTH, PRICES, price
from infra.plan.summary import summarize, summary_markdown
from tests.conftest import ROOT, plan_of, run_cli


def _summary(plans: dict[str, Outcome], stack: str) -> dict[str, Any]:
    return plan_of(plans, stack)["summary"]


def _hourly(cloud: str, region: str, sku: str) -> float:
    row = price(cloud, region, sku)
    assert row is not None, sku
    return row.usd


def test_every_price_row_carries_a_source_and_the_date_it_was_read() -> None:
    assert PRICES
    for row in PRICES:
        assert row.source.startswith("https://"), row
        assert date.fromisoformat(row.read) <= date(2026, 12, 2), row
        assert row.usd > 0 and row.unit == "hour" and row.note, row
    keys = [(row.cloud, row.region, row.sku) for row in PRICES]
    assert len(keys) == len(set(keys)), "one price per cloud, region and SKU"


def test_sums_add_up_in_every_shipped_stack(shipped_plans: dict[str, Outcome]) -> None:
    for stack in shipped_plans:
        summary = _summary(shipped_plans, stack)
        for component in summary["components"]:
            for line in component["cost"]:
                expected = line["usd_per_unit"] * line["quantity"] * HOURS_PER_MONTH
                assert line["monthly_usd"] == pytest.approx(expected, abs=0.01)
                assert line["source"].startswith("https://") and line["read"]
            total = sum(line["monthly_usd"] for line in component["cost"])
            assert component["monthly_usd"] == pytest.approx(total, abs=0.01)
        total = sum(c["monthly_usd"] for c in summary["components"])
        assert summary["monthly_usd"] == pytest.approx(total, abs=0.01), stack
        assert "estimate" in summary["estimate"]["note"].lower() or summary["cloud"] == "local"


def test_dev_on_aws_shows_its_sizes_cost_and_exposure(shipped_plans: dict[str, Outcome]) -> None:
    summary = _summary(shipped_plans, "dev")
    sizes = " ".join(size for c in summary["components"] for size in c["sizes"])
    for figure in (
        "2 x t3.large",
        "db.t4g.medium, 20 GiB",
        "2 x kafka.t3.small",
        "cache.t4g.small",
    ):
        assert figure in sizes, sizes
    # the EKS control plane and two t3.large nodes, each at its dated list price
    expected = (
        _hourly("aws", "eu-west-1", "eks-control-plane")
        + 2 * _hourly("aws", "eu-west-1", "t3.large")
    ) * HOURS_PER_MONTH
    assert summary["monthly_usd"] == pytest.approx(expected, abs=0.01)
    not_priced = [item for c in summary["components"] for item in c["not_priced"]]
    assert "RDS db.t4g.medium" in not_priced, "a SKU without a price row is named, never free"
    exposure = {(e["what"], e["from"]) for e in summary["exposure"]}
    assert ("Kubernetes API (public endpoint)", "203.0.113.0/24") in exposure
    assert ("load balancer of the Gateway (ports 80, 443)", "anywhere (0.0.0.0/0)") in exposure
    assert any(what.startswith("https://") for what, _ in exposure)
    assert summary["protected"] == []


def test_prod_stacks_list_protected_resources_and_keep_their_api_private(
    shipped_plans: dict[str, Outcome],
) -> None:
    for stack in ("prod", "prod-gcp", "prod-azure"):
        plan = plan_of(shipped_plans, stack)
        summary = plan["summary"]
        protected = [r for r in plan["resources"] if r["protect"]]
        assert len(summary["protected"]) == len(protected) > 0
        assert not [e for e in summary["exposure"] if "Kubernetes API" in e["what"]], stack
        assert any("Postgres:" in s for c in summary["components"] for s in c["sizes"])
        assert summary["monthly_usd"] > 0


def test_shipped_node_sizes_all_have_a_price_row(shipped_plans: dict[str, Outcome]) -> None:
    for stack in shipped_plans:
        summary = _summary(shipped_plans, stack)
        missing = [i for c in summary["components"] for i in c["not_priced"] if "no price row" in i]
        assert missing == [], (stack, missing)


def test_markdown_says_it_is_an_estimate_and_names_sources(
    shipped_plans: dict[str, Outcome],
) -> None:
    text = summary_markdown("prod-gcp", _summary(shipped_plans, "prod-gcp"))
    assert "estimated $" in text and "An estimate, not a quote" in text and "Leaves out:" in text
    assert "n2-standard-4" in text and "| 2026-12-02 | https://" in text
    assert "**Protected** (pulumi protect): " in text and "Exposed to the internet" in text


def test_the_diff_comment_shows_the_cost_change(shipped_plans: dict[str, Outcome]) -> None:
    base = plan_of(shipped_plans, "dev")
    head = copy.deepcopy(base)
    del head["summary"]  # a plan without one (older code) is summarized by the diff
    for resource in head["resources"]:
        if resource["type"] == "aws:eks/nodeGroup:NodeGroup":
            resource["inputs"]["scalingConfig"]["desiredSize"] = 3
    diff = diff_plans("dev", base, head)
    node = _hourly("aws", "eu-west-1", "t3.large") * HOURS_PER_MONTH
    before = base["summary"]["monthly_usd"]
    assert diff.monthly_usd_after == pytest.approx(before + node, abs=0.01)
    change = cost_change(diff)
    assert change == f"${before:,.2f} -> ${before + node:,.2f}/month (+${node:,.2f})"
    report = DiffReport("main", "a" * 40, "b" * 40, False, [diff])
    assert f"💰 est. {change}" in render_markdown(report)
    assert summarize(head)["monthly_usd"] == diff.monthly_usd_after


def _cli_80(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env={"COLUMNS": "80", "TERM": "dumb"})


def test_all_at_80_columns_cuts_nothing_and_names_each_stack(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for entry in ("Pulumi.yaml", "__main__.py", "infra", "components", "stacks", "policies"):
        (project / entry).symlink_to(ROOT / entry)
    for stack in ("dev-azure", "prod-azure"):
        (project / f"Pulumi.{stack}.yaml").write_text((ROOT / f"Pulumi.{stack}.yaml").read_text())
    out = tmp_path / "plans.json"
    result = _cli_80("plan", "--all", "--json", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    # every resource type and every violation's policy is printed whole, on one line
    for plan in json.loads(out.read_text()):
        for type_ in {r["type"] for r in plan["resources"] if r["custom"]}:
            assert re.search(rf"│\s+{re.escape(type_)}\s+│", result.stdout), type_
        for violation in plan["policy"]["violations"]:
            assert re.search(rf"│ {re.escape(violation['policy'])}\s+│", result.stdout)
    assert "Policy violations: stack dev-azure" in result.stdout
    assert "Estimated total: $" in result.stdout and "Exposed to the internet" in result.stdout
    # CI logs are no terminal: no progress bar, and the written file is announced
    assert "planning 2 stacks" not in result.stderr + result.stdout
    assert f"wrote plan JSON of 2 stack(s): {out}" in result.stderr.replace("\n", "")
