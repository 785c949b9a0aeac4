"""AWS: which pulumi-aws inputs cannot change in place.

The source is CloudFormation's ``createOnlyProperties`` (AWS's own resource schemas, bundled
with cfn-lint), mapped from CloudFormation property names to pulumi-aws input names (camelCase,
as in the plan JSON). pulumi-aws is built on the Terraform AWS provider, whose ``ForceNew``
flags differ from CloudFormation in places; ``_ADD`` and ``_DROP`` record those differences,
each with the Terraform provider documentation page that states it.
"""

from __future__ import annotations

from functools import cache

from policies.rules.facts.cfn import create_only

# pulumi-aws type -> (CloudFormation type, {CloudFormation property: pulumi input(s) or None}).
# Unlisted properties map by lower-casing the first letter (``VpcId`` -> ``vpcId``); ``None``
# marks a CloudFormation property pulumi-aws has no input for (the test checks every name
# against the SDK's ``*Args`` class).
_Renames = dict[str, "str | tuple[str, ...] | None"]
TYPES: dict[str, tuple[str, _Renames]] = {
    "aws:appautoscaling/policy:Policy": (
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {"PolicyName": "name", "ScalingTargetId": None},
    ),
    "aws:appautoscaling/target:Target": ("AWS::ApplicationAutoScaling::ScalableTarget", {}),
    "aws:cloudwatch/logGroup:LogGroup": ("AWS::Logs::LogGroup", {"LogGroupName": "name"}),
    "aws:ec2/eip:Eip": ("AWS::EC2::EIP", {"TransferAddress": None}),
    "aws:ec2/flowLog:FlowLog": (
        "AWS::EC2::FlowLog",
        {
            "ResourceId": ("vpcId", "subnetId", "eniId", "transitGatewayId"),
            "ResourceType": None,
            "DeliverLogsPermissionArn": "iamRoleArn",
            "DeliverCrossAccountRole": "deliverCrossAccountRole",
            "LogGroupName": None,  # pulumi-aws: logDestination
        },
    ),
    "aws:ec2/internetGateway:InternetGateway": ("AWS::EC2::InternetGateway", {}),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "AWS::EC2::LaunchTemplate",
        {"LaunchTemplateName": "name"},
    ),
    "aws:ec2/natGateway:NatGateway": (
        "AWS::EC2::NatGateway",
        {"PrivateIpAddress": "privateIp", "VpcId": "vpcId"},
    ),
    "aws:ec2/routeTable:RouteTable": ("AWS::EC2::RouteTable", {}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "AWS::EC2::SubnetRouteTableAssociation",
        {},
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "AWS::EC2::SecurityGroup",
        {"GroupDescription": "description", "GroupName": "name"},
    ),
    "aws:ec2/subnet:Subnet": ("AWS::EC2::Subnet", {}),
    "aws:ec2/vpc:Vpc": ("AWS::EC2::VPC", {}),
    "aws:eks/accessEntry:AccessEntry": ("AWS::EKS::AccessEntry", {}),
    "aws:eks/addon:Addon": ("AWS::EKS::Addon", {}),
    "aws:eks/cluster:Cluster": (
        "AWS::EKS::Cluster",
        {
            "KubernetesNetworkConfig/ServiceIpv4Cidr": "kubernetesNetworkConfig.serviceIpv4Cidr",
            "KubernetesNetworkConfig/IpFamily": "kubernetesNetworkConfig.ipFamily",
        },
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        "AWS::EKS::Nodegroup",
        {"NodegroupName": "nodeGroupName", "NodeRole": "nodeRoleArn", "Subnets": "subnetIds"},
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": (
        "AWS::ElastiCache::ParameterGroup",
        {"CacheParameterGroupFamily": "family"},
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "AWS::ElastiCache::ReplicationGroup",
        {
            "CacheSubnetGroupName": "subnetGroupName",
            "PreferredCacheClusterAZs": "preferredCacheClusterAzs",
            "SnapshotName": "snapshotName",
        },
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": (
        "AWS::ElastiCache::SubnetGroup",
        {"CacheSubnetGroupName": "name"},
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("AWS::IAM::OIDCProvider", {}),
    "aws:iam/role:Role": ("AWS::IAM::Role", {"RoleName": "name"}),
    "aws:iam/rolePolicy:RolePolicy": (
        "AWS::IAM::RolePolicy",
        {"PolicyName": "name", "RoleName": "role"},
    ),
    "aws:kms/alias:Alias": ("AWS::KMS::Alias", {"AliasName": "name"}),
    "aws:ecr/repository:Repository": (
        "AWS::ECR::Repository",
        {
            "RepositoryName": "name",
            "EncryptionConfiguration": "encryptionConfigurations",
            "EncryptionConfiguration/EncryptionType": None,  # inside encryptionConfigurations
            "EncryptionConfiguration/KmsKey": None,
        },
    ),
    "aws:kms/key:Key": ("AWS::KMS::Key", {}),
    "aws:msk/cluster:Cluster": (
        "AWS::MSK::Cluster",
        {
            "BrokerNodeGroupInfo/BrokerAZDistribution": "brokerNodeGroupInfo.azDistribution",
            "EncryptionInfo/EncryptionAtRest": "encryptionInfo.encryptionAtRestKmsKeyArn",
        },
    ),
    "aws:msk/topic:Topic": ("AWS::MSK::Topic", {"TopicName": "name"}),
    "aws:msk/configuration:Configuration": (
        "AWS::MSK::Configuration",
        {"KafkaVersionsList": "kafkaVersions"},
    ),
    "aws:rds/instance:Instance": (
        "AWS::RDS::DBInstance",
        {
            "DBInstanceIdentifier": "identifier",
            "DBName": "dbName",
            "DBSubnetGroupName": "dbSubnetGroupName",
            "MasterUsername": "username",
            "CustomIAMInstanceProfile": "customIamInstanceProfile",
            "DBClusterIdentifier": None,  # pulumi-aws: a cluster member is aws:rds/clusterInstance
            "DBSystemId": None,
            "SourceRegion": None,
            "BackupTarget": "backupTarget",
        },
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        "AWS::RDS::DBParameterGroup",
        {"DBParameterGroupName": "name"},
    ),
    "aws:rds/subnetGroup:SubnetGroup": ("AWS::RDS::DBSubnetGroup", {"DBSubnetGroupName": "name"}),
    "aws:s3/bucket:Bucket": (
        "AWS::S3::Bucket",
        {"BucketName": "bucket", "BucketNamePrefix": "bucketPrefix"},
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "AWS::EC2::SecurityGroupIngress",
        {"GroupId": "securityGroupId", "GroupName": None, "CidrIp": "cidrIpv4"},
    ),
}

