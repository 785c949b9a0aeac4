"""The operations side of ``AzureCluster``: Container Insights, access grants, maintenance.

A base class of ``AzureCluster`` (``aks.py``), split from it so each module stays small. Creates
Container Insights' data collection rule (to the cluster's Log Analytics workspace, managed
identity auth) and its association with the cluster, "Azure Kubernetes Service RBAC Cluster
Admin" for the deployer and the reader role for the preview identities, and the planned
maintenance windows of the auto-upgrade channels.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from components.azure import roles
from components.azure.aks_args import AzureClusterArgs
from infra.naming import child
from policies.rules.facts.azure_names import fit

DCR = "azure-native:monitor:DataCollectionRule"
# Container Insights' stream and extension (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable)
CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default"


class AzureClusterOperations(pulumi.ComponentResource):
    """Insights, access and maintenance builders of ``AzureCluster`` (whose ``__init__`` sets
    the fields)."""

    _name: str
    _args: AzureClusterArgs
    _opts: pulumi.ResourceOptions

    def _build_insights(
        self,
        cluster: azure.containerservice.ManagedCluster,
        workspace: azure.operationalinsights.Workspace,
    ) -> None:
        """Container Insights with managed identity auth needs a DCR and its association."""
        args = self._args
        # Azure's own naming for it: MSCI-<region>-<cluster>
        rule = azure.monitor.DataCollectionRule(
            child(self._name, "insights"),
            data_collection_rule_name=fit(DCR, f"MSCI-{args.location}-{self._name}"),
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="Linux",
            data_sources=azure.monitor.DataCollectionRuleDataSourcesArgs(
                extensions=[
                    azure.monitor.ExtensionDataSourceArgs(
                        name="ContainerInsightsExtension",
                        extension_name="ContainerInsights",
                        streams=[CONTAINER_INSIGHTS_STREAM],
                        extension_settings={
                            "dataCollectionSettings": {
                                "interval": "1m",
                                "namespaceFilteringMode": "Off",
                                "enableContainerLogV2": True,
                            }
                        },
                    )
                ]
            ),
            destinations=azure.monitor.DataCollectionRuleDestinationsArgs(
                log_analytics=[
                    azure.monitor.LogAnalyticsDestinationArgs(
                        name="ciworkspace", workspace_resource_id=workspace.id
                    )
                ]
            ),
            data_flows=[
                azure.monitor.DataFlowArgs(
                    streams=[CONTAINER_INSIGHTS_STREAM], destinations=["ciworkspace"]
                )
            ],
            tags=args.tags,
            opts=self._opts,
        )
        azure.monitor.DataCollectionRuleAssociation(
            child(self._name, "insights"),
            association_name="ContainerInsightsExtension",
            resource_uri=cluster.id,
            data_collection_rule_id=rule.id,
            opts=self._opts,
        )

    def _build_deployer_access(
        self, cluster: azure.containerservice.ManagedCluster
    ) -> list[azure.authorization.RoleAssignment]:
        """Kubernetes cluster-admin (Azure RBAC) for whoever deploys the Kubernetes layer, and
        read-only access for the preview identity."""
        args = self._args
        granted = [
            roles.assign(
                child(self._name, f"deployer-{index}"),
                roles.AKS_RBAC_CLUSTER_ADMIN,
                principal,
                principal_type,
                cluster.id,
                args.subscription_id,
                self._opts,
            )
            for index, (principal, principal_type) in enumerate(args.deployers)
        ]
        granted += [
            roles.assign(
                child(self._name, f"viewer-{index}"),
                roles.AKS_RBAC_READER,
                principal,
                principal_type,
                cluster.id,
                args.subscription_id,
                self._opts,
            )
            for index, (principal, principal_type) in enumerate(args.viewers)
        ]
        return granted

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
