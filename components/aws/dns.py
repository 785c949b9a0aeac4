"""Route 53 for external-dns: an IRSA role that may change one hosted zone's records.

external-dns's AWS policy (docs/tutorials/aws.md at chart external-dns-helm-chart-1.21.1), narrowed
from ``hostedzone/*`` to the stack's zone: change, list and read the tags of that zone's record
sets; list the hosted zones (``ListHostedZones`` takes no resource, hence ``*``). The zone is
given by id, or looked up by name among the account's public zones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.workload_identity import AwsWorkloadRole, AwsWorkloadRoleArgs
from components.contracts import DnsContract


@dataclass(frozen=True, kw_only=True)
class AwsDnsWriterArgs:
    """Inputs of ``AwsDnsWriter``."""

    #: the public zone's DNS name
    zone: str
    #: its hosted zone id (None: looked up by name, public zones only)
    zone_id: str | None
    #: the cluster's IAM OIDC provider (the role's trusted federated principal)
    oidc_provider_arn: pulumi.Input[str]
    #: the OIDC issuer without the scheme (the trust policy's condition keys)
    oidc_issuer: pulumi.Input[str]
    #: namespace of external-dns's ServiceAccount
    namespace: str
    #: external-dns's ServiceAccount (the only one that may assume the role)
    service_account: str
    #: AWS partition (``aws``, ``aws-cn``, ...) of the zone's ARN
    partition: str
    #: the stack's region (the AWS SDK wants one; Route 53 itself is global)
    region: str
    #: AWS tags on the role
    tags: dict[str, str]


def zone_statements(zone_arn: str) -> list[dict[str, object]]:
    """Change and read one hosted zone's record sets; list the zones (no resource-level form)."""
    return [
        {
            "Effect": "Allow",
            "Action": [
                "route53:ChangeResourceRecordSets",
                "route53:ListResourceRecordSets",
                "route53:ListTagsForResources",
            ],
            "Resource": [zone_arn],
        },
        {"Effect": "Allow", "Action": ["route53:ListHostedZones"], "Resource": ["*"]},
    ]


class AwsDnsWriter(pulumi.ComponentResource):
    """The IRSA role external-dns runs as, limited to one hosted zone."""

    zone_id: pulumi.Output[str]
    """The hosted zone's id."""

    def __init__(
        self, name: str, args: AwsDnsWriterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:DnsWriter", name, None, opts)
        self._args = args
        if args.zone_id is not None:
            self.zone_id = pulumi.Output.from_input(args.zone_id)
        else:
            self.zone_id = aws.route53.get_zone_output(
                name=args.zone,
                private_zone=False,
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).zone_id
        zone_arn = self.zone_id.apply(
            lambda zone_id: f"arn:{args.partition}:route53:::hostedzone/{zone_id}"
        )
        self._role = AwsWorkloadRole(
            name,
            AwsWorkloadRoleArgs(
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer=args.oidc_issuer,
                namespace=args.namespace,
                service_account=args.service_account,
                policy_statements=zone_arn.apply(zone_statements),
                tags=args.tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"zoneId": self.zone_id})

    def contract(self) -> DnsContract:
        """The cloud-neutral view external-dns is deployed from."""
        return DnsContract(
            provider="aws",
            zone=self._args.zone,
            zone_id=self.zone_id,
            service_account_annotations=self._role.annotations(),
            args={"aws-zone-type": "public"},
            env={"AWS_DEFAULT_REGION": self._args.region},
        )
