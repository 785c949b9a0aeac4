"""The offline plan tool end to end: exit codes, JSON, render, redaction, loud failures."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from infra.plan.cli import EXIT_ERROR, EXIT_OK, EXIT_POLICY, Outcome, plan_many
from infra.plan.monitor import RecordedResource
from infra.plan.policy import evaluate
from infra.plan.render import render
from tests.conftest import ROOT, make_project, run_cli

DEV = {
    "platform:example": "true",
    "platform:cloud": "aws",
    "platform:environment": "dev",
    "aws:region": "eu-west-1",
}


def test_default_stack_prints_a_summary() -> None:
    result = run_cli("plan")
    assert result.returncode == EXIT_OK, result.stderr
    assert "offline plan" in result.stdout and "stack dev" in result.stdout
    assert "platform-dev-network" in result.stdout and "aws:ec2/vpc:Vpc" in result.stdout
    assert "networkId" in result.stdout and "policy (dev): no violations" in result.stdout


def _project_copy(directory: Path, stacks: list[str]) -> Path:
    """The real program with only some stack files beside it (``--all`` plans what it finds)."""
    directory.mkdir()
    for entry in ("Pulumi.yaml", "__main__.py", "infra", "components", "stacks", "policies"):
        (directory / entry).symlink_to(ROOT / entry)
    for stack in stacks:
        (directory / f"Pulumi.{stack}.yaml").write_text((ROOT / f"Pulumi.{stack}.yaml").read_text())
    return directory


def test_all_writes_one_plan_per_stack(tmp_path: Path) -> None:
    project = _project_copy(tmp_path / "project", ["dev", "dev-azure"])
    out = tmp_path / "plans.json"
    result = run_cli(
        "plan", "--all", "--json", str(out), "--quiet", "--render", str(tmp_path / "r"), cwd=project
    )
    assert result.returncode == EXIT_OK, result.stderr
    plans = json.loads(out.read_text())
    assert sorted(p["stack"] for p in plans) == ["dev", "dev-azure"]
    # --quiet: no summaries, only violations (the Azure stack carries one advisory finding)
    assert "Resources by component" not in result.stdout and "Stack outputs" not in result.stdout
    assert "azure-eventhubs-local-auth-disabled" in result.stdout
    assert (tmp_path / "r" / "dev" / "analytics.yaml").is_file()
    assert (tmp_path / "r" / "dev-azure" / "analytics.yaml").is_file()


def test_bad_stack_file_exits_2_with_one_line_per_mistake(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.broken.yaml"
    stack.write_text(
        yaml.safe_dump(
            {
                "config": {
                    **DEV,
                    "platform:postgress": {"version": "16"},
                    "platform:network": {"cidr": "10.0.0.0/33", "zones": "two"},
                }
            }
        )
    )
    result = run_cli("plan", "--config-file", str(stack))
    assert result.returncode == EXIT_ERROR
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 3, result.stderr
    assert all(line.startswith("error: Pulumi.broken.yaml: platform:") for line in lines)
    assert "did you mean platform:postgres?" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_stack_file_is_a_clear_error() -> None:
    result = run_cli("plan", "--stack", "nope")
    assert result.returncode == EXIT_ERROR
    assert "Pulumi.nope.yaml: file not found" in result.stderr and "Traceback" not in result.stderr


SECRET_PROGRAM = """
import pulumi, pulumi_random as random, pulumi_aws as aws
password = random.RandomPassword("db", length=24)
config = pulumi.Config("platform")
aws.ssm.Parameter("param", type="SecureString", value=password.result)
aws.ssm.Parameter("token", type="SecureString", value=config.require_secret("token"))
pulumi.export("password", password.result)
pulumi.export("nested", {"inner": password.result, "plain": "visible"})
"""


def test_secrets_never_reach_json_or_terminal(tmp_path: Path) -> None:
    stack = make_project(
        tmp_path,
        SECRET_PROGRAM,
        {"aws:region": "eu-west-1", "platform:token": {"secure": "v1:AAAA"}},
    )
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.plan is not None, outcome.errors
    text = json.dumps(outcome.plan)
    mocked_password = outcome.plan["outputs"]["password"]
    assert mocked_password == "[secret]"
    assert outcome.plan["outputs"]["nested"] == {"inner": "[secret]", "plain": "visible"}
    params = [r for r in outcome.plan["resources"] if r["type"] == "aws:ssm/parameter:Parameter"]
    assert [p["inputs"]["value"] for p in params] == ["[secret]", "[secret]"]
    assert "offline-plan-secret-placeholder" not in text and "v1:AAAA" not in text
    # the mocked password itself (deterministic) appears nowhere
    from infra.plan.mocks.common import digest

    assert digest("test", "db", length=64)[:24] not in text

    result = run_cli("plan", "--stack", "test", "--json", str(tmp_path / "o.json"), cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert (
        digest("test", "db", length=64)[:24]
        not in result.stdout + (tmp_path / "o.json").read_text()
    )


EVERY_FORM_PROGRAM = """
import pulumi, pulumi_random as random, pulumi_aws as aws, pulumi_kubernetes as k8s
password = random.RandomPassword("db", length=24)
literal = pulumi.Output.secret("literal-secret-value-7f3a")
url = password.result.apply(lambda p: f"postgres://app:{p}@db:5432/app")
combined = pulumi.Output.all(literal, "plain").apply(lambda v: "-".join(v))
aws.rds.Instance("db", instance_class="db.t4g.micro", engine="postgres", allocated_storage=20,
                 username="app", password=password.result.apply(lambda p: p + "!"))
