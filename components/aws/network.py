"""AWS network: a VPC across zones with public/private subnets, NAT egress and flow logs.

Creates the VPC, one public and one private subnet per zone (zone ids pinned in config), an
internet gateway, NAT gateways
(one shared in dev, one per zone in staging/prod so a zone outage does not cut egress), route
tables, VPC flow logs to an encrypted-at-rest CloudWatch log group with retention, and the
default security group stripped of all rules (nothing may rely on it). Exposes the Network
contract.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.shared import AccountScope, key_policy, kms_key, log_group
from components.contracts import NetworkContract
from infra.naming import child

# Subnet tags the AWS load balancer controller and EKS use to place load balancers.
_PUBLIC_ELB_TAG = {"kubernetes.io/role/elb": "1"}
_PRIVATE_ELB_TAG = {"kubernetes.io/role/internal-elb": "1"}


@dataclass(frozen=True, kw_only=True)
class AwsNetworkArgs:
    """Inputs of ``AwsNetwork``; CIDRs are already validated by the config models."""

    #: VPC CIDR
    cidr: str
    #: private subnet CIDRs, one per zone (nodes, data services)
    private_subnets: list[str]
    #: public subnet CIDRs, one per zone (load balancers, NAT gateways)
    public_subnets: list[str]
    #: one NAT gateway per zone (staging/prod: survives a zone loss) or one shared (dev: cheaper)
    nat_per_zone: bool
    #: days VPC flow logs are kept (prod: 365)
    flow_log_retention_days: int
    #: the account the stack deploys into (scopes the flow-log role's trust)
    account_id: str
    #: AWS partition (aws, aws-cn, aws-us-gov) for ARNs
    partition: str
    #: zone ids (euw1-az1), one per subnet pair, pinned in config (infra/config/zones.py)
    zone_ids: list[str]
    #: AWS region (scopes the flow-log key policy)
    region: str
    #: protect the flow-log key (deleting it makes the kept logs unreadable; prod)
    protect: bool
    #: AWS tags on every resource
    tags: dict[str, str]


class AwsNetwork(pulumi.ComponentResource):
    """A VPC spread over ``len(private_subnets)`` zones."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    private_subnet_ids: list[pulumi.Output[str]]
    """One private subnet per zone, in zone order."""
    public_subnet_ids: list[pulumi.Output[str]]
    """One public subnet per zone, in zone order."""
    zones: list[pulumi.Output[str]]
    """Availability zone ids, in zone order."""

    def __init__(
        self, name: str, args: AwsNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:Network", name, None, opts)
        self._name = name
        self._args = args
        self._child_opts = pulumi.ResourceOptions(parent=self)

        # by id, from config: never "the first available zones" of the day (a zone is
        # create-only; infra/config/zones.py)
        self.zones = [pulumi.Output.from_input(zone) for zone in args.zone_ids]

        self._vpc = aws.ec2.Vpc(
            name,
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=self._tags(name),
            opts=self._child_opts,
        )
        self.vpc_id = self._vpc.id
        self._lock_down_default_security_group()
        self._build_public_tier()
        self._build_private_tier()
        self._build_flow_logs()

        self.private_subnet_ids = [s.id for s in self._private_subnets]
        self.public_subnet_ids = [s.id for s in self._public_subnets]
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
                "zones": self.zones,
            }
        )

    def contract(self) -> NetworkContract:
        """The cloud-neutral view of this network."""
        return NetworkContract(
            id=self.vpc_id,
            cidr=self._vpc.cidr_block,
            private_subnet_ids=self.private_subnet_ids,
            zones=self.zones,
            service_cidrs=list(self._args.private_subnets),
        )

    def _tags(self, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self._args.tags, "Name": name, **(extra or {})}

    def _lock_down_default_security_group(self) -> None:
        # Adopting the default SG with no rules revokes AWS's allow-all-within-SG default.
        aws.ec2.DefaultSecurityGroup(
            child(self._name, "default-sg"),
            vpc_id=self._vpc.id,
            ingress=[],
            egress=[],
            tags=self._tags(child(self._name, "default-sg")),
            opts=self._child_opts,
        )

    def _build_public_tier(self) -> None:
        self._igw = igw = aws.ec2.InternetGateway(
            child(self._name, "igw"),
            vpc_id=self._vpc.id,
            tags=self._tags(child(self._name, "igw")),
            opts=self._child_opts,
        )
        route_table = aws.ec2.RouteTable(
            child(self._name, "public"),
            vpc_id=self._vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags=self._tags(child(self._name, "public")),
            opts=self._child_opts,
        )
        self._public_subnets = [
            self._subnet(f"public-{index}", cidr, index, _PUBLIC_ELB_TAG, route_table)
            for index, cidr in enumerate(self._args.public_subnets)
        ]

    def _subnet(
        self,
        suffix: str,
        cidr: str,
        index: int,
        elb_tag: dict[str, str],
        route_table: aws.ec2.RouteTable,
    ) -> aws.ec2.Subnet:
        """A subnet in zone ``index`` associated with ``route_table``."""
        subnet_name = child(self._name, suffix)
        subnet = aws.ec2.Subnet(
            subnet_name,
            vpc_id=self._vpc.id,
            cidr_block=cidr,
            availability_zone_id=self._args.zone_ids[index],
            map_public_ip_on_launch=False,
            tags=self._tags(subnet_name, elb_tag),
            opts=self._child_opts,
        )
        aws.ec2.RouteTableAssociation(
            subnet_name,
            subnet_id=subnet.id,
            route_table_id=route_table.id,
            opts=self._child_opts,
        )
        return subnet

    def _build_nat_gateways(self) -> list[aws.ec2.NatGateway]:
        count = len(self._public_subnets) if self._args.nat_per_zone else 1
        gateways = []
        for index in range(count):
            nat_name = child(self._name, f"nat-{index}")
            # A public EIP and NAT gateway need the VPC's internet gateway attached first
            # (aws_eip / aws_nat_gateway docs: "depends_on the Internet Gateway").
            after_igw = pulumi.ResourceOptions(parent=self, depends_on=[self._igw])
            eip = aws.ec2.Eip(nat_name, domain="vpc", tags=self._tags(nat_name), opts=after_igw)
            gateways.append(
                aws.ec2.NatGateway(
                    nat_name,
                    allocation_id=eip.id,
                    subnet_id=self._public_subnets[index].id,
                    connectivity_type="public",
                    tags=self._tags(nat_name),
                    opts=after_igw,
                )
            )
        return gateways

    def _build_private_tier(self) -> None:
        gateways = self._build_nat_gateways()
        self._private_subnets = []
        for index, cidr in enumerate(self._args.private_subnets):
            # one route table per private subnet: each zone egresses through its own NAT
            route_table = aws.ec2.RouteTable(
                child(self._name, f"private-{index}"),
                vpc_id=self._vpc.id,
                routes=[
                    aws.ec2.RouteTableRouteArgs(
                        cidr_block="0.0.0.0/0", nat_gateway_id=gateways[index % len(gateways)].id
                    )
                ],
                tags=self._tags(child(self._name, f"private-{index}")),
                opts=self._child_opts,
            )
            self._private_subnets.append(
                self._subnet(f"private-{index}", cidr, index, _PRIVATE_ELB_TAG, route_table)
            )

    def _build_flow_logs(self) -> None:
        name = child(self._name, "flow-logs")
        args = self._args
        scope = AccountScope(args.account_id, args.partition, args.region)
        # Auto-named log group: "<logical name>-<random suffix>".
        key = kms_key(
            name,
            f"{self._name} VPC flow logs",
            self._tags(name),
            self,
            args.protect,
            key_policy(scope, log_groups=(f"{name}-*",)),
        )
        flow_logs = log_group(name, key, args.flow_log_retention_days, self._tags(name), self)
        role = aws.iam.Role(
            name,
            assume_role_policy=self._flow_log_trust_policy(),
            tags=self._tags(name),
            opts=self._child_opts,
        )
        policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=flow_logs.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogGroups",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": [arn, f"{arn}:*"],
                            }
                        ],
                    }
                )
            ),
            opts=self._child_opts,
        )
        aws.ec2.FlowLog(
            name,
            vpc_id=self._vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=flow_logs.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=self._tags(name),
            # the flow log checks its role's permissions when created: wait for the policy
            opts=pulumi.ResourceOptions.merge(
                self._child_opts, pulumi.ResourceOptions(depends_on=[policy])
            ),
        )

    def _flow_log_trust_policy(self) -> str:
        """Trust the flow-logs service only for this account's flow logs (confused deputy).

        Condition keys as in the VPC User Guide, "IAM role for publishing flow logs to
        CloudWatch Logs".
        """
        args = self._args
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": args.account_id},
                            "ArnLike": {
                                "aws:SourceArn": f"arn:{args.partition}:ec2:{args.region}:"
                                f"{args.account_id}:vpc-flow-log/*"
                            },
                        },
                    }
                ],
            }
        )
