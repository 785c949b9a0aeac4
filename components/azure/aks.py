"""Azure AKS: the Cluster contract on Azure.

Creates a Log Analytics workspace for Container Insights and the cluster: a system pool (tainted
for critical add-ons) and a user pool, both autoscaled across zones on the node subnet; Azure
CNI overlay with Cilium as the network policy engine and dataplane; egress through the subnet's
NAT gateway; API server VNet integration (the API server gets an internal address in its own
delegated subnet), private in prod (reached from the runner subnet, docs/azure.md), public with
authorized IP ranges elsewhere (the configured ranges plus the NAT gateway's IP, the nodes' own
egress); a user-assigned control-plane identity holding Network Contributor on the VNet before
the cluster exists (bring-your-own VNet); Entra ID integration with Azure RBAC and local accounts
disabled; "Azure Kubernetes Service RBAC Cluster Admin" for the deployer; OIDC issuer and
workload identity; the Key Vault secrets provider add-on; Container Insights with managed
identity auth and its data collection rule + association; auto-upgrade channels and a planned
maintenance window; Standard tier in prod. Kubeconfig comes from the user credentials in
``exec`` format, rewritten to a non-interactive ``kubelogin`` login mode, and feeds a Kubernetes
provider that waits until the API server admits the deployer (its role assignment propagated).

The inputs are in ``aks_args.py``; Container Insights, the access grants and the maintenance
windows in ``aks_operations.py`` (the base class); importers keep using this module.
"""

from __future__ import annotations

import base64

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s

from components.azure import kubeconfig, roles
from components.azure.access_wait import AksAccessWait
from components.azure.aks_args import AzureClusterArgs
from components.azure.aks_operations import AzureClusterOperations
from components.azure.network import field
from components.azure.workload_identity import USE_LABEL
from components.contracts import ClusterContract
from infra.naming import child
from policies.rules.facts.azure_names import fit

CLUSTER = "azure-native:containerservice:ManagedCluster"
WORKSPACE = "azure-native:operationalinsights:Workspace"

DNS_SERVICE_OFFSET = 10  # kube-dns gets the tenth address of the service range
# the Gateway's data plane behind the Azure load balancer: HTTP probes on /healthz (with
# externalTrafficPolicy Local, the kube-proxy health check node port answers it)
GATEWAY_ANNOTATIONS = {
    "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz"
}
STORAGE_CLASS = "managed-csi-premium"  # AKS's built-in Premium SSD CSI class (encrypted at rest)


MAX_PODS_PER_NODE = 250


