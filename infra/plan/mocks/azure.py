"""Mocked outputs and invokes of pulumi-azure-native: ARM ids, FQDNs, keys."""

from __future__ import annotations

import base64
import json
from typing import Any

from infra.plan.mocks.common import MockContext, OutputFn, digest
from policies.rules.facts.azure_names import NAME_RULES

#: the provider package these mocks answer for (its resource types start with it)
PACKAGE = "azure-native"

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-1111-1111-1111-111111111111"

# The property that names the resource, by type (ARM names are often user-chosen).
_NAME_KEYS = ("resourceGroupName", "serverName", "namespaceName", "eventHubName", "name",
              "privateZoneName", "virtualNetworkName", "subnetName", "networkSecurityGroupName",
              "natGatewayName", "publicIpAddressName", "privateEndpointName", "workspaceName",
              "resourceName", "accountName", "databaseName", "configurationName",
              "authorizationRuleName", "configName", "virtualNetworkLinkName",
              "privateDnsZoneGroupName")  # fmt: skip
_OWN_NAME = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:dbforpostgresql:Server": "serverName",
    "azure-native:eventhub:Namespace": "namespaceName",
    "azure-native:eventhub:EventHub": "eventHubName",
    "azure-native:privatedns:PrivateZone": "privateZoneName",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:eventhub:NamespaceAuthorizationRule": "authorizationRuleName",
    "azure-native:dbforpostgresql:Database": "databaseName",
    "azure-native:dbforpostgresql:Configuration": "configurationName",
    # every type in the naming table: its name property
    **{type_: rule.key for type_, rule in NAME_RULES.items()},
}
# The AKS AAD server application id every exec kubeconfig names (a fixed, public id).
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"


def _uuid(*parts: str) -> str:
    h = digest(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _name(args: Any) -> str:
    key = _OWN_NAME.get(args.typ)
    given = args.inputs.get(key) if key else None
    if given:
        return str(given)
    # ARM names: alphanumerics and dashes; storage accounts want 3-24 lowercase alphanumerics
    if args.typ == "azure-native:storage:StorageAccount":
        return ("st" + digest(args.name, length=22))[:24]
    return f"{args.name}{digest(args.name, length=8)}"


def fallback(args: Any, context: MockContext) -> dict[str, Any]:
    """Every Azure resource: its name and an ARM id in its resource group."""
    name = _name(args)
    group = args.inputs.get("resourceGroupName", name)
    provider = args.typ.split(":")[1]
    kind = args.typ.split(":")[-1]
    resource_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.{provider}/{kind}/{name}"
    outputs: dict[str, Any] = {"id": resource_id, "name": name, "azureApiVersion": "mock"}
    own_key = _OWN_NAME.get(args.typ)
    if own_key:
        outputs[own_key] = name
    return outputs


def _aks(args: Any, context: MockContext) -> dict[str, Any]:
    name = _name(args)
    identity = dict(args.inputs.get("identity") or {})
    # the input lists identity ids; ARM answers with a map keyed by id
    identity["userAssignedIdentities"] = {
        str(i): {"principalId": _uuid(str(i)), "clientId": _uuid(str(i), "client")}
        for i in identity.get("userAssignedIdentities") or []
    }
    # AKS creates the kubelet's identity, <cluster>-agentpool, in the node resource group
    # MC_<group>_<cluster>_<region>, and answers with it under identityProfile.kubeletidentity
    group = args.inputs.get("resourceGroupName", "group")
    kubelet = (
        f"/subscriptions/{SUBSCRIPTION}/resourcegroups/MC_{group}_{name}_{context.region}/"
        f"providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool"
    )
    return {
        "identity": identity,
        "identityProfile": {
            "kubeletidentity": {
                "resourceId": kubelet,
                "objectId": _uuid(kubelet),
                "clientId": _uuid(kubelet, "client"),
            }
        },
        "fqdn": f"{name}-{digest(name, length=8)}.hcp.{context.region}.azmk8s.io",
        "oidcIssuerProfile": {
            "enabled": True,
            "issuerUrl": f"https://{context.region}.oic.prod-aks.azure.com/{TENANT}/{_uuid(name)}/",
        },
    }


def _identity(args: Any, context: MockContext) -> dict[str, Any]:
    return {
        "clientId": _uuid(context.stack, args.name, "client"),
        "principalId": _uuid(context.stack, args.name),
    }


def _postgres(args: Any, context: MockContext) -> dict[str, Any]:
    return {"fullyQualifiedDomainName": f"{_name(args)}.postgres.database.azure.com"}


def _namespace(args: Any, context: MockContext) -> dict[str, Any]:
    return {"serviceBusEndpoint": f"https://{_name(args)}.servicebus.windows.net:443/"}


def _registry(args: Any, context: MockContext) -> dict[str, Any]:
    # the login server is the registry's name, lowercased, under azurecr.io
    return {"loginServer": f"{_name(args).lower()}.azurecr.io"}


def _redis(args: Any, context: MockContext) -> dict[str, Any]:
    # Azure Managed Redis: <name>.<region>.redis.azure.net (docs/azure.md)
    name, group = _name(args), args.inputs.get("resourceGroupName", "group")
    return {
        "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/"
        f"Microsoft.Cache/redisEnterprise/{name}",
        "hostName": f"{name}.{context.region}.redis.azure.net",
        "redundancyMode": "ZR" if args.inputs.get("highAvailability") != "Disabled" else "None",
    }


def _redis_database(args: Any, context: MockContext) -> dict[str, Any]:
    # the port is chosen at creation (10000 for Azure Managed Redis)
    return {"port": args.inputs.get("port", 10000)}


def _credentials(args: Any, context: MockContext) -> dict[str, Any]:
    name = args.args.get("resourceName", "cluster")
    kubeconfig = {
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": {"server": f"https://{name}.hcp.{context.region}.azmk8s.io:443"}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "clusterUser"}}],
        "users": [{"name": "clusterUser", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "kubelogin",
            # what listClusterUserCredential(format=exec) returns: device-code login
            "args": ["get-token", "--environment", "AzurePublicCloud", "--server-id", AKS_SERVER_ID,
                     "--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a", "--tenant-id", TENANT,
                     "--login", "devicecode"]}}}],
    }  # fmt: skip
    value = base64.b64encode(json.dumps(kubeconfig).encode()).decode()
    return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}


