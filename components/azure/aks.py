"""Azure AKS: the Cluster contract on Azure.

Creates a Log Analytics workspace for Container Insights and the cluster: a system pool (tainted
for critical add-ons) and a user pool, both autoscaled across zones on the node subnet; Azure
CNI overlay with Cilium as the network policy engine and dataplane; egress through the subnet's
NAT gateway; a private API server in prod (authorized IP ranges elsewhere); Entra ID
integration with Azure RBAC and local accounts disabled; OIDC issuer and workload identity; the
Key Vault secrets provider add-on; auto-upgrade channels and a planned maintenance window;
Standard tier in prod. Kubeconfig comes from the user credentials in ``exec`` format
(``kubelogin``), feeding a Kubernetes provider.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s

from components.azure.network import field
from infra.naming import child

DNS_SERVICE_OFFSET = 10  # kube-dns gets the tenth address of the service range
STORAGE_CLASS = "managed-csi-premium"  # AKS's built-in Premium SSD CSI class (encrypted at rest)


@dataclass(frozen=True)
class AzureClusterArgs:
    """Inputs of ``AzureCluster``."""

    resource_group_name: pulumi.Input[str]
    location: str
    kubernetes_version: str
    nodes_subnet_id: pulumi.Input[str]
    pod_cidr: str
    service_cidr: str
    dns_service_ip: str
    zones: list[str]
    private_cluster: bool
    authorized_ip_ranges: list[str]
    admin_group_object_ids: list[str]
    vm_size: str
    node_min: int
    node_max: int
    node_disk_gb: int
    standard_tier: bool
    log_retention_days: int
    protect: bool
    tags: dict[str, str]


class AzureCluster(pulumi.ComponentResource):
    """A hardened AKS cluster."""

    cluster_name: pulumi.Output[str]
    """The managed cluster's name."""
    oidc_issuer_url: pulumi.Output[str]
    """OIDC issuer that federated identity credentials trust."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (secret) in exec format (kubelogin)."""
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
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=azure.operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=max(args.log_retention_days, 30),
            tags=args.tags,
            opts=self._opts,
        )
        cluster = self._build_cluster(workspace)
        self._build_maintenance(cluster)
        self.cluster_name = cluster.name
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(
            lambda profile: (profile.issuer_url or "") if profile else ""
        )
        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(
            credentials.kubeconfigs.apply(
                lambda configs: base64.b64decode(field(configs[0], "value")).decode()
            )
        )
        self.provider = k8s.Provider(
            child(name, "k8s"), kubeconfig=self.kubeconfig, opts=self._opts
        )
        self.register_outputs({"clusterName": self.cluster_name, "kubeconfig": self.kubeconfig})

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

    def _build_cluster(
        self, workspace: azure.operationalinsights.Workspace
    ) -> azure.containerservice.ManagedCluster:
        args = self._args
        system_nodes = len(args.zones)
        return azure.containerservice.ManagedCluster(
            self._name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=self._name,
            kubernetes_version=args.kubernetes_version,
            sku=azure.containerservice.ManagedClusterSKUArgs(
                name="Base", tier="Standard" if args.standard_tier else "Free"
            ),
            identity=azure.containerservice.ManagedClusterIdentityArgs(
                type=azure.containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
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
                authorized_ip_ranges=None if args.private_cluster else args.authorized_ip_ranges,
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
                # the autoscaler owns pool sizes after creation
                ignore_changes=["agentPoolProfiles[0].count", "agentPoolProfiles[1].count"],
            ),
        )

    def _build_maintenance(self, cluster: azure.containerservice.ManagedCluster) -> None:
        for config_name, hours in (
            ("aksManagedAutoUpgradeSchedule", 6),
            ("aksManagedNodeOSUpgradeSchedule", 6),
        ):
            azure.containerservice.MaintenanceConfiguration(
                child(self._name, config_name),
                resource_group_name=self._args.resource_group_name,
                resource_name_=cluster.name,
                config_name=config_name,
                maintenance_window=azure.containerservice.MaintenanceWindowArgs(
                    duration_hours=hours,
                    start_time="02:00",
                    utc_offset="+00:00",
                    schedule=azure.containerservice.ScheduleArgs(
                        weekly=azure.containerservice.WeeklyScheduleArgs(
                            day_of_week="Sunday", interval_weeks=1
                        )
                    ),
                ),
                opts=self._opts,
            )