k8s.core.v1.Secret("s", string_data={"DATABASE_URL": url, "LITERAL": literal})
k8s.core.v1.ConfigMap("leak", data={"COMBINED": combined})
pulumi.export("url", url)
pulumi.export("combined", combined)
"""


def test_a_secret_in_any_form_reaches_no_output(tmp_path: Path) -> None:
    """Secret values travel as markers, inside values derived from them (``apply``), combined
    with plain values, as inputs and outputs: none reaches the JSON, the terminal, the
    rendered manifests or the scanner exports, by value."""
    from infra.plan.mocks.common import digest

    make_project(tmp_path, EVERY_FORM_PROGRAM, {"aws:region": "eu-west-1"})
    result = run_cli(
        "plan", "--stack", "test", "--json", str(tmp_path / "o.json"),
        "--render", str(tmp_path / "render"), "--export", str(tmp_path / "export"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == EXIT_OK, result.stderr
    written = [
        tmp_path / "o.json",
        *(tmp_path / "render").rglob("*"),
        *(tmp_path / "export").rglob("*"),
    ]
    texts = [result.stdout, result.stderr] + [p.read_text() for p in written if p.is_file()]
    assert len(texts) > 4
    for value in (digest("test", "db", length=64)[:24], "literal-secret-value-7f3a"):
        assert not [t[:80] for t in texts if value in t], value
    plan = json.loads((tmp_path / "o.json").read_text())
    assert plan["outputs"] == {"combined": "[secret]", "url": "[secret]"}


def test_unmocked_invokes_fail_loudly(tmp_path: Path) -> None:
    program = """
import pulumi, pulumi_aws as aws
vpc = aws.ec2.get_vpc_output(default=True)
aws.ec2.Subnet("s", vpc_id=vpc.id, cidr_block="10.0.0.0/24")
"""
    stack = make_project(tmp_path, program, {"aws:region": "eu-west-1"})
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.exit_code == EXIT_ERROR
    assert any("no mock for invoke aws:ec2/getVpc:getVpc" in line for line in outcome.errors), (
        outcome.errors
    )


def test_program_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    stack = make_project(tmp_path, "raise ValueError('boom')\n", {})
    result = run_cli("plan", "--config-file", str(stack), cwd=tmp_path)
    assert result.returncode == EXIT_ERROR
    assert "program error: ValueError: boom" in result.stderr and "Traceback" not in result.stderr


def test_mandatory_violation_exits_1(tmp_path: Path) -> None:
    program = """
