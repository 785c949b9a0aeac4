"""AWS EKS cluster: the Cluster contract on AWS.

Creates the cluster and node IAM roles (only the AWS-managed policies each needs), a KMS key
that envelope-encrypts Kubernetes secrets, the control-plane log group (all five log types,
with retention) created before the cluster so retention applies from the first line, access
entries with cluster-admin for the deployer and admin roles (authentication mode API: no
aws-auth ConfigMap), HTTPS from configured networks to a private endpoint, a managed node group
on a launch template (encrypted gp3 root volume, IMDSv2 required), the OIDC provider for IRSA,
the core add-ons at pinned versions (EBS CSI with its own role through EKS Pod Identity), and
a kubeconfig (``aws eks get-token``) with a Kubernetes provider for the layer above.

IMDS hop limit is 1: pods must not borrow the node's role; every workload that talks to AWS
does so through IRSA or Pod Identity, while host-network daemons (vpc-cni, kube-proxy) still
reach the metadata service.

The inputs are in ``eks_args.py``, the node group, OIDC provider, workload add-ons and
StorageClass in ``eks_nodes.py`` (the base class); importers keep using this module.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import api_versions
from components.aws.eks_args import AwsClusterArgs
from components.aws.eks_nodes import AwsClusterNodes, asg_name
from components.aws.eks_versions import ADDON_VERSIONS, offered_version
from components.aws.shared import (
    ServiceRole,
    key_policy,
    kms_key,
    log_group,
    managed_policy,
    service_role,
)
from components.contracts import ClusterContract
from infra.naming import child

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
# Read-only access to most Kubernetes objects, no Secrets (EKS access policy permissions):
# the preview identity's refresh
VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
# The Gateway data plane's Service becomes an internet-facing Network Load Balancer.
NLB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
}
# vpc-cni enforces NetworkPolicies only when asked to (its node agent); the value is a JSON
# string per the add-on's configuration schema
# (``aws eks describe-addon-configuration --addon-name vpc-cni``).
NODE_ADDON_CONFIG = {"vpc-cni": json.dumps({"enableNetworkPolicy": "true"})}


class AwsCluster(AwsClusterNodes):
    """An EKS cluster with a managed node group, ready for the Kubernetes layer."""

    cluster_name: pulumi.Output[str]
    """The EKS cluster name."""
    cluster_security_group_id: pulumi.Output[str]
    """Security group EKS attaches to the control plane and the managed nodes."""
    oidc_provider_arn: pulumi.Output[str]
    """IAM OIDC provider for IRSA roles."""
    oidc_issuer: pulumi.Output[str]
    """OIDC issuer URL without the scheme (the condition key prefix in trust policies)."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (secret) that authenticates with ``aws eks get-token``."""
    provider: k8s.Provider
    """A Kubernetes provider for this cluster."""
    storage_class: str
    """Name of the encrypted gp3 StorageClass for PersistentVolumeClaims."""

    def __init__(
        self, name: str, args: AwsClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:Cluster", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)

        cluster_role = service_role(
            child(name, "cluster"),
            {"Service": "eks.amazonaws.com"},
            [managed_policy("AmazonEKSClusterPolicy")],
            args.tags,
            self,
            actions=("sts:AssumeRole", "sts:TagSession"),
        )
        self._cluster = self._build_cluster(cluster_role)
        self.cluster_name = self._cluster.name
        self.cluster_security_group_id = self._cluster.vpc_config.cluster_security_group_id
        api_access = [*self._build_access_entries(), *self._build_private_api_access()]
        versions = ADDON_VERSIONS[args.kubernetes_version]
        # Without bootstrap add-ons, nodes only become Ready once the CNI and kube-proxy run.
        node_addons = {
            addon: self._addon(
                addon, versions[addon], [], configuration=NODE_ADDON_CONFIG.get(addon)
            )
            for addon in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
        }
        node_group = self._build_node_group(list(node_addons.values()))
        # The managed node group's Auto Scaling group (for the node readiness alarm).
        self.node_asg_name: pulumi.Output[str] = node_group.resources.apply(asg_name)
        self._build_oidc_provider()
        coredns = self._build_workload_addons(versions, node_group)
        self.kubeconfig = pulumi.Output.secret(self._kubeconfig())
        # The provider's first call must find: the deployer authorized (access entry and
        # policy association), a network path to the endpoint, nodes that are Ready (CNI) and
        # cluster DNS for the workloads it creates.
        self.provider = k8s.Provider(
            child(name, "k8s"),
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[node_group, *api_access, node_addons["vpc-cni"], coredns],
            ),
        )
        self.storage_class = self._build_storage_class()
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "oidcProviderArn": self.oidc_provider_arn,
                "kubeconfig": self.kubeconfig,
            }
        )

    def contract(
        self, workload_identity: dict[str, dict[str, pulumi.Output[str]]]
    ) -> ClusterContract:
        """The cloud-neutral view; ``workload_identity``: each app's ServiceAccount annotations."""
        return ClusterContract(
            name=self.cluster_name,
            kubeconfig=self.kubeconfig,
            provider=self.provider,
            workload_identity=workload_identity,
            storage_class=self.storage_class,
            gateway_service_annotations=NLB_ANNOTATIONS,
            # EKS ships no metrics-server: the platform installs it
            ships_metrics_server=False,
        )

    def _build_cluster(self, role: ServiceRole) -> aws.eks.Cluster:
        args = self._args
        log_group_name = f"/aws/eks/{args.cluster_name}/cluster"
        # One key for the secrets envelope and the control-plane logs; EKS itself uses it
        # through grants made with the cluster role's IAM permissions.
        secrets_key = kms_key(
            child(self._name, "secrets"),
            f"Envelope encryption of Kubernetes secrets and control-plane logs in {args.cluster_name}",
            args.tags,
            self,
            args.protect,
            key_policy(args.scope, log_groups=(log_group_name,)),
        )
        # EKS writes to this exact name; creating it first lets us own its retention and key.
        control_plane_logs = log_group(
            child(self._name, "control-plane"),
            secrets_key,
            args.log_retention_days,
            args.tags,
            self,
            log_group_name,
        )
        return aws.eks.Cluster(
            self._name,
            name=args.cluster_name,
            # verified against what EKS offers (eks.get_cluster_versions) before the cluster
            version=offered_version(args.kubernetes_version, self),
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args.subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=args.public_endpoint,
                public_access_cidrs=args.public_access_cidrs if args.public_endpoint else None,
            ),
            kubernetes_network_config=aws.eks.ClusterKubernetesNetworkConfigArgs(
                service_ipv4_cidr=args.service_cidr, ip_family="ipv4"
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=secrets_key.arn),
                resources=["secrets"],
            ),
            enabled_cluster_log_types=LOG_TYPES,
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=False,
            ),
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            # Add-ons are managed below at pinned versions, not bootstrapped unmanaged.
            bootstrap_self_managed_addons=False,
            deletion_protection=args.deletion_protection,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                # EKS assumes the role while creating the cluster: its policy must be attached.
                depends_on=[control_plane_logs, *role.attachments],
            ),
        )

    def _build_access_entries(self) -> list[aws.eks.AccessPolicyAssociation]:
        """Cluster-admin for the deployer and every admin role, view for the preview
        identities (one access entry per principal: EKS refuses duplicates)."""
        args = self._args
        principals = {"deployer": (args.deployer_principal_arn, CLUSTER_ADMIN_POLICY)}
        for index, role_arn in enumerate(args.admin_role_arns):
            if role_arn != args.deployer_principal_arn:
                principals[f"admin-{index}"] = (role_arn, CLUSTER_ADMIN_POLICY)
        granted = {arn for arn, _ in principals.values()}
        for index, arn in enumerate(args.viewer_principal_arns):
            if arn not in granted:
                principals[f"viewer-{index}"] = (arn, VIEW_POLICY)
        associations = []
        for suffix, (principal_arn, policy_arn) in principals.items():
            entry_name = child(self._name, suffix)
            entry = aws.eks.AccessEntry(
                entry_name,
                cluster_name=self._cluster.name,
                principal_arn=principal_arn,
                type="STANDARD",
                tags=args.tags,
                opts=self._opts,
            )
            associations.append(
                aws.eks.AccessPolicyAssociation(
                    entry_name,
                    cluster_name=self._cluster.name,
                    principal_arn=principal_arn,
                    policy_arn=policy_arn,
                    access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
                )
            )
        return associations

    def _build_private_api_access(self) -> list[aws.vpc.SecurityGroupIngressRule]:
        """HTTPS to the private endpoint from each configured network.

        The cluster security group admits only itself (nodes and control plane); whoever runs
        ``pulumi up`` against a private endpoint needs one of these rules.
        """
        return [
            aws.vpc.SecurityGroupIngressRule(
                child(self._name, f"api-{index}"),
                security_group_id=self.cluster_security_group_id,
                cidr_ipv4=cidr,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="Kubernetes API from the deployer network",
                tags=self._args.tags,
                opts=self._opts,
            )
            for index, cidr in enumerate(self._args.private_access_cidrs)
        ]

    def _kubeconfig(self) -> pulumi.Output[str]:
        region = self._args.region
        return pulumi.Output.all(
            self._cluster.name,
            self._cluster.endpoint,
            self._cluster.certificate_authority.apply(lambda ca: ca.data),
        ).apply(
            lambda values: json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": values[0],
                            "cluster": {
                                "server": values[1],
                                "certificate-authority-data": values[2],
                            },
                        }
                    ],
                    "contexts": [
                        {"name": values[0], "context": {"cluster": values[0], "user": values[0]}}
                    ],
                    "current-context": values[0],
                    "users": [
                        {
                            "name": values[0],
                            "user": {
                                "exec": {
                                    "apiVersion": api_versions.EXEC_CREDENTIAL,
                                    "command": "aws",
                                    "args": [
                                        "eks",
                                        "get-token",
                                        "--cluster-name",
                                        values[0],
                                        "--region",
                                        region,
                                        "--output",
                                        "json",
                                    ],
                                    "interactiveMode": "Never",
                                }
                            },
                        }
                    ],
                }
            )
        )


__all__ = ["AwsCluster", "AwsClusterArgs"]
