"""AWS's own API rules, checked on every plan (see the package docstring).

- ``deploy-aws-cfn-schema``: every mapped input against its CloudFormation property schema
  (cfn-lint's bundled schemas, ``aws_schema``): e.g. EC2's description character set.
- ``deploy-aws-engine-version``: RDS PostgreSQL minor versions against cfn-lint's RDS data
  (``aws_versions``): one RDS no longer offers fails (end-of-support dates of every pin are
  ``deploy-version-support``'s, from the version catalog).
- ``deploy-aws-elasticache-cluster-failover``: cluster mode needs automatic failover, Multi-AZ
  needs a replica (ElastiCache API Reference, CreateReplicationGroup).
- ``deploy-aws-eks-reachable``: whoever runs ``pulumi up`` must be able to reach and
  authenticate to each EKS cluster it deploys into.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..base import deployable, dig, is_unknown, number, resource_rule, sequence, stack_rule
from ..deployability import aws_schema
from ..deployability.aws_versions import rds_problem
from ..facts.examples import documentation_network, within

EKS = "aws:eks/cluster:Cluster"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNET = "aws:ec2/subnet:Subnet"
ACCESS_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

RDS_INSTANCE = "aws:rds/instance:Instance"


def _cfn_schema(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for message in aws_schema.violations(args.resource_type, args.props, is_unknown):
        report(message, None)


def _engine_version(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    version = dig(props, "engineVersion")
    if dig(props, "engine") != "postgres" or version is None or is_unknown(version):
        return
    problem = rds_problem(str(version))
    if problem:
        report(problem, None)


def _cluster_failover(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    cluster_mode = dig(props, "clusterMode") == "enabled"
    failover = dig(props, "automaticFailoverEnabled")
    if cluster_mode and failover is False:
        report("cluster mode is enabled but automaticFailoverEnabled is false", None)
    replicas = dig(props, "replicasPerNodeGroup")
    if dig(props, "multiAzEnabled") is True and cluster_mode and replicas == 0:
        report("multiAzEnabled needs at least one replica per shard", None)


def _admits_https(rule: PolicyResource, cluster: PolicyResource, group_ids: set[Any]) -> bool:
    """``rule`` admits 443 into one of the cluster's groups (by id, or taken from the cluster)."""
    props = rule.props
    sources = (rule.property_dependencies or {}).get("securityGroupId") or []
    from_cluster = any(source.urn == cluster.urn for source in sources)
    if not (from_cluster or dig(props, "securityGroupId") in group_ids):
        return False
    first, last = number(dig(props, "fromPort")), number(dig(props, "toPort"))
    return first is not None and last is not None and first <= 443 <= last


REACHABLE_SCHEMA = PolicyConfigSchema(
    properties={"acceptDocumentationRanges": {"type": "boolean", "default": False}}
)
"""``acceptDocumentationRanges``: count RFC 5737/3849 ranges as a way in. Only the offline plan
of a sample stack (``platform:example: true``) sets it; the engine refuses such stacks."""


def not_a_way_in(cidr: Any, own_ranges: list[str], accept_samples: bool) -> str | None:
    """Why ``cidr`` cannot be where a deploy comes from, or None when it can be."""
    if not isinstance(cidr, str):
        return None
    label = documentation_network(cidr)
    if label and not accept_samples:
        return f"{cidr} is a documentation range ({label}): no deployer has it"
    own = within(cidr, own_ranges)
    if own:
        return (
            f"{cidr} is the cluster's own node/pod range ({own}): the deploy cannot run on "
            "nodes the same deploy creates"
        )
    return None


def _reachable(args: StackValidationArgs, report: ReportViolation) -> None:
    accept = bool(args.get_config().get("acceptDocumentationRanges"))
    own = [
        c for s in args.resources if s.resource_type == SUBNET
        if isinstance(c := dig(s.props, "cidrBlock"), str)
    ]  # fmt: skip
    rules = [r for r in args.resources if r.resource_type == INGRESS_RULE]
    admins = [
        r
        for r in args.resources
        if r.resource_type == ACCESS_ASSOCIATION and dig(r.props, "policyArn") == CLUSTER_ADMIN
    ]
    for cluster in (r for r in args.resources if r.resource_type == EKS):
        vpc = dig(cluster.props, "vpcConfig", default={})
        public = dig(vpc, "endpointPublicAccess", default=True)
        groups = {
            dig(vpc, "clusterSecurityGroupId"),
            *(dig(vpc, "securityGroupIds", default=[]) or []),
        } - {None}
        admitting = [r for r in rules if _admits_https(r, cluster, groups)]
        refused = [
            reason for r in admitting
            if (reason := not_a_way_in(dig(r.props, "cidrIpv4"), own, accept))
        ]  # fmt: skip
        if public is False and len(refused) == len(admitting):
            report(
                "the API endpoint is private and no security group rule admits 443 to the "
                "cluster from a network a deploy can run in: set "
                "platform:cluster.privateAccessCidrs (the runner's network) or "
                "platform:cluster.deployerNetworks"
                + (f" ({'; '.join(refused)})" if refused else ""),
                cluster.urn,
            )
        public_cidrs = sequence(dig(vpc, "publicAccessCidrs")) or []
        refused_public = [
            reason for cidr in public_cidrs if (reason := not_a_way_in(cidr, own, accept))
        ]
        if public is True and public_cidrs and len(refused_public) == len(public_cidrs):
            report(
                "the public API endpoint admits no network a deploy can run in: "
                + "; ".join(refused_public),
                cluster.urn,
            )
        access = dig(cluster.props, "accessConfig", default={})
        bootstrap = dig(access, "bootstrapClusterCreatorAdminPermissions", default=True)
        if dig(access, "authenticationMode") == "API" and bootstrap is False and not admins:
            report(
                "authentication mode API without creator admin and no cluster-admin access "
                "policy association: the deployer cannot authenticate",
                cluster.urn,
            )


POLICIES: list[Policy] = [
    deployable(resource_rule(
        "deploy-aws-cfn-schema",
        "AWS rejects inputs outside its documented patterns, enums and lengths (CloudFormation resource schemas, as bundled by cfn-lint).",
        "Change the input named in the message to satisfy the quoted constraint.", Severity.CRITICAL,
        _cfn_schema, types=[t for t in aws_schema.CFN_TYPES if aws_schema.mapping(t)],
    )),
    deployable(resource_rule(
        "deploy-aws-engine-version",
        "RDS refuses PostgreSQL minor versions it no longer offers (cfn-lint's RDS data).",
        "Change the config key named in the message to a version RDS offers.", Severity.CRITICAL,
        _engine_version, types=[RDS_INSTANCE],
    )),
    deployable(resource_rule(
        "deploy-aws-elasticache-cluster-failover",
        "ElastiCache refuses cluster-mode groups without automatic failover, and Multi-AZ without replicas.",
        "Set automatic_failover_enabled=True in cluster mode; enable Multi-AZ only with replicas.", Severity.CRITICAL,
        _cluster_failover, types=[REPLICATION_GROUP],
    )),
    deployable(stack_rule(
        "deploy-aws-eks-reachable",
        "A deploy that cannot reach or authenticate to its own cluster fails halfway.",
        "Give the deployer an access entry with cluster-admin, and the endpoint a real network the deploy runs from (platform:cluster.privateAccessCidrs, deployerNetworks or authorizedNetworks; never a documentation range or the nodes' own subnet).", Severity.CRITICAL,
        _reachable, config_schema=REACHABLE_SCHEMA,
    )),
]  # fmt: skip
