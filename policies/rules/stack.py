"""Stack-level rules that hold on every cloud: required tags/labels, protected state in prod."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, Severity, StackValidationArgs

from .base import dig, iter_keys, mapping, stack_rule
from .facts.tags import REQUIRED_TAG_KEYS

# Types that take tags/labels even when a program forgets to pass them.
TAGGABLE_TYPES = frozenset(
    {
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/routeTable:RouteTable",
        "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/flowLog:FlowLog",
        "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:kms/key:Key",
        "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:rds/instance:Instance",
        "aws:msk/cluster:Cluster", "aws:elasticache/replicationGroup:ReplicationGroup",
    }
)  # fmt: skip

# Types whose loss loses data or a cluster: prod must protect them from `pulumi destroy`.
STATEFUL_TYPES = frozenset(
    {
        "aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:eks/cluster:Cluster",
        "aws:msk/cluster:Cluster", "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:kms/key:Key", "gcp:sql/databaseInstance:DatabaseInstance",
        "gcp:container/cluster:Cluster", "gcp:managedkafka/cluster:Cluster",
        "gcp:redis/cluster:Cluster", "gcp:redis/instance:Instance", "gcp:kms/cryptoKey:CryptoKey",
        "azure-native:dbforpostgresql:Server", "azure-native:containerservice:ManagedCluster",
        "azure-native:eventhub:Namespace", "azure-native:redisenterprise:RedisEnterprise",
        "azure-native:redisenterprise:Database",
        "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:PersistentVolume",
    }
)  # fmt: skip


def _tag_keys(props: Mapping[str, Any]) -> set[str]:
    # A GCP notification channel's ``labels`` are its settings; ``userLabels`` are its labels.
    for key in ("tags", "userLabels", "labels", "resourceLabels"):
        value = dig(props, key)
        if (found := mapping(value)) is not None:
            return set(iter_keys(found))
    return set()


def check_required_tags(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every taggable resource carries the required tag/label keys."""
    required = args.get_config().get("requiredKeys", list(REQUIRED_TAG_KEYS))
    for resource in args.resources:
        props = resource.props
        taggable = resource.resource_type in TAGGABLE_TYPES or any(
            k in iter_keys(props) for k in ("tags", "labels", "resourceLabels")
        )
        if resource.resource_type.startswith("kubernetes:") or not taggable:
            continue
        missing = [key for key in required if key not in _tag_keys(props)]
        if missing:
            report(f"{resource.name} lacks tags: {', '.join(missing)}", resource.urn)


def check_stateful_protected(args: StackValidationArgs, report: ReportViolation) -> None:
    """Databases, clusters, brokers, caches, keys and volumes have protect=True."""
    for resource in args.resources:
        if resource.resource_type in STATEFUL_TYPES and not resource.opts.protect:
            report(f"{resource.name} ({resource.resource_type}) is not protected", resource.urn)


POLICIES = [
    stack_rule(
        "required-tags",
        "Cost allocation, ownership and clean-up all depend on every resource saying what it belongs to.",
        "Pass infra.naming.tags(config, component) to the resource's tags/labels.",
        Severity.MEDIUM,
        check_required_tags,
        config_schema=PolicyConfigSchema(
            properties={
                "requiredKeys": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": list(REQUIRED_TAG_KEYS),
                }
            }
        ),
    ),
    stack_rule(
        "protect-stateful-resources",
        "A mistaken destroy or replace of a database, cluster, broker, cache or key loses data.",
        "Create the resource with opts=ResourceOptions(protect=config.protect).",
        Severity.CRITICAL,
        check_stateful_protected,
    ),
]
