"""Issue 27: what the program asks for does not drift between two runs.

A second ``pulumi up`` right after the first changes nothing only if the program declares the
same inputs again: no zone looked up today, no timestamp, no order that depends on a set or a
thread. Planning each cloud's prod stack (and the laptop's) a second time, in a fresh process,
must give a plan with no change against the first; what the cloud itself changes afterwards is
``deploy-cloud-managed-fields``'s (tests/test_converge_rules.py).
"""

from __future__ import annotations

from infra.diff.compute import diff_plans
from infra.plan.cli import Outcome, plan_many
from tests.conftest import ROOT, plan_of

STACKS = ("prod", "prod-gcp", "prod-azure", "dev-local")


def test_a_second_plan_of_the_same_stack_changes_nothing(
    shipped_plans: dict[str, Outcome],
) -> None:
    again = plan_many([ROOT / f"Pulumi.{stack}.yaml" for stack in STACKS], ROOT)
    for outcome in again:
        first = plan_of(shipped_plans, outcome.stack)
        second = plan_of({outcome.stack: outcome}, outcome.stack)
        diff = diff_plans(outcome.stack, first, second)
        assert not diff.has_changes, (outcome.stack, diff)
        assert diff.unchanged == len(first["resources"])


def test_every_deploy_checks_that_the_next_up_changes_nothing() -> None:
    import yaml

    steps = yaml.safe_load((ROOT / ".github/workflows/pulumi-up.yml").read_text())["jobs"]["up"][
        "steps"
    ]
    ups = [i for i, s in enumerate(steps) if (s.get("with") or {}).get("command") == "up"]
    check = steps[-1]
    assert ups and len(steps) - 1 > max(ups)
    assert check["with"]["command"] == "preview"
    assert check["with"]["expect-no-changes"] is True and check["with"]["refresh"] is True
    assert check["if"] == "inputs.mode == 'up' || inputs.mode == 'up-planned'"
