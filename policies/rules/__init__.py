"""Every rule of the pack, in one list that the pack and the offline plan both use."""

from __future__ import annotations

from pulumi_policy import Policy

from policies.rules import (
    aws_data,
    aws_eks,
    aws_network,
    aws_versions,
    azure,
    deployability,
    gcp,
    kubernetes,
    stack,
)

ALL_POLICIES: list[Policy] = [
    *aws_network.POLICIES,
    *aws_data.POLICIES,
    *aws_eks.POLICIES,
    *aws_versions.POLICIES,
    *gcp.POLICIES,
    *azure.POLICIES,
    *kubernetes.POLICIES,
    *stack.POLICIES,
    *deployability.POLICIES,
]
