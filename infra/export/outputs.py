"""What the providers would return for each planned resource, recomputed from the plan's mocks.

The plan JSON records inputs only. A property that holds another resource's id, ARN or name got
it from that resource's outputs; the offline plan's mocks are deterministic, so asking them
again for a resource's outputs gives exactly the values the dependants received. Exports use
this to turn such values back into references ("the database uses *this* security group").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from infra.plan.mocks import MockContext, PlanMocks
from infra.plan.runner import stack_region
from infra.plan.stackfile import StackFile
from infra.plan.values import REDACTED, UNKNOWN_SHOWN

_IDENTIFIERS = {"arn", "name", "email", "selfLink", "member"}


@dataclass(frozen=True)
class Outputs:
    """A resource's mocked id and output properties (camelCase, as the engine names them)."""

    resource_id: str
    properties: dict[str, Any]


def mock_context(stack_file: StackFile) -> MockContext:
    """The context the plan ran its mocks with (same region and project lookups as the runner)."""
    config = stack_file.config
    return MockContext(
        project=stack_file.project,
        stack=stack_file.stack,
        region=stack_region(stack_file),
        gcp_project=config.get("gcp:project", "offline-plan-project"),
    )


def outputs_of(resource: dict[str, Any], mocks: PlanMocks) -> Outputs:
    """The outputs the mocks give ``resource`` (a plan JSON resource entry)."""
    args = pulumi.runtime.MockResourceArgs(
        typ=resource["type"], name=resource["name"], inputs=dict(resource["inputs"]), custom=True
    )
    resource_id, properties = mocks.new_resource(args)
    return Outputs(resource_id=str(resource_id or ""), properties=properties)


def referable_values(outputs: Outputs) -> dict[str, str]:
    """Identifying outputs (id, ARN, name, email...) another resource could have been given.

    Mocked outputs also echo every input; only identifiers count, so that a setting equal by
    chance (two resources both ``REGIONAL``, or in the same project) is no reference.
    """
    found: dict[str, str] = {}
    for key, value in outputs.properties.items():
        if not isinstance(value, str) or value in (REDACTED, UNKNOWN_SHOWN):
            continue
        if key in _IDENTIFIERS or key.endswith(("Id", "Arn", "Name")):
            found.setdefault(value, key)
    if outputs.resource_id:
        found[outputs.resource_id] = "id"
    return found
