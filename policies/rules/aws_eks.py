"""AWS EKS rules: secrets encryption, control-plane logs, a restricted API endpoint, and node
launch templates with IMDSv2 and encrypted volumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity

from .base import dig, is_unknown, property_rule

EKS = "aws:eks/cluster:Cluster"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ALL_LOG_TYPES = frozenset({"api", "audit", "authenticator", "controllerManager", "scheduler"})

Props = Mapping[str, Any]


def eks_secrets_encryption(props: Props, config: Props) -> bool | None:
    encryption = dig(props, "encryptionConfig")
    if is_unknown(encryption):
        return None
    return bool(encryption) and "secrets" in (dig(encryption, "resources", default=[]) or [])


def eks_control_plane_logs(props: Props, config: Props) -> bool | None:
    enabled = dig(props, "enabledClusterLogTypes", default=[])
    return None if is_unknown(enabled) else set(enabled) >= ALL_LOG_TYPES


def eks_endpoint_restricted(props: Props, config: Props) -> bool | None:
    vpc = dig(props, "vpcConfig", default={})
    # EKS defaults: public endpoint on, open to 0.0.0.0/0
    if not dig(vpc, "endpointPublicAccess", default=True):
        return True
    cidrs = dig(vpc, "publicAccessCidrs", default=["0.0.0.0/0"])
    if is_unknown(cidrs):
        return None
    return bool(cidrs) and "0.0.0.0/0" not in cidrs


def launch_template_imdsv2(props: Props, config: Props) -> bool | None:
    tokens = dig(props, "metadataOptions", "httpTokens")
    return None if is_unknown(tokens) else tokens == "required"


def launch_template_volumes_encrypted(props: Props, config: Props) -> bool | None:
    mappings = dig(props, "blockDeviceMappings", default=[])
    ebs = [dig(m, "ebs") for m in mappings if dig(m, "ebs")]
    if not ebs:
        return False  # the AMI's default root volume, encrypted only if the account says so
    return all(str(dig(volume, "encrypted", default="false")).lower() == "true" for volume in ebs)


POLICIES = [
    property_rule(
        "aws-eks-secrets-encryption", "Kubernetes Secrets in etcd are only base64 without envelope encryption.",
        "Set encryption_config with a KMS key for resources ['secrets'].", Severity.HIGH,
        [EKS], eks_secrets_encryption, "EKS does not envelope-encrypt Kubernetes secrets",
    ),
    property_rule(
        "aws-eks-control-plane-logs", "API and audit logs are the record of who did what in the cluster.",
        "Enable all five enabled_cluster_log_types.", Severity.MEDIUM,
        [EKS], eks_control_plane_logs, "EKS control-plane logs are not all enabled",
    ),
    property_rule(
        "aws-eks-endpoint-restricted", "An API endpoint open to the internet invites credential stuffing and exploits.",
        "Turn endpoint_public_access off, or list public_access_cidrs (never 0.0.0.0/0).", Severity.CRITICAL,
        [EKS], eks_endpoint_restricted, "EKS API endpoint is public to 0.0.0.0/0",
    ),
    property_rule(
        "aws-eks-node-imdsv2", "IMDSv1 lets SSRF in any pod steal the node's credentials.",
        "Set metadata_options.http_tokens='required' on the node launch template.", Severity.HIGH,
        [LAUNCH_TEMPLATE], launch_template_imdsv2, "launch template does not require IMDSv2",
    ),
    property_rule(
        "aws-eks-node-volumes-encrypted", "Node volumes hold container images, logs and emptyDir data.",
        "Declare the root volume in block_device_mappings with encrypted='true'.", Severity.HIGH,
        [LAUNCH_TEMPLATE], launch_template_volumes_encrypted, "launch template volumes are not encrypted",
    ),
]  # fmt: skip
