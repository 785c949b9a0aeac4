"""The nodes side of ``AwsCluster``: node group, OIDC provider, workload add-ons, StorageClass.

A base class of ``AwsCluster`` (``eks.py``), split from it so each module stays small. Creates the
node IAM role (only the managed worker, CNI and ECR-read policies), a launch template (encrypted
gp3 root volume, IMDSv2 required with a hop limit of 1 so pods cannot borrow the node's role),
the managed node group on it, the IAM OIDC provider for IRSA, the add-ons that run as
Deployments (CoreDNS; the EBS CSI driver with its own role through EKS Pod Identity) and the
encrypted gp3 StorageClass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws.eks_args import AwsClusterArgs
from components.aws.eks_versions import offered_addon_version
from components.aws.shared import managed_policy, service_role
from infra.naming import child

EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
IMDS_HOP_LIMIT = 1


def asg_name(resources: Sequence[aws.eks.outputs.NodeGroupResource]) -> str:
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


class AwsClusterNodes(pulumi.ComponentResource):
    """Node and add-on builders of ``AwsCluster`` (whose ``__init__`` sets the fields)."""

    _name: str
    _args: AwsClusterArgs
    _opts: pulumi.ResourceOptions
    _cluster: aws.eks.Cluster
    provider: k8s.Provider
    """A Kubernetes provider for this cluster."""
    oidc_provider_arn: pulumi.Output[str]
    """IAM OIDC provider for IRSA roles."""
    oidc_issuer: pulumi.Output[str]
    """OIDC issuer URL without the scheme (the condition key prefix in trust policies)."""

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