def _namespace_keys(args: Any, context: MockContext) -> dict[str, Any]:
    namespace = args.args.get("namespaceName", "ns")
    key = digest(context.stack, namespace, "sas", length=44)
    return {
        "primaryConnectionString": f"Endpoint=sb://{namespace}.servicebus.windows.net/;"
        f"SharedAccessKeyName={args.args.get('authorizationRuleName')};SharedAccessKey={key}",
        "primaryKey": key,
        "keyName": args.args.get("authorizationRuleName", "app"),
    }


def _storage_keys(args: Any, context: MockContext) -> dict[str, Any]:
    return {"keys": [{"keyName": "key1", "permissions": "FULL",
                      "value": digest(context.stack, str(args.args.get("accountName")), length=64)}]}  # fmt: skip


def _public_ip(args: Any, context: MockContext) -> dict[str, Any]:
    # TEST-NET-2, one address per resource
    return {
        "ipAddress": f"198.51.100.{int(digest(context.stack, args.name, length=2), 16) % 254 + 1}"
    }


def _client_config(args: Any, context: MockContext) -> dict[str, Any]:
    return {"subscriptionId": SUBSCRIPTION, "tenantId": TENANT,
            "objectId": _uuid(context.stack, "deployer"), "clientId": _uuid("cli")}  # fmt: skip


def _configuration(args: Any, context: MockContext) -> dict[str, Any]:
    # the steady state after the one-time restart (docs/azure.md)
    return {"name": args.args.get("configurationName"), "isConfigPendingRestart": False,
            "value": "", "source": "user-override"}  # fmt: skip


RESOURCES: dict[str, OutputFn] = {
    "azure-native:network:PublicIPAddress": _public_ip,
    "azure-native:containerservice:ManagedCluster": _aks,
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:dbforpostgresql:Server": _postgres,
    "azure-native:eventhub:Namespace": _namespace,
    "azure-native:redisenterprise:RedisEnterprise": _redis,
    "azure-native:redisenterprise:Database": _redis_database,
    "azure-native:containerregistry:Registry": _registry,
}

INVOKES: dict[str, OutputFn] = {
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:dbforpostgresql:getConfiguration": _configuration,
    "azure-native:containerservice:listManagedClusterUserCredentials": _credentials,
    "azure-native:eventhub:listNamespaceKeys": _namespace_keys,
    "azure-native:storage:listStorageAccountKeys": _storage_keys,
}
