"""Writes the Azure resources of a plan as an ARM deployment template.

azure-native is generated from the ARM REST specs, so its inputs are ARM properties: the ARM
envelope keys (``location``, ``tags``, ``sku``...) stay at the top and the rest go under
``properties``; the URL path parameters (``resourceGroupName``, ``serverName``...) become the
ARM ``name`` (``parent/child`` for child resources). The api-version is the one the SDK calls,
read from the SDK's own class docstring. Secrets become ``securestring`` parameters and values
only known after deployment ``string`` parameters, which is how ARM templates carry both.

The resource group is the deployment's scope, so it is not a resource of the template.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from infra.export.outputs import outputs_of
from infra.export.sdk import SchemaError
from infra.plan.mocks import PlanMocks
from infra.plan.values import REDACTED, UNKNOWN_SHOWN

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SCOPE_TYPE = "azure-native:resources:ResourceGroup"
# ARM envelope keys: everything else an azure-native resource takes is under ``properties``.
_ENVELOPE = ("location", "tags", "sku", "identity", "kind", "zones", "extendedLocation", "plan")
# Sub-resources azure-native flattens ({name, ...props}) that ARM nests ({name, properties}).
_SUB_RESOURCES = ("securityRules", "privateLinkServiceConnections", "privateDnsZoneConfigs")
_API_VERSION = re.compile(r"Uses Azure REST API version (\S+?)\.?\s")


@dataclass(frozen=True)
class ArmType:
    """An ARM resource type, the path parameters naming its parents, and its own name's."""

    type: str
    name_key: str
    parent_keys: tuple[str, ...] = ()
    # A singleton child whose ARM name is fixed (no input names it), e.g. "default".
    fixed_name: str | None = None


ARM_TYPES: dict[str, ArmType] = {
    # Extension resources (role assignments, DCR associations) are scoped by their ``scope`` /
    # ``resourceUri`` input, which stays a property here: scanners read type and properties.
    "azure-native:authorization:RoleAssignment": ArmType(
        "Microsoft.Authorization/roleAssignments", "roleAssignmentName"
    ),
    "azure-native:containerregistry:Registry": ArmType(
        "Microsoft.ContainerRegistry/registries", "registryName"
    ),
    "azure-native:containerservice:MaintenanceConfiguration": ArmType(
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        "configName",
        ("resourceName",),
    ),
    "azure-native:containerservice:ManagedCluster": ArmType(
        "Microsoft.ContainerService/managedClusters", "resourceName"
    ),
    "azure-native:dbforpostgresql:Configuration": ArmType(
        "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
        "configurationName",
        ("serverName",),
    ),
    "azure-native:dbforpostgresql:Database": ArmType(
        "Microsoft.DBforPostgreSQL/flexibleServers/databases", "databaseName", ("serverName",)
    ),
    "azure-native:dbforpostgresql:Server": ArmType(
        "Microsoft.DBforPostgreSQL/flexibleServers", "serverName"
    ),
    "azure-native:eventhub:EventHub": ArmType(
        "Microsoft.EventHub/namespaces/eventhubs", "eventHubName", ("namespaceName",)
    ),
    "azure-native:eventhub:Namespace": ArmType("Microsoft.EventHub/namespaces", "namespaceName"),
    "azure-native:eventhub:NamespaceAuthorizationRule": ArmType(
        "Microsoft.EventHub/namespaces/authorizationRules",
        "authorizationRuleName",
        ("namespaceName",),
    ),
    "azure-native:eventhub:NamespaceNetworkRuleSet": ArmType(
        "Microsoft.EventHub/namespaces/networkRuleSets",
        "namespaceName",
        ("namespaceName",),
        fixed_name="default",
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        "federatedIdentityCredentialResourceName",
        ("resourceName",),
    ),
    "azure-native:managedidentity:UserAssignedIdentity": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"
    ),
    "azure-native:monitor:ActionGroup": ArmType(
        "Microsoft.Insights/actionGroups", "actionGroupName"
    ),
    "azure-native:monitor:MetricAlert": ArmType("Microsoft.Insights/metricAlerts", "ruleName"),
    "azure-native:monitor:DataCollectionRule": ArmType(
        "Microsoft.Insights/dataCollectionRules", "dataCollectionRuleName"
    ),
    "azure-native:monitor:DataCollectionRuleAssociation": ArmType(
        "Microsoft.Insights/dataCollectionRuleAssociations", "associationName"
    ),
    "azure-native:network:NatGateway": ArmType("Microsoft.Network/natGateways", "natGatewayName"),
    "azure-native:network:NetworkSecurityGroup": ArmType(
        "Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName"
    ),
    "azure-native:network:PrivateDnsZoneGroup": ArmType(
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "privateDnsZoneGroupName",
        ("privateEndpointName",),
    ),
    "azure-native:network:PrivateEndpoint": ArmType(
        "Microsoft.Network/privateEndpoints", "privateEndpointName"
    ),
    "azure-native:network:PublicIPAddress": ArmType(
        "Microsoft.Network/publicIPAddresses", "publicIpAddressName"
    ),
    "azure-native:network:Subnet": ArmType(
        "Microsoft.Network/virtualNetworks/subnets", "subnetName", ("virtualNetworkName",)
    ),
    "azure-native:network:VirtualNetwork": ArmType(
        "Microsoft.Network/virtualNetworks", "virtualNetworkName"
    ),
    "azure-native:operationalinsights:Workspace": ArmType(
        "Microsoft.OperationalInsights/workspaces", "workspaceName"
    ),
    "azure-native:privatedns:PrivateZone": ArmType(
        "Microsoft.Network/privateDnsZones", "privateZoneName"
    ),
    "azure-native:privatedns:VirtualNetworkLink": ArmType(
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "virtualNetworkLinkName",
        ("privateZoneName",),
    ),
    "azure-native:redisenterprise:RedisEnterprise": ArmType(
        "Microsoft.Cache/redisEnterprise", "clusterName"
    ),
    "azure-native:redisenterprise:Database": ArmType(
        "Microsoft.Cache/redisEnterprise/databases", "databaseName", ("clusterName",)
    ),
    "azure-native:redisenterprise:AccessPolicyAssignment": ArmType(
        "Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments",
        "accessPolicyAssignmentName",
        ("clusterName", "databaseName"),
    ),
    "azure-native:storage:StorageAccount": ArmType(
        "Microsoft.Storage/storageAccounts", "accountName"
    ),
    "azure-native:storage:BlobServiceProperties": ArmType(
        "Microsoft.Storage/storageAccounts/blobServices",
        "accountName",
        ("accountName",),
        fixed_name="default",
    ),
    "azure-native:storage:BlobContainer": ArmType(
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        "containerName",
        # ARM names it <account>/default/<container>; scanners read the type and properties
        ("accountName",),
    ),
    "azure-native:storage:ManagementPolicy": ArmType(
        "Microsoft.Storage/storageAccounts/managementPolicies",
        "accountName",
        ("accountName",),
        fixed_name="default",
    ),
}


