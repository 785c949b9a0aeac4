"""AWS network rules: flow logs on every VPC, no rules on the default security group, no
admin or data ports open to the internet, and log groups that expire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .base import dig, resource_rule, stack_rule

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

# SSH, RDP, Postgres, Redis, Kafka (plaintext, TLS, SASL/SCRAM, IAM), Kubernetes API/kubelet
SENSITIVE_PORTS = (22, 3389, 5432, 6379, 9092, 9094, 9096, 9098, 2181, 6443, 10250)
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def check_vpc_flow_logs(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every VPC is the target of a flow log."""
    covered = {
        dep.urn
        for resource in args.resources
        if resource.resource_type == FLOW_LOG
        for dep in resource.property_dependencies.get("vpcId", [])
    }
    for resource in args.resources:
        if resource.resource_type == VPC and resource.urn not in covered:
            report(f"VPC {resource.name} has no flow log", resource.urn)


def _opens_sensitive_port(rule: Mapping[str, Any]) -> int | None:
    cidrs = [*(rule.get("cidrBlocks") or []), *(rule.get("ipv6CidrBlocks") or [])]
    for single in ("cidrIpv4", "cidrIpv6"):
        if rule.get(single):
            cidrs.append(rule[single])
    if not any(c in OPEN_CIDRS for c in cidrs):
        return None
    protocol = str(rule.get("protocol", rule.get("ipProtocol", "-1")))
    low, high = rule.get("fromPort", 0), rule.get("toPort", 65535)
    if protocol == "-1":
        return SENSITIVE_PORTS[0]
    for port in SENSITIVE_PORTS:
        if low <= port <= high:
            return port
    return None


def check_no_public_sensitive_ingress(
    args: ResourceValidationArgs, report: ReportViolation
) -> None:
    """No ingress from 0.0.0.0/0 or ::/0 to admin or data ports."""
    rules = (dig(args.props, "ingress", default=[]) if args.resource_type == SECURITY_GROUP
             else [args.props])  # fmt: skip
    for rule in rules:
        port = _opens_sensitive_port(rule)
        if port is not None:
            report(f"ingress open to the internet covers port {port}", None)


def check_default_sg_has_no_rules(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """The default security group allows nothing."""
    if dig(args.props, "ingress", default=[]) or dig(args.props, "egress", default=[]):
        report("the default security group must have no ingress or egress rules", None)


def check_log_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Log groups expire, after at least the configured minimum."""
    retention = dig(args.props, "retentionInDays", default=0)
    minimum = args.get_config().get("minimumDays", 1)
    if not retention:
        report("log group never expires: set retention_in_days", None)
    elif retention < minimum:
        report(f"log group retention {retention} days is below the minimum {minimum}", None)


POLICIES = [
    stack_rule(
        "aws-vpc-flow-logs",
        "VPC flow logs are the only record of who talked to what; incident response needs them.",
        "Add an aws.ec2.FlowLog with vpc_id set to the VPC (the AwsNetwork component does).",
        Severity.MEDIUM,
        check_vpc_flow_logs,
    ),
    resource_rule(
        "aws-security-group-no-public-sensitive-ingress",
        "Admin and data ports (SSH, RDP, Postgres, Redis, Kafka, Kubernetes) must never face the internet.",
        "Restrict the rule's source to the VPC or to a security group, or remove it.",
        Severity.CRITICAL,
        check_no_public_sensitive_ingress,
        types=[SECURITY_GROUP, INGRESS_RULE],
    ),
    resource_rule(
        "aws-default-security-group-closed",
        "Resources that fall back to the default security group would otherwise talk freely.",
        "Declare aws.ec2.DefaultSecurityGroup with ingress=[] and egress=[].",
        Severity.HIGH,
        check_default_sg_has_no_rules,
        types=[DEFAULT_SECURITY_GROUP],
    ),
    resource_rule(
        "aws-log-group-retention",
        "Logs kept forever cost money and may break data-retention rules; none at all loses evidence.",
        "Set retention_in_days to a CloudWatch retention period at or above the minimum.",
        Severity.LOW,
        check_log_retention,
        types=[LOG_GROUP],
        config_schema=PolicyConfigSchema(
            properties={"minimumDays": {"type": "integer", "default": 7, "minimum": 1}}
        ),
    ),
]
