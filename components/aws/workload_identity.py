"""IAM roles for Kubernetes service accounts (IRSA): how a workload gets AWS permissions.

The role trusts the cluster's OIDC provider for exactly one ``namespace/service-account``; the
ServiceAccount carries the ``eks.amazonaws.com/role-arn`` annotation that points back here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.naming import child

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


@dataclass(frozen=True, kw_only=True)
class AwsWorkloadRoleArgs:
    """Inputs of ``AwsWorkloadRole``."""

    #: the cluster's IAM OIDC provider (the trusted federated principal)
    oidc_provider_arn: pulumi.Input[str]
    #: OIDC issuer without the scheme (prefix of the trust policy's condition keys)
    oidc_issuer: pulumi.Input[str]
    #: namespace of the ServiceAccount allowed to assume the role
    namespace: str
    #: the ServiceAccount allowed to assume the role (the app's name)
    service_account: str
    #: IAM policy statements of the role's inline policy (e.g. MSK client access)
    policy_statements: pulumi.Input[list[dict[str, object]]]
    #: AWS tags on the role
    tags: dict[str, str]


def trust_policy(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    """Trust only tokens for ``system:serviceaccount:<namespace>:<service_account>``."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                            f"{issuer}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


class AwsWorkloadRole(pulumi.ComponentResource):
    """An IRSA role with an inline least-privilege policy."""

    role_arn: pulumi.Output[str]
    """ARN to put in the ServiceAccount's annotation."""

    def __init__(
        self, name: str, args: AwsWorkloadRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:WorkloadRole", name, None, opts)
        role = aws.iam.Role(
            name,
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: trust_policy(v[0], v[1], args.namespace, args.service_account)
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            child(name, "access"),
            role=role.id,
            policy=pulumi.Output.from_input(args.policy_statements).apply(
                lambda statements: json.dumps({"Version": "2012-10-17", "Statement": statements})
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The ARN as an output of both the role and its policy: a ServiceAccount annotated with
        # it waits for the permissions, not only the role (pods started in between get
        # AccessDenied on their first calls and may crash-loop).
        self.role_arn = pulumi.Output.all(role.arn, policy.id).apply(lambda v: v[0])
        self.register_outputs({"roleArn": self.role_arn})

    def annotations(self) -> dict[str, pulumi.Output[str]]:
        """The ServiceAccount annotations that bind a pod to this role."""
        return {ROLE_ANNOTATION: self.role_arn}


def msk_client_statements(cluster_arn: str) -> list[dict[str, object]]:
    """Produce/consume on every topic and group of one MSK cluster (SASL/IAM)."""
    # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic/<name>/<uuid>/*
    prefix, _, rest = cluster_arn.partition(":cluster/")
    return [
        {
            "Effect": "Allow",
            "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
            "Resource": [cluster_arn],
        },
        {
            "Effect": "Allow",
            "Action": [
                "kafka-cluster:DescribeTopic",
                "kafka-cluster:ReadData",
                "kafka-cluster:WriteData",
            ],
            "Resource": [f"{prefix}:topic/{rest}/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
            "Resource": [f"{prefix}:group/{rest}/*"],
        },
    ]
