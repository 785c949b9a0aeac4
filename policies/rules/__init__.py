"""Every rule of the pack: ``ALL_POLICIES`` for the pack, ``policies_for`` for the offline plan.

Rule modules are imported on first use. A cloud's rules only ever match that cloud's resource
types (``tests/test_plan_tool.py`` runs each cloud's rules over the other clouds' shipped plans),
so the offline plan of an AWS stack loads and runs the AWS, Kubernetes and stack-wide rules
only; the CrossGuard pack (``policies/__main__.py``) still gets every rule.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_policy import Policy

PACK_NAME = "platform-policies"

# Rule modules in pack order, each with the Pulumi package whose resource types it matches
# (None: rules that apply to every stack: Kubernetes objects and stack-wide checks).
RULE_MODULES: tuple[tuple[str, str | None], ...] = (
    (".aws_network", "aws"),
    (".aws_data", "aws"),
    (".aws_eks", "aws"),
    (".gcp", "gcp"),
    (".azure", "azure-native"),
    (".kubernetes", None),
    (".stack", None),
    (".versions", None),
    (".deployability.aws", "aws"),
    (".deployability.gcp", "gcp"),
    (".deployability.azure", "azure-native"),
    (".deployability.kubernetes", None),
    (".deployability.convergence", None),
    (".deployability.versions", None),
)


def policies_for(packages: Iterable[str] | None = None) -> list[Policy]:
    """The rules that can match resources of ``packages`` (every rule when None), pack order."""
    wanted = None if packages is None else frozenset(packages)
    found: list[Policy] = []
    for module, package in RULE_MODULES:
        if package is None or wanted is None or package in wanted:
            found.extend(importlib.import_module(module, __package__).POLICIES)
    return found


def __getattr__(name: str) -> list[Policy]:
    """``ALL_POLICIES``: every rule of the pack, imported on first access."""
    if name == "ALL_POLICIES":
        everything = policies_for(None)
        globals()[name] = everything
        return everything
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