import pulumi_aws as aws
aws.cloudwatch.LogGroup("forever", tags={"project": "x"})
"""
    stack = make_project(
        tmp_path, program, {"aws:region": "eu-west-1", "platform:environment": "prod"}
    )
    (tmp_path / "policies" / "config").mkdir(parents=True)
    (tmp_path / "policies" / "config" / "prod.json").write_text('{"all": "mandatory"}')
    result = run_cli(
        "plan", "--config-file", str(stack), "--json", str(tmp_path / "plan.json"), cwd=tmp_path
    )
    assert result.returncode == EXIT_POLICY, result.stderr
    violations = json.loads((tmp_path / "plan.json").read_text())["policy"]["violations"]
    policies = {v["policy"] for v in violations}
    assert {"aws-log-group-retention", "required-tags"} <= policies
    assert all(v["level"] == "mandatory" and v["urn"].endswith("::forever") for v in violations)
    assert "aws-log-group-retention" in result.stdout


def test_advisory_violations_do_not_fail(tmp_path: Path) -> None:
    stack = make_project(
        tmp_path,
        "import pulumi_aws as aws\naws.cloudwatch.LogGroup('forever')\n",
        {"aws:region": "eu-west-1"},
    )
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.exit_code == EXIT_OK
    assert outcome.plan and {v["level"] for v in outcome.plan["policy"]["violations"]} == {
        "advisory"
    }


K8S_PROGRAM = """
import pulumi_kubernetes as k8s
provider = k8s.Provider("k8s", kubeconfig="{}")
from pulumi import ResourceOptions
opts = ResourceOptions(provider=provider)
ns = k8s.core.v1.Namespace("apps", metadata={"name": "apps"}, opts=opts)
k8s.core.v1.ConfigMap("settings", metadata={"name": "settings", "namespace": "apps"}, data={"LOG_LEVEL": "info"}, opts=opts)
k8s.core.v1.Secret("creds", metadata={"name": "creds", "namespace": "apps"}, string_data={"DATABASE_URL": "postgres://u:p@h/db"}, opts=opts)
"""


def test_render_writes_valid_manifests_with_secrets_redacted(tmp_path: Path) -> None:
    stack = make_project(tmp_path, K8S_PROGRAM, {})
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.plan is not None, outcome.errors
    written = render(outcome.plan["resources"], tmp_path / "out")
    assert sorted(p.name for p in written) == ["_cluster.yaml", "apps.yaml"]
    documents = [d for p in written for d in yaml.safe_load_all(p.read_text())]
    assert {d["kind"] for d in documents} == {"Namespace", "ConfigMap", "Secret"}
    for document in documents:
        kubernetes_validate.validate(document, "1.33", strict=True)
    assert "postgres://" not in (tmp_path / "out" / "apps.yaml").read_text()


def test_render_flag_writes_per_stack_directories(tmp_path: Path) -> None:
    stack = make_project(tmp_path, K8S_PROGRAM, {})
    result = run_cli(
        "plan",
        "--config-file",
        str(stack),
        "--render",
        str(tmp_path / "r"),
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert (tmp_path / "r" / "apps.yaml").is_file()


def test_error_lines_are_printed_verbatim(tmp_path: Path) -> None:
    # a key that looks like terminal markup must be shown as typed, not interpreted
    stack = tmp_path / "Pulumi.brackets.yaml"
    stack.write_text(yaml.safe_dump({"config": {**DEV, "platform:network": {"[bold]zones": 3}}}))
    result = run_cli("plan", "--config-file", str(stack))
    assert result.returncode == EXIT_ERROR
    assert "platform:network.[bold]zones: unknown key" in result.stderr, result.stderr


DEPENDENCY_PROGRAM = """
import pulumi
import pulumi_aws as aws

