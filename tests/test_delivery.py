"""The offline diff (on real plans, and between two real commits) and the workflow files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.diff.cli import DiffReport
from infra.diff.compute import StackDiff, diff_plans, flatten
from infra.diff.markdown import COMMENT_LIMIT, MARKER, render_markdown
from infra.diff.secrets import changed_secrets
from infra.plan.cli import Outcome, plan_many
from tests.conftest import ROOT, write_stack

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
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


def _edit_dev(clone: Path, **config: Any) -> None:
    stack_file = clone / "Pulumi.dev.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"].update(config)
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_base_that_fails_to_plan_is_an_error_not_a_new_stack(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    _edit_dev(clone, **{"platform:cloud": "mars"})
    _commit(clone, "broken base")
    _edit_dev(clone, **{"platform:cloud": "aws"})
    _commit(clone, "fixed")
    result = _diff(clone, "--base", "HEAD~1", "--stack", "dev", "--markdown", "diff.md")
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
    _edit_dev(clone, **{"datadog:apiKey": {"secure": "AAABAGNpcGhlcnRleHQtdjE="}})
    _commit(clone, "add a secret")
    _edit_dev(clone, **{"datadog:apiKey": {"secure": "AAABAGNpcGhlcnRleHQtdjI="}})  # not committed
    result = _diff(clone, "--base", "HEAD", "--stack", "dev", "--markdown", "diff.md")
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
    (cached,) = (clone / ".cache" / "offline-plans").glob("*/dev.json")
    entry = json.loads(cached.read_text())
    dropped = entry["plan"]["resources"].pop()
    cached.write_text(json.dumps(entry))
    warm = _diff(clone, "--base", "HEAD", "--stack", "dev", "--markdown", "warm.md")
    assert "+1 to add" in (clone / "warm.md").read_text() and dropped["name"] in warm.stdout
    cold = _diff(clone, "--base", "HEAD", "--stack", "dev", "--markdown", "cold.md", "--no-cache")
    assert "+0 to add" in (clone / "cold.md").read_text(), cold.stderr


def test_cache_key_follows_the_tree_and_the_lock_file(tmp_path: Path) -> None:
    from infra.diff.base import cache_key

    clone = _clone(tmp_path)
    first = cache_key(clone, "HEAD")
    assert cache_key(clone, "HEAD") == first
    (clone / "uv.lock").write_text((clone / "uv.lock").read_text() + "\n# changed\n")
    assert cache_key(clone, "HEAD") != first
    subprocess.run(["git", "checkout", "--quiet", "uv.lock"], cwd=clone, check=True)
    _edit_dev(clone, **{"platform:redis": {"snapshotRetentionDays": 3}})
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


def _steps(workflow: str, job: str) -> list[dict[str, Any]]:
    return _load(workflow)["jobs"][job]["steps"]


def test_actions_are_pinned_by_commit_sha() -> None:
    for workflow in WORKFLOWS:
        for line in workflow.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)", line)
            if match and not match.group(1).startswith("./"):
                # a full commit SHA, with the release it is in a comment for humans and bots
                assert re.search(r"@[0-9a-f]{40}$", match.group(1)), (workflow.name, line)
                assert re.search(r"# v\d+\.\d+\.\d+$", match.group(2)), (workflow.name, line)


def test_fork_pull_requests_are_handled_safely() -> None:
    for workflow in WORKFLOWS:
        assert "pull_request_target" not in workflow.read_text(), workflow.name
    ci = _load("ci.yml")
    assert ci["permissions"] == {"contents": "read"}
    assert "secrets." not in (ROOT / ".github/workflows/ci.yml").read_text()
    comment = _load("pr-comment.yml")
    assert comment[True]["workflow_run"]["workflows"] == ["ci"]  # 'on' parses as True
    job = comment["jobs"]["comment"]
    assert not any("actions/checkout" in step.get("uses", "") for step in job["steps"])
    # cancelled and failed runs are ignored; one concurrency group per pull request
    assert "workflow_run.conclusion == 'success'" in job["if"]
    assert "head_repository.full_name" in job["concurrency"]["group"]
    assert "head_branch" in job["concurrency"]["group"]
    script = job["steps"][-1]["with"]["script"]
    # the PR number from the artifact is verified against the run's head SHA and repository
    # before anything is written, and only this workflow's own comment is edited
    verify = script.index("pr.head.sha !== headSha")
    assert script.index("pulls.get") < verify < script.index("createComment")
    assert job["steps"][-1]["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    assert "pr.head.repo?.full_name !== process.env.HEAD_REPO" in script
    assert "'github-actions[bot]'" in script and MARKER in script and "updateComment" in script


def _cloud(stack: str) -> str:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]["platform:cloud"]


# Stacks CI previews and deploys: every cloud stack. A local stack (platform:cloud: local)
# targets a developer's own cluster, which CI has none of; CI still plans it offline (--all).
STACKS = {
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in ROOT.glob("Pulumi.*.yaml")
} - {"Pulumi"}
STACKS = {stack for stack in STACKS if _cloud(stack) != "local"}


def test_previews_cover_every_stack_with_oidc_and_the_policy_pack() -> None:
    preview = _load("preview.yml")
    job = preview["jobs"]["preview"]
    assert preview["permissions"]["id-token"] == "write"
    assert "head.repo.full_name == github.repository" in job["if"]
    matrix = job["strategy"]["matrix"]["include"]
    assert {m["stack"] for m in matrix} == STACKS and len(STACKS) == 9
    assert all(m["cloud"] == _cloud(m["stack"]) for m in matrix)
    uses = {s.get("uses", "").split("@")[0]: s for s in job["steps"]}
    assert (
        int(uses["aws-actions/configure-aws-credentials"]["with"]["role-duration-seconds"])
        >= 60 * job["timeout-minutes"]
    )
    assert "workload_identity_provider" in uses["google-github-actions/auth"]["with"]
    assert "client-id" in uses["azure/login"]["with"]
    pulumi = uses["pulumi/actions"]
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["edit-pr-comment"] is True
    assert pulumi["with"]["policyPackConfigs"].startswith("policies/config/")
    text = (ROOT / ".github/workflows/preview.yml").read_text()
    assert (
        "aws-access-key-id" not in text
        and "credentials_json" not in text
        and "client-secret" not in text
    )


def test_deploys_wait_for_ci_and_dispatch_deploys_only_main() -> None:
    deploy = _load("deploy.yml")
    assert deploy[True]["workflow_run"] == {
        "workflows": ["ci"],
        "types": ["completed"],
        "branches": ["main"],
    }
    gate = deploy["jobs"]["gate"]
    assert "workflow_run.conclusion == 'success'" in gate["if"]
    assert (
        "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'" in gate["if"]
    )
    assert "status: 'success'" in gate["steps"][0]["with"]["script"]
    for name, job in deploy["jobs"].items():
        if name != "gate":
            assert job["with"]["sha"] == "${{ needs.gate.outputs.sha }}", name


def _deployed(jobs: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, job in jobs.items():
        if not name.startswith(prefix) or "uses" not in job:
            continue
        legs = job.get("strategy", {}).get("matrix", {}).get("include") or [job["with"]]
        for leg in legs:
            found[leg["stack"]] = {**job, "name": name, "leg": leg}
    return found


def test_every_stack_deploys_in_order_and_prod_applies_the_approved_preview() -> None:
    jobs = _load("deploy.yml")["jobs"]
    dev, staging = _deployed(jobs, "dev"), _deployed(jobs, "staging")
    previews, prod = (
        _deployed(jobs, "prod-preview"),
        _deployed({k: v for k, v in jobs.items() if not k.startswith("prod-preview")}, "prod"),
    )
    assert set(dev) | set(staging) | set(prod) == STACKS
    assert set(previews) == set(prod) == {"prod", "prod-gcp", "prod-azure"}
    assert all(j["leg"]["cloud"] == _cloud(s) for s, j in {**dev, **staging, **prod}.items())
    assert "dev" in jobs["staging"]["needs"]
    for stack, job in prod.items():
        preview = previews[stack]
        assert preview["with"]["mode"] == "plan" and "staging" in preview["needs"]
        assert (
            job["with"]["github-environment"] == "production"
            and job["with"]["mode"] == "up-planned"
        )
        assert preview["name"] in job["needs"]
        assert (
            job["with"]["plan-digest"] == f"${{{{ needs.{preview['name']}.outputs.plan-digest }}}}"
        )
    up = _load("pulumi-up.yml")["jobs"]["up"]
    assert up["concurrency"] == {"group": "pulumi-${{ inputs.stack }}", "cancel-in-progress": False}
    assert up["environment"] == "${{ inputs.github-environment }}"
    steps = {s.get("name", s.get("uses", "")): s for s in up["steps"]}
    saved = steps["pulumi preview, saving the update plan"]["with"]
    assert saved["plan"] == "update-plan.json" and saved["comment-on-summary"] is True
    check = steps["The plan is the one that was approved"]
    assert check["env"]["APPROVED"] == "${{ inputs.plan-digest }}" and "exit 1" in check["run"]
    applied = steps["pulumi up, constrained to the approved plan"]["with"]
    assert applied["plan"] == "update-plan.json" and "refresh" not in applied
    assert steps["pulumi up with the policy pack"]["with"]["upsert"] is True
    aws = next(s for s in up["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert int(aws["with"]["role-duration-seconds"]) >= 60 * up["timeout-minutes"]
