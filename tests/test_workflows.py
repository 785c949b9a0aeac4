"""The GitHub Actions workflows: schema, pins, triggers, gates, credentials and runners.

Parses the YAML only (fast); docs/delivery.md describes what is asserted here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from infra.diff.markdown import MARKER
from tests.conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ACTIONS = sorted((GITHUB / "actions").glob("*/action.yml"))
RUNNERS = json.loads((GITHUB / "runners.json").read_text())
SESSION = "$/.github/actions/cloud-session"
CREDENTIALS = (
    "aws-actions/configure-aws-credentials@",
    "google-github-actions/auth@",
    "azure/login@",
)
DEPLOY_SECRETS = ("PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE")
DEPLOY_ENVIRONMENTS = {"dev", "staging", "production", "production-preview"}


def _load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text())


def _cloud(stack: str) -> str:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]["platform:cloud"]


# Stacks CI previews and deploys: every cloud stack. A local stack (platform:cloud: local)
# targets a developer's own cluster, which CI has none of; CI still plans it offline (--all).
STACKS = {
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in ROOT.glob("Pulumi.*.yaml")
} - {"Pulumi"}
STACKS = {stack for stack in STACKS if _cloud(stack) != "local"}


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    on = workflow[True]  # 'on' parses as True
    return {on: None} if isinstance(on, str) else dict(on)


def test_workflows_validate_against_githubs_schema() -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert {w.name for w in WORKFLOWS} >= {"ci.yml", "pr-comment.yml", "preview.yml", "deploy.yml"}


def test_actions_are_pinned_by_commit_sha() -> None:
    assert ACTIONS, "the local cloud-session action"
    for path in [*WORKFLOWS, *ACTIONS]:
        for line in path.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)", line)
            if match and not match.group(1).startswith(("./", "$/")):
                # a full commit SHA, with the release it is in a comment for humans and bots
                assert re.search(r"@[0-9a-f]{40}$", match.group(1)), (path.name, line)
                assert re.search(r"# v\d+(\.\d+)+$", match.group(2)), (path.name, line)


def test_zizmor_ignores_are_documented_with_reasons() -> None:
    config = GITHUB / "zizmor.yml"
    rules = yaml.safe_load(config.read_text())["rules"]
    docs = (ROOT / "docs" / "delivery.md").read_text()
    lines = config.read_text().splitlines()
    for rule, settings in rules.items():
        for entry in settings.get("ignore", []):
            assert f"`{rule}`" in docs and f"`{entry}`" in docs, (rule, entry)
            at = lines.index(f"      - {entry}")
            assert lines[at - 1].strip().startswith("#"), f"{rule}/{entry} has no reason"


def test_every_job_declares_least_privilege_permissions() -> None:
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        top = workflow.get("permissions")
        assert top in ({}, {"contents": "read"}), (path.name, top)
        for name, job in workflow["jobs"].items():
            permissions = job.get("permissions", top)
            assert permissions is not None, (path.name, name)
            if permissions.get("id-token") == "write":
                # OIDC only where a cloud session is opened (or, for a job that touches no
                # cluster, such as a registry push, only the cloud's credentials)
                assert "uses" in job or any(
                    s.get("uses", "") == SESSION or s.get("uses", "").startswith(CREDENTIALS)
                    for s in job.get("steps", [])
                ), (path.name, name)
        assert "secrets: inherit" not in path.read_text(), path.name


def _reads_deploy_secret(job: dict[str, Any]) -> bool:
    return any(f"secrets.{name}" in yaml.safe_dump(job) for name in DEPLOY_SECRETS)


def test_pull_request_jobs_read_pulumi_secrets_only_in_preview_environments() -> None:
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        assert "pull_request_target" not in _triggers(workflow), path.name
        if "pull_request" not in _triggers(workflow):
            continue
        for name, job in workflow["jobs"].items():
            assert "uses" not in job or "secrets" not in job, (path.name, name)
            if not _reads_deploy_secret(job):
                continue
            environment = job.get("environment")
            assert isinstance(environment, str) and environment.startswith("preview-"), (
                path.name,
                name,
                "a PR job reads a Pulumi secret outside a preview-<env> environment",
            )
            assert environment.removeprefix("preview-") in ("${{ matrix.environment }}",)
    # the deploy jobs read them only inside their GitHub environment, never a preview one
    up = _load("pulumi-up.yml")["jobs"]["up"]
    assert _reads_deploy_secret(up) and up["environment"] == "${{ inputs.github-environment }}"
    envs = {
        job["with"]["github-environment"]
        for job in _load("deploy.yml")["jobs"].values()
        if "uses" in job
    }
    assert envs == DEPLOY_ENVIRONMENTS


def test_fork_pull_requests_are_handled_safely() -> None:
    ci = _load("ci.yml")
    assert ci["permissions"] == {"contents": "read"}
    assert "secrets." not in (GITHUB / "workflows/ci.yml").read_text()
    comment = _load("pr-comment.yml")
    assert comment[True]["workflow_run"]["workflows"] == ["ci"]
    job = comment["jobs"]["comment"]
    assert comment["permissions"] == {}
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
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


def test_the_pr_comment_says_it_is_rendered_by_the_prs_code() -> None:
    script = _load("pr-comment.yml")["jobs"]["comment"]["steps"][-1]["with"]["script"]
    assert "Rendered by this PR's code" in script
    # the notice comes right after the marker, ahead of anything the artifact says
    assert "body = `${marker}\\n${provenance}\\n\\n${body}`" in script
    assert "rendered by the PR's own code" in (ROOT / "docs" / "delivery.md").read_text()


def test_runners_come_from_the_per_stack_map() -> None:
    assert set(RUNNERS) == STACKS
    for stack, roles in RUNNERS.items():
        assert set(roles) == {"preview", "deploy"}, stack
        # private control planes: runners inside the network, never a shared hosted image
        if stack in ("prod", "prod-azure"):
            assert all(isinstance(r, dict) and "group" in r for r in roles.values()), stack
            assert roles["preview"] != roles["deploy"], stack
    preview = _load("preview.yml")["jobs"]
    assert (
        preview["preview"]["runs-on"] == "${{ fromJSON(needs.runners.outputs.map)[matrix.stack] }}"
    )
    assert "runners.json" in yaml.safe_dump(preview["runners"]["steps"])
    assert ".preview" in preview["runners"]["steps"][-1]["run"]
    up = _load("pulumi-up.yml")["jobs"]
    assert up["up"]["runs-on"] == "${{ fromJSON(needs.runner.outputs.runs-on) }}"
    read = up["runner"]["steps"][-1]
    assert "runners.json" in read["run"]
    assert read["env"]["ROLE"] == "${{ inputs.mode == 'plan' && 'preview' || 'deploy' }}"
    assert up["runner"]["steps"][0]["with"]["ref"] == "${{ inputs.sha }}"
    # every other job is a small hosted bookkeeping job that touches no cluster
    for path in WORKFLOWS:
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            if "runs-on" in job and not str(job["runs-on"]).startswith("${{"):
                assert not any(s.get("uses", "") == SESSION for s in job.get("steps", [])), name


def test_cloud_sessions_install_the_kubeconfig_exec_plugins() -> None:
    (action,) = ACTIONS
    steps = yaml.safe_load(action.read_text())["runs"]["steps"]
    by_cloud: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        match = re.fullmatch(r"inputs\.cloud == '(\w+)'", step.get("if", ""))
        if match:
            by_cloud.setdefault(match.group(1), []).append(step)
    gcp = {s.get("uses", "").split("@")[0]: s for s in by_cloud["gcp"]}
    assert list(gcp) == ["google-github-actions/auth", "google-github-actions/setup-gcloud"]
    assert gcp["google-github-actions/setup-gcloud"]["with"]["install_components"] == (
        "gke-gcloud-auth-plugin"
    )
    azure = [s.get("uses", "").split("@")[0] for s in by_cloud["azure"]]
    assert azure == ["azure/login", "azure/use-kubelogin"]
    aws = by_cloud["aws"]
    assert aws[0]["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert "aws-cli/2" in aws[1]["run"]
    # ...which are the commands the generated kubeconfigs run
    components = ROOT / "components"
    assert '"command": "gke-gcloud-auth-plugin"' in (components / "gcp/gke.py").read_text()
    assert 'exec_.get("command") != "kubelogin"' in (components / "azure/kubeconfig.py").read_text()
    assert '"get-token",' in (components / "aws/eks.py").read_text()
    # both jobs that reach clusters open their session through the action
    for workflow, job in (("preview.yml", "preview"), ("pulumi-up.yml", "up")):
        uses = [s.get("uses") for s in _load(workflow)["jobs"][job]["steps"]]
        assert SESSION in uses, workflow


def test_state_backends_follow_the_stacks_cloud() -> None:
    for workflow, job, key in (
        ("preview.yml", "preview", "matrix"),
        ("pulumi-up.yml", "up", "inputs"),
    ):
        env = _load(workflow)["jobs"][job]["env"]
        for cloud in ("aws", "gcp", "azure"):
            part = f"({key}.cloud == '{cloud}' && vars.PULUMI_BACKEND_URL_{cloud.upper()})"
            assert part in env["PULUMI_BACKEND_URL"] and part in env["STACK_REF"], (workflow, cloud)
        assert "vars.PULUMI_BACKEND_URL " not in yaml.safe_dump(env)
        text = (GITHUB / "workflows" / workflow).read_text()
        assert "cloud-url: ${{ env.PULUMI_BACKEND_URL }}" in text
        assert "stack-name: ${{ env.STACK_REF }}" in text


def test_previews_cover_every_stack_with_upsert_oidc_and_the_policy_pack() -> None:
    preview = _load("preview.yml")
    assert preview["permissions"] == {}
    job = preview["jobs"]["preview"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    assert job["environment"] == "preview-${{ matrix.environment }}"
    assert "head.repo.full_name == github.repository" in preview["jobs"]["runners"]["if"]
    assert job["needs"] == "runners"
    matrix = job["strategy"]["matrix"]["include"]
    assert {m["stack"] for m in matrix} == STACKS and len(STACKS) == 9
    assert all(m["cloud"] == _cloud(m["stack"]) for m in matrix)
    session = next(s for s in job["steps"] if s.get("uses") == SESSION)["with"]
    assert int(session["aws-session-seconds"]) >= 60 * job["timeout-minutes"]
    assert "PREVIEW" in session["aws-role-arn"] and "PREVIEW" in session["gcp-service-account"]
    pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["upsert"] is True
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["edit-pr-comment"] is True
    assert pulumi["with"]["policyPackConfigs"].startswith("policies/config/")
    text = "\n".join(p.read_text() for p in [GITHUB / "workflows/preview.yml", *ACTIONS])
    assert "aws-access-key-id" not in text and "credentials_json" not in text
    assert "client-secret" not in text


def test_deploys_wait_for_ci_and_dispatch_deploys_only_main() -> None:
    deploy = _load("deploy.yml")
    assert deploy[True]["workflow_run"] == {
        "workflows": ["ci"],
        "types": ["completed"],
        "branches": ["main"],
    }
    assert deploy["permissions"] == {}
    gate = deploy["jobs"]["gate"]
    assert gate["permissions"] == {"actions": "read"}
    assert "workflow_run.conclusion == 'success'" in gate["if"]
    assert (
        "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'" in gate["if"]
    )
    assert "status: 'success'" in gate["steps"][0]["with"]["script"]
    for name, job in deploy["jobs"].items():
        if name != "gate":
            assert job["with"]["sha"] == "${{ needs.gate.outputs.sha }}", name
            assert job["permissions"] == {"contents": "read", "id-token": "write"}, name
            assert "secrets" not in job, name


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
    assert all(j["with"]["github-environment"] == "dev" for j in dev.values())
    assert all(j["with"]["github-environment"] == "staging" for j in staging.values())
    assert "dev" in jobs["staging"]["needs"]
    for stack, job in prod.items():
        preview = previews[stack]
        assert preview["with"]["mode"] == "plan" and "staging" in preview["needs"]
        assert preview["with"]["github-environment"] == "production-preview"
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
    session = next(s for s in up["steps"] if s.get("uses") == SESSION)["with"]
    assert int(session["aws-session-seconds"]) >= 60 * up["timeout-minutes"]


def test_releases_commit_dev_and_staging_and_only_propose_prod() -> None:
    release = _load("release.yml")
    assert release["permissions"] == {}
    jobs = release["jobs"]
    build = jobs["build"]
    assert build["permissions"] == {"contents": "read", "id-token": "write"}
    assert "--push" in yaml.safe_dump(build["steps"]) and "containerimage.digest" in yaml.safe_dump(
        build["steps"]
    )
    # the registry is the release stack's imageRegistry output, never a value kept by hand
    steps = {step.get("name", step.get("uses")): step for step in build["steps"]}
    output = steps["The release stack's imageRegistry"]
    assert output["uses"].startswith("pulumi/actions@") and output["with"]["command"] == "output"
    assert output["with"]["stack-name"].endswith("/platform/${{ vars.RELEASE_STACK }}")
    push = steps["Build and push by digest"]
    assert push["env"]["REGISTRY"] == "${{ steps.stack.outputs.imageRegistry }}"
    assert "IMAGE_REGISTRY" not in (GITHUB / "workflows" / "release.yml").read_text()
    commit = jobs["dev-staging"]["steps"][-1]["run"]
    assert "--environment dev staging" in commit and "HEAD:main" in commit
    assert "prod" not in commit
    proposal = jobs["prod-pull-request"]["steps"][-1]["run"]
    assert "--environment prod" in proposal and "gh pr create" in proposal
    assert "HEAD:main" not in proposal and 'git push "https' in proposal
    assert jobs["prod-pull-request"]["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
    }
    # merging the proposal needs a prod approver: CODEOWNERS owns every prod stack file and
    # every prod GitOps package
    owners = dict(
        line.split(maxsplit=1)
        for line in (GITHUB / "CODEOWNERS").read_text().splitlines()
        if line and not line.startswith("#")
    )
    prod_files = [p.name for p in ROOT.glob("Pulumi.prod*.yaml")]
    assert prod_files and "/Pulumi.prod*.yaml" in owners and "/deploy/prod*/" in owners
    assert len(set(owners.values())) == 1


def test_versions_run_weekly_and_open_an_issue_with_least_privilege() -> None:
    workflow = _load("versions.yml")
    triggers = _triggers(workflow)
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    *_, day, month, weekday = triggers["schedule"][0]["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["versions"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "python -m infra versions --all --markdown versions.md" in runs
    assert "gh issue create" in runs and "gh issue edit" in runs
    # a pin past its end fails the run after the issue is written
    assert job["steps"][-1]["if"] == "steps.versions.outputs.status != '0'"


def test_versions_ask_each_cloud_with_oidc_read_only_identities() -> None:
    """The weekly run asks each cloud with its preview (read-only) identity through OIDC, in
    the `versions` environment; the variables it reads are the ones docs/delivery.md names."""
    workflow = _load("versions.yml")
    job = workflow["jobs"]["ask"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["environment"] == "versions"
    assert job["strategy"]["matrix"]["cloud"] == ["aws", "gcp", "azure"]
    by_action = {s["uses"].split("@")[0]: s for s in job["steps"] if "uses" in s}
    for action, cloud, variable in (
        ("aws-actions/configure-aws-credentials", "aws", "AWS_PREVIEW_ROLE_ARN"),
        ("google-github-actions/auth", "gcp", "GCP_WORKLOAD_IDENTITY_PROVIDER"),
        ("azure/login", "azure", "AZURE_CLIENT_ID"),
    ):
        step = by_action[action]
        assert step["if"] == f"matrix.cloud == '{cloud}' && vars.{variable} != ''", step
    text = (GITHUB / "workflows" / "versions.yml").read_text()
    delivery = (ROOT / "docs" / "delivery.md").read_text()
    variables = set(re.findall(r"vars\.([A-Z_]+)", text))
    assert variables and all(f"`{v}`" in delivery for v in variables), variables
    assert "environment:versions" in delivery
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "python -m infra versions --cloud-pins" in runs
    for asked in ("aws eks describe-cluster-versions", "aws rds describe-db-engine-versions",
                  "aws kafka list-kafka-versions", "gcloud container get-server-config",
                  "az aks get-versions", "az vm list-skus",
                  "az postgres flexible-server list-skus"):  # fmt: skip
        assert asked in runs, asked


def test_cloud_pins_name_what_the_workflow_asks() -> None:
    from infra.versions import cloud_pins
    from policies.rules.facts import catalog

    aws = cloud_pins("aws", ROOT)
    rds = catalog.service("postgres.rds")
    assert aws["stack"] == "dev" and aws["region"] == "eu-west-1"
    assert aws["postgres"] == rds.pinned.extra["minor"]
    assert cloud_pins("gcp", ROOT)["kubernetes"] == catalog.service("kubernetes.gke").default
    # Flexible Server: the major and the SKU, both asked of the location's capabilities
    azure = cloud_pins("azure", ROOT)
    assert azure["postgres"] == catalog.service("postgres.flexible-server").default
    assert (azure["stack"], azure["postgres_size"]) == ("dev-azure", "Standard_B2s")  # profile
    assert azure["node_size"] == "Standard_D2s_v5"  # dev's profile; az vm list-skus asks for it
