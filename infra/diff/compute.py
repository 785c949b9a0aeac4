"""Compare two offline plans of a stack: resources added, removed and changed, with the
property-level changes of each changed resource.

Plans are already stable (resources sorted, mocked ids derived from names, secrets redacted),
so equal programs give empty diffs. Resources are matched by URN; properties are compared as
flattened paths (``spec.template.spec.containers[0].image``), so a change deep in a manifest
reads as one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Resource fields compared besides the inputs.
_OPTION_FIELDS = ("protect", "provider", "parent")


@dataclass(frozen=True)
class PropertyChange:
    """One property path whose value differs (``None`` side: absent)."""

    path: str
    before: Any
    after: Any


@dataclass
class ResourceChange:
    """A changed resource and what changed in it."""

    urn: str
    type: str
    name: str
    changes: list[PropertyChange]


@dataclass
class StackDiff:
    """Everything that differs in one stack between base and head."""

    stack: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    unchanged: int = 0
    outputs: list[PropertyChange] = field(default_factory=list)
    violations: list[dict[str, str]] = field(default_factory=list)
    new_violations: list[dict[str, str]] = field(default_factory=list)
    fixed_violations: list[dict[str, str]] = field(default_factory=list)
    base_missing: bool = False
    head_missing: bool = False
    error: str | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.outputs)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1]}}`` -> ``{"a.b[0]": 1}``; empty containers stay as leaves."""
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key in sorted(value):
            flat.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value:
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def property_changes(before: Any, after: Any) -> list[PropertyChange]:
    """Every flattened path whose value differs, sorted by path."""
    old, new = flatten(before), flatten(after)
    return [
        PropertyChange(path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
    ]


def _violation_key(violation: dict[str, str]) -> tuple[str, str, str]:
    return violation["policy"], violation["urn"], violation["message"]


def diff_plans(stack: str, base: dict[str, Any] | None, head: dict[str, Any] | None) -> StackDiff:
    """The diff of one stack; a side that is ``None`` did not plan (new or deleted stack)."""
    result = StackDiff(stack=stack, base_missing=base is None, head_missing=head is None)
    before = {r["urn"]: r for r in (base or {}).get("resources", [])}
    after = {r["urn"]: r for r in (head or {}).get("resources", [])}
    result.added = [after[u] for u in sorted(set(after) - set(before))]
    result.removed = [before[u] for u in sorted(set(before) - set(after))]
    for urn in sorted(set(before) & set(after)):
        old, new = before[urn], after[urn]
        changes = property_changes(old["inputs"], new["inputs"])
        changes += [
            PropertyChange(f"({option})", old.get(option), new.get(option))
            for option in _OPTION_FIELDS
            if old.get(option) != new.get(option)
        ]
        if changes:
            result.changed.append(ResourceChange(urn, new["type"], new["name"], changes))
        else:
            result.unchanged += 1
    result.outputs = property_changes(
        (base or {}).get("outputs", {}), (head or {}).get("outputs", {})
    )
    head_violations = (head or {}).get("policy", {}).get("violations", [])
    base_violations = (base or {}).get("policy", {}).get("violations", [])
    base_keys = {_violation_key(v) for v in base_violations}
    head_keys = {_violation_key(v) for v in head_violations}
    result.violations = head_violations
    result.new_violations = [v for v in head_violations if _violation_key(v) not in base_keys]
    result.fixed_violations = [v for v in base_violations if _violation_key(v) not in head_keys]
    return result
