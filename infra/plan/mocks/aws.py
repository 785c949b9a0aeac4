"""Mocked outputs and invokes of pulumi-aws: ids in AWS's formats, ARNs, endpoints."""

from __future__ import annotations

import re
from typing import Any

from infra.plan.mocks.common import ACCOUNT_ID, MockContext, OutputFn, digest
from policies.rules.facts import aws_offerings, catalog

#: the provider package these mocks answer for (its resource types start with it)
PACKAGE = "aws"

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
    "aws:ecr/repository:Repository": ("ecr", "repository/{name}"),
    "aws:eks/cluster:Cluster": ("eks", "cluster/{name}"),
    "aws:eks/nodeGroup:NodeGroup": ("eks", "nodegroup/{name}"),
    "aws:rds/instance:Instance": ("rds", "db:{name}"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("elasticache", "replicationgroup:{name}"),
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
    if "name" not in args.inputs:
        outputs["name"] = _physical_name(args)
    return outputs


def _uuid(*parts: str) -> str:
    h = digest(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_FAKE_CA = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk9GRkxJTkUtUExBTgotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
)


def _eks_cluster(args: Any, context: MockContext) -> dict[str, Any]:
    name = _physical_name(args)
    token = digest(context.stack, name, length=32).upper()
    vpc_config = dict(args.inputs.get("vpcConfig") or {})
    vpc_config.update(
        clusterSecurityGroupId=f"sg-{digest(context.stack, name, 'cluster-sg')}",
        vpcId=f"vpc-{digest(context.stack, 'vpc')}",
    )
    return {
        "name": name,
        "endpoint": f"https://{token}.gr7.{context.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": _FAKE_CA},
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{context.region}.amazonaws.com/id/{token}"}]}
        ],
        "vpcConfig": vpc_config,
        "status": "ACTIVE",
        "platformVersion": "eks.1",
    }


def _oidc_provider(args: Any, context: MockContext) -> dict[str, Any]:
    url = str(args.inputs.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}", "url": url}


def _kms_key(args: Any, context: MockContext) -> dict[str, Any]:
    key_id = _uuid(context.stack, args.name)
    arn = f"arn:aws:kms:{context.region}:{ACCOUNT_ID}:key/{key_id}"
    return {"id": key_id, "keyId": key_id, "arn": arn}


def _rds_instance(args: Any, context: MockContext) -> dict[str, Any]:
    identifier = _physical_name(args)
    address = f"{identifier}.c{digest(context.stack, length=10)}.{context.region}.rds.amazonaws.com"
    port = int(args.inputs.get("port", 5432))
    return {
        "identifier": identifier,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "resourceId": f"db-{digest(context.stack, identifier, length=26).upper()}",
    }


def _msk_cluster(args: Any, context: MockContext) -> dict[str, Any]:
    name = str(args.inputs.get("clusterName") or _physical_name(args))
    host = f"{name}.{digest(context.stack, name, length=6)}.c2.kafka.{context.region}.amazonaws.com"
    brokers = int(args.inputs.get("numberOfBrokerNodes", 3))
    arn_id = f"{name}/{_uuid(context.stack, name)}-2"
    return {
        "clusterName": name,
        "arn": f"arn:aws:kafka:{context.region}:{ACCOUNT_ID}:cluster/{arn_id}",
        "bootstrapBrokersSaslIam": ",".join(f"b-{i + 1}.{host}:9098" for i in range(brokers)),
        "currentVersion": "K3AEGXETSR30VB",
    }


def _msk_configuration(args: Any, context: MockContext) -> dict[str, Any]:
    arn_id = f"{_physical_name(args)}/{_uuid(context.stack, args.name)}-2"
    return {
        "arn": f"arn:aws:kafka:{context.region}:{ACCOUNT_ID}:configuration/{arn_id}",
        "latestRevision": 1,
    }


def _replication_group(args: Any, context: MockContext) -> dict[str, Any]:
    group_id = str(args.inputs.get("replicationGroupId") or _physical_name(args))[:40]
    domain = f"{digest(context.stack, group_id, length=6)}.{context.region}.cache.amazonaws.com"
    return {
        "id": group_id,
        "replicationGroupId": group_id,
        "configurationEndpointAddress": f"clustercfg.{group_id}.{domain}",
        "arn": f"arn:aws:elasticache:{context.region}:{ACCOUNT_ID}:replicationgroup:{group_id}",
    }


