"""The version catalog (issue 26): its data, its verdicts, the plan's rules on every shipped
stack today and two years ahead, ``python -m infra versions``, and no version literal outside."""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra import versions as versions_cli
from infra.config.errors import CloudCheckError
from infra.plan.cli import Outcome
from infra.plan.stackfile import list_stack_files
from policies.rules import versions as advisory
from policies.rules.deployability import versions as rules
from policies.rules.facts import catalog
from tests.conftest import ROOT, plan_of, run_cli
from tests.policy_helpers import find, violations_of_resource

CHECKED = date(2026, 12, 2)
TWO_YEARS_AHEAD = CHECKED + timedelta(days=730)
STACKS = sorted(
    path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in list_stack_files(ROOT)
)


# --- the data ---------------------------------------------------------------------------------


def test_every_service_has_dated_sourced_entries_and_a_catalogued_default() -> None:
    services = catalog.services()
    assert {"kubernetes.eks", "kubernetes.gke", "kubernetes.aks", "kubernetes.kind"} <= set(
        services
    )
    for svc in services.values():
        assert svc.entries, svc.id
        assert svc.entry(svc.default) is not None, svc.id
        for entry in svc.entries:
            assert entry.source and entry.checked <= CHECKED + timedelta(days=366), svc.id
            assert entry.end is not None or entry.rule, (svc.id, entry.version)


def test_every_chart_the_program_installs_is_catalogued() -> None:
    from components.kubernetes import charts

    pinned = [value for value in vars(charts).values() if isinstance(value, charts.Chart)]
    assert len(pinned) >= 10
    for chart in pinned:
        assert catalog.service(f"charts.{chart.name}").default == chart.version


def test_kind_cluster_config_uses_the_catalogued_node_image() -> None:
    document = yaml.safe_load((ROOT / "docs" / "kind-cluster.yaml").read_text(encoding="utf-8"))
    kind = catalog.service("kubernetes.kind")
    assert document["nodes"][0]["image"] == kind.pinned.extra["image"]
    assert "@sha256:" in kind.pinned.extra["image"]


def test_a_bad_catalog_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text(
        '[svc]\ndefault = "1"\n[[svc.versions]]\nversion = "1"\nend = "soon"\nchecked = 2026-12-02\n'
    )
    with pytest.raises(catalog.CatalogError, match="end must be a date or 'rolling'"):
        catalog._services(bad)  # pyright: ignore[reportPrivateUsage] -- the loader's own parser
    bad.write_text(
        '[svc]\ndefault = "2"\n[[svc.versions]]\nversion = "1"\nend = 2030-01-01\nchecked = 2026-12-02\n'
    )
    with pytest.raises(catalog.CatalogError, match="default 2 has no entry"):
        catalog._services(bad)  # pyright: ignore[reportPrivateUsage] -- the loader's own parser


# --- today and the verdicts -------------------------------------------------------------------


def test_platform_today_overrides_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_TODAY", "2031-02-03")
    assert catalog.today() == date(2031, 2, 3)
    monkeypatch.setenv("PLATFORM_TODAY", "tomorrow")
    with pytest.raises(catalog.CatalogError, match="PLATFORM_TODAY"):
        catalog.today()
    monkeypatch.delenv("PLATFORM_TODAY")
    assert catalog.today() == date.today()


def test_verdicts_ok_ending_ended_unknown() -> None:
    # EKS 1.35: end of standard support 2027-03-27
    assert catalog.verdict("kubernetes.eks", "1.35", CHECKED).status == "ok"
    ending = catalog.verdict("kubernetes.eks", "1.35", date(2027, 1, 5))
    assert ending.status == "ending" and ending.days_left == 81
    ended = catalog.verdict("kubernetes.eks", "1.35", date(2027, 3, 27))
    assert ended.status == "ended" and "platform:cluster.kubernetesVersion" in ended.message
    unknown = catalog.verdict("kubernetes.aks", "1.33", CHECKED)
    assert unknown.status == "unknown" and "newest supported: 1.36" in unknown.message


def test_a_rolling_pin_not_rechecked_within_the_review_period_ends() -> None:
    chart = catalog.service("charts.cert-manager")
    entry = chart.pinned
    assert entry.end is None
    due = entry.checked + timedelta(days=catalog.REVIEW_DAYS)
    assert catalog.verdict(chart.id, chart.default, due - timedelta(days=91)).status == "ok"
    assert catalog.verdict(chart.id, chart.default, due - timedelta(days=30)).status == "ending"
    late = catalog.verdict(chart.id, chart.default, due)
    assert late.status == "ended" and "charts.toml [cert-manager]" in late.message


