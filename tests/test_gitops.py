"""GitOps delivery (``platform:delivery: argocd``): config, Argo CD, the rendered apps.

The rendered package must be what the program renders now (freshness), and the two delivery
paths must put the same objects on the cluster (equivalence): what Pulumi creates under
``delivery: argocd`` plus the package Argo CD applies is what Pulumi alone creates under
``delivery: pulumi``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.kubernetes.argocd import APP_KINDS
from infra.config.errors import ConfigError
from infra.config.loader import build_platform_config
from infra.gitops.cli import committed, render_packages, targets
from infra.gitops.errors import GitopsError
from infra.gitops.images import set_image
from infra.gitops.render import AS_PULUMI, MANAGED_BY, SYNC_WAVE, read, urn_type
from infra.plan.cli import Outcome, plan_many
from infra.plan.render import kubernetes_objects
from policies.rules.facts import crd_schemas
from tests.conftest import ROOT, plan_config, plan_of, resources_of, run_cli

PACKAGE = ROOT / "deploy" / "staging"
APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"
RELEASE = "kubernetes:helm.sh/v3:Release"


def _stack_config(stack: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]


def _argocd_release(plan: dict[str, Any]) -> dict[str, Any]:
    (release,) = [r for r in resources_of(plan, RELEASE) if r["inputs"]["chart"] == "argo-cd"]
    return release["inputs"]


# --- config ----------------------------------------------------------------------------------

BASE = {
    "platform:cloud": "aws", "platform:environment": "staging", "aws:region": "eu-west-1",
    "platform:example": "true", "platform:cluster": '{"authorizedNetworks": ["203.0.113.0/24"]}',
    # staging's alarms need a recipient (infra/config: alarms that reach nobody are refused)
    "platform:alarms": '{"notificationEmails": ["platform-staging@example.com"]}',
}  # fmt: skip
REPO = '{"repoUrl": "https://github.com/analytics-platform/platform.git"'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"platform:delivery": "flux"}, "platform:delivery: 'flux'; allowed: pulumi, argocd"),
        ({"platform:delivery": "argocd"}, "platform:argocd.repoUrl: required when"),
        (
            {"platform:delivery": "argocd", "platform:argocd": REPO + ', "admins": ["x"]}'},
            "platform:argocd: admins: name SSO groups, so oidc is required",
        ),
        (
            {"platform:argocd": REPO + ', "repoCredentials": {"githubAppId": 1}}'},
            "platform:argocd.repoCredentials: set sshPrivateKey, or all of githubAppId",
        ),
        ({"platform:argocd": '{"repoUrl": "http://plain.example.com/r"}'}, "argocd.repoUrl"),
        (
            {
                "platform:argocd": REPO + ', "oidc": {"issuer": "https://sso.example.com", '
                '"clientId": "a", "clientSecret": "in-plain-text"}}'
            },
            "platform:argocd.oidc.clientSecret: a clientSecret value in plain text",
        ),
        (
            {
                "platform:argocd": REPO + ', "repoCredentials": {"sshPrivateKey": '
                '"-----BEGIN OPENSSH PRIVATE KEY-----"}}'
            },
            "platform:argocd.repoCredentials.sshPrivateKey: a private key in plain text",
        ),
    ],
)
def test_delivery_config_mistakes_name_file_key_and_allowed(
    extra: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build_platform_config({**BASE, **extra}, "s", "Pulumi.s.yaml")
    text = str(caught.value)
    assert "Pulumi.s.yaml" in text and message in text, text


def test_delivery_defaults_to_pulumi() -> None:
    config = build_platform_config(BASE, "s", "Pulumi.s.yaml")
    assert config.delivery == "pulumi" and config.argocd.repo_url is None


# --- the package -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pulumi_staging() -> dict[str, Any]:
    """The staging stack planned as if it said ``platform:delivery: pulumi``."""
    (outcome,) = plan_many([ROOT / "Pulumi.staging.yaml"], ROOT, overrides=AS_PULUMI)
    assert outcome.plan is not None, outcome.errors
    return outcome.plan


def test_the_committed_package_is_a_fresh_render() -> None:
    packages = render_packages(targets(ROOT, None), ROOT)
    assert [p.stack for p in packages] == ["staging"]
    (package,) = packages
    assert package.directory == PACKAGE
    assert committed(PACKAGE) == package.files, "run python -m infra gitops render --all"


def _key(manifest: dict[str, Any]) -> tuple[str, str, str, str]:
    metadata = manifest["metadata"]
    return manifest["apiVersion"], manifest["kind"], metadata.get("namespace", ""), metadata["name"]


def _as_pulumi_would(manifest: dict[str, Any]) -> dict[str, Any]:
    """Undo what only Argo CD needs: its managed-by label value and the sync wave."""
    text = yaml.safe_dump(manifest).replace(f"{MANAGED_BY}: argocd", f"{MANAGED_BY}: pulumi")
    out = yaml.safe_load(text)
    annotations = out["metadata"].get("annotations") or {}
    annotations.pop(SYNC_WAVE, None)
    if not annotations:
        out["metadata"].pop("annotations", None)
    return out


def _outside_argocd(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's resources that are not Argo CD itself (its component's subtree)."""
    parents = {r["urn"]: r.get("parent") for r in plan["resources"]}

    def under_argocd(urn: str | None) -> bool:
        while urn:
            if urn_type(urn) == "platform:kubernetes:ArgoCd":
                return True
            urn = parents.get(urn)
        return False

    return [r for r in plan["resources"] if not under_argocd(r["urn"])]


