"""AWS's own input rules, read from the CloudFormation resource schemas cfn-lint bundles.

One table maps each pulumi-aws type the program uses to its CloudFormation type, and each
checked pulumi input to its CloudFormation property; ``violations`` checks an input against
that property's schema (``pattern``, ``enum``, ``minLength``/``maxLength``, ``minimum``/
``maximum``), and ``create_only`` names the inputs CloudFormation marks ``createOnlyProperties``
(changing one replaces the resource). Types without a CloudFormation equivalent are listed with
``None`` and the reason, so every type in a shipped plan is accounted for (a test checks).

Plain Python over cfn-lint's data: no Pulumi runtime, so a diff helper can import it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..base import dig


@dataclass(frozen=True)
class CfnMapping:
    """A pulumi-aws type's CloudFormation type and its checked inputs (pulumi -> CFN name)."""

    cfn_type: str
    properties: Mapping[str, str] = field(default_factory=dict)


# pulumi-aws type -> CloudFormation type and property names, or None with the reason.
CFN_TYPES: dict[str, CfnMapping | str] = {
    "aws:appautoscaling/policy:Policy": CfnMapping(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {"policyType": "PolicyType", "scalableDimension": "ScalableDimension"},
    ),
    "aws:appautoscaling/target:Target": CfnMapping(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"serviceNamespace": "ServiceNamespace", "scalableDimension": "ScalableDimension"},
    ),
    "aws:ecr/repository:Repository": CfnMapping(
        "AWS::ECR::Repository",
        {"name": "RepositoryName", "imageTagMutability": "ImageTagMutability"},
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (
        "no CloudFormation type of its own: the repository's LifecyclePolicy property"
    ),
    "aws:cloudwatch/logGroup:LogGroup": CfnMapping(
        "AWS::Logs::LogGroup", {"name": "LogGroupName", "retentionInDays": "RetentionInDays"}
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": CfnMapping(
        "AWS::CloudWatch::Alarm",
        {"metricName": "MetricName", "namespace": "Namespace", "threshold": "Threshold"},
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "adopts the VPC's default group; CloudFormation cannot manage it"
    ),
    "aws:ec2/eip:Eip": CfnMapping("AWS::EC2::EIP", {"domain": "Domain"}),
    "aws:ec2/flowLog:FlowLog": CfnMapping(
        "AWS::EC2::FlowLog",
        {
            "trafficType": "TrafficType",
            "logDestinationType": "LogDestinationType",
            "maxAggregationInterval": "MaxAggregationInterval",
        },
    ),
    "aws:ec2/internetGateway:InternetGateway": CfnMapping("AWS::EC2::InternetGateway"),
    "aws:ec2/launchTemplate:LaunchTemplate": CfnMapping(
        "AWS::EC2::LaunchTemplate", {"name": "LaunchTemplateName"}
    ),
    "aws:ec2/natGateway:NatGateway": CfnMapping(
        "AWS::EC2::NatGateway", {"connectivityType": "ConnectivityType"}
    ),
    "aws:ec2/routeTable:RouteTable": CfnMapping("AWS::EC2::RouteTable"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": CfnMapping(
        "AWS::EC2::SubnetRouteTableAssociation"
    ),
    "aws:ec2/securityGroup:SecurityGroup": CfnMapping(
        "AWS::EC2::SecurityGroup", {"description": "GroupDescription", "name": "GroupName"}
    ),
    "aws:ec2/subnet:Subnet": CfnMapping("AWS::EC2::Subnet", {"cidrBlock": "CidrBlock"}),
    "aws:ec2/vpc:Vpc": CfnMapping("AWS::EC2::VPC", {"cidrBlock": "CidrBlock"}),
    "aws:eks/accessEntry:AccessEntry": CfnMapping(
        "AWS::EKS::AccessEntry", {"principalArn": "PrincipalArn", "type": "Type"}
    ),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (
        "CloudFormation nests it in AWS::EKS::AccessEntry.AccessPolicies"
    ),
    "aws:eks/addon:Addon": CfnMapping(
        "AWS::EKS::Addon",
        {
            "addonName": "AddonName",
            "addonVersion": "AddonVersion",
            "resolveConflictsOnCreate": "ResolveConflicts",
        },
    ),
    "aws:eks/cluster:Cluster": CfnMapping(
        "AWS::EKS::Cluster", {"name": "Name", "version": "Version"}
    ),
    "aws:eks/nodeGroup:NodeGroup": CfnMapping(
        "AWS::EKS::Nodegroup", {"amiType": "AmiType", "capacityType": "CapacityType"}
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": CfnMapping(
        "AWS::ElastiCache::ParameterGroup",
        {"family": "CacheParameterGroupFamily", "description": "Description"},
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": CfnMapping(
        "AWS::ElastiCache::ReplicationGroup",
        {
            "description": "ReplicationGroupDescription",
            "replicationGroupId": "ReplicationGroupId",
            "clusterMode": "ClusterMode",
            "transitEncryptionMode": "TransitEncryptionMode",
        },
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": CfnMapping(
        "AWS::ElastiCache::SubnetGroup", {"description": "Description"}
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": CfnMapping(
        "AWS::IAM::OIDCProvider", {"url": "Url"}
    ),
    "aws:iam/policy:Policy": CfnMapping(
        "AWS::IAM::ManagedPolicy",
        {"name": "ManagedPolicyName", "path": "Path", "description": "Description"},
    ),
    "aws:iam/role:Role": CfnMapping("AWS::IAM::Role", {"name": "RoleName", "path": "Path"}),
    "aws:iam/rolePolicy:RolePolicy": CfnMapping("AWS::IAM::RolePolicy", {"name": "PolicyName"}),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "CloudFormation lists managed policies in AWS::IAM::Role.ManagedPolicyArns"
    ),
    "aws:kms/alias:Alias": CfnMapping("AWS::KMS::Alias", {"name": "AliasName"}),
    "aws:kms/key:Key": CfnMapping(
        "AWS::KMS::Key",
        {
            "description": "Description",
            "deletionWindowInDays": "PendingWindowInDays",
            "rotationPeriodInDays": "RotationPeriodInDays",
        },
    ),
    "aws:msk/cluster:Cluster": CfnMapping(
        "AWS::MSK::Cluster",
        {
            "clusterName": "ClusterName",
            "kafkaVersion": "KafkaVersion",
            "numberOfBrokerNodes": "NumberOfBrokerNodes",
            "enhancedMonitoring": "EnhancedMonitoring",
        },
    ),
    "aws:msk/configuration:Configuration": CfnMapping(
        "AWS::MSK::Configuration", {"name": "Name", "description": "Description"}
    ),
    "aws:msk/topic:Topic": CfnMapping("AWS::MSK::Topic", {"name": "TopicName"}),
    "aws:rds/instance:Instance": CfnMapping(
        "AWS::RDS::DBInstance",
        {
            "identifier": "DBInstanceIdentifier",
            "engine": "Engine",
            "engineVersion": "EngineVersion",
            "instanceClass": "DBInstanceClass",
            "storageType": "StorageType",
            "caCertIdentifier": "CACertificateIdentifier",
            "backupRetentionPeriod": "BackupRetentionPeriod",
            "monitoringInterval": "MonitoringInterval",
        },
    ),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        "an API action (StartDBInstanceAutomatedBackupsReplication); CloudFormation has no type"
    ),
    "aws:rds/parameterGroup:ParameterGroup": CfnMapping(
        "AWS::RDS::DBParameterGroup", {"family": "Family", "description": "Description"}
    ),
    "aws:rds/subnetGroup:SubnetGroup": CfnMapping(
        "AWS::RDS::DBSubnetGroup", {"description": "DBSubnetGroupDescription"}
    ),
    "aws:sns/topic:Topic": CfnMapping("AWS::SNS::Topic", {"kmsMasterKeyId": "KmsMasterKeyId"}),
    "aws:sns/topicSubscription:TopicSubscription": CfnMapping(
        "AWS::SNS::Subscription", {"protocol": "Protocol", "endpoint": "Endpoint"}
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": CfnMapping(
        "AWS::EC2::SecurityGroupIngress",
        {"description": "Description", "ipProtocol": "IpProtocol", "cidrIpv4": "CidrIp"},
    ),
}

