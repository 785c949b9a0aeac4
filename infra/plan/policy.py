"""Applies the CrossGuard policy pack's own rule objects to an offline plan.

The rules in ``policies/`` are the ones ``pulumi preview --policy-pack policies`` runs; here
they are called directly with ``ResourceValidationArgs`` / ``StackValidationArgs`` built from
the recorded registrations, with enforcement levels and thresholds read from
``policies/config/<environment>.json`` exactly as ``--policy-pack-config`` would apply them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi.runtime.sync_await import _sync_await
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError  # the SDK's "not applicable" signal

from infra.plan.monitor import RecordedResource
from infra.plan.values import plain

DEFAULT_LEVEL = EnforcementLevel.ADVISORY


def load_policy_config(project_root: Path, environment: str) -> dict[str, Any]:
    """``policies/config/<environment>.json`` (empty when absent)."""
    path = project_root / "policies" / "config" / f"{environment}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def enforcement_level(policy: Policy, pack_config: dict[str, Any]) -> EnforcementLevel:
    """The level a policy runs at: its own entry, then ``all``, then its default."""
    for key in (policy.name, "all"):
        entry = pack_config.get(key)
        if isinstance(entry, str):
            return EnforcementLevel(entry)
        if isinstance(entry, dict) and "enforcementLevel" in entry:
            return EnforcementLevel(entry["enforcementLevel"])
    return policy.enforcement_level or DEFAULT_LEVEL


def policy_config(policy: Policy, pack_config: dict[str, Any]) -> dict[str, Any]:
    """Schema defaults overlaid with the policy's config entry (minus the level)."""
    values: dict[str, Any] = {}
    schema = policy.config_schema
    if schema is not None:
        for key, spec in (schema.properties or {}).items():
            if isinstance(spec, dict) and "default" in spec:
                values[key] = spec["default"]
    entry = pack_config.get(policy.name)
    if isinstance(entry, dict):
        values.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
    return values


def _options(record: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=record.protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=record.parent or None,
    )


def policy_resources(records: list[RecordedResource]) -> list[PolicyResource]:
    """The stack's resources as ``StackValidationArgs`` expects them, links resolved."""
    by_urn: dict[str, PolicyResource] = {}
    for record in records:
        by_urn[record.urn] = PolicyResource(
            resource_type=record.type,
            props=plain(record.inputs, redact=False),
            urn=record.urn,
            name=record.name,
            opts=_options(record),
            provider=None,
            parent=None,
            dependencies=[],
            property_dependencies={},
        )
    for record in records:
        resource = by_urn[record.urn]
        resource.parent = by_urn.get(record.parent)
        resource.dependencies = [by_urn[u] for u in record.dependencies if u in by_urn]
        resource.property_dependencies = {
            key: [by_urn[u] for u in urns if u in by_urn]
            for key, urns in record.property_dependencies.items()
        }
    return list(by_urn.values())


def _run(validation: Callable[[], Any]) -> None:
    """Run (and await) one validation; "not applicable" (unknown values) reports nothing."""
    try:
        result = validation()
        if inspect.isawaitable(result):
            _sync_await(result)
    except _NotApplicableError:
        return


def evaluate(
    records: list[RecordedResource],
    stack: str,
    environment: str,
    project_root: Path,
    policies: list[Policy] | None = None,
) -> list[dict[str, str]]:
    """Every violation of the pack in this plan: policy, level, urn and message.

    Runs every rule that can match: those of the clouds whose resource types the plan has,
    plus the Kubernetes and stack-wide ones (``policies.rules.policies_for``); or ``policies``.
    """
    from policies.rules import policies_for

    pack_config = load_policy_config(project_root, environment)
    stack_tags = {"environment": environment, "stack": stack}
    violations: list[dict[str, str]] = []
    resources = policy_resources(records)
    if policies is None:
        policies = policies_for({record.type.split(":", 1)[0] for record in records})
    for policy in policies:
        level = enforcement_level(policy, pack_config)
        if level == EnforcementLevel.DISABLED:
            continue
        config = policy_config(policy, pack_config)

        def report(message: str, urn: str | None = None, *, _policy: Policy = policy,
                   _level: EnforcementLevel = level, _default_urn: str = "") -> None:  # fmt: skip
            violations.append(
                {
                    "policy": _policy.name,
                    "level": _level.value,
                    "urn": urn or _default_urn,
                    "message": message,
                }
            )

        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = ResourceValidationArgs(
                    resource.resource_type, resource.props, resource.urn, resource.name,
                    resource.opts, None, config, stack_tags,
                )  # fmt: skip
                _run(
                    lambda p=policy, a=args, r=resource: p.validate(
                        a, lambda m, u=None: report(m, u, _default_urn=r.urn)
                    )
                )
        elif isinstance(policy, StackValidationPolicy):
            stack_args = StackValidationArgs(resources, config, stack_tags)
            _run(lambda p=policy, a=stack_args: p.validate(a, report))
    return violations
