"""The offline diff (on real plans, and between two real commits) and the workflow files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.diff.compute import diff_plans, flatten
from infra.diff.markdown import COMMENT_LIMIT, MARKER, render_markdown
from infra.plan.cli import Outcome, plan_many
from tests.conftest import ROOT, write_stack

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
DEV = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
WORKER = {
    "kind": "Deployment", "image": "ghcr.io/analytics-platform/worker:1.0.0", "replicas": 2, "minReplicas": 2,
    "maxReplicas": 4, "port": 8080,
    "resources": {"cpuRequest": "100m", "memoryRequest": "128Mi", "cpuLimit": "500m", "memoryLimit": "256Mi"},
}  # fmt: skip


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The real dev program under three configs, planned in parallel."""
    directory = tmp_path_factory.mktemp("variants")
    configs = {
        "base": DEV,
        "retention": {**DEV, "platform:network": {"flowLogRetentionDays": 30}},
        "worker": {**DEV, "platform:apps": {"worker": WORKER}},
    }
    # one stack name, three directories: URNs must match across variants
    paths = []
    for name, config in configs.items():
        (directory / name).mkdir()
        paths.append(write_stack(directory / name, "dev", config))
    outcomes: list[Outcome] = plan_many(paths, ROOT)
    plans = {}
    for name, outcome in zip(configs, outcomes, strict=True):
        assert outcome.plan is not None, outcome.errors
        plans[name] = outcome.plan
    return plans


def test_identical_plans_have_no_changes(variants: dict[str, dict[str, Any]]) -> None:
    diff = diff_plans("dev", variants["base"], variants["base"])
    assert not diff.has_changes and diff.unchanged == len(variants["base"]["resources"])


def test_a_changed_property_is_reported_by_path(variants: dict[str, dict[str, Any]]) -> None:
    diff = diff_plans("dev", variants["base"], variants["retention"])
    assert not diff.added and not diff.removed
    (change,) = diff.changed
    assert change.name == "platform-dev-network-flow-logs"
    assert [(c.path, c.before, c.after) for c in change.changes] == [("retentionInDays", 7, 30)]
    assert diff.unchanged == len(variants["base"]["resources"]) - 1


def test_added_and_removed_resources(variants: dict[str, dict[str, Any]]) -> None:
    forward = diff_plans("dev", variants["base"], variants["worker"])
    added = {(r["type"], r["name"]) for r in forward.added}
    assert ("kubernetes:apps/v1:Deployment", "platform-dev-worker-deploy") in added
    assert ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "platform-dev-worker-hpa") in added
    assert ("aws:iam/role:Role", "platform-dev-worker") in added
    backward = diff_plans("dev", variants["worker"], variants["base"])
    assert {(r["type"], r["name"]) for r in backward.removed} == added
    # the namespace quota grows with the new workload: a property change, not a replacement
    quota = [
        c
        for c in forward.changed
        if c.type == "kubernetes:core/v1:ResourceQuota" and "analytics" in c.name
    ]
    assert quota and any(c.path.startswith("spec.hard.") for c in quota[0].changes)


def test_secrets_stay_redacted_in_diffs(variants: dict[str, dict[str, Any]]) -> None:
    from infra.plan.mocks.common import digest

    diff = diff_plans("dev", variants["base"], variants["worker"])
    text = render_markdown([diff], "main")
    assert "[secret]" not in "".join(c.path for ch in diff.changed for c in ch.changes)
    mocked_password = digest("dev", "platform-dev-postgres-master", length=64)[:32]
    assert mocked_password not in text
    secrets = [
        r for r in variants["worker"]["resources"] if r["type"] == "kubernetes:core/v1:Secret"
    ]
    assert set(flatten(secrets[0]["inputs"]["stringData"]).values()) == {"[secret]"}


def test_markdown_sections_details_and_policy(variants: dict[str, dict[str, Any]]) -> None:
    diffs = [
        diff_plans("dev", variants["base"], variants["worker"]),
        diff_plans("staging", None, variants["base"]),
    ]
    text = render_markdown(diffs, "main")
    assert text.startswith(MARKER)
    assert "### **dev**: +" in text and "### **staging** (new stack)" in text
    assert "<details><summary>Added (" in text and "</details>" in text
    assert "Policy: no violations." in text


def test_markdown_truncates_under_the_limit_and_says_what_was_cut(
    variants: dict[str, dict[str, Any]],
) -> None:
    diffs = [diff_plans(f"stack-{i}", None, variants["worker"]) for i in range(6)]
    full = render_markdown(diffs, "main", budget=10**9)
    cut = render_markdown(diffs, "main", budget=4_000)
    assert len(full) > 4_000 and "Truncated" not in full
    assert len(cut) < 4_000 + 600 < COMMENT_LIMIT
    notice = re.search(r"(\d+) section\(s\) left out \((.*?)\)", cut)
    assert notice and int(notice.group(1)) > 0 and "stack-5" in notice.group(2)
    # every stack still has its one-line summary at the top
    assert all(f"- **stack-{i}** (new stack)" in cut for i in range(6))


