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
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws.eks_versions import ADDON_VERSIONS, offered_addon_version, offered_version
from components.aws.shared import (
    AccountScope,
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
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
IMDS_HOP_LIMIT = 1
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


def _asg_name(resources: Sequence[aws.eks.outputs.NodeGroupResource]) -> str:
    """The Auto Scaling group EKS made for a managed node group (one per group once ACTIVE)."""
    groups = resources[0].autoscaling_groups if resources else None
    return (groups[0].name or "") if groups else ""


def ami_type_for(instance_type: str) -> str:
    """AL2023 AMI matching the instance's CPU architecture (Graviton families end in g)."""
    family = instance_type.split(".", 1)[0]
    return (
        "AL2023_ARM_64_STANDARD" if re.match(r"^[a-z]+\d+g", family) else "AL2023_x86_64_STANDARD"
    )


def _oidc_issuer(identities: Sequence[aws.eks.outputs.ClusterIdentity]) -> str:
    oidcs = identities[0].oidcs or []
    if not oidcs or not oidcs[0].issuer:
        raise ValueError("EKS cluster reports no OIDC issuer")
    return oidcs[0].issuer


class AwsCluster(pulumi.ComponentResource):
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
        self.node_asg_name: pulumi.Output[str] = node_group.resources.apply(_asg_name)
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

    def _build_node_group(self, node_addons: list[aws.eks.Addon]) -> aws.eks.NodeGroup:
        args = self._args
        node_role = service_role(
            child(self._name, "nodes"),
            {"Service": "ec2.amazonaws.com"},
            [
                managed_policy("AmazonEKSWorkerNodePolicy"),
                managed_policy("AmazonEKS_CNI_Policy"),
                managed_policy("AmazonEC2ContainerRegistryReadOnly"),
            ],
            args.tags,
            self,
        )
        launch_template = aws.ec2.LaunchTemplate(
            child(self._name, "nodes"),
            description=f"{args.cluster_name} managed nodes",
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=args.node_disk_gb,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=IMDS_HOP_LIMIT,
                instance_metadata_tags="disabled",
            ),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=args.tags)
                for kind in ("instance", "volume")
            ],
            update_default_version=True,
            tags=args.tags,
            opts=self._opts,
        )
        return aws.eks.NodeGroup(
            child(self._name, "default"),
            cluster_name=self._cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=args.subnet_ids,
            instance_types=[args.node_instance_type],
            ami_type=ami_type_for(args.node_instance_type),
            capacity_type="ON_DEMAND",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=args.node_min, desired_size=args.node_desired, max_size=args.node_max
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=launch_template.id, version=launch_template.latest_version.apply(str)
            ),
            node_repair_config=aws.eks.NodeGroupNodeRepairConfigArgs(enabled=True),
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # Desired size is set at creation; scaling by hand (console/CLI) between
                # nodeMin and nodeMax is not reverted. Nothing scales it automatically.
                ignore_changes=["scalingConfig.desiredSize"],
                # Nodes join with the node role's policies and turn Ready only once the CNI
                # and kube-proxy run (bootstrap_self_managed_addons=False).
                depends_on=[*node_role.attachments, *node_addons],
            ),
        )

    def _build_oidc_provider(self) -> None:
        issuer_url = self._cluster.identities.apply(_oidc_issuer)
        provider = aws.iam.OpenIdConnectProvider(
            child(self._name, "oidc"),
            url=issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=self._args.tags,
            opts=self._opts,
        )
        self.oidc_provider_arn = provider.arn
        self.oidc_issuer = provider.url.apply(lambda url: url.removeprefix("https://"))

    def _build_workload_addons(
        self, versions: dict[str, str], node_group: aws.eks.NodeGroup
    ) -> aws.eks.Addon:
        """Add-ons that run as Deployments: they need nodes to schedule on."""
        ebs_role = service_role(
            child(self._name, "ebs-csi"),
            {"Service": "pods.eks.amazonaws.com"},
            [managed_policy("service-role/AmazonEBSCSIDriverPolicy")],
            self._args.tags,
            self,
            actions=("sts:AssumeRole", "sts:TagSession"),
        )
        coredns = self._addon("coredns", versions["coredns"], [], depends_on=[node_group])
        self._addon(
            "aws-ebs-csi-driver",
            versions["aws-ebs-csi-driver"],
            [
                aws.eks.AddonPodIdentityAssociationArgs(
                    role_arn=ebs_role.arn, service_account=EBS_CSI_SERVICE_ACCOUNT
                )
            ],
            depends_on=[node_group, *ebs_role.attachments],
        )
        return coredns

    def _addon(
        self,
        addon_name: str,
        version: str,
        associations: list[aws.eks.AddonPodIdentityAssociationArgs],
        depends_on: list[pulumi.Resource] | None = None,
        configuration: str | None = None,
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            child(self._name, addon_name),
            cluster_name=self._cluster.name,
            addon_name=addon_name,
            # verified against what EKS has for the cluster's version (eks.get_addon_version)
            addon_version=offered_addon_version(
                addon_name, self._args.kubernetes_version, version, self
            ),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            pod_identity_associations=associations or None,
            configuration_values=configuration,
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on or []),
        )

    def _build_storage_class(self) -> str:
        """Encrypted, expandable gp3 volumes from the EBS CSI driver; kept on delete in prod."""
        name = "gp3-encrypted"
        k8s.storage.v1.StorageClass(
            child(self._name, name),
            metadata=k8s.meta.v1.ObjectMetaArgs(name=name),
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "fsType": "ext4"},
            reclaim_policy="Retain" if self._args.protect else "Delete",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        return name

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
                                    "apiVersion": "client.authentication.k8s.io/v1beta1",
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