role = aws.iam.Role("role", assume_role_policy="{}")
attachment = aws.iam.RolePolicyAttachment("attach", role=role.name, policy_arn="arn:aws:iam::aws:policy/x")
key = aws.kms.Key("key")
user = aws.iam.InstanceProfile(
    "profile", role=role.name, opts=pulumi.ResourceOptions(depends_on=[attachment])
)
"""


def test_plan_json_lists_what_each_resource_waits_for(tmp_path: Path) -> None:
    stack = make_project(tmp_path, DEPENDENCY_PROGRAM, {"aws:region": "eu-west-1"})
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.plan is not None, outcome.errors
    by_name = {r["name"]: r for r in outcome.plan["resources"]}
    urn = {name: r["urn"] for name, r in by_name.items()}
    # explicit depends_on and the property dependency (role.name) both count
    assert by_name["profile"]["dependencies"] == sorted([urn["attach"], urn["role"]])
    assert by_name["attach"]["dependencies"] == [urn["role"]]
    assert by_name["key"]["dependencies"] == []


def _records(resources: list[dict[str, Any]]) -> list[RecordedResource]:
    """Plan JSON resources back as the monitor recorded them (dependencies as explicit ones)."""
    return [
        RecordedResource(
            urn=r["urn"],
            type=r["type"],
            name=r["name"],
            parent=r["parent"],
            provider=r["provider"],
            custom=r["custom"],
            protect=r["protect"],
            inputs=r["inputs"],
            dependencies=r["dependencies"],
        )
        for r in resources
    ]


def test_each_cloud_rule_module_only_matches_its_cloud(shipped_plans: dict[str, Outcome]) -> None:
    """The offline plan runs only the rules of the clouds its resources come from (plus the
    Kubernetes and stack-wide ones): a cloud's rules report nothing on any other resource of
    any shipped stack, so skipping them changes no plan."""
    from policies.rules import RULE_MODULES

    checked = 0
    for module_name, package in RULE_MODULES:
        if package is None:
            continue
        policies = importlib.import_module(module_name, "policies.rules").POLICIES
        for stack, outcome in shipped_plans.items():
            assert outcome.plan is not None, outcome.errors
            foreign = [
                r for r in outcome.plan["resources"] if not r["type"].startswith(f"{package}:")
            ]
            checked += len(foreign)
            found = evaluate(_records(foreign), stack, outcome.environment, ROOT, policies)
            assert found == [], f"{module_name} matched {stack}'s non-{package} resources: {found}"
    assert checked > 1000


def test_the_plan_runs_its_clouds_rules_and_the_pack_gets_every_rule() -> None:
    from policies.rules import ALL_POLICIES, RULE_MODULES, policies_for

    every = [
        p
        for module, _ in RULE_MODULES
        for p in importlib.import_module(module, "policies.rules").POLICIES
    ]
    assert [p.name for p in ALL_POLICIES] == [p.name for p in every]
    pack = (ROOT / "policies" / "__main__.py").read_text(encoding="utf-8")
    assert "policies=ALL_POLICIES" in pack
    aws = {p.name for p in policies_for({"aws", "kubernetes", "random", "pulumi"})}
    assert {"aws-vpc-flow-logs", "deploy-aws-cfn-schema", "k8s-probes", "required-tags"} <= aws
    assert "deploy-k8s-no-ipblock-for-cluster-peers" in aws
    assert not [n for n in aws if n.startswith(("gcp-", "azure-", "deploy-gcp-", "deploy-azure-"))]


def test_a_quiet_clean_plan_loads_no_rendering_and_no_other_cloud_rules() -> None:
    """In a fresh interpreter, as ``python -m infra plan`` runs: only the selected cloud's SDK
    is imported; ``--quiet`` with no violations prints nothing, so rich is never imported; an
    AWS stack loads neither the GCP/Azure rule modules nor cfn-lint (its schemas are read as
    files), and its managed Postgres leaves the CloudNativePG component and pulumi-tls
    unimported."""
    import subprocess
    import sys

    code = (
        "import sys; from infra.__main__ import main; code = main(['plan', '--stack', 'prod', '--quiet']);"
        "print(code, sorted(m for m in ('pulumi_aws', 'pulumi_gcp', 'pulumi_azure_native') if m in sys.modules),"
        " sorted(m for m in ('rich', 'cfnlint', 'policies.rules.gcp', 'policies.rules.azure',"
        " 'policies.rules.deployability.gcp', 'policies.rules.deployability.azure',"
        " 'policies.rules.aws_data', 'components.kubernetes.cnpg', 'pulumi_tls')"
        " if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last == "0 ['pulumi_aws'] ['policies.rules.aws_data']", result


def test_config_errors_print_key_paths_verbatim(tmp_path: Path) -> None:
    """``platform:cloud:`` holds rich's ``:cloud:`` emoji code: it must print as written."""
    project = _project_copy(tmp_path / "project", [])
    (project / "Pulumi.typo.yaml").write_text("config:\n  platform:cloud: mars\n")
    result = run_cli("plan", "--stack", "typo", cwd=project)
    assert result.returncode == 2
    assert "platform:cloud: 'mars'" in result.stderr + result.stdout, result.stderr
    assert "\u2601" not in result.stderr + result.stdout
