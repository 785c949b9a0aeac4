"""Every shipped stack plans offline, with the documented JSON, no mandatory violations."""

from __future__ import annotations

import importlib
import inspect
from functools import cache
from typing import Any

import pytest

from infra.naming import REQUIRED_TAG_KEYS
from infra.plan.cli import EXIT_OK, Outcome

PLAN_KEYS = {"stack", "resources", "outputs", "policy", "summary"}
RESOURCE_KEYS = {
    "urn",
    "type",
    "name",
    "parent",
    "provider",
    "custom",
    "protect",
    "dependencies",
    "ignoreChanges",
    "customTimeouts",
    "replaceOnChanges",
    "deleteBeforeReplace",
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


# package of a resource type -> (provider package, suffix of the stack's explicit provider name)
EXPLICIT_PROVIDERS = {"aws": "aws", "gcp": "gcp", "azure-native": "azure"}


def test_cloud_resources_use_the_explicit_stack_provider(shipped_plans: dict[str, Outcome]) -> None:
    """Every cloud resource on every cloud goes through the stack's own provider (never the
    ambient default one); Kubernetes objects go through the cluster's provider."""
    checked: dict[str, int] = {}
    for outcome in shipped_plans.values():
        assert outcome.plan is not None
        for resource in outcome.plan["resources"]:
            package = resource["type"].split(":")[0]
            if not resource["custom"] or package == "pulumi":
                continue
            if package in EXPLICIT_PROVIDERS:
                expected = (
                    f"pulumi:providers:{package}::platform-{outcome.stack}-"
                    f"{EXPLICIT_PROVIDERS[package]}"
                )
                # the DR region's provider (stacks/aws.py) is explicit too
                assert resource["provider"].endswith((expected, f"{expected}-dr")), (
                    outcome.stack,
                    resource["urn"],
                )
                checked[package] = checked.get(package, 0) + 1
            elif package == "kubernetes":
                provider = resource["provider"]
                assert "pulumi:providers:kubernetes::" in provider, resource["urn"]
                assert "::default" not in provider, (outcome.stack, resource["urn"])
    assert set(checked) == set(EXPLICIT_PROVIDERS), checked


TAG_ARGUMENTS = {"tags": "tags", "labels": "labels", "resource_labels": "resourceLabels"}
# taggable only below the top level: Cloud SQL labels live in settings.userLabels
# and a notification channel's `labels` are its settings (the address): its labels are userLabels
NESTED_LABELS = {
    "gcp:sql/databaseInstance:DatabaseInstance": ("settings", "userLabels"),
    "gcp:monitoring/notificationChannel:NotificationChannel": ("userLabels",),
}
SDK_MODULES = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "azure-native": "pulumi_azure_native"}


@cache
def tag_input(type_: str) -> tuple[str, ...] | None:
    """Where a resource type takes tags/labels, read from the provider SDK's own signature."""
    if type_ in NESTED_LABELS:
        return NESTED_LABELS[type_]
    package, module, name = type_.split(":")
    sdk = importlib.import_module(f"{SDK_MODULES[package]}.{module.split('/')[0]}")
    parameters = inspect.signature(getattr(sdk, name)._internal_init).parameters
    return next(((camel,) for arg, camel in TAG_ARGUMENTS.items() if arg in parameters), None)


def _dig(inputs: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = inputs
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


@pytest.mark.parametrize("stack", ["prod", "prod-gcp", "prod-azure"])
def test_everything_taggable_is_tagged(shipped_plans: dict[str, Outcome], stack: str) -> None:
    """AWS tags, GCP labels and Azure tags on every resource whose SDK accepts them."""
    plan = shipped_plans[stack].plan
    assert plan is not None
    taggable = [
        (resource, path)
        for resource in plan["resources"]
        if resource["custom"] and resource["type"].split(":")[0] in SDK_MODULES
        if (path := tag_input(resource["type"])) is not None
    ]
    assert len(taggable) >= 5, stack
    for resource, path in taggable:
        tags = _dig(resource["inputs"], path)
        assert isinstance(tags, dict), f"{resource['urn']} has no {'.'.join(path)}"
        assert set(REQUIRED_TAG_KEYS) <= set(tags), (resource["urn"], tags)
        assert tags["environment"] == "prod" and tags["stack"] == stack, resource["urn"]


SECRET_OUTPUTS = ("kubeconfig", "postgresPassword", "redisAuthToken")


def test_credential_outputs_are_secret_on_every_stack(shipped_plans: dict[str, Outcome]) -> None:
    """A credential output made plain (e.g. ``Output.unsecret``) fails here on every cloud."""
    for stack, outcome in shipped_plans.items():
        assert outcome.plan is not None, stack
        outputs = outcome.plan["outputs"]
        assert {"kubeconfig", "postgresPassword"} <= set(outputs), stack
        for key in SECRET_OUTPUTS:
            if key in outputs:
                assert outputs[key] == "[secret]", (stack, key)