def _public_ip(args: Any, context: MockContext) -> dict[str, Any]:
    return {
        "publicIp": f"198.51.100.{int(digest(context.stack, args.name, length=2), 16) % 250 + 1}"
    }


def _node_group(args: Any, context: MockContext) -> dict[str, Any]:
    """EKS names a managed node group's Auto Scaling group ``eks-<nodegroup>-<uuid>``."""
    name = str(args.inputs.get("nodeGroupName") or _physical_name(args))
    asg = f"eks-{name}-{_uuid(context.stack, name)}"
    return {"nodeGroupName": name, "resources": [{"autoscalingGroups": [{"name": asg}]}]}


RESOURCES: dict[str, OutputFn] = {
    "aws:ec2/eip:Eip": _public_ip,
    "aws:ec2/launchTemplate:LaunchTemplate": lambda a, c: {"latestVersion": 1, "defaultVersion": 1},
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:kms/key:Key": _kms_key,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:msk/cluster:Cluster": _msk_cluster,
    "aws:msk/configuration:Configuration": _msk_configuration,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
}


# The mocked caller is an IAM Identity Center (SSO) user: STS names the session
# assumed-role/<role>/<session>, without the role's path, which IAM keeps under
# /aws-reserved/sso.amazonaws.com/<region>/ (an access entry needs the ARN with the path).
SSO_ROLE = "AWSReservedSSO_PlatformDeployer_0123456789abcdef"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/eu-west-1/"


def _caller_identity(args: Any, context: MockContext) -> dict[str, Any]:
    """A deployer's identity as STS reports it: an assumed role with a session name."""
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{SSO_ROLE}/deployer@{context.stack}",
        "userId": f"AROA{digest(context.stack, 'deployer', length=17).upper()}:ci-{context.stack}",
        "id": ACCOUNT_ID,
    }


def _session_context(args: Any, context: MockContext) -> dict[str, Any]:
    """``aws.iam.get_session_context``: the IAM role behind an assumed-role ARN, path included
    (a non-role ARN passes through, as the data source documents)."""
    arn = args.args.get("arn", "")
    match = re.match(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/(.+)$", arn)
    if not match:
        return {"arn": arn, "issuerArn": arn, "issuerId": "", "issuerName": "", "sessionName": "",
                "id": arn}  # fmt: skip
    partition, account, role, session = match.groups()
    path = SSO_PATH if role.startswith("AWSReservedSSO_") else "/"
    return {
        "arn": arn,
        "issuerArn": f"arn:{partition}:iam::{account}:role{path}{role}",
        "issuerId": f"AROA{digest(role, length=17).upper()}",
        "issuerName": role,
        "sessionName": session,
        "id": arn,
    }


def _partition(args: Any, context: MockContext) -> dict[str, Any]:
    return {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
        "id": "aws",
    }


def _hosted_zone(args: Any, context: MockContext) -> dict[str, Any]:
    """The public hosted zone named in the lookup, as Route 53 lists it (ids: ``Z`` + 20)."""
    name = str(args.args.get("name", "")).rstrip(".")
    zone_id = "Z" + digest(context.stack, "hosted-zone", name, length=20).upper()
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "privateZone": False,
        "nameServers": [f"ns-{n}.awsdns-{n}.org" for n in (101, 202)],
        "resourceRecordSetCount": 2,
    }


def _cluster_versions(args: Any, context: MockContext) -> dict[str, Any]:
    """EKS's answer as the version catalog recorded it on the day each entry was checked: a
    catalogued version is in standard support unless its end had passed by then, in extended
    support otherwise (``eks.get_cluster_versions``, filtered as asked)."""
    wanted = set(args.args.get("clusterVersionsOnlies") or [])
    status_wanted = args.args.get("versionStatus")
    eks = catalog.service("kubernetes.eks")
    found = []
    for entry in eks.entries:
        ended = entry.end is not None and entry.end <= entry.checked
        status = "EXTENDED_SUPPORT" if ended else "STANDARD_SUPPORT"
        if (wanted and entry.version not in wanted) or status_wanted not in (None, status):
            continue
        found.append(
            {
                "clusterType": "eks",
                "clusterVersion": entry.version,
                "versionStatus": status,
                "endOfStandardSupportDate": str(entry.end or ""),
                "defaultVersion": entry.version == eks.default,
            }
        )
    return {"clusterVersions": found, "id": context.region}


