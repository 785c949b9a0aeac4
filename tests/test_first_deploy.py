"""Issue 25: a clean plan means the first `pulumi up` in the user's own account gets through.

Example values are refused unless a stack says it is a sample (and a sample never reaches the
engine); `python -m infra init` writes stacks of real values on every cloud and environment;
labels use no borrowed prefix; images can be pulled with credentials; the AWS deployer keeps its
role path and previews get read-only access; the reachability rules refuse documentation
ranges and the cluster's own ranges; Pulumi.yaml needs no uv on PATH; outputs say how in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.examples import example_reason, leaves
from infra.init import main as init_main
from infra.plan.cli import plan_many
from infra.plan.policy import evaluate
from infra.plan.stackfile import list_stack_files
from tests.conftest import ROOT, one, plan_config, plan_of, resources_of, write_stack

REAL = {
    "--domain": "analytics.acme-corp.io",
    "--acme-email": "platform@acme-corp.io",
    "--image-registry": "registry.acme-corp.io/analytics",
}
REGIONS = {"aws": "eu-west-1", "gcp": "europe-west1", "azure": "westeurope"}
DR = {"aws": "eu-central-1", "gcp": "europe-west4", "azure": "northeurope"}
DEPLOYER = {
    "aws": "arn:aws:iam::210987654321:role/ci/platform-deployer",
    "azure": "3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
}
CASES = [(c, e) for c in ("aws", "gcp", "azure") for e in ("dev", "staging", "prod")] + [
    ("local", "dev")
]


def _init_args(cloud: str, environment: str, stack: str, directory: Path) -> list[str]:
    args = ["--stack", stack, "--cloud", cloud, "--environment", environment,
            "--directory", str(directory), "--no-plan",
            "--image-registry", REAL["--image-registry"]]  # fmt: skip
    if cloud == "local":
        return args
    args += ["--region", REGIONS[cloud], "--domain", REAL["--domain"],
             "--acme-email", REAL["--acme-email"]]  # fmt: skip
    if environment != "prod":
        args += ["--access-cidr", "81.2.69.160/28"]
    if cloud == "gcp":
        args += ["--gcp-project", "acme-analytics-42"]
    if environment != "dev":
        args += ["--alert-email", "oncall@acme-corp.io"]
    if environment == "prod":
        args += ["--dr-region", DR[cloud]]
        if cloud in DEPLOYER:
            args += ["--deployer-principal", DEPLOYER[cloud], "--deployer-network", "81.2.69.7/32"]
    return args


def _config(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["config"]


@pytest.mark.parametrize(("cloud", "environment"), CASES)
def test_init_writes_a_stack_of_own_values_that_plans(
    tmp_path: Path, cloud: str, environment: str
) -> None:
    stack = f"mine-{cloud}-{environment}"
    assert init_main(_init_args(cloud, environment, stack, tmp_path)) == 0
    path = tmp_path / f"Pulumi.{stack}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "platform:example" not in text
    config = _config(path)
    assert [p for p, v in leaves(config, "config") if example_reason(v)] == []
    outcome = plan_many([path], ROOT)[0]
    assert outcome.exit_code == 0, outcome.errors or (outcome.plan and outcome.plan["policy"])
    # one example value put back: exit 2, the key named
    if cloud == "local":
        config["platform:images"] = {"registry": "ghcr.io/analytics-platform"}
        key = "platform:images.registry"
    else:
        config["platform:addons"]["certManagerEmail"] = "ops@example.com"
        key = "platform:addons.certManagerEmail"
    path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    outcome = plan_many([path], ROOT)[0]
    assert outcome.exit_code == 2
    assert [line for line in outcome.errors if f"{path.name}: {key}:" in line], outcome.errors


AZURE_ZONE = (
    "/subscriptions/5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/resourceGroups/dns/providers/"
    "Microsoft.Network/dnszones/analytics.acme-corp.io"
)


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_init_writes_the_dns_zone_that_external_dns_keeps(tmp_path: Path, cloud: str) -> None:
    args = [*_init_args(cloud, "dev", f"dns-{cloud}", tmp_path), "--dns-zone", REAL["--domain"]]
    args += ["--dns-zone-id", AZURE_ZONE] if cloud == "azure" else []
    assert init_main(args) == 0
    path = tmp_path / f"Pulumi.dns-{cloud}.yaml"
    expected = {"zone": REAL["--domain"], **({"zoneId": AZURE_ZONE} if cloud == "azure" else {})}
    assert _config(path)["platform:dns"] == expected
    outcome = plan_many([path], ROOT)[0]
    assert outcome.exit_code == 0, outcome.errors or (outcome.plan and outcome.plan["policy"])
    assert outcome.plan is not None
    charts = [
        r["inputs"].get("chart")
        for r in resources_of(outcome.plan, "kubernetes:helm.sh/v3:Release")
    ]
    assert "external-dns" in charts


def test_init_never_overwrites_and_refuses_example_values(tmp_path: Path) -> None:
    args = _init_args("aws", "dev", "mine", tmp_path)
    assert init_main(args) == 0
    before = (tmp_path / "Pulumi.mine.yaml").read_text()
    assert init_main(args) == 2  # exists, no --force
    assert (tmp_path / "Pulumi.mine.yaml").read_text() == before
    bad = [*_init_args("aws", "dev", "other", tmp_path), "--access-cidr", "203.0.113.0/24"]
    assert init_main(bad) == 2
    assert not (tmp_path / "Pulumi.other.yaml").exists()


def test_init_lists_what_a_prod_stack_needs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = init_main(["--stack", "p", "--cloud", "aws", "--environment", "prod", "--region",
                      "eu-west-1", "--directory", str(tmp_path)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    for flag in ("--domain", "--acme-email", "--deployer-principal", "--deployer-network",
                 "--alert-email", "--dr-region", "--image-registry"):  # fmt: skip
        assert f"error: {flag}: required" in err


@pytest.mark.parametrize("path", list_stack_files(ROOT), ids=lambda p: p.name)
def test_shipped_stacks_are_samples_and_fail_without_the_flag(path: Path, tmp_path: Path) -> None:
    config = _config(path)
    assert config.pop("platform:example") is True
    copy = tmp_path / path.name
    copy.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    outcome = plan_many([copy], ROOT)[0]
    assert outcome.exit_code == 2
    assert outcome.errors and all("platform:" in line or "gcp:" in line for line in outcome.errors)
    assert any("platform:images.registry" in line for line in outcome.errors)


def test_a_sample_stack_is_refused_by_the_real_engine() -> None:
    """Outside the mock runtime (as under `pulumi preview/up`), platform:example stops the
    program with one line naming `python -m infra init`."""
    program = (
        "import pulumi.runtime as r\n"
        "r.set_all_config({'platform:example': 'true', 'platform:cloud': 'aws', "
        "'platform:environment': 'dev', 'aws:region': 'eu-west-1'}, [])\n"
        "from infra.config import ConfigError, load_platform_config\n"
        "try:\n    load_platform_config()\nexcept ConfigError as e:\n    print(e.lines()[0])\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True,
                            text=True, env={"PLATFORM_STACK_FILE": "Pulumi.dev.yaml"}, check=True)  # fmt: skip
    assert result.stdout.startswith("Pulumi.dev.yaml: platform:example: true marks a sample")
    assert "python -m infra init" in result.stdout


def test_labels_use_no_borrowed_prefix(shipped_plans: dict[str, Any]) -> None:
    for stack in shipped_plans:
        for resource in plan_of(shipped_plans, stack)["resources"]:
            labels = (resource["inputs"].get("metadata") or {}).get("labels") or {}
            assert not [k for k in labels if "example" in k], (stack, resource["name"], labels)
    backend = one(plan_of(shipped_plans, "dev"), "kubernetes:apps/v1:StatefulSet", "backend-sts")
    assert backend["inputs"]["metadata"]["labels"]["app.kubernetes.io/instance"] == "dev"


def test_pull_credentials_reach_every_app_pod(tmp_path: Path) -> None:
    config = {
        "platform:example": True, "aws:region": "eu-west-1", "platform:cloud": "aws",
        "platform:environment": "dev",
        "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
        "platform:images": {"registry": "registry.acme-corp.io/analytics",
                            "dockerConfigJson": {"secure": "v1:AAAA"}},
    }  # fmt: skip
    (outcome,) = plan_many([write_stack(tmp_path, "pull", config)], ROOT, keep_records=True)
    plan = outcome.plan
    assert plan is not None and outcome.records is not None, outcome.errors
    resource = one(plan, "kubernetes:core/v1:Secret", "image-pull")
    secret = resource["inputs"]
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    # inside its component, keeping the URN it had at the root of the stack as an alias
    assert resource["parent"].split("::")[2] == "platform:kubernetes:ImagePullSecret"
    (record,) = [r for r in outcome.records if r.urn == resource["urn"]]
    assert record.parent_aliases == [
        "urn:pulumi:pull::platform::kubernetes:core/v1:Secret::platform-pull-image-pull"
    ]
    pods = [*resources_of(plan, "kubernetes:apps/v1:StatefulSet"),
            *resources_of(plan, "kubernetes:apps/v1:DaemonSet"),
            *resources_of(plan, "kubernetes:batch/v1:Job")]  # fmt: skip
    assert len(pods) == 3
    for pod in pods:
        spec = pod["inputs"]["spec"]["template"]["spec"]
        assert spec["imagePullSecrets"] == [{"name": "image-pull"}]
        assert spec["containers"][0]["image"].startswith("registry.acme-corp.io/analytics/")


def test_aws_deployer_keeps_its_role_path_and_previews_read_only(
    shipped_plans: dict[str, Any],
) -> None:
    dev = plan_of(shipped_plans, "dev")
    entry = one(dev, "aws:eks/accessEntry:AccessEntry", "deployer")["inputs"]
    # the mocked caller is an IAM Identity Center session: STS drops the path, IAM keeps it
    assert ":role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_" in entry["principalArn"]
    prod = plan_of(shipped_plans, "prod")
    deployer = one(prod, "aws:eks/accessEntry:AccessEntry", "deployer")["inputs"]
    assert deployer["principalArn"] == "arn:aws:iam::123456789012:role/ci/platform-deployer"
    view = one(prod, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "viewer-0")
    assert view["inputs"]["policyArn"].endswith("/AmazonEKSViewPolicy")
    assert view["inputs"]["principalArn"].endswith(":role/ci/platform-previewer")


def test_prod_names_its_deployer() -> None:
    from infra.config import ConfigError, build_platform_config

    raw = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]
    raw["platform:cluster"].pop("deployerPrincipal")
    raw["platform:addons"]["alertReceivers"][0]["url"] = "https://hooks.acme-corp.io/alerts"
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    flat["platform:example"] = "true"
    with pytest.raises(ConfigError) as info:
        build_platform_config(flat, "prod", "Pulumi.prod.yaml")
    assert any("cluster.deployerPrincipal: required in prod" in line for line in info.value.lines())


def test_gke_and_aks_preview_principals_get_viewer_roles(tmp_path: Path) -> None:
    gcp = {"platform:example": True, "gcp:project": "acme-analytics-42", "gcp:region": "europe-west1",
           "platform:cloud": "gcp", "platform:environment": "dev",
           "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"],
                                "previewPrincipals": ["serviceAccount:ci@acme-analytics-42.iam.gserviceaccount.com"]}}  # fmt: skip
    plan = plan_config(tmp_path, "gcp-view", gcp).plan
    assert plan is not None
    member = one(plan, "gcp:projects/iAMMember:IAMMember", "viewer-0")["inputs"]
    assert member["role"] == "roles/container.viewer"
    azure = {"platform:example": True, "azure-native:location": "westeurope",
             "platform:cloud": "azure", "platform:environment": "dev",
             "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"],
                                  "previewPrincipals": [DEPLOYER["azure"]]}}  # fmt: skip
    plan = plan_config(tmp_path, "az-view", azure).plan
    assert plan is not None
    role = one(plan, "azure-native:authorization:RoleAssignment", "viewer-0")["inputs"]
    assert role["roleDefinitionId"].endswith("/7f6c6a51-bcf8-42ba-9220-52d62157d7db")
    assert role["principalType"] == "ServicePrincipal"


def _mandatory(outcome: Any, rule: str, *, sample: bool) -> list[str]:
    violations = evaluate(outcome.records, outcome.stack, outcome.environment, ROOT, sample=sample)
    return [v["message"] for v in violations if v["policy"] == rule and v["level"] == "mandatory"]


@pytest.mark.parametrize(
    ("stack", "rule"),
    [("dev", "deploy-aws-eks-reachable"), ("dev-azure", "deploy-azure-aks-reachable")],
)
def test_reachability_refuses_documentation_ranges(
    shipped_plans: dict[str, Any], stack: str, rule: str
) -> None:
    outcome = shipped_plans[stack]
    assert _mandatory(outcome, rule, sample=True) == []
    messages = _mandatory(outcome, rule, sample=False)
    assert messages and "documentation range" in messages[0]


def test_reachability_refuses_the_node_subnet(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]
    cluster = config["platform:cluster"]
    cluster["privateAccessCidrs"] = ["10.0.0.0/19"]  # the first private (node) subnet
    outcome = plan_config(tmp_path, "prod", config)
    assert outcome.plan is not None
    messages = [v["message"] for v in outcome.plan["policy"]["violations"]
                if v["policy"] == "deploy-aws-eks-reachable"]  # fmt: skip
    assert messages and "own node/pod range (10.0.0.0/19)" in messages[0]


@pytest.mark.parametrize("cloud", ["aws", "azure"])
def test_prod_deployer_networks_open_only_the_deploy(tmp_path: Path, cloud: str) -> None:
    stack = f"first-{cloud}"
    assert init_main(_init_args(cloud, "prod", stack, tmp_path)) == 0
    outcome = plan_many([tmp_path / f"Pulumi.{stack}.yaml"], ROOT)[0]
    assert outcome.exit_code == 0 and outcome.plan is not None, outcome.errors
    if cloud == "aws":
        eks = one(outcome.plan, "aws:eks/cluster:Cluster")["inputs"]["vpcConfig"]
        assert eks["endpointPrivateAccess"] is True and eks["endpointPublicAccess"] is True
        assert eks["publicAccessCidrs"] == ["81.2.69.7/32"]
        return
    aks = one(outcome.plan, "azure-native:containerservice:ManagedCluster")
    profile = aks["inputs"]["apiServerAccessProfile"]
    assert profile["enablePrivateCluster"] is False
    assert "81.2.69.7/32" in profile["authorizedIPRanges"]


def test_pulumi_yaml_needs_no_uv_on_path() -> None:
    runtime = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]
    assert runtime["options"] == {"toolchain": "pip", "virtualenv": ".venv"}


@pytest.mark.parametrize("stack", ["dev", "prod-gcp", "prod-azure"])
def test_outputs_say_how_in(shipped_plans: dict[str, Any], stack: str) -> None:
    outputs = plan_of(shipped_plans, stack)["outputs"]
    assert outputs["apiEndpoint"].startswith("https://")
    assert outputs["kubeconfigCommand"].startswith(
        f"pulumi stack output kubeconfig --show-secrets -s {stack}"
    )
    assert outputs["appUrls"]["backend"].startswith("https://api.")
    assert outputs["gatewayAddressCommand"]  # exported with the Gateway (stacks/kubernetes.py)
