"""Every rule of the pack, in one list that the pack and the offline plan both use."""

from __future__ import annotations

from pulumi_policy import Policy

from policies.rules import aws_network, stack

ALL_POLICIES: list[Policy] = [
    *aws_network.POLICIES,
    *stack.POLICIES,
]
