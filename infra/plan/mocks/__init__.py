"""Mocks that stand in for the providers during an offline plan.

``PlanMocks.new_resource`` returns realistic outputs per resource type (ids in each cloud's
format, ARNs, endpoints, kubeconfigs), deterministic so that two plans of the same program
are identical. ``PlanMocks.call`` answers the invokes the program makes; an invoke nobody
mocked is recorded and fails the plan, so none slips through unnoticed.
"""

from __future__ import annotations

import importlib
from typing import Any

import pulumi

from infra import registry
from infra.plan.mocks import common, kubernetes, random, tls
from infra.plan.mocks.common import MockContext, OutputFn


def _tables() -> tuple[dict[str, OutputFn], dict[str, OutputFn], dict[str, OutputFn]]:
    """Resource outputs by type, invoke answers by token and fallbacks by provider package:
    each registered cloud's mocks (``CloudEntry.mocks``), and the providers every cloud uses."""
    resources: dict[str, OutputFn] = {}
    invokes: dict[str, OutputFn] = {}
    fallbacks: dict[str, OutputFn] = {}
    for cloud in registry.clouds():
        if name := registry.cloud_entry(cloud).mocks:
            module = importlib.import_module(name)
            resources.update(module.RESOURCES)
            invokes.update(module.INVOKES)
            fallbacks[module.PACKAGE] = module.fallback
    return (
        {**resources, **random.RESOURCES, **tls.RESOURCES},
        invokes,
        {**fallbacks, "kubernetes": kubernetes.fallback},
    )


class UnmockedInvokeError(Exception):
    """The program called an invoke the offline plan does not answer."""


class PlanMocks(pulumi.runtime.Mocks):
    """Realistic, deterministic provider answers for one stack."""

    def __init__(self, context: MockContext) -> None:
        self.context = context
        self.unmocked_invokes: list[str] = []
        self._resources, self._invokes, self._fallbacks = _tables()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        package = args.typ.split(":", 1)[0]
        if args.typ.startswith("pulumi:providers:"):
            return common.resource_id(args, self.context), dict(args.inputs)
        outputs: dict[str, Any] = dict(args.inputs)
        fallback = self._fallbacks.get(package)
        if fallback:
            outputs.update(fallback(args, self.context))
        specific = self._resources.get(args.typ)
        if specific:
            outputs.update(specific(args, self.context))
        resource_id = outputs.pop("id", None) or common.resource_id(args, self.context)
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        handler = self._invokes.get(args.token)
        if handler is None:
            self.unmocked_invokes.append(args.token)
            raise UnmockedInvokeError(
                f"the offline plan has no mock for invoke {args.token}; add one in infra/plan/mocks/"
            )
        return handler(args, self.context), []


__all__ = ["MockContext", "PlanMocks", "UnmockedInvokeError"]
