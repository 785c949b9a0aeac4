"""The stack files under examples/ plan cleanly and say what they are for: the minimal one,
the cost-conscious dev one (cheaper than the shipped dev stack of its cloud) and prod with DR."""

from __future__ import annotations

import pytest

from infra.plan.cli import EXIT_OK, Outcome, plan_many
from tests.conftest import ROOT, plan_of

EXAMPLES = sorted((ROOT / "examples").glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def examples() -> dict[str, Outcome]:
    return {outcome.stack: outcome for outcome in plan_many(EXAMPLES, ROOT)}


def test_the_three_examples_exist_and_plan_without_mandatory_violations(
    examples: dict[str, Outcome],
) -> None:
    assert sorted(examples) == ["dev-budget", "minimal", "prod-dr"]
    for name, outcome in examples.items():
        assert outcome.exit_code == EXIT_OK, (name, outcome.errors)


def test_the_budget_stack_costs_less_than_the_shipped_dev_stack(
    examples: dict[str, Outcome], shipped_plans: dict[str, Outcome]
) -> None:
    budget = plan_of(examples, "dev-budget")["summary"]
    shipped = plan_of(shipped_plans, "dev")["summary"]
    assert budget["cloud"] == shipped["cloud"] == "aws"
    assert 0 < budget["monthly_usd"] < shipped["monthly_usd"]
    priced = [line["sku"] for c in budget["components"] for line in c["cost"]]
    assert sorted(priced) == ["eks-control-plane", "t3.large"], "one node, one control plane"


def test_the_prod_example_copies_backups_to_another_region(examples: dict[str, Outcome]) -> None:
    plan = plan_of(examples, "prod-dr")
    types = {r["type"] for r in plan["resources"]}
    assert (
        "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication" in types
    )
    assert plan["summary"]["protected"], "prod protects its stateful resources"
    assert not [e for e in plan["summary"]["exposure"] if "Kubernetes API" in e["what"]]
