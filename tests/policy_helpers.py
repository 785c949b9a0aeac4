"""Run policy rules the way ``pulumi preview --policy-pack`` runs them, on hand-built resources.

Every call goes through ``pulumi_policy``'s own analyzer with the engine's requests
(``infra.plan.policy.run_pack``): props travel as a protobuf ``Struct`` (numbers become
floats) and reach the rule as read-only proxies that raise on unknown values. A rule that only
works on plain ``dict``/``list``/``int`` values fails here, as it would under the CLI.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy, PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions

from infra.plan.monitor import RecordedResource
from infra.plan.policy import InProcessAnalyzer, run_pack


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def find(policies: list[Policy], name: str) -> Policy:
    return next(p for p in policies if p.name == name)


def _messages(policy: Policy, records: list[RecordedResource], config: dict[str, Any] | None):
    # The rule runs at its own level: the config entry carries only its properties.
    file_config = {policy.name: dict(config)} if config else {}
    found = run_pack(InProcessAnalyzer([policy]), records, file_config)
    return [v["message"] for v in found if v["policy"] == policy.name]


def violations_of_resource(
    policy: Policy, type_: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> list[str]:
    """Messages ``policy`` reports for one resource."""
    record = RecordedResource(
        urn=f"urn:pulumi:s::p::{type_}::r",
        type=type_,
        name="r",
        parent="",
        provider="",
        custom=True,
        protect=False,
        inputs=props,
    )
    return _messages(policy, [record], config)


def resource(type_: str, name: str, props: dict[str, Any], protect: bool = False) -> PolicyResource:
    """A resource for a stack rule; set ``parent``/``dependencies``/``property_dependencies``
    on it as the engine would link them."""
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


def _recorded(resource: PolicyResource) -> RecordedResource:
    return RecordedResource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        parent=resource.parent.urn if resource.parent else "",
        provider="",
        custom=True,
        protect=resource.opts.protect,
        inputs=dict(resource.props),
        dependencies=[d.urn for d in resource.dependencies],
        property_dependencies={
            key: [d.urn for d in deps] for key, deps in resource.property_dependencies.items()
        },
    )


def violations_of_stack(
    policy: Policy, resources: list[PolicyResource], config: dict[str, Any] | None = None
) -> list[str]:
    """Messages ``policy`` reports for a stack of ``resources``."""
    return _messages(policy, [_recorded(r) for r in resources], config)
