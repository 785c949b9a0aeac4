"""A cloud that forgets a contract fails at once; the Kubernetes layer is never silently skipped."""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from unittest.mock import MagicMock

import pytest

from infra.plan.cli import Outcome
from stacks.platform import MissingContractError, PlatformContracts

CONTRACTS = [f.name for f in fields(PlatformContracts)]


def every_contract() -> dict[str, Any]:
    return {name: MagicMock(name=name) for name in CONTRACTS}


def test_every_contract_is_a_required_field() -> None:
    assert CONTRACTS == ["network", "cluster", "postgres", "kafka", "redis"]
    for name in CONTRACTS:
        partial = {k: v for k, v in every_contract().items() if k != name}
        with pytest.raises(TypeError, match=name):
            PlatformContracts(**partial)


@pytest.mark.parametrize("name", CONTRACTS)
def test_a_none_contract_is_an_error_naming_it(name: str) -> None:
    with pytest.raises(MissingContractError, match=f"missing {name};"):
        PlatformContracts(**{**every_contract(), name: None})


def test_every_shipped_stack_builds_the_kubernetes_layer(shipped_plans: dict[str, Outcome]) -> None:
    """The layer used to be skipped silently when a cloud returned no cluster or data service."""
    for stack, outcome in shipped_plans.items():
        assert outcome.plan is not None, (stack, outcome.errors)
        workloads = {
            r["name"]
            for r in outcome.plan["resources"]
            if r["type"] == "platform:kubernetes:Workload"
        }
        assert workloads == {f"platform-{stack}-backend", f"platform-{stack}-collector"}, stack
