"""Helpers every rule module uses: one way to declare a rule, one way to read props.

A rule is a named function plus metadata (kebab-case name, why it matters, how to fix it,
severity). ``resource_rule`` and ``stack_rule`` wrap them in the pulumi_policy classes the pack
and the offline plan both run. Props arrive as the engine sees them: camelCase keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]


def resource_rule(
    name: str,
    description: str,
    remediation: str,
    severity: Severity,
    check: ResourceCheck,
    *,
    types: Iterable[str] | None = None,
    config_schema: PolicyConfigSchema | None = None,
) -> ResourceValidationPolicy:
    """A rule over single resources, optionally only of ``types``."""
    wanted = frozenset(types or ())

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if wanted and args.resource_type not in wanted:
            return
        check(args, report)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=config_schema,
        severity=severity,
        remediation_steps=remediation,
    )


def stack_rule(
    name: str,
    description: str,
    remediation: str,
    severity: Severity,
    check: StackCheck,
    *,
    config_schema: PolicyConfigSchema | None = None,
) -> StackValidationPolicy:
    """A rule over the whole stack (relations between resources, options like protect)."""
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=check,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=config_schema,
        severity=severity,
        remediation_steps=remediation,
    )


def dig(props: Mapping[str, Any], *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]...`` or ``default`` when any step is missing."""
    current: Any = props
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return default
            current = current[step]
        else:
            if not isinstance(current, Mapping) or step not in current:
                return default
            current = current[step]
    return current if current is not None else default