def test_both_delivery_paths_put_the_same_objects_on_the_cluster(
    shipped_plans: dict[str, Outcome], pulumi_staging: dict[str, Any]
) -> None:
    by_pulumi = {_key(m): m for m in kubernetes_objects(pulumi_staging["resources"])}
    with_argocd = {_key(m): m for m in kubernetes_objects(_outside_argocd(plan_of(shipped_plans, "staging")))}  # fmt: skip
    package = {_key(m): _as_pulumi_would(m) for _, m in read(PACKAGE)}
    assert package, "the package is empty"
    assert not set(package) & set(with_argocd), "an object delivered twice"
    assert {**with_argocd, **package} == by_pulumi
    kinds = {m["kind"] for m in package.values()}
    assert {"StatefulSet", "DaemonSet", "Job", "Service", "HTTPRoute", "HorizontalPodAutoscaler",
            "VerticalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
            "ServiceMonitor"} <= kinds  # fmt: skip
    # the cloud identity stays with Pulumi
    assert "ServiceAccount" not in kinds
    assert {m["metadata"]["name"] for k, m in with_argocd.items() if k[1] == "ServiceAccount"} >= {
        "backend", "collector",
    }  # fmt: skip


def test_the_package_holds_no_value_only_the_offline_plan_knows() -> None:
    text = "".join(committed(PACKAGE).values())
    assert "123456789012" not in text and "arn:" not in text and "[secret]" not in text


def test_the_package_custom_resources_match_their_crds() -> None:
    custom = [
        m for _, m in read(PACKAGE) if crd_schemas.index().get(f"{m['apiVersion']} {m['kind']}")
    ]
    assert {m["kind"] for m in custom} >= {"ServiceMonitor", "VerticalPodAutoscaler", "HTTPRoute"}
    for manifest in custom:
        assert crd_schemas.problems(manifest) == [], manifest["metadata"]["name"]


def test_network_policies_then_migrations_then_the_rest() -> None:
    waves = {
        m["kind"]: m["metadata"].get("annotations", {}).get(SYNC_WAVE) for _, m in read(PACKAGE)
    }
    assert waves["NetworkPolicy"] == "-2" and waves["Job"] == "-1"
    assert waves["StatefulSet"] is None and waves["DaemonSet"] is None  # wave 0


def test_the_project_admits_every_kind_of_the_package_and_nothing_cluster_wide(
    shipped_plans: dict[str, Outcome],
) -> None:
    (project,) = resources_of(plan_of(shipped_plans, "staging"), PROJECT)
    spec = project["inputs"]["spec"]
    allowed = {(k["group"], k["kind"]) for k in spec["namespaceResourceWhitelist"]}
    assert allowed == set(APP_KINDS)
    rendered = {(m["apiVersion"].rpartition("/")[0], m["kind"]) for _, m in read(PACKAGE)}
    assert rendered <= allowed
    assert spec["clusterResourceWhitelist"] == []
    assert spec["destinations"] == [
        {"namespace": "analytics", "server": "https://kubernetes.default.svc"}
    ]


# --- Argo CD and its Applications ------------------------------------------------------------


def test_staging_applications_sync_themselves_with_prune_and_self_heal(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "staging")
    apps = {
        a["inputs"]["metadata"]["name"]: a["inputs"]["spec"]
        for a in resources_of(plan, APPLICATION)
    }
    assert sorted(apps) == ["staging-backend", "staging-collector"]
    for name, spec in apps.items():
        assert spec["syncPolicy"]["automated"] == {"enabled": True, "prune": True, "selfHeal": True}
        assert spec["source"]["path"] == f"deploy/staging/{name.removeprefix('staging-')}"
        assert spec["project"] == "staging"
    values = _argocd_release(plan)["values"]
    assert values["configs"]["cm"]["admin.enabled"] is False, "SSO configured: no local admin"
    assert values["configs"]["rbac"]["policy.default"] == "role:readonly"
    assert "g, platform-admins, role:admin" in values["configs"]["rbac"]["policy.csv"]


