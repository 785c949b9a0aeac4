"""Fields the cloud changes after create, and the setting that lets it.

A resource that sets one of these fields while the setting is on fights the cloud on the next
``pulumi up``: the cloud has grown the disk, upgraded the version or scaled the pool, and the
program's value asks to shrink or downgrade it back (refused, or worse, applied). Such a field
must be in the resource's ``ignore_changes`` (``deploy-cloud-managed-fields`` checks it).

Paths are the engine's (camelCase input paths, ``[*]`` for every element of an array), as
``ignore_changes`` takes them. ``setting`` is the path of the input that hands the field to the
cloud and ``enabled`` the values that turn it on; ``setting=None`` means the cloud always owns
the field once it is set (its enabling setting lives on another resource the program always
declares with it). Each row names its source.

Decided against a row: EKS ``version`` under ``upgradePolicy.supportType = STANDARD``. EKS
upgrades a control plane past the end of standard support, but ``deploy-aws-engine-version``
already refuses such a version before that date is reached, so the configured version is moved
first and ignoring ``version`` would only make planned upgrades silent no-ops.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CloudManagedField:
    """One field a cloud service changes by itself once ``setting`` is on."""

    type: str
    field: str
    setting: str | None
    enabled: tuple[object, ...]
    source: str
    #: what the cloud does to the field
    why: str


CLOUD_MANAGED_FIELDS: tuple[CloudManagedField, ...] = (
    CloudManagedField(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "settings.diskSize",
        "settings.diskAutoresize",
        (True,),
        'pulumi-gcp sql.DatabaseInstanceSettingsArgs.disk_size: "Note that this value will '
        "override the resizing from disk_autoresize if that feature is enabled. To avoid this, "
        'set lifecycle.ignore_changes on this field."',
        "Cloud SQL grows the disk under automatic storage increase",
    ),
    CloudManagedField(
        "azure-native:dbforpostgresql:Server",
        "storage.storageSizeGB",
        "storage.autoGrow",
        ("Enabled",),
        "https://learn.microsoft.com/azure/postgresql/flexible-server/how-to-auto-grow-storage",
        "Flexible Server grows storage under storage auto-grow (and never shrinks it)",
    ),
    CloudManagedField(
        "azure-native:containerservice:ManagedCluster",
        "kubernetesVersion",
        "autoUpgradeProfile.upgradeChannel",
        ("patch", "stable", "rapid", "node-image"),
        "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster (an auto-upgrade channel "
        "upgrades the control plane; AKS refuses a downgrade)",
        "AKS moves the control plane along the auto-upgrade channel",
    ),
    CloudManagedField(
        "azure-native:containerservice:ManagedCluster",
        "agentPoolProfiles[*].count",
        "agentPoolProfiles[*].enableAutoScaling",
        (True,),
        "https://learn.microsoft.com/azure/aks/cluster-autoscaler",
        "the cluster autoscaler sets each pool's node count",
    ),
    CloudManagedField(
        "azure-native:containerservice:ManagedCluster",
        "agentPoolProfiles[*].orchestratorVersion",
        "autoUpgradeProfile.upgradeChannel",
        ("patch", "stable", "rapid", "node-image"),
        "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster",
        "AKS upgrades node pools with the control plane",
    ),
    CloudManagedField(
        "azure-native:eventhub:Namespace",
        "sku.capacity",
        "isAutoInflateEnabled",
        (True,),
        "https://learn.microsoft.com/azure/event-hubs/event-hubs-auto-inflate",
        "auto-inflate raises the throughput units up to maximumThroughputUnits",
    ),
    CloudManagedField(
        "aws:rds/instance:Instance",
        "allocatedStorage",
        "maxAllocatedStorage",
        (),
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html "
        "(pulumi-aws rds.Instance max_allocated_storage: storage autoscaling)",
        "RDS storage autoscaling grows allocated storage up to maxAllocatedStorage",
    ),
    CloudManagedField(
        "aws:msk/cluster:Cluster",
        "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize",
        None,
        (),
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-autoexpand.html (the "
        "program always pairs the cluster with an aws:appautoscaling Target on broker storage)",
        "MSK storage auto-expansion grows each broker's volume",
    ),
    CloudManagedField(
        "aws:eks/nodeGroup:NodeGroup",
        "scalingConfig.desiredSize",
        None,
        (),
        "https://docs.aws.amazon.com/eks/latest/userguide/autoscaling.html (the cluster "
        "autoscaler changes the Auto Scaling group's desired size)",
        "the cluster autoscaler sets the desired size between min and max",
    ),
    CloudManagedField(
        "gcp:container/nodePool:NodePool",
        "initialNodeCount",
        "autoscaling",
        (),
        'pulumi-gcp container.NodePool initial_node_count: "Resizing your node pool manually '
        "may change this value ... you can use a lifecycle block to ignore subsequent changes "
        'to this field."',
        "the GKE autoscaler owns the pool size after creation",
    ),
    CloudManagedField(
        "gcp:container/nodePool:NodePool",
        "nodeCount",
        "autoscaling",
        (),
        "pulumi-gcp container.NodePool ignore_node_count_changes: external changes to the node "
        "count come from GKE autoscaling",
        "the GKE autoscaler owns the pool size",
    ),
)