def is_azure(resource: dict[str, Any]) -> bool:
    """Whether ``resource`` is an azure-native custom resource."""
    return resource["custom"] and resource["type"].startswith("azure-native:")


def arm_type(pulumi_type: str) -> ArmType:
    """The ARM type of an azure-native type token; raises for an unmapped one."""
    try:
        return ARM_TYPES[pulumi_type]
    except KeyError:
        raise SchemaError(f"{pulumi_type} has no ARM type in infra/export/arm.py") from None


@cache
def api_version(pulumi_type: str) -> str:
    """The REST api-version the installed azure-native SDK uses for ``pulumi_type``."""
    _, module, resource = pulumi_type.split(":")
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), resource)
    # The version is stated in the docstrings of the (overloaded) constructors.
    source = inspect.getsourcefile(cls)
    match = _API_VERSION.search(Path(source).read_text(encoding="utf-8")) if source else None
    if match is None:
        raise SchemaError(f"{pulumi_type}: the SDK does not say which api-version it uses")
    return match.group(1)


class ArmTemplate:
    """Builds the deployment template of one stack's Azure resources."""

    def __init__(self, resources: list[dict[str, Any]], mocks: PlanMocks) -> None:
        self._resources = [r for r in resources if is_azure(r) and r["type"] != SCOPE_TYPE]
        self._mocks = mocks
        self._names = {r["urn"]: self._arm_name(r) for r in self._resources}
        self._parameters: dict[str, Any] = {}

    @property
    def resource_count(self) -> int:
        return len(self._resources)

    def document(self) -> dict[str, Any]:
        """The template: parameters for secrets and computed values, then the resources."""
        resources = [self._resource(r) for r in self._resources]
        return {
            "$schema": SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": self._parameters,
            "resources": resources,
        }

    def _arm_name(self, resource: dict[str, Any]) -> str:
        spec = arm_type(resource["type"])
        inputs = resource["inputs"]
        own = (
            spec.fixed_name
            or inputs.get(spec.name_key)
            or outputs_of(resource, self._mocks).properties.get("name")
        )
        return "/".join([*(str(inputs[k]) for k in spec.parent_keys), str(own)])

    def _resource(self, resource: dict[str, Any]) -> dict[str, Any]:
        spec = arm_type(resource["type"])
        path_keys = {"resourceGroupName", spec.name_key, *spec.parent_keys}
        envelope: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for key, value in resource["inputs"].items():
            if key in path_keys:
                continue
            target = envelope if key in _ENVELOPE else properties
            target[key] = self._value(value, f"{resource['name']}.{key}")
        for key in _SUB_RESOURCES:
            if isinstance(properties.get(key), list):
                properties[key] = [_nest(item) for item in properties[key]]
        if isinstance(properties.get("subnet"), dict):
            properties["subnet"] = _nest(properties["subnet"])
        document: dict[str, Any] = {
            "type": spec.type,
            "apiVersion": api_version(resource["type"]),
            "name": self._names[resource["urn"]],
            **envelope,
        }
        if properties:
            document["properties"] = properties
        depends = [self._resource_id(urn) for urn in resource["dependencies"] if urn in self._names]
        if depends:
            document["dependsOn"] = sorted(depends)
        return document

    def _resource_id(self, urn: str) -> str:
        entry = next(r for r in self._resources if r["urn"] == urn)
        names = ", ".join(f"'{part}'" for part in self._names[urn].split("/"))
        return f"[resourceId('{arm_type(entry['type']).type}', {names})]"

    def _value(self, value: Any, path: str) -> Any:
        if value in (REDACTED, UNKNOWN_SHOWN):
            name = re.sub(r"[^A-Za-z0-9]", "_", path)
            kind = "securestring" if value == REDACTED else "string"
            about = "secret" if value == REDACTED else "known only after deployment"
            self._parameters[name] = {"type": kind, "metadata": {"description": about}}
            return f"[parameters('{name}')]"
        if isinstance(value, dict):
            return {k: self._value(v, f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v, f"{path}.{i}") for i, v in enumerate(value)]
        return value


def _nest(item: Any) -> Any:
    """``{name, id, ...props}`` as ARM writes a sub-resource: ``{name, id, properties}``."""
    if not isinstance(item, dict):
        return item
    outer = {k: item[k] for k in ("name", "id") if k in item}
    inner = {k: v for k, v in item.items() if k not in outer}
    return {**outer, "properties": inner} if inner else outer