# Terraform ForceNew inputs CloudFormation does not list (or types CloudFormation lacks).
_ADD: dict[str, tuple[str, ...]] = {
    # registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy_attachment
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    # .../resources/eks_access_policy_association: every argument forces a new association
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (
        "clusterName", "policyArn", "principalArn", "accessScope",
    ),
    # .../resources/ecr_lifecycle_policy: repository forces a new policy (CloudFormation keeps
    # the policy inside AWS::ECR::Repository)
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("repository",),
    # .../resources/default_security_group: adopting another VPC's default group
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("vpcId",),
    # .../resources/kms_key: key spec, usage and multi-Region cannot change on a key
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion"),
    # .../resources/elasticache_parameter_group: name is ForceNew
    "aws:elasticache/parameterGroup:ParameterGroup": ("name",),
    # .../resources/db_instance: availability_zone is ForceNew
    "aws:rds/instance:Instance": ("availabilityZone",),
    # .../resources/s3_bucket: object_lock_enabled is ForceNew
    "aws:s3/bucket:Bucket": ("objectLockEnabled",),
    # .../resources/db_instance_automated_backups_replication: every argument forces a new
    # replication (CloudFormation has no such type)
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        "sourceDbInstanceArn", "kmsKeyId", "preSignedUrl", "retentionPeriod",
    ),
}  # fmt: skip

# CloudFormation create-only properties pulumi-aws (Terraform) updates in place.
_DROP: dict[str, tuple[str, ...]] = {
    # .../resources/route_table_association: route_table_id is updated with
    # ReplaceRouteTableAssociation; only subnet_id/gateway_id force a new association
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("routeTableId",),
    # .../resources/elasticache_replication_group: replicas_per_node_group is updated in place
    # (IncreaseReplicaCount/DecreaseReplicaCount)
    "aws:elasticache/replicationGroup:ReplicationGroup": ("replicasPerNodeGroup",),
    # .../resources/vpc_security_group_ingress_rule: only security_group_id forces a new rule;
    # the rest is ModifySecurityGroupRules
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "cidrIpv4", "cidrIpv6", "fromPort", "toPort", "ipProtocol",
        "referencedSecurityGroupId", "prefixListId", "sourceSecurityGroupId",
        "sourceSecurityGroupName", "sourceSecurityGroupOwnerId", "sourcePrefixListId",
    ),
}  # fmt: skip


def _camel(segment: str) -> str:
    return segment[:1].lower() + segment[1:]


def _mapped(pointer: tuple[str, ...], renames: _Renames) -> tuple[str, ...]:
    key = "/".join(pointer)
    if key in renames:
        target = renames[key]
        return () if target is None else (target,) if isinstance(target, str) else target
    head = renames.get(pointer[0], _camel(pointer[0]))
    if head is None:
        return ()
    heads = (head,) if isinstance(head, str) else head
    tail = ".".join(_camel(s) for s in pointer[1:])
    return tuple(f"{h}.{tail}" if tail else h for h in heads)


@cache
def force_new(pulumi_type: str) -> tuple[str, ...]:
    """pulumi-aws inputs of ``pulumi_type`` whose change replaces the resource."""
    props: list[str] = []
    if pulumi_type in TYPES:
        cfn_type, renames = TYPES[pulumi_type]
        for pointer in create_only(cfn_type):
            props += _mapped(pointer, renames)
    props += _ADD.get(pulumi_type, ())
    dropped = set(_DROP.get(pulumi_type, ()))
    return tuple(dict.fromkeys(p for p in props if p not in dropped))
