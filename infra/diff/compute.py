"""Compare two offline plans of a stack: resources added, removed and changed, with the
property-level changes of each changed resource.

Plans are already stable (resources sorted, mocked ids derived from names, secrets redacted),
so equal programs give empty diffs. Resources are matched by URN; properties are compared as
flattened paths (``spec.template.spec.containers[0].image``), so a change deep in a manifest
reads as one line. A change to a property that cannot change in place (``infra.diff.replacement``)
makes the resource a replacement, and the resources that take its id "may be replaced"
(``infra.diff.dependents``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.diff.dependents import MayReplace, may_replace
from infra.diff.flat import flatten
from infra.diff.replacement import STATEFUL, replacing_paths

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
    replace_paths: list[str] = field(default_factory=list)
    protect: bool = False

    @property
    def replaced(self) -> bool:
        return bool(self.replace_paths)


@dataclass(frozen=True)
class Hazard:
    """A destructive change to a protected or stateful resource, shown first."""

    urn: str
    type: str
    name: str
    action: str  # "replace", "may be replaced" or "delete"
    reason: str


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
    may_replace: list[MayReplace] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    secrets_changed: list[str] = field(default_factory=list)
    # estimated monthly cost (USD, infra.plan.summary) of each side; None: that side has no plan
    monthly_usd_before: float | None = None
    monthly_usd_after: float | None = None
    base_missing: bool = False
    head_missing: bool = False
    error: str | None = None

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added or self.removed or self.changed or self.outputs or self.secrets_changed
        )

    @property
    def replaced(self) -> list[ResourceChange]:
        return [c for c in self.changed if c.replaced]

    @property
    def updated(self) -> list[ResourceChange]:
        return [c for c in self.changed if not c.replaced]


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


def _hazards(diff: StackDiff, protected: set[str]) -> list[Hazard]:
    """Replacements, possible replacements and deletions of protected or stateful resources."""
    hazards = [
        Hazard(c.urn, c.type, c.name, "replace", f"`{c.replace_paths[0]}` cannot change in place")
        for c in diff.replaced
        if c.protect or c.type in STATEFUL
    ]
    hazards += [
        Hazard(m.urn, m.type, m.name, "may be replaced", f"`{m.path}` takes the id of {m.source}")
        for m in diff.may_replace
        if m.urn in protected or m.type in STATEFUL
    ]
    hazards += [
        Hazard(r["urn"], r["type"], r["name"], "delete", "removed from the program")
        for r in diff.removed
        if r.get("protect") or r["type"] in STATEFUL
    ]
    return hazards


def _monthly_usd(plan: dict[str, Any] | None) -> float | None:
    """The plan's estimated monthly cost; a plan made by older code is summarized here."""
    if plan is None:
        return None
    from infra.plan.summary import summarize

    return float((plan.get("summary") or summarize(plan))["monthly_usd"])


def cost_change(diff: StackDiff) -> str:
    """``$206.15 -> $279.15/month (+$73.00)``: the estimated monthly cost, before and after."""
    before, after = diff.monthly_usd_before, diff.monthly_usd_after
    if before is None and after is None:
        return "no estimate"
    if before is None or after is None:
        return f"${before or after:,.2f}/month ({'new' if before is None else 'removed'} stack)"
    delta = after - before
    sign = "+" if delta >= 0 else "-"
    return f"${before:,.2f} -> ${after:,.2f}/month ({sign}${abs(delta):,.2f})"


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
            replacing = replacing_paths(new["type"], [c.path for c in changes])
            protect = bool(old.get("protect") or new.get("protect"))
            result.changed.append(
                ResourceChange(urn, new["type"], new["name"], changes, replacing, protect)
            )
        else:
            result.unchanged += 1
    if base and head:
        result.may_replace = may_replace(base, head, {c.urn for c in result.replaced})
    protected = {urn for urn, r in {**before, **after}.items() if r.get("protect")}
    result.hazards = _hazards(result, protected)
    result.monthly_usd_before = _monthly_usd(base)
    result.monthly_usd_after = _monthly_usd(head)
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
