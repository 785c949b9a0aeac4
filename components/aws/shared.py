"""Building blocks every AWS component uses: customer-managed KMS keys, IAM roles with trust
policies, and security groups that admit one port range from one source security group only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.naming import child


@dataclass(frozen=True)
class AccountScope:
    """Where a stack deploys: the account, partition and region its key policies name."""

    account_id: str
    partition: str
    region: str

    def root_arn(self) -> str:
        """The account principal: key policies delegate to IAM through it."""
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def log_group_arn(self, pattern: str) -> str:
        """ARN of the log group(s) named ``pattern`` (may end in ``*``) in this account/region."""
        return f"arn:{self.partition}:logs:{self.region}:{self.account_id}:log-group:{pattern}"


# Actions CloudWatch Logs needs on a log group's key (CloudWatch Logs User Guide, "Encrypt log
# data in CloudWatch Logs using AWS KMS", step 2: key policy).
_LOGS_KEY_ACTIONS = [
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
]


def key_policy(
    scope: AccountScope,
    log_groups: tuple[str, ...] = (),
    services: tuple[dict[str, Any], ...] = (),
) -> str:
    """An explicit key policy: the account root (delegating to IAM) and only the services named.

    ``log_groups`` are log-group name patterns whose data CloudWatch Logs may encrypt with the
    key: the grant is conditioned on ``kms:EncryptionContext:aws:logs:arn`` so the key cannot
    encrypt any other group. ``services`` are extra statements (e.g. CloudWatch publishing to
    an encrypted SNS topic). RDS, MSK, ElastiCache and EKS use the key through grants made with
    the caller's IAM permissions (``kms:ViaService``), so they need no statement of their own.
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministersThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": scope.root_arn()},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if log_groups:
        statements.append(
            {
                "Sid": "CloudWatchLogsEncryptsTheseGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{scope.region}.amazonaws.com"},
                "Action": _LOGS_KEY_ACTIONS,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": [
                            scope.log_group_arn(pattern) for pattern in log_groups
                        ]
                    }
                },
            }
        )
    statements.extend(services)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def kms_key(
    name: str,
    description: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
    protect: bool,
    policy: str,
    provider: pulumi.ProviderResource | None = None,
) -> aws.kms.Key:
    """A customer-managed key with yearly rotation, an explicit ``policy`` (see
    :func:`key_policy`) and an alias that names its purpose."""
    key = aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        rotation_period_in_days=365,
        deletion_window_in_days=30,
        policy=policy,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, provider=provider),
    )
    aws.kms.Alias(
        name,
        name=f"alias/{name}",
        target_key_id=key.key_id,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider),
    )
    return key


def log_group(
    name: str,
    key: aws.kms.Key,
    retention_days: int,
    tags: dict[str, str],
    parent: pulumi.Resource,
    log_group_name: str | None = None,
) -> aws.cloudwatch.LogGroup:
    """A log group encrypted with ``key`` (whose policy must name the group, see
    :func:`key_policy`): CloudWatch Logs checks the key policy when the key is associated."""
    return aws.cloudwatch.LogGroup(
        name,
        name=log_group_name,
        kms_key_id=key.arn,
        retention_in_days=retention_days,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(frozen=True)
class ServiceRole:
    """An IAM role and its policy attachments.

    Whatever assumes the role must wait for ``attachments`` too: IAM creates the role before the
    policies are attached, and a service that assumes it in between (EKS creating the cluster, a
    node joining, RDS starting enhanced monitoring) fails or starts without permissions; on
    destroy, detaching first would strand the service without them.
    """

    role: aws.iam.Role
    attachments: list[aws.iam.RolePolicyAttachment]

    @property
    def arn(self) -> pulumi.Output[str]:
        """The role's ARN."""
        return self.role.arn


def service_role(
    name: str,
    principal: dict[str, str],
    managed_policies: list[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
    actions: tuple[str, ...] = ("sts:AssumeRole",),
) -> ServiceRole:
    """An IAM role assumable by ``principal`` with exactly ``managed_policies`` attached."""
    role = aws.iam.Role(
        name,
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": principal, "Action": list(actions)}],
            }
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            child(name, policy_arn.rsplit("/", 1)[-1]),
            role=role.name,
            policy_arn=policy_arn,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for policy_arn in managed_policies
    ]
    return ServiceRole(role, attachments)


def managed_policy(name: str) -> str:
    """ARN of an AWS-managed IAM policy."""
    return f"arn:aws:iam::aws:policy/{name}"


@dataclass(frozen=True)
class PortRange:
    """An inclusive TCP port range admitted from the client group, and why."""

    first: int
    last: int
    description: str


def ingress_only_security_group(
    name: str,
    description: str,
    vpc_id: pulumi.Input[str],
    ports: list[PortRange],
    source_security_group_id: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.ec2.SecurityGroup:
    """A security group admitting each TCP range in ``ports`` from one source group only.

    No egress rule: data services answer on established connections and start none.
    Descriptions must stay within EC2's character set (letters, digits, spaces and
    ``._-:/()#,@[]+=&;{}!$*``; no apostrophe), and a group's description is create-only:
    changing it replaces the group. ``deploy-aws-cfn-schema`` checks both in every plan.
    """
    group = aws.ec2.SecurityGroup(
        name,
        description=description,
        vpc_id=vpc_id,
        tags={**tags, "Name": name},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    for index, port_range in enumerate(ports):
        aws.vpc.SecurityGroupIngressRule(
            name if index == 0 else child(name, str(port_range.first)),
            security_group_id=group.id,
            referenced_security_group_id=source_security_group_id,
            ip_protocol="tcp",
            from_port=port_range.first,
            to_port=port_range.last,
            description=port_range.description,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return group


@dataclass(frozen=True)
class PrivatePlacement:
    """Where a data service lives and who may reach it: private subnets, one client group."""

    #: VPC the service's security group is created in
    vpc_id: pulumi.Input[str]
    #: private subnets, one per zone (subnet group / client subnets)
    subnet_ids: list[pulumi.Input[str]]
    #: the only source admitted: the cluster's security group (nodes and pods)
    client_security_group_id: pulumi.Input[str]

    def security_group(
        self,
        name: str,
        description: str,
        ports: list[PortRange],
        tags: dict[str, str],
        parent: pulumi.Resource,
    ) -> aws.ec2.SecurityGroup:
        """A group admitting ``ports`` from the client group only."""
        return ingress_only_security_group(
            name, description, self.vpc_id, ports, self.client_security_group_id, tags, parent
        )
