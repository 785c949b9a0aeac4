"""Call policy rules directly (never through PolicyPack, which starts a gRPC server)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra.plan.policy import policy_config


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def find(policies: list[Policy], name: str) -> Policy:
    return next(p for p in policies if p.name == name)


def violations_of_resource(
    policy: Policy, type_: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> list[str]:
    """Messages ``policy`` reports for one resource."""
    assert isinstance(policy, ResourceValidationPolicy)
    found: list[str] = []
    merged = {**policy_config(policy, {}), **(config or {})}
    args = ResourceValidationArgs(
        type_, props, f"urn:pulumi:s::p::{type_}::r", "r", options(), None, merged
    )
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


def resource(type_: str, name: str, props: dict[str, Any], protect: bool = False) -> PolicyResource:
    return PolicyResource(
        type_,
        props,
        f"urn:pulumi:s::p::{type_}::{name}",
        name,
        options(protect),
        None,
        None,
        [],
        {},
    )


def violations_of_stack(
    policy: Policy, resources: list[PolicyResource], config: dict[str, Any] | None = None
) -> list[str]:
    """Messages ``policy`` reports for a stack of ``resources``."""
    assert isinstance(policy, StackValidationPolicy)
    found: list[str] = []
    merged = {**policy_config(policy, {}), **(config or {})}
    policy.validate(
        StackValidationArgs(resources, merged), lambda message, urn=None: found.append(message)
    )
    return found