# --- the plan's rules on the shipped stacks ---------------------------------------------------


def _pinned(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if rules.pins(r["type"], r["inputs"])]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_plans_with_zero_catalog_violations_today(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    fail = find(rules.POLICIES, "deploy-version-support")
    warn = find(advisory.POLICIES, "version-support-ending")
    pinned = _pinned(plan)
    # at least the cluster (or a chart on local) and the Helm releases
    assert len(pinned) >= 5, [r["type"] for r in pinned]
    on = {"today": CHECKED.isoformat()}
    for r in pinned:
        assert violations_of_resource(fail, r["type"], r["inputs"], on) == [], r["name"]
        assert violations_of_resource(warn, r["type"], r["inputs"], on) == [], r["name"]
    assert not [v for v in plan["policy"]["violations"] if v["policy"] == "deploy-version-support"]


@pytest.mark.parametrize("stack", STACKS)
def test_two_years_ahead_every_pin_fails_naming_its_key(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    fail = find(rules.POLICIES, "deploy-version-support")
    ahead = {"today": TWO_YEARS_AHEAD.isoformat()}
    expired = 0
    for r in _pinned(plan):
        messages = " ".join(violations_of_resource(fail, r["type"], r["inputs"], ahead))
        for service_id, version in rules.pins(r["type"], r["inputs"]):
            if catalog.verdict(service_id, version, TWO_YEARS_AHEAD).status == "ended":
                expired += 1
                assert catalog.service(service_id).key in messages, (r["name"], messages)
    assert expired >= 5


def test_the_plan_exits_1_on_expired_pins_naming_the_keys() -> None:
    result = run_cli(
        "plan", "--stack", "dev-local", "--quiet",
        env={"PLATFORM_TODAY": TWO_YEARS_AHEAD.isoformat(), "COLUMNS": "400"},
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    for key in ("charts.toml [cert-manager]", "charts.toml [strimzi-kafka-operator]"):
        assert key in re.sub(r"\s+", " ", result.stdout), result.stdout


# --- python -m infra versions -----------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_versions_works_for_every_stack(stack: str) -> None:
    path = ROOT / f"Pulumi.{stack}.yaml"
    pins = versions_cli.pins_of(path, ROOT, CHECKED)
    assert pins and all(pin.verdict.status == "ok" for pin in pins), [
        pin.verdict.message for pin in pins if pin.verdict.status != "ok"
    ]
    assert pins[0].service.startswith("kubernetes.")
    assert versions_cli.markdown(pins, CHECKED) == ""


def test_versions_all_exits_1_and_reports_when_pins_expire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    report = tmp_path / "report.md"
    monkeypatch.setenv("PLATFORM_TODAY", TWO_YEARS_AHEAD.isoformat())
    assert versions_cli.main(["--all", "--markdown", str(report)]) == 1
    text = report.read_text(encoding="utf-8")
    assert "**ended** `prod` kubernetes.eks 1.35" in text
    assert "platform:cluster.kubernetesVersion" in text
    monkeypatch.setenv("PLATFORM_TODAY", CHECKED.isoformat())
    assert versions_cli.main(["--stack", "prod-gcp", "--markdown", str(report)]) == 0
    assert report.read_text(encoding="utf-8") == ""
    tables = [
        line for line in capsys.readouterr().out.splitlines() if not line.startswith("wrote ")
    ]
    assert max(len(line) for line in tables) <= 80


# --- no version literal outside the catalog ---------------------------------------------------

_VERSION = re.compile(r"^v?\d+\.\d+(\.(\d+|x))?(-[\w.]+)?$")
_IMAGE = re.compile(r"^[a-z0-9][\w./-]*:v?\d+(\.\d+)+")
# (file, literal): why it is not a pin of something versioned
_ALLOWED = {
    # TLS protocol versions, not software
    ("components/azure/eventhubs.py", "1.2"),
    ("components/azure/redis.py", "1.2"),
    ("policies/rules/azure.py", "1.2"),
    # the Terraform plan JSON format and the release it follows (an output format, not a pin)
    ("infra/export/terraform_plan.py", "1.2"),
    ("infra/export/terraform_plan.py", "1.9.8"),
    # the policy pack's own version as PolicyPack reports it
    ("infra/plan/policy.py", "0.0.1"),
    # the sample apps' images: the user's own, replaced by `python -m infra init`
    ("infra/config/profiles.py", "backend:1.8.2"),
    ("infra/config/profiles.py", "collector:1.8.2"),
}


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and (_VERSION.match(node.value) or _IMAGE.match(node.value))
    ]


def test_no_version_literal_outside_the_catalog() -> None:
    found = {
        (path.relative_to(ROOT).as_posix(), literal)
        for folder in ("components", "stacks", "infra", "policies")
        for path in (ROOT / folder).rglob("*.py")
        for literal in _literals(path)
    }
    assert found - _ALLOWED == set(), "move these pins into policies/rules/facts/catalog/"


# A custom resource's group version follows the CRDs of its chart (catalogued); each is written
# in one module (components/api_versions.py for the ones several modules use).
_GROUP_VERSION = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+/v\d+((alpha|beta)\d+)?$")
# (literal, file): a second module that writes it, and why
_GROUP_VERSION_ALLOWED = {
    # the AKS mock's kubeconfig stands for what Azure returns, not what the program writes
    ("client.authentication.k8s.io/v1beta1", "infra/plan/mocks/azure.py"),
}


def _group_versions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _GROUP_VERSION.match(node.value)
    ]


def test_each_api_group_version_is_written_in_one_module() -> None:
    from components import api_versions

    where: dict[str, set[str]] = {}
    for folder in ("components", "stacks", "infra", "policies"):
        for path in (ROOT / folder).rglob("*.py"):
            file = path.relative_to(ROOT).as_posix()
            for literal in _group_versions(path):
                if (literal, file) not in _GROUP_VERSION_ALLOWED:
                    where.setdefault(literal, set()).add(file)
    shared = {v for k, v in vars(api_versions).items() if k.isupper()}
    assert len(shared) >= 5 and all(
        where[literal] == {"components/api_versions.py"} for literal in shared
    ), {literal: where.get(literal) for literal in shared}
    again = {literal: sorted(files) for literal, files in where.items() if len(files) > 1}
    assert again == {}, "read these from components/api_versions.py"


def test_the_literal_scan_finds_a_pin() -> None:
    assert _literals(ROOT / "tests" / "test_version_catalog.py")  # this file's own examples
    assert (
        _VERSION.match("v1.17.4")
        and _VERSION.match("3.8.x")
        and _IMAGE.match("valkey/valkey:8.1.3")
    )
    assert _GROUP_VERSION.match("cert-manager.io/v1") and _GROUP_VERSION.match(
        "argoproj.io/v1alpha1"
    )
    assert not _GROUP_VERSION.match("apps/v1") and not _GROUP_VERSION.match("cert-manager.io")


# --- asking the cloud -------------------------------------------------------------------------


def test_eks_is_asked_which_versions_it_offers(shipped_plans: dict[str, Outcome]) -> None:
    from components.aws.eks_versions import offered_or_raise

    cluster = next(
        r
        for r in plan_of(shipped_plans, "dev")["resources"]
        if r["type"] == "aws:eks/cluster:Cluster"
    )
    # the version went through eks.get_cluster_versions (the mock answers from the catalog)
    assert cluster["inputs"]["version"] == catalog.service("kubernetes.eks").default
    assert offered_or_raise("1.35", {"1.35": "STANDARD_SUPPORT"}) == "1.35"
    for statuses in ({"1.35": "EXTENDED_SUPPORT", "1.36": "STANDARD_SUPPORT"}, {}):
        with pytest.raises(
            CloudCheckError, match=r"platform:cluster.kubernetesVersion: EKS reports 1.35 as"
        ) as raised:
            offered_or_raise("1.35", statuses)
        offered = "1.36" if statuses else "none"
        assert f"(eks.get_cluster_versions; in standard support: {offered})" in str(raised.value)


def test_rds_is_asked_whether_the_pinned_minor_is_available(
    shipped_plans: dict[str, Outcome],
) -> None:
    from types import SimpleNamespace

    from components.aws.rds import ENGINE_VERSIONS
    from infra.plan.mocks.aws import INVOKES
    from infra.plan.mocks.common import MockContext

    answer = INVOKES["aws:rds/getEngineVersion:getEngineVersion"]
    instances = [
        r
        for r in plan_of(shipped_plans, "prod")["resources"]
        if r["type"] == "aws:rds/instance:Instance"
    ]
    assert [r["inputs"]["engineVersion"] for r in instances] == [ENGINE_VERSIONS["16"]]
    context = MockContext(project="platform", stack="dev", region="eu-west-1")
    assert answer(SimpleNamespace(args={"version": "16.13"}), context)["status"] == "available"
    retired = answer(SimpleNamespace(args={"version": "16.8"}), context)
    assert (retired["status"], retired["validMinorTargets"]) == ("deprecated", ["16.13"])
    with pytest.raises(ValueError, match="no RDS engine version"):
        answer(SimpleNamespace(args={"version": "16.99"}), context)
