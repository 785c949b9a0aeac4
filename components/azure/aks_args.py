"""The inputs of ``AzureCluster`` (``aks.py``), apart so its operations builders
(``aks_operations.py``) can type against them without importing the component."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True, kw_only=True)
class AzureClusterArgs:
    """Inputs of ``AzureCluster``."""

    #: resource group of the cluster and its workspace
    resource_group_name: pulumi.Input[str]
    #: Azure region (location)
    location: str
    #: Kubernetes minor version
    kubernetes_version: str
    #: subnet of the node pools
    nodes_subnet_id: pulumi.Input[str]
    #: delegated subnet of the API server (VNet integration)
    apiserver_subnet_id: pulumi.Input[str]
    #: the VNet: the control plane identity gets Network Contributor on it
    vnet_id: pulumi.Input[str]
    #: the NAT gateway's public IP, added to the authorized ranges of a public API server
    nat_public_ip: pulumi.Input[str]
    #: subscription id (role assignment names and scopes)
    subscription_id: pulumi.Input[str]
    #: (object id, principal type) granted cluster-admin to deploy the Kubernetes layer
    deployers: list[tuple[pulumi.Input[str], str]]
    #: kubelogin login mode in the kubeconfig: azurecli | workloadidentity
    kubelogin_mode: str
    #: pod CIDR (Azure CNI overlay)
    pod_cidr: str
    #: Kubernetes Service CIDR
    service_cidr: str
    #: kube-dns address inside the Service CIDR
    dns_service_ip: str
    #: availability zones of the node pools
    zones: list[str]
    #: API server private only (prod) rather than public with authorized ranges
    private_cluster: bool
    #: CIDRs allowed to reach a public API server
    authorized_ip_ranges: list[str]
    #: Entra ID groups made cluster admins (the operators)
    admin_group_object_ids: list[str]
    #: node VM size (bigger in prod)
    vm_size: str
    #: user pool minimum node count
    node_min: int
    #: user pool maximum node count (autoscaling ceiling)
    node_max: int
    #: OS disk per node (GiB)
    node_disk_gb: int
    #: the paid Standard tier with an uptime SLA (prod) instead of Free
    standard_tier: bool
    #: days the Log Analytics workspace keeps logs (at least 30; prod: 365)
    log_retention_days: int
    #: Pulumi ``protect`` on the cluster (prod)
    protect: bool
    #: Azure tags on every resource
    tags: dict[str, str]
    #: (object id, principal type) granted read-only Kubernetes access (AKS RBAC Reader): the
    #: identity that previews, never the one that applies
    viewers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