def test_repository_and_sso_credentials_are_secrets(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "staging")
    secrets = {
        s["inputs"]["metadata"]["name"]: s["inputs"]
        for s in resources_of(plan, "kubernetes:core/v1:Secret")
    }
    repository = secrets["platform-repository"]
    assert repository["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "repository"
    assert repository["stringData"]["githubAppPrivateKey"] == "[secret]"
    assert secrets["argocd-oidc"]["stringData"]["clientSecret"] == "[secret]"
    assert "offline-plan-secret-placeholder" not in str(_argocd_release(plan)["values"])


@pytest.fixture(scope="module")
def prod_argocd(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    config = _stack_config("prod")
    config["platform:delivery"] = "argocd"
    config["platform:argocd"] = {"repoUrl": "https://github.com/analytics-platform/platform.git"}
    outcome = plan_config(tmp_path_factory.mktemp("prod-argocd"), "prod", config)
    assert outcome.plan is not None, outcome.errors
    return outcome.plan


def test_prod_applications_never_sync_themselves_and_sync_only_in_the_window(
    prod_argocd: dict[str, Any],
) -> None:
    apps = resources_of(prod_argocd, APPLICATION)
    assert apps
    # and the pack's rule (mandatory in prod) agrees
    assert [
        v for v in prod_argocd["policy"]["violations"] if v["policy"] == "argocd-manual-sync"
    ] == []
    for app in apps:
        assert "automated" not in app["inputs"]["spec"]["syncPolicy"], app["name"]
    (project,) = resources_of(prod_argocd, PROJECT)
    (window,) = project["inputs"]["spec"]["syncWindows"]
    assert window["kind"] == "allow" and window["manualSync"] is False
    # the prod alert receiver hears of failed syncs and degraded apps
    annotations = project["inputs"]["metadata"]["annotations"]
    assert set(annotations) == {
        "notifications.argoproj.io/subscribe.on-sync-failed.oncall",
        "notifications.argoproj.io/subscribe.on-health-degraded.oncall",
    }


def test_prod_argocd_is_highly_available_and_keeps_admin_without_sso(
    prod_argocd: dict[str, Any],
) -> None:
    values = _argocd_release(prod_argocd)["values"]
    assert values["redis-ha"] == {"enabled": True}
    for component in ("server", "repoServer", "applicationSet"):
        assert values[component]["replicas"] == 2 and values[component]["pdb"]["enabled"]
        assert values[component]["metrics"]["serviceMonitor"]["enabled"] is True
    assert values["configs"]["cm"]["admin.enabled"] is True, "no OIDC: admin is the way in"
    assert values["global"]["networkPolicy"]["create"] is True
    assert "service.webhook.oncall" in values["notifications"]["notifiers"]
    assert values["notifications"]["secret"] == {"create": False}


# --- tools -----------------------------------------------------------------------------------


def test_render_refuses_a_stack_pulumi_delivers() -> None:
    result = run_cli("gitops", "render", "--stack", "dev")
    assert result.returncode == 2
    assert "Pulumi.dev.yaml: platform:delivery is not argocd" in result.stderr
    with pytest.raises(GitopsError):
        targets(ROOT, "no-such-stack")


def test_set_image_changes_only_the_image_and_keeps_comments(tmp_path: Path) -> None:
    original = (ROOT / "Pulumi.staging.yaml").read_text(encoding="utf-8")
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(original, encoding="utf-8")
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/analytics/backend@sha256:" + "a" * 64
    set_image(path, "backend", image)
    after = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
    before = copy.deepcopy(yaml.safe_load(original)["config"])
    before.setdefault("platform:apps", {}).setdefault("backend", {})["image"] = image
    assert after == before
    assert "# GitOps: Argo CD applies the apps" in path.read_text(encoding="utf-8")
    for bad in ("backend:latest", "registry.example.com/analytics/backend:latest", "no tag"):
        with pytest.raises(GitopsError):
            set_image(path, "backend", bad)


def test_set_image_by_environment_names_every_stack_of_it() -> None:
    from infra.gitops.cli import stacks_of

    names = {p.name for p in stacks_of(ROOT, ["staging"])}
    assert names == {"Pulumi.staging.yaml", "Pulumi.staging-gcp.yaml", "Pulumi.staging-azure.yaml"}
