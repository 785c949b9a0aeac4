"""Kubernetes's own API rules, checked on every plan (see the package docstring).

``deploy-k8s-no-ipblock-for-cluster-peers``: on the CNIs the platform's clusters run (Cilium
on AKS, GKE Dataplane V2, the VPC CNI network-policy agent on EKS) an ``ipBlock`` selects
addresses outside the cluster only: pods and nodes carry identities, so a block never matches
them and the flow is silently dropped (Cilium: "ipBlock ... is not applied to pod IPs",
https://docs.cilium.io/en/stable/network/kubernetes/policy/). A policy that names an in-cluster
peer by CIDR (a block covering the pod or service range, or a catch-all 0.0.0.0/0 without
excepting them) therefore never does what it says: name pods with namespace/pod selectors,
and the API server or node ports by omitting the peer.

``deploy-k8s-cr-schema``: a custom resource (any ``kubernetes:<group>/<version>:<Kind>`` type
the Kubernetes SDK does not declare) must validate against the schema of its CRD at the version
the pinned chart installs, vendored in ``policies/rules/facts/schemas/``. The API server
prunes fields a structural schema does not declare without an error, so a misspelt key is
silently dropped on deploy; a kind with no vendored schema fails too, so a new CR kind cannot
slip in unchecked (see ``policies/rules/facts/crd_schemas.py``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
)

from ..base import deployable, dig, is_unknown, plain, resource_rule
from ..facts.crd_schemas import is_custom_resource_type, problems

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
# The pod and service ranges every shipped profile uses (platform:network podCidr/serviceCidr).
DEFAULT_CLUSTER_CIDRS = ["100.64.0.0/14", "172.20.0.0/16"]


def _ip_blocks(props: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for rule in dig(props, "spec", direction, default=[]) or []:
            for peer in dig(rule, peers_key, default=[]) or []:
                block = dig(peer, "ipBlock")
                if block:
                    yield direction, block


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(value, str) or is_unknown(value):
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def block_problem(block: Mapping[str, Any], cluster_cidrs: list[str]) -> str | None:
    """Why ``block`` names in-cluster peers (None when it only names outside addresses)."""
    network = _network(dig(block, "cidr"))
    if network is None:
        return None
    excepted = [n for n in map(_network, dig(block, "except", default=[]) or []) if n]
    if network.prefixlen == 0 and not excepted:
        return (
            f"ipBlock {network} excepts nothing: it never matches pods or nodes on Cilium-based "
            "CNIs; use namespace/pod selectors for pods, omit the peer for the API server or "
            "node ports, and except the cluster's ranges from internet blocks"
        )
    for text in cluster_cidrs:
        cluster = _network(text)
        if cluster is None or cluster.version != network.version:
            continue
        if not network.overlaps(cluster):  # pyright: ignore[reportArgumentType] same version checked above
            continue
        if any(cluster.subnet_of(e) for e in excepted if e.version == cluster.version):  # pyright: ignore[reportArgumentType] same version
            continue
        return (
            f"ipBlock {network} covers the cluster range {cluster} without excepting it: "
            "in-cluster peers must be named with namespace/pod selectors"
        )
    return None


def check_no_ipblock_for_cluster_peers(
    args: ResourceValidationArgs, report: ReportViolation
) -> None:
    cluster_cidrs = [
        str(c) for c in dig(args.get_config(), "clusterCidrs", default=DEFAULT_CLUSTER_CIDRS)
    ]
    for direction, block in _ip_blocks(args.props):
        problem = block_problem(block, cluster_cidrs)
        if problem:
            report(f"{direction}: {problem}", None)


# Enough schema errors to locate a typo; the rest add nothing.
MAX_SCHEMA_PROBLEMS = 5


def check_custom_resource_schema(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_custom_resource_type(args.resource_type):
        return
    found = problems(plain(args.props), is_unknown)
    if found:
        more = len(found) - MAX_SCHEMA_PROBLEMS
        shown = "; ".join(found[:MAX_SCHEMA_PROBLEMS]) + (f" (+{more} more)" if more > 0 else "")
        report(f"{dig(args.props, 'kind')} does not match its CRD schema: {shown}", None)


POLICIES: list[Policy] = [
    deployable(
        resource_rule(
            "deploy-k8s-no-ipblock-for-cluster-peers",
            "A NetworkPolicy ipBlock never matches pods or nodes on the clusters' CNIs: "
            "flows it is meant to allow are dropped.",
            "Name pods with namespaceSelector/podSelector; omit the peer (ports only) for the "
            "API server and node ports; except the pod and service ranges from internet blocks.",
            Severity.HIGH,
            check_no_ipblock_for_cluster_peers,
            types=[NETWORK_POLICY],
            config_schema=PolicyConfigSchema(
                properties={
                    "clusterCidrs": {
                        "type": "array",
                        "items": {"type": "string"},
                        "default": DEFAULT_CLUSTER_CIDRS,
                    }
                }
            ),
        )
    ),
    deployable(
        resource_rule(
            "deploy-k8s-cr-schema",
            "A custom resource must match the schema of its CRD at the pinned operator version: "
            "the API server silently prunes undeclared (misspelt) fields, and a CR kind with no "
            "vendored schema is not checked at all.",
            "Fix the field named in the message (policies/rules/facts/schemas/ holds the "
            "schema); for a new CR kind or an operator bump, add its source to "
            "policies/rules/facts/schemas/sources.json and run `python -m infra crd-schemas`.",
            Severity.HIGH,
            check_custom_resource_schema,
        )
    ),
]
