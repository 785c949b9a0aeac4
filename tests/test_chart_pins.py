"""Helm charts are pinned to exact versions, and the plan installs exactly those pins.

A range (``~4.12``, ``>=72``), ``latest`` or no version lets Helm pick whatever the repository
serves on the day of ``pulumi up``: two deploys of one commit differ, and the chart's CRDs can
move away from the schemas vendored in ``policies/rules/facts/schemas/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.kubernetes import charts
from infra.plan.cli import Outcome
from tests.conftest import plan_of

# SemVer 2.0.0 (https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string),
# with the optional leading "v" some charts (cert-manager) use in their version.
EXACT = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
HELM_TYPES = (
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:helm.sh/v3:Chart",
    "kubernetes:helm.sh/v4:Chart",
)
PINS = [c for c in vars(charts).values() if isinstance(c, charts.Chart)]


def is_exact(version: Any) -> bool:
    return isinstance(version, str) and EXACT.fullmatch(version) is not None


@pytest.mark.parametrize(
    ("version", "exact"),
    [
        ("4.12.4", True),
        ("v1.17.4", True),
        ("1.0.0-rc.1", True),
        ("4.12", False),
        ("~4.12.4", False),
        ("^72.9.1", False),
        (">=3.12.2", False),
        ("4.x", False),
        ("4.7.*", False),
        ("latest", False),
        ("", False),
        (None, False),
        ("4.12.4 || 4.13.0", False),
    ],
)
def test_what_counts_as_an_exact_version(version: Any, exact: bool) -> None:
    assert is_exact(version) is exact


def test_every_chart_in_charts_py_is_pinned_exactly() -> None:
    assert len(PINS) >= 6
    assert {c.name: c.version for c in PINS if not is_exact(c.version)} == {}
    # a chart repository over HTTPS, or an OCI registry (installed by its full reference)
    assert all(c.repo.startswith(("https://", "oci://")) for c in PINS)


def test_every_helm_release_of_every_shipped_stack_installs_a_pin_from_charts_py(
    shipped_plans: dict[str, Outcome],
) -> None:
    # OCI charts are installed as ``oci://registry/name`` with no repository options
    pinned = {
        (f"{c.repo}/{c.name}", c.version, None) if c.oci else (c.name, c.version, c.repo)
        for c in PINS
    }
    for stack in shipped_plans:
        plan = plan_of(shipped_plans, stack)
        releases = [r for r in plan["resources"] if r["type"] in HELM_TYPES]
        assert releases, stack
        for release in releases:
            inputs = release["inputs"]
            installed = (
                inputs.get("chart"),
                inputs.get("version"),
                (inputs.get("repositoryOpts") or {}).get("repo"),
            )
            assert is_exact(installed[1]), (stack, release["name"], installed)
            assert installed in pinned, (stack, release["name"], installed)