# Constraints the EC2 API applies that the CloudFormation schema leaves out: a rule's
# description uses the group description's character set (EC2 API Reference, IpRange /
# UserIdGroupPair "Description": "a-zA-Z0-9, spaces, and ._-:/()#,@[]+=&;{}!$*").
BORROWED: dict[tuple[str, str], tuple[str, str]] = {
    ("AWS::EC2::SecurityGroupIngress", "Description"): (
        "AWS::EC2::SecurityGroup",
        "GroupDescription",
    ),
}


@cache
def resource_schema(cfn_type: str) -> dict[str, Any]:
    """The CloudFormation schema of ``cfn_type`` as cfn-lint ships it."""
    # Read as a file: importing cfn-lint's schema manager costs seconds (sympy, samtranslator).
    # us-east-1's schemas: they differ per region only in which types exist, and the program's
    # types exist in every commercial region, so one region's schemas serve all.
    from ..facts.cfn import resource_schema as cfn_schema

    found = cfn_schema(cfn_type)
    if not found:
        raise KeyError(f"cfn-lint ships no schema for {cfn_type}")
    return found


def property_schema(cfn_type: str, cfn_property: str) -> dict[str, Any]:
    """One property's schema, with constraints borrowed where the schema lacks them."""
    found = dict(resource_schema(cfn_type).get("properties", {}).get(cfn_property, {}))
    borrowed = BORROWED.get((cfn_type, cfn_property))
    if borrowed:
        found = {**property_schema(*borrowed), **found}
    return found


