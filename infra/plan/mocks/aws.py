"""Mocked outputs and invokes of pulumi-aws: ids in AWS's formats, ARNs, endpoints."""

from __future__ import annotations

from typing import Any

from infra.plan.mocks.common import ACCOUNT_ID, MockContext, OutputFn, digest

# AWS's own id prefixes, so plans read like the real thing.
_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
}

# service and resource path used in ARNs, by type
_ARN_PATHS = {
    "aws:ec2/vpc:Vpc": ("ec2", "vpc/{id}"),
    "aws:ec2/subnet:Subnet": ("ec2", "subnet/{id}"),
    "aws:ec2/securityGroup:SecurityGroup": ("ec2", "security-group/{id}"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("ec2", "security-group/{id}"),
    "aws:cloudwatch/logGroup:LogGroup": ("logs", "log-group:{name}"),
    "aws:iam/role:Role": ("iam", "role/{name}"),
    "aws:iam/policy:Policy": ("iam", "policy/{name}"),
    "aws:kms/key:Key": ("kms", "key/{id}"),
}


def _physical_name(args: Any) -> str:
    return str(args.inputs.get("name") or f"{args.name}-{digest(args.name, length=7)}")


def fallback(args: Any, context: MockContext) -> dict[str, Any]:
    """Every AWS resource: an id in AWS's format and, where AWS has one, an ARN."""
    prefix = _ID_PREFIXES.get(args.typ)
    resource_id = (
        f"{prefix}-{digest(context.stack, args.typ, args.name)}" if prefix else _physical_name(args)
    )
    outputs: dict[str, Any] = {"id": resource_id, "tagsAll": args.inputs.get("tags", {})}
    service, path = _ARN_PATHS.get(args.typ, (args.typ.split(":")[1].split("/")[0], "{name}"))
    region = "" if service == "iam" else context.region
    account = ACCOUNT_ID
    resource = path.format(id=resource_id, name=_physical_name(args))
    outputs["arn"] = f"arn:aws:{service}:{region}:{account}:{resource}"
    if "name" not in args.inputs and args.typ in _ARN_PATHS and "{name}" in path:
        outputs["name"] = _physical_name(args)
    return outputs


def _availability_zones(args: Any, context: MockContext) -> dict[str, Any]:
    letters = "abcdef"
    return {
        "names": [f"{context.region}{letter}" for letter in letters[:3]],
        "zoneIds": [f"{context.region[:3]}{context.region[-1]}-az{i + 1}" for i in range(3)],
        "id": context.region,
        "groupNames": [context.region],
    }


RESOURCES: dict[str, OutputFn] = {
    "aws:ec2/eip:Eip": lambda a, c: {
        "publicIp": f"198.51.100.{int(digest(a.name, length=2), 16) % 250 + 1}"
    },
}

INVOKES: dict[str, OutputFn] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
}
