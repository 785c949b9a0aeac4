"""Aliases for Kubernetes objects that moved from the root stack into a component.

Moving a resource under a component changes its URN (the parent's type becomes part of it);
without an alias the engine would delete the object and create it again. Each object the
platform once declared at the root of the stack (the application namespace's default-deny
policies, the app's alert rules and dashboard, the in-cluster data services' rules and
PodMonitors, the prod ``Retain`` StorageClass, the image pull Secret) carries this alias, so
existing stacks adopt the same object under its new URN.
"""

from __future__ import annotations

import pulumi


def moved_from_root() -> list[pulumi.Alias]:
    """The alias of a resource whose old URN had no parent (the root stack)."""
    return [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
