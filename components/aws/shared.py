"""Building blocks every AWS component uses: customer-managed KMS keys, IAM roles with trust
policies, and security groups that admit one port range from one source security group only."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.naming import child


def kms_key(
    name: str, description: str, tags: dict[str, str], parent: pulumi.Resource, protect: bool
) -> aws.kms.Key:
    """A customer-managed key with yearly rotation and an alias that names its purpose."""
    key = aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        rotation_period_in_days=365,
        deletion_window_in_days=30,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.kms.Alias(
        name,
        name=f"alias/{name}",
        target_key_id=key.key_id,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key


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

    vpc_id: pulumi.Input[str]
    subnet_ids: list[pulumi.Input[str]]
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