class AzureCluster(AzureClusterOperations):
    """A hardened AKS cluster."""

    cluster_name: pulumi.Output[str]
    """The managed cluster's name."""
    oidc_issuer_url: pulumi.Output[str]
    """OIDC issuer that federated identity credentials trust."""
    cluster_id: pulumi.Output[str]
    """The managed cluster's ARM id."""
    kubelet_object_id: pulumi.Output[str]
    """Object id of the kubelet identity AKS creates (identityProfile.kubeletidentity): the
    nodes pull images as it (AcrPull on the registry)."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (secret) in exec format (kubelogin, non-interactive login mode)."""
    provider: k8s.Provider
    """A Kubernetes provider for this cluster."""

    def __init__(
        self, name: str, args: AzureClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Cluster", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        workspace = azure.operationalinsights.Workspace(
            child(name, "logs"),
            workspace_name=fit(WORKSPACE, child(name, "logs")),
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=azure.operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=max(args.log_retention_days, 30),
            tags=args.tags,
            opts=self._opts,
        )
        identity = self._build_control_plane_identity()
        cluster = self._build_cluster(workspace, identity)
        self._build_maintenance(cluster)
        self._build_insights(cluster, workspace)
        admins = self._build_deployer_access(cluster)
        self.cluster_id = cluster.id
        self.cluster_name = cluster.name
        self.kubelet_object_id = cluster.identity_profile.apply(
            lambda profile: field((profile or {}).get("kubeletidentity"), "object_id")
        )
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(
            lambda profile: (profile.issuer_url or "") if profile else ""
        )
        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        mode = args.kubelogin_mode
        self.kubeconfig = pulumi.Output.secret(
            credentials.kubeconfigs.apply(
                lambda configs: kubeconfig.rewrite(
                    base64.b64decode(field(configs[0], "value")).decode(), mode
                )
            )
        )
        # Azure RBAC decides what the deployer may do inside the cluster: the provider's first
        # call must come after the role assignment has propagated to the API server, which
        # the access wait asks the API server itself (components/azure/access_wait.py).
        access = AksAccessWait(
            child(name, "access"),
            kubeconfig=self.kubeconfig,
            cluster=cluster.id,
            grants=[grant.id for grant in admins],
            opts=pulumi.ResourceOptions(parent=self, depends_on=admins),
        )
        self.provider = k8s.Provider(
            child(name, "k8s"),
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access]),
        )
        self.register_outputs({"clusterName": self.cluster_name, "kubeconfig": self.kubeconfig})

    def contract(
        self, workload_identity: dict[str, dict[str, pulumi.Output[str]]]
    ) -> ClusterContract:
        """The cloud-neutral view; ``workload_identity``: each app's ServiceAccount annotations."""
        return ClusterContract(
            name=self.cluster_name,
            kubeconfig=self.kubeconfig,
            provider=self.provider,
            workload_identity=workload_identity,
            # the workload identity webhook only mutates pods that carry this label
            workload_pod_labels=dict(USE_LABEL),
            storage_class=STORAGE_CLASS,
            gateway_service_annotations=GATEWAY_ANNOTATIONS,
            ships_metrics_server=True,
        )

    def _pool(
        self, name: str, mode: str, minimum: int, maximum: int
    ) -> azure.containerservice.ManagedClusterAgentPoolProfileArgs:
        args = self._args
        return azure.containerservice.ManagedClusterAgentPoolProfileArgs(
            name=name,
            mode=mode,
            vm_size=args.vm_size,
            os_type="Linux",
            os_sku="AzureLinux",
            os_disk_size_gb=args.node_disk_gb,
            os_disk_type="Managed",
            type="VirtualMachineScaleSets",
            # Azure CNI Overlay's default and ceiling (learn.microsoft.com/azure/aks/
            # azure-cni-overlay: "maximum pods per node ... 250"), written out so that scanners,
            # which assume the old CNI default of 30, read what AKS applies
            max_pods=MAX_PODS_PER_NODE,
            enable_auto_scaling=True,
            count=minimum,
            min_count=minimum,
            max_count=maximum,
            availability_zones=args.zones,
            vnet_subnet_id=args.nodes_subnet_id,
            enable_node_public_ip=False,
            enable_encryption_at_host=False,
            node_taints=["CriticalAddonsOnly=true:NoSchedule"] if mode == "System" else None,
            upgrade_settings=azure.containerservice.AgentPoolUpgradeSettingsArgs(max_surge="33%"),
        )

    def _build_control_plane_identity(self) -> azure.managedidentity.UserAssignedIdentity:
        """The cluster's identity, allowed to join our subnets before the cluster is created.

        A system-assigned identity exists only after creation, too late for a bring-your-own
        VNet with API server VNet integration
        (https://learn.microsoft.com/azure/aks/api-server-vnet-integration).
        """
        args = self._args
        identity = azure.managedidentity.UserAssignedIdentity(
            child(self._name, "control-plane"),
            resource_name_=fit(
                "azure-native:managedidentity:UserAssignedIdentity",
                child(self._name, "control-plane"),
            ),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=self._opts,
        )
        self._network_access = roles.assign(
            child(self._name, "network-contributor"),
            roles.NETWORK_CONTRIBUTOR,
            identity.principal_id,
            "ServicePrincipal",
            args.vnet_id,
            args.subscription_id,
            self._opts,
        )
        return identity

    def _authorized_ranges(self) -> pulumi.Output[list[str]] | None:
        """Configured ranges plus the NAT gateway's IP (AKS: needed with NAT-gateway egress)."""
        args = self._args
        if args.private_cluster:
            return None
        configured = list(args.authorized_ip_ranges)
        return pulumi.Output.from_input(args.nat_public_ip).apply(
            lambda ip: [*configured, f"{ip}/32"] if ip else configured
        )

    def _build_cluster(
        self,
        workspace: azure.operationalinsights.Workspace,
        identity: azure.managedidentity.UserAssignedIdentity,
    ) -> azure.containerservice.ManagedCluster:
        args = self._args
        system_nodes = len(args.zones)
        cluster_name = fit(CLUSTER, self._name)
        return azure.containerservice.ManagedCluster(
            self._name,
            resource_name_=cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            # 1-54 alphanumerics and hyphens (AKS dnsPrefix)
            dns_prefix=cluster_name[:54].rstrip("-"),
            kubernetes_version=args.kubernetes_version,
            sku=azure.containerservice.ManagedClusterSKUArgs(
                name="Base", tier="Standard" if args.standard_tier else "Free"
            ),
            identity=azure.containerservice.ManagedClusterIdentityArgs(
                type=azure.containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[identity.id],
            ),
            agent_pool_profiles=[
                self._pool("system", "System", system_nodes, system_nodes * 2),
                self._pool("user", "User", args.node_min, args.node_max),
            ],
            network_profile=azure.containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure",
                network_plugin_mode="overlay",
                network_policy="cilium",
                network_dataplane="cilium",
                pod_cidr=args.pod_cidr,
                service_cidr=args.service_cidr,
                dns_service_ip=args.dns_service_ip,
                outbound_type="userAssignedNATGateway",
                load_balancer_sku="standard",
            ),
            api_server_access_profile=azure.containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=args.private_cluster,
                enable_vnet_integration=True,
                subnet_id=args.apiserver_subnet_id,
                authorized_ip_ranges=self._authorized_ranges(),
            ),
            aad_profile=azure.containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=args.admin_group_object_ids,
            ),
            disable_local_accounts=True,
            enable_rbac=True,
            oidc_issuer_profile=azure.containerservice.ManagedClusterOIDCIssuerProfileArgs(
                enabled=True
            ),
            security_profile=azure.containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=azure.containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(
                    enabled=True
                ),
            ),
            addon_profiles={
                "azureKeyvaultSecretsProvider": azure.containerservice.ManagedClusterAddonProfileArgs(
                    enabled=True,
                    config={"enableSecretRotation": "true", "rotationPollInterval": "2m"},
                ),
                "omsagent": azure.containerservice.ManagedClusterAddonProfileArgs(
                    enabled=True,
                    config={"logAnalyticsWorkspaceResourceID": workspace.id, "useAADAuth": "true"},
                ),
            },
            auto_upgrade_profile=azure.containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel="stable", node_os_upgrade_channel="NodeImage"
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                # the autoscaler owns pool sizes after creation; the stable auto-upgrade channel
                # moves the control plane's version (AKS refuses to go back down)
                ignore_changes=[
                    "agentPoolProfiles[0].count",
                    "agentPoolProfiles[1].count",
                    "kubernetesVersion",
                ],
                depends_on=[self._network_access],
            ),
        )


__all__ = ["DNS_SERVICE_OFFSET", "STORAGE_CLASS", "AzureCluster", "AzureClusterArgs"]
