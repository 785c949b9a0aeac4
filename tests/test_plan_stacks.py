"""Every shipped stack plans offline, with the documented JSON, no mandatory violations."""

from __future__ import annotations

from infra.plan.cli import EXIT_OK, Outcome

PLAN_KEYS = {"stack", "resources", "outputs", "policy"}
RESOURCE_KEYS = {
    "urn",
    "type",
    "name",
    "parent",
    "provider",
    "custom",
    "protect",
    "dependencies",
    "inputs",
}


def test_every_shipped_stack_plans_cleanly(shipped_plans: dict[str, Outcome]) -> None:
    assert {"dev", "staging", "prod"} <= set(shipped_plans)
    for name, outcome in shipped_plans.items():
        assert outcome.errors == [], (name, outcome.errors)
        assert outcome.exit_code == EXIT_OK, (name, outcome.plan and outcome.plan["policy"])


def test_plan_json_has_the_documented_fields(shipped_plans: dict[str, Outcome]) -> None:
    for outcome in shipped_plans.values():
        plan = outcome.plan
        assert plan is not None and set(plan) == PLAN_KEYS
        assert plan["resources"], outcome.stack
        for resource in plan["resources"]:
            assert set(resource) == RESOURCE_KEYS
            assert resource["urn"].startswith(f"urn:pulumi:{outcome.stack}::platform::")
        assert set(plan["policy"]) == {"violations"}
        assert plan["outputs"]["environment"] == outcome.environment


def test_resources_are_sorted_for_stable_diffs(shipped_plans: dict[str, Outcome]) -> None:
    for outcome in shipped_plans.values():
        assert outcome.plan is not None
        urns = [r["urn"] for r in outcome.plan["resources"]]
        assert urns == sorted(urns)


def test_cloud_resources_use_the_explicit_stack_provider(shipped_plans: dict[str, Outcome]) -> None:
    for outcome in shipped_plans.values():
        assert outcome.plan is not None
        for resource in outcome.plan["resources"]:
            if resource["custom"] and resource["type"].startswith("aws:"):
                # the DR region's provider (stacks/aws.py) is explicit too
                assert resource["provider"].endswith(
                    (
                        f"pulumi:providers:aws::platform-{outcome.stack}-aws",
                        f"pulumi:providers:aws::platform-{outcome.stack}-aws-dr",
                    )
                )
