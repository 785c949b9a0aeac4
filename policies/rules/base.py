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
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
# A predicate over (props, policy config): True compliant, False violation, None not applicable.
Predicate = Callable[[Mapping[str, Any], Mapping[str, Any]], "bool | None"]

# How an unknown value (not computed until deployment) reaches a policy: the engine's sentinel,
# or the offline plan's rendering of it.
UNKNOWN_VALUES = frozenset({"04da6b54-80e4-46f7-96ec-b56ff0331ba9", "[unknown]"})
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]

# Every deployability rule's name starts with this (see ``policies/rules/deployability``).
DEPLOYABILITY_PREFIX = "deploy-"


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


def property_rule(
    name: str,
    description: str,
    remediation: str,
    severity: Severity,
    types: Iterable[str],
    predicate: Predicate,
    message: str,
    *,
    config_schema: PolicyConfigSchema | None = None,
) -> ResourceValidationPolicy:
    """A rule that judges one resource's props with a named ``predicate``.

    Unknown values (``None`` from the predicate) are skipped, never reported: at preview time
    many properties are computed later.
    """

    def check(args: ResourceValidationArgs, report: ReportViolation) -> None:
        verdict = predicate(args.props, args.get_config())
        if verdict is False:
            report(message.format(**{k: v for k, v in args.get_config().items()}), None)

    check.__name__ = predicate.__name__
    return resource_rule(
        name, description, remediation, severity, check, types=types, config_schema=config_schema
    )


def is_unknown(value: Any) -> bool:
    """True for a value only known after deployment."""
    return isinstance(value, str) and value in UNKNOWN_VALUES


def truthy(props: Mapping[str, Any], *path: str | int) -> bool | None:
    """``props[path]`` is true (None when unknown)."""
    value = dig(props, *path)
    if is_unknown(value):
        return None
    return bool(value)


def equals(
    props: Mapping[str, Any], expected: Any, *path: str | int, default: Any = None
) -> bool | None:
    """``props[path] == expected`` (None when unknown)."""
    value = dig(props, *path, default=default)
    if is_unknown(value):
        return None
    return value == expected


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


def deployable(policy: ResourceValidationPolicy | StackValidationPolicy) -> Policy:
    """Mark ``policy`` as a deployability rule: mandatory by default, in every environment.

    Name it ``deploy-<cloud>-<what>``; add it to its cloud's list in
    ``policies/rules/deployability/``. Config files must not demote it (a test checks).
    """
    if not policy.name.startswith(DEPLOYABILITY_PREFIX):
        raise ValueError(
            f"deployability rule {policy.name!r} must start with {DEPLOYABILITY_PREFIX!r}"
        )
    policy.enforcement_level = EnforcementLevel.MANDATORY
    return policy
