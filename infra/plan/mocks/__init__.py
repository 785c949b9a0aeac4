"""Mocks that stand in for the providers during an offline plan.

``PlanMocks.new_resource`` returns realistic outputs per resource type (ids in each cloud's
format, ARNs, endpoints, kubeconfigs), deterministic so that two plans of the same program
are identical. ``PlanMocks.call`` answers the invokes the program makes; an invoke nobody
mocked is recorded and fails the plan, so none slips through unnoticed.
"""

from __future__ import annotations

from typing import Any

import pulumi

from infra.plan.mocks import aws, azure, common, gcp, kubernetes, random, tls
from infra.plan.mocks.common import MockContext, OutputFn

_RESOURCES: dict[str, OutputFn] = {
    **aws.RESOURCES, **azure.RESOURCES, **gcp.RESOURCES, **random.RESOURCES, **tls.RESOURCES,
}  # fmt: skip
_INVOKES: dict[str, OutputFn] = {**aws.INVOKES, **azure.INVOKES, **gcp.INVOKES}
_FALLBACKS: dict[str, OutputFn] = {
    "aws": aws.fallback, "azure-native": azure.fallback, "gcp": gcp.fallback, "kubernetes": kubernetes.fallback,
}  # fmt: skip


class UnmockedInvokeError(Exception):
    """The program called an invoke the offline plan does not answer."""


class PlanMocks(pulumi.runtime.Mocks):
    """Realistic, deterministic provider answers for one stack."""

    def __init__(self, context: MockContext) -> None:
        self.context = context
        self.unmocked_invokes: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        package = args.typ.split(":", 1)[0]
        if args.typ.startswith("pulumi:providers:"):
            return common.resource_id(args, self.context), dict(args.inputs)
        outputs: dict[str, Any] = dict(args.inputs)
        fallback = _FALLBACKS.get(package)
        if fallback:
            outputs.update(fallback(args, self.context))
        specific = _RESOURCES.get(args.typ)
        if specific:
            outputs.update(specific(args, self.context))
        resource_id = outputs.pop("id", None) or common.resource_id(args, self.context)
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        handler = _INVOKES.get(args.token)
        if handler is None:
            self.unmocked_invokes.append(args.token)
            raise UnmockedInvokeError(
                f"the offline plan has no mock for invoke {args.token}; add one in infra/plan/mocks/"
            )
        return handler(args, self.context), []


__all__ = ["MockContext", "PlanMocks", "UnmockedInvokeError"]
