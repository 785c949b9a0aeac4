"""Helpers every rule module uses: one way to declare a rule, one way to read props.

A rule is a named function plus metadata (kebab-case name, why it matters, how to fix it,
severity). ``resource_rule`` and ``stack_rule`` wrap them in the pulumi_policy classes the pack
and the offline plan both run. Props arrive as the engine sees them: camelCase keys.

Under ``pulumi preview --policy-pack`` (and in the offline plan, which runs the same analyzer)
``pulumi_policy`` hands rules read-only proxies: objects are ``Mapping``s and arrays
``Sequence``s (never ``dict``/``list``), every number is a float, and reading an unknown value
(computed at deployment) raises ``UnknownValueError``. Rules therefore read props only through
the helpers here: ``dig``, ``mapping``, ``sequence``, ``number``, ``whole``, ``plain``; each
turns an unknown into ``UNKNOWN`` instead of raising, so one unknown field never stops a rule
for the whole stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Real
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
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
# A predicate over (props, policy config): True compliant, False violation, None not applicable.
Predicate = Callable[[Mapping[str, Any], Mapping[str, Any]], "bool | None"]

# How an unknown value (not computed until deployment) reaches a policy: the engine's sentinels
# (one per type), or the offline plan's rendering of it.
UNKNOWN = UNKNOWN_STRING_VALUE
UNKNOWN_VALUES = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        UNKNOWN_STRING_VALUE, "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", "[unknown]",
    }
)  # fmt: skip
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
            config = args.get_config()
            report(message.format(**{k: shown(config[k]) for k in iter_keys(config)}), None)

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


def _step(current: Any, step: str | int) -> tuple[bool, Any]:
    """``current[step]`` as (found, value); an unknown value is found and ``UNKNOWN``."""
    try:
        if isinstance(step, int):
            if sequence(current) is None or not -len(current) <= step < len(current):
                return False, None
            return True, current[step]
        if not isinstance(current, Mapping) or step not in iter_keys(current):
            return False, None
        return True, current[step]
    except UnknownValueError:
        return True, UNKNOWN


def iter_keys(value: Mapping[str, Any]) -> list[str]:
    """The keys of a mapping, read without touching its (possibly unknown) values."""
    return list(iter(value))


def dig(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]...`` or ``default`` when any step is missing.

    An unknown value on the way comes back as ``UNKNOWN`` (``is_unknown`` is then true).
    """
    current: Any = props
    for step in path:
        if is_unknown(current):
            return UNKNOWN
        found, current = _step(current, step)
        if not found:
            return default
    return current if current is not None else default


def shown(value: Any) -> Any:
    """A config or prop value for a message: ``7.0`` (how numbers arrive) reads as ``7``."""
    found = whole(value)
    return found if found is not None and not isinstance(value, str) else value


def mapping(value: Any) -> Mapping[str, Any] | None:
    """``value`` if it is an object (a dict, or the proxy the CLI passes), else None."""
    return value if isinstance(value, Mapping) else None


def sequence(value: Any) -> Sequence[Any] | None:
    """``value`` if it is an array (a list, or the proxy the CLI passes), else None."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    return None


def number(value: Any) -> float | None:
    """``value`` as a number (the engine sends every number as a float), else None."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return float(value)
    return None


def whole(value: Any) -> int | None:
    """``value`` as an integer when it is a whole number (``3.0`` is 3), else None."""
    found = number(value)
    return int(found) if found is not None and found.is_integer() else None


def plain(value: Any) -> Any:
    """A deep copy of ``value`` as plain dicts and lists (unknowns as ``UNKNOWN``), for code
    that needs real containers, such as a JSON Schema validator."""
    if isinstance(value, Mapping):
        return {key: plain(dig(value, key)) for key in iter_keys(value)}
    if (items := sequence(value)) is not None:
        return [plain(dig(items, index)) for index in range(len(items))]
    return value


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
