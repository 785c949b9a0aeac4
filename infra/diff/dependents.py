"""Resources that may be replaced because a resource they reference is replaced.

A replaced resource gets a new id (and ARN); every resource whose inputs take that id sees the
input change at apply time, and is replaced in turn when that input is create-only. The plan
does not carry outputs, but the offline mocks derive ids and ARNs from names, so the replaced
resource's identifiers are recomputed here with the same mocks; a resource is affected when it
waits for the replaced one (the plan's ``dependencies``) and one of its input values is such an
identifier. Through create-only references the effect is followed transitively.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from infra.diff.flat import flatten
from infra.diff.replacement import force_new
from infra.diff.replacement.paths import first_match

_MIN_IDENTIFIER = 6  # shorter strings ("1", "tcp") are not identifiers worth matching


@dataclass(frozen=True)
class MayReplace:
    """A resource that may be replaced, and why (``path`` takes ``source``'s identifier)."""

    urn: str
    type: str
    name: str
    path: str
    source: str


def _context(plan: dict[str, Any]) -> Any:
    """The mock context the plan was made with, read back from its URNs and providers."""
    from infra.plan.mocks.common import MockContext

    urn = plan["resources"][0]["urn"] if plan.get("resources") else "urn:pulumi:stack::project::x"
    stack, project = urn.split("::")[0].split(":")[-1], urn.split("::")[1]
    region, gcp_project = "eu-west-1", "offline-plan-project"
    for resource in plan.get("resources", []):
        if resource["type"].startswith("pulumi:providers:"):
            inputs = resource["inputs"]
            region = inputs.get("region") or inputs.get("location") or region
            gcp_project = inputs.get("project", gcp_project)
    return MockContext(project=project, stack=stack, region=region, gcp_project=gcp_project)


def identifiers(resource: dict[str, Any], context: Any) -> set[str]:
    """The id, ARN and other identifying outputs the mocks give ``resource``."""
    from infra.plan.mocks import PlanMocks

    args = SimpleNamespace(
        typ=resource["type"], name=resource["name"], inputs=resource["inputs"],
        provider=resource.get("provider"), resource_id=None, custom=True,
    )  # fmt: skip
    resource_id, outputs = PlanMocks(context).new_resource(args)  # pyright: ignore[reportArgumentType] -- the mocks read only typ, name and inputs
    found = {resource_id} if resource_id else set()
    for key, value in outputs.items():
        identifying = key in ("arn", "name") or key.endswith(("Arn", "Id"))
        if identifying and isinstance(value, str) and key not in resource["inputs"]:
            found.add(value)
    name = resource["inputs"].get("name") or (resource["inputs"].get("metadata") or {}).get("name")
    if isinstance(name, str):
        found.add(name)
    return {value for value in found if len(value) >= _MIN_IDENTIFIER}


def _references(inputs: dict[str, Any], ids: set[str]) -> list[str]:
    arns = [i for i in ids if i.startswith("arn:")]
    return [
        path
        for path, value in flatten(inputs).items()
        if isinstance(value, str) and (value in ids or any(arn in value for arn in arns))
    ]


def may_replace(base: dict[str, Any], head: dict[str, Any], replaced: set[str]) -> list[MayReplace]:
    """Head resources (not already replaced) whose inputs take a replaced resource's id."""
    context = _context(base)
    before = {r["urn"]: r for r in base.get("resources", [])}
    after = [r for r in head.get("resources", []) if r.get("custom", True)]
    queue = deque(urn for urn in sorted(replaced) if urn in before)
    seen = set(replaced)
    found: list[MayReplace] = []
    while queue:
        source = before[queue.popleft()]
        ids = identifiers(source, context)
        for resource in after:
            if resource["urn"] in seen or source["urn"] not in resource.get("dependencies", []):
                continue
            paths = _references(resource["inputs"], ids)
            if not paths:
                continue
            seen.add(resource["urn"])
            found.append(
                MayReplace(
                    resource["urn"], resource["type"], resource["name"], paths[0], source["name"]
                )
            )
            if resource["urn"] in before and any(
                first_match(p, force_new(resource["type"])) for p in paths
            ):
                queue.append(resource["urn"])
    return sorted(found, key=lambda m: m.urn)