def _engine_version(args: Any, context: MockContext) -> dict[str, Any]:
    """RDS's answer as the version catalog recorded it: the pinned minors are ``available``,
    the catalogued retired ones ``deprecated``, each with the pinned minors of its major above
    it as upgrade targets (``rds.get_engine_version``)."""
    version = str(args.args.get("version", ""))
    rds = catalog.service("postgres.rds")
    pinned = [str(entry.extra["minor"]) for entry in rds.entries if "minor" in entry.extra]
    if version not in pinned and version not in rds.versions:
        raise ValueError(f"no RDS engine version matches postgres {version}")
    status = "available" if version in pinned else "deprecated"
    major = version.split(".", 1)[0]
    minors = [
        minor
        for minor in pinned
        if minor.split(".", 1)[0] == major
        and catalog.version_key(minor) > catalog.version_key(version)
    ]
    return {
        "engine": "postgres",
        "version": version,
        "versionActual": version,
        "status": status,
        "validMinorTargets": minors,
    }


def _orderable_db_instance(args: Any, context: MockContext) -> dict[str, Any]:
    """RDS's orderable class for an engine version, as cfn-lint's RDS data records it: the
    first preferred class the version runs on in the region, or RDS's error when none does
    (``rds.get_orderable_db_instance``)."""
    version = str(args.args.get("engineVersion", ""))
    offered = set(aws_offerings.orderable(context.region, version))
    preferred = [str(c) for c in args.args.get("preferredInstanceClasses") or []]
    wanted = args.args.get("instanceClass")
    match = next((c for c in ([wanted] if wanted else preferred) if c in offered), None)
    if match is None:
        raise ValueError(
            f"no RDS Orderable DB Instance found matching criteria (postgres {version})"
        )
    return {
        "id": context.region,
        "engine": "postgres",
        "engineVersion": version,
        "instanceClass": match,
        "licenseModel": "postgresql-license",
        "storageType": str(args.args.get("storageType") or "gp3"),
        "availabilityZones": [f"{context.region}{zone}" for zone in "abc"],
        "multiAzCapable": True,
        "region": context.region,
    }


def _kafka_version(args: Any, context: MockContext) -> dict[str, Any]:
    """MSK's answer as the version catalog recorded it: the first preferred version it lists,
    ``DEPRECATED`` when its end had passed on the day it was checked, else ``ACTIVE``
    (``msk.get_kafka_version``)."""
    preferred = [str(v) for v in args.args.get("preferredVersions") or [args.args.get("version")]]
    msk = catalog.service("kafka.msk")
    for version in preferred:
        entry = next((e for e in msk.entries if e.version == version), None)
        if entry is not None:
            ended = entry.end is not None and entry.end <= entry.checked
            status = "DEPRECATED" if ended else "ACTIVE"
            return {"id": version, "version": version, "status": status}
    raise ValueError(f"no MSK Kafka version matches {preferred}")


def _addon_version(args: Any, context: MockContext) -> dict[str, Any]:
    """EKS's newest version of an add-on for a Kubernetes version, as the version catalog
    recorded it: the add-on version pinned for that Kubernetes version (``eks.get_addon_version``)."""
    name, kubernetes = str(args.args.get("addonName")), str(args.args.get("kubernetesVersion"))
    entry = catalog.service("kubernetes.eks").entry(kubernetes)
    addons = dict(entry.extra.get("addons") or {}) if entry is not None else {}
    if name not in addons:
        raise ValueError(f"no EKS add-on {name} for Kubernetes {kubernetes}")
    return {
        "id": name,
        "addonName": name,
        "kubernetesVersion": kubernetes,
        "mostRecent": bool(args.args.get("mostRecent")),
        "region": context.region,
        "version": str(addons[name]),
    }


INVOKES: dict[str, OutputFn] = {
    "aws:eks/getAddonVersion:getAddonVersion": _addon_version,
    "aws:msk/getKafkaVersion:getKafkaVersion": _kafka_version,
    "aws:route53/getZone:getZone": _hosted_zone,
    "aws:rds/getEngineVersion:getEngineVersion": _engine_version,
    "aws:rds/getOrderableDbInstance:getOrderableDbInstance": _orderable_db_instance,
    "aws:eks/getClusterVersions:getClusterVersions": _cluster_versions,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:iam/getSessionContext:getSessionContext": _session_context,
}
