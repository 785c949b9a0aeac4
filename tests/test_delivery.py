"""The offline diff (on real plans, and between two real commits); workflows: test_workflows.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.diff.compute import StackDiff, diff_plans, flatten
from infra.diff.markdown import COMMENT_LIMIT, MARKER, render_markdown
from infra.diff.report import DiffReport
from infra.diff.secrets import changed_secrets
from infra.plan.cli import Outcome, plan_many
from tests.conftest import ROOT, write_stack

DEV = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
WORKER = {
    "kind": "Deployment", "image": "ghcr.io/analytics-platform/worker:1.0.0", "replicas": 2, "minReplicas": 2,
    "maxReplicas": 4, "port": 8080,
    "resources": {"cpuRequest": "100m", "memoryRequest": "128Mi", "cpuLimit": "500m", "memoryLimit": "256Mi"},
}  # fmt: skip


def _report(diffs: list[StackDiff], dirty: bool = False) -> DiffReport:
    return DiffReport("main", "1" * 40, "2" * 40, dirty, diffs)


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
    text = render_markdown(_report([diff]))
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
    text = render_markdown(_report(diffs))
    assert text.startswith(MARKER)
    assert "### **dev**: +" in text and "### **staging** (new stack)" in text
    assert "<details><summary>+ Add <code>" in text and "</details>" in text
    assert "Policy: no violations." in text
    # added resources show their inputs
    assert (
        "`spec.template.spec.containers[0].image` | `ghcr.io/analytics-platform/worker:1.0.0`"
        in text
    )
    # the header carries both commits
    assert "base `main` `1111111` → head `2222222`" in text and "uncommitted" not in text
    assert "**+ uncommitted changes**" in render_markdown(_report(diffs, dirty=True))


def test_markdown_truncates_under_the_limit_and_says_what_was_cut(
    variants: dict[str, dict[str, Any]],
) -> None:
    diffs = [diff_plans(f"stack-{i}", None, variants["worker"]) for i in range(6)]
    full = render_markdown(_report(diffs), budget=10**9)
    cut = render_markdown(_report(diffs), budget=4_000)
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
    assert "🆕 mandatory" in render_markdown(_report([broken]))


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


def _clone(tmp_path: Path) -> Path:
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    return clone


def _commit(clone: Path, message: str) -> None:
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run([*git, "commit", "--quiet", "-am", message], cwd=clone, check=True)


def _diff(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra", "diff", *args],
        cwd=clone, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(clone), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )  # fmt: skip


# Tests of the diff's mechanics (a failing base, secrets, the cache) diff the laptop stack:
# it plans in less than half the time of a cloud stack, and the mechanics are the same.
LOCAL = "dev-local"


def _edit(clone: Path, stack: str, **config: Any) -> None:
    stack_file = clone / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"].update(config)
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_base_that_fails_to_plan_is_an_error_not_a_new_stack(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    _edit(clone, LOCAL, **{"platform:cloud": "mars"})
    _commit(clone, "broken base")
    _edit(clone, LOCAL, **{"platform:cloud": "local"})
    _commit(clone, "fixed")
    result = _diff(clone, "--base", "HEAD~1", "--stack", LOCAL, "--markdown", "diff.md")
    assert result.returncode == 2, result.stdout + result.stderr
    text = (clone / "diff.md").read_text()
    assert "failed to plan" in text and "'mars'; allowed: aws, gcp, azure" in text
    assert "new stack" not in text and "Traceback" not in result.stdout + result.stderr


def test_an_unknown_stack_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "infra", "diff", "--base", "HEAD", "--stack", "no-such-stack"],
        cwd=ROOT, capture_output=True, text=True, check=False, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "Pulumi.no-such-stack.yaml" in result.stderr and "Traceback" not in result.stderr


def test_rotated_secret_dirty_tree_shas_and_base_plan_cache(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    _edit(clone, LOCAL, **{"datadog:apiKey": {"secure": "AAABAGNpcGhlcnRleHQtdjE="}})
    _commit(clone, "add a secret")
    _edit(
        clone, LOCAL, **{"datadog:apiKey": {"secure": "AAABAGNpcGhlcnRleHQtdjI="}}
    )  # not committed
    result = _diff(clone, "--base", "HEAD", "--stack", LOCAL, "--markdown", "diff.md")
    assert result.returncode == 0, result.stderr
    text = (clone / "diff.md").read_text()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
    )
    sha = head.stdout.strip()[:7]
    assert f"base `HEAD` `{sha}` → head `{sha}` **+ uncommitted changes**" in text
    assert "🔑 1 secret(s) changed" in text and "`datadog:apiKey`" in text
    assert "Y2lwaGVy" not in text and "AAAB" not in text  # no ciphertext, let alone plaintext
    assert "secret changed: datadog:apiKey" in result.stdout
    # the base plan is cached by tree and lock file; a second diff reads it (proved by
    # tampering with the cached plan), --no-cache plans the base again
    (cached,) = (clone / ".cache" / "offline-plans").glob(f"*/{LOCAL}.json")
    entry = json.loads(cached.read_text())
    dropped = entry["plan"]["resources"].pop()
    cached.write_text(json.dumps(entry))
    warm = _diff(clone, "--base", "HEAD", "--stack", LOCAL, "--markdown", "warm.md")
    assert "+1 to add" in (clone / "warm.md").read_text() and dropped["name"] in warm.stdout
    cold = _diff(clone, "--base", "HEAD", "--stack", LOCAL, "--markdown", "cold.md", "--no-cache")
    assert "+0 to add" in (clone / "cold.md").read_text(), cold.stderr


def test_cache_key_follows_the_tree_and_the_lock_file(tmp_path: Path) -> None:
    from infra.diff.base import cache_key

    clone = _clone(tmp_path)
    first = cache_key(clone, "HEAD")
    assert cache_key(clone, "HEAD") == first
    (clone / "uv.lock").write_text((clone / "uv.lock").read_text() + "\n# changed\n")
    assert cache_key(clone, "HEAD") != first
    subprocess.run(["git", "checkout", "--quiet", "uv.lock"], cwd=clone, check=True)
    _edit(clone, "dev", **{"platform:redis": {"snapshotRetentionDays": 3}})
    _commit(clone, "new tree")
    assert cache_key(clone, "HEAD") != first and cache_key(clone, "HEAD~1") == first


def test_secret_digests_compare_ciphertext_only() -> None:
    base = "config:\n  a:b:\n    secure: v1\n  a:c:\n    nested:\n      - secure: x\n"
    head = "config:\n  a:b:\n    secure: v2\n  a:c:\n    nested:\n      - secure: x\n"
    assert changed_secrets(base, head) == ["a:b"]
    assert changed_secrets(base, base) == []
    assert changed_secrets(None, head) == ["a:b", "a:c.nested[0]"]


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
