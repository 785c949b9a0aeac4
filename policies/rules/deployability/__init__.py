"""Deployability rules: the clouds' own API constraints, checked before anything is created.

These are not hardening opinions but the rules a cloud's API applies when ``pulumi up`` calls
it: allowed characters and lengths of names and descriptions, sizes a service sells, engine
versions still accepted (with their end-of-support dates), zone and ordering constraints. A
resource that breaks one fails its first real deploy, however green the mocks are.

They form their own category: every rule here is ``mandatory`` in every environment, in the
offline plan and under ``pulumi preview --policy-pack policies`` alike (a test fails when a
``policies/config/<env>.json`` demotes one). One module per cloud; data comes from maintained
sources where one exists (cfn-lint's CloudFormation schemas and RDS data for AWS), otherwise
from one table per cloud whose every entry names its source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_policy import Policy

CLOUD_MODULES = ("aws", "gcp", "azure", "kubernetes", "convergence", "versions")


def __getattr__(name: str) -> Any:
    """``POLICIES`` (every cloud's, in this order) and their ``NAMES``, imported on first use:
    ``policies.rules.policies_for`` loads one cloud's module without the others."""
    import importlib

    if name not in ("POLICIES", "NAMES"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    policies: list[Policy] = [
        policy
        for cloud in CLOUD_MODULES
        for policy in importlib.import_module(f"{__name__}.{cloud}").POLICIES
    ]
    globals().update(POLICIES=policies, NAMES=frozenset(p.name for p in policies))
    return globals()[name]
