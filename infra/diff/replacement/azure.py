"""Azure: azure-native inputs that cannot change on an existing resource.

azure-native replaces a resource when an input that is part of its ARM resource id changes
(resource group, the resource's own name parameters) or its ``location``, and when a property
the ARM specification marks ``x-ms-mutability: [create, read]`` changes (the property's
"create-only" note in the Pulumi registry docs, www.pulumi.com/registry/packages/azure-native/).
Each entry is tested (tests/test_diff_replacements.py).
"""

from __future__ import annotations

# type -> (resource id parameters, create-only properties)
_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "azure-native:resources:ResourceGroup": (("resourceGroupName",), ("location",)),
    "azure-native:network:VirtualNetwork": (("resourceGroupName", "virtualNetworkName"), ("location",)),
    "azure-native:network:Subnet": (("resourceGroupName", "virtualNetworkName", "subnetName"), ()),
    "azure-native:network:NatGateway": (("resourceGroupName", "natGatewayName"), ("location", "zones")),
    "azure-native:network:NetworkSecurityGroup": (
        ("resourceGroupName", "networkSecurityGroupName"), ("location",),
    ),
    "azure-native:network:PublicIPAddress": (
        ("resourceGroupName", "publicIpAddressName"),
        ("location", "zones", "sku", "publicIPAddressVersion"),
    ),
    # a private endpoint cannot move to another subnet
    "azure-native:network:PrivateEndpoint": (
        ("resourceGroupName", "privateEndpointName"), ("location", "subnet"),
    ),
    "azure-native:network:PrivateDnsZoneGroup": (
        ("resourceGroupName", "privateEndpointName", "privateDnsZoneGroupName"), (),
    ),
    "azure-native:privatedns:PrivateZone": (("resourceGroupName", "privateZoneName"), ("location",)),
    "azure-native:privatedns:VirtualNetworkLink": (
        ("resourceGroupName", "privateZoneName", "virtualNetworkLinkName"), ("virtualNetwork",),
    ),
    # The AKS API does not update the inline agent pool (the SDK's doc on agentPoolProfiles);
    # the network profile's service CIDR and DNS IP are fixed at creation
    "azure-native:containerservice:ManagedCluster": (
        ("resourceGroupName", "resourceName"),
        (
            "location", "dnsPrefix", "agentPoolProfiles[*].vmSize",
            "agentPoolProfiles[*].osDiskSizeGB", "agentPoolProfiles[*].vnetSubnetID",
            "networkProfile.serviceCidr", "networkProfile.dnsServiceIP",
        ),
    ),
    "azure-native:containerservice:MaintenanceConfiguration": (
        ("resourceGroupName", "resourceName", "configName"), (),
    ),
    # administratorLogin and the delegated subnet / private DNS zone are set at creation only
    "azure-native:dbforpostgresql:Server": (
        ("resourceGroupName", "serverName"),
        (
            "location", "administratorLogin", "createMode", "network.delegatedSubnetResourceId",
            "network.privateDnsZoneArmResourceId",
        ),
    ),
    "azure-native:dbforpostgresql:Configuration": (
        ("resourceGroupName", "serverName", "configurationName"), (),
    ),
    "azure-native:dbforpostgresql:Database": (
        ("resourceGroupName", "serverName", "databaseName"), ("charset", "collation"),
    ),
    "azure-native:containerregistry:Registry": (
        ("resourceGroupName", "registryName"), ("location",),
    ),
    "azure-native:eventhub:Namespace": (("resourceGroupName", "namespaceName"), ("location",)),
    "azure-native:eventhub:EventHub": (("resourceGroupName", "namespaceName", "eventHubName"), ()),
    "azure-native:eventhub:NamespaceAuthorizationRule": (
        ("resourceGroupName", "namespaceName", "authorizationRuleName"), (),
    ),
    "azure-native:managedidentity:UserAssignedIdentity": (
        ("resourceGroupName", "resourceName"), ("location",),
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": (
        ("resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"), (),
    ),
    "azure-native:operationalinsights:Workspace": (
        ("resourceGroupName", "workspaceName"), ("location",),
    ),
    # Azure Managed Redis: the cluster's zones and encryption are fixed at creation, and HA
    # cannot be turned off once on (https://learn.microsoft.com/azure/redis/architecture,
    # "Running without high availability mode enabled"; a change back replaces the cluster);
    # the database's port ("Specified at create time"), clustering policy ("cannot be updated
    # without deleting the database" unless NoCluster) and modules ("can only be added at
    # creation time") are create-only (the SDK's Database docs)
    "azure-native:redisenterprise:RedisEnterprise": (
        ("resourceGroupName", "clusterName"),
        ("location", "zones", "encryption", "highAvailability"),
    ),
    "azure-native:redisenterprise:Database": (
        ("resourceGroupName", "clusterName", "databaseName"),
        ("port", "clusteringPolicy", "modules"),
    ),
    "azure-native:redisenterprise:AccessPolicyAssignment": (
        ("resourceGroupName", "clusterName", "databaseName", "accessPolicyAssignmentName"), (),
    ),
    "azure-native:storage:StorageAccount": (("resourceGroupName", "accountName"), ("location",)),
    "azure-native:storage:BlobContainer": (("resourceGroupName", "accountName", "containerName"), ()),
}  # fmt: skip

FORCE_NEW: dict[str, tuple[str, ...]] = {t: ids + props for t, (ids, props) in _TABLE.items()}


def force_new(pulumi_type: str) -> tuple[str, ...]:
    """azure-native inputs of ``pulumi_type`` whose change replaces the resource."""
    return FORCE_NEW.get(pulumi_type, ())
