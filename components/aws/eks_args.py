"""The inputs of ``AwsCluster`` (``eks.py``), apart so its node builders (``eks_nodes.py``) can
type against them without importing the component."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.aws.shared import AccountScope


@dataclass(frozen=True, kw_only=True)
class AwsClusterArgs:
    """Inputs of ``AwsCluster``."""

    #: EKS cluster name (also names its log group and IAM roles)
    cluster_name: str
    #: Kubernetes minor version ("1.35"); picks the pinned add-on versions
    kubernetes_version: str
    #: AWS region (kubeconfig's ``aws eks get-token --region``)
    region: str
    #: VPC of the cluster and its nodes
    vpc_id: pulumi.Input[str]
    #: private subnets the control plane ENIs and the nodes use (one per zone)
    subnet_ids: list[pulumi.Input[str]]
    #: Kubernetes Service CIDR (must not overlap the VPC)
    service_cidr: str
    #: whether the API endpoint is public (dev/staging) or private only (prod)
    public_endpoint: bool
    #: CIDRs allowed to reach the public endpoint (never 0.0.0.0/0)
    public_access_cidrs: list[str]
    #: networks (a runner inside the VPC, or routed into it) admitted on 443 of the cluster
    #: security group: the way in when the endpoint is private
    private_access_cidrs: list[str]
    #: IAM role ARNs granted cluster-admin through access entries (the operators)
    admin_role_arns: list[str]
    #: the IAM principal running ``pulumi up``: needs cluster-admin to deploy the layer above
    deployer_principal_arn: str
    #: IAM principals granted read-only access (AmazonEKSViewPolicy): the preview identity
    viewer_principal_arns: list[str]
    #: node group instance type (bigger in prod)
    node_instance_type: str
    #: node group minimum size (prod: 3, one per zone)
    node_min: int
    #: node group initial desired size
    node_desired: int
    #: node group maximum size (autoscaling ceiling)
    node_max: int
    #: root volume per node (GiB)
    node_disk_gb: int
    #: days control-plane logs are kept in CloudWatch (prod: 365)
    log_retention_days: int
    #: EKS refuses to delete the cluster (prod)
    deletion_protection: bool
    #: Pulumi ``protect`` on the cluster and its keys (prod)
    protect: bool
    #: AWS tags on every resource
    tags: dict[str, str]
    #: account/region the key policies name
    scope: AccountScope