def mapping(pulumi_type: str) -> CfnMapping | None:
    """The CloudFormation mapping of a pulumi-aws type (None: no equivalent, or unknown)."""
    found = CFN_TYPES.get(pulumi_type)
    return found if isinstance(found, CfnMapping) else None


def create_only(pulumi_type: str) -> frozenset[str]:
    """Mapped pulumi inputs that CloudFormation marks create-only (a change replaces)."""
    found = mapping(pulumi_type)
    if found is None:
        return frozenset()
    marked = {
        pointer.removeprefix("/properties/")
        for pointer in resource_schema(found.cfn_type).get("createOnlyProperties", [])
    }
    return frozenset(name for name, cfn in found.properties.items() if cfn in marked)


def _problems(value: Any, schema: Mapping[str, Any]) -> list[str]:
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"is not one of {schema['enum']}")
    if isinstance(value, str):
        pattern = schema.get("pattern")
        # CloudFormation patterns are ECMA-262; the ones used here are valid Python regexes.
        if pattern and not re.search(pattern, value):
            problems.append(f"does not match {pattern}")
        if len(value) < schema.get("minLength", 0):
            problems.append(f"is shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"is longer than {schema['maxLength']}")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"is above {schema['maximum']}")
    return problems


def violations(
    pulumi_type: str, props: Mapping[str, Any], is_unknown: Any = lambda v: False
) -> list[str]:
    """Each mapped input of ``props`` that breaks its CloudFormation property schema."""
    found = mapping(pulumi_type)
    if found is None:
        return []
    messages = []
    for name, cfn_property in found.properties.items():
        value = dig(props, name)
        if value is None or is_unknown(value):
            continue
        schema = property_schema(found.cfn_type, cfn_property)
        messages += [
            f"{name}={value!r} {problem} ({found.cfn_type}.{cfn_property})"
            for problem in _problems(value, schema)
        ]
    return messages