def test_policy_changes_show_new_and_fixed(variants: dict[str, dict[str, Any]]) -> None:
    violation = {
        "policy": "aws-log-group-retention",
        "level": "mandatory",
        "urn": "urn:x::lg",
        "message": "too short",
    }
    base = {**variants["base"], "policy": {"violations": [violation]}}
    fixed = diff_plans("dev", base, variants["base"])
    assert fixed.fixed_violations == [violation] and fixed.new_violations == []
    broken = diff_plans("dev", variants["base"], base)
    assert broken.new_violations == [violation]
    assert "🆕 mandatory" in render_markdown([broken], "main")


def test_diff_between_two_commits_of_the_repo(tmp_path: Path) -> None:
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    stack_file = clone / "Pulumi.dev.yaml"
    config = yaml.safe_load(stack_file.read_text())
    config["config"]["platform:redis"] = {"snapshotRetentionDays": 5}
    stack_file.write_text(yaml.safe_dump(config, sort_keys=False))
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run([*git, "commit", "--quiet", "-am", "longer snapshots"], cwd=clone, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "infra", "diff", "--base", "HEAD~1", "--stack", "dev", "--markdown", "diff.md"],
        cwd=clone, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(clone), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (clone / "diff.md").read_text()
    assert "~1 to change" in text and "`snapshotRetentionLimit` | `1` | `5`" in text
    assert "snapshotRetentionLimit: 1 → 5" in result.stdout
    worktrees = subprocess.run(
        ["git", "worktree", "list"], cwd=clone, capture_output=True, text=True, check=True
    )
    assert len(worktrees.stdout.strip().splitlines()) == 1  # the temporary worktree is gone


def test_a_bad_base_ref_is_a_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "infra", "diff", "--base", "no-such-ref"],
        cwd=ROOT, capture_output=True, text=True, check=False, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert (
        result.returncode == 2
        and "no-such-ref" in result.stderr
        and "Traceback" not in result.stderr
    )


# --- workflows -----------------------------------------------------------------------------


def test_workflows_validate_against_githubs_schema() -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert {w.name for w in WORKFLOWS} >= {"ci.yml", "pr-comment.yml", "preview.yml", "deploy.yml"}


def _load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_actions_are_pinned_by_version() -> None:
    for workflow in WORKFLOWS:
        for line in workflow.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)", line)
            if match and not match.group(1).startswith("./"):
                assert re.search(r"@v\d+\.\d+\.\d+$", match.group(1)), (workflow.name, line)


def test_fork_pull_requests_are_handled_safely() -> None:
    for workflow in WORKFLOWS:
        assert "pull_request_target" not in workflow.read_text(), workflow.name
    ci = _load("ci.yml")
    assert ci["permissions"] == {"contents": "read"}
    assert "secrets." not in (ROOT / ".github/workflows/ci.yml").read_text()
    comment = _load("pr-comment.yml")
    assert comment[True]["workflow_run"]["workflows"] == ["ci"]  # 'on' parses as True
    steps = comment["jobs"]["comment"]["steps"]
    assert not any("actions/checkout" in step.get("uses", "") for step in steps)
    assert MARKER in steps[-1]["with"]["script"] and "updateComment" in steps[-1]["with"]["script"]


def test_previews_use_oidc_and_the_policy_pack() -> None:
    preview = _load("preview.yml")
    job = preview["jobs"]["preview"]
    assert preview["permissions"]["id-token"] == "write"
    assert "head.repo.full_name == github.repository" in job["if"]
    pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions"))
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["edit-pr-comment"] is True
    assert pulumi["with"]["policyPackConfigs"].startswith("policies/config/")
    text = (ROOT / ".github/workflows/preview.yml").read_text()
    assert (
        "aws-access-key-id" not in text
        and "credentials_json" not in text
        and "client-secret" not in text
    )


def test_deploys_run_in_order_with_prod_behind_an_environment() -> None:
    deploy = _load("deploy.yml")["jobs"]
    assert deploy["staging"]["needs"] == "dev" and deploy["prod"]["needs"] == "staging"
    assert deploy["prod"]["with"]["github-environment"] == "production"
    assert deploy["prod"]["with"]["environment"] == "prod"
    up = _load("pulumi-up.yml")["jobs"]["up"]
    assert up["concurrency"]["group"] == "pulumi-up-${{ inputs.stack }}"
    assert up["concurrency"]["cancel-in-progress"] is False
    assert up["environment"] == "${{ inputs.github-environment }}"
