"""Shared pieces of the offline plan's mocks: context and deterministic identifiers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.plan.values import SECRET_SIG, SIG_KEY

ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class MockContext:
    """Facts about the planned stack that realistic outputs depend on."""

    project: str
    stack: str
    region: str
    gcp_project: str = "offline-plan-project"
    #: platform:cloud (the shape of a load balancer's address)
    cloud: str = ""
    #: platform:dns.zone, when the stack sets one (the Cloud DNS zones lookup answers it)
    dns_zone: str = ""


OutputFn = Callable[[Any, MockContext], dict[str, Any]]


def digest(*parts: str, length: int = 17) -> str:
    """A stable hex string derived from ``parts`` (no randomness: plans must be repeatable)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def resource_id(args: Any, context: MockContext) -> str:
    """A stable id for a resource that has no better-known id format."""
    return f"{args.name}-{digest(context.stack, args.typ, args.name, length=8)}"


def secret(value: Any) -> dict[str, Any]:
    """Mark a mocked output as secret, as the provider's schema would."""
    return {SIG_KEY: SECRET_SIG, "value": value}
