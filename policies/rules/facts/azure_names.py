"""Azure's naming rules, as one table, and the derivations that always satisfy them.

Every entry cites https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
(the section of the resource provider named in the entry). The deployability rules in
``policies/rules/deployability/azure.py`` check every name the program produces against this
table; the components derive names with ``fit`` and ``global_name`` / ``storage_account_name`` /
``registry_name`` so that any valid stack name (up to 40 characters) yields valid names.

Names of globally unique resources (they become DNS names: storage accounts, PostgreSQL servers,
Event Hubs namespaces, Managed Redis clusters) carry a short hash of a *seed* (subscription id + stack): stable
across runs of the same stack, different between stacks and subscriptions. This module is pure
(no Pulumi import) so the policy pack can import it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DOC = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
# azure-native appends 8 hex digits to the logical name of an auto-named top-level resource
# (pulumi/pulumi-azure-native#519); child resources copy the logical name unchanged.
AUTONAME_SUFFIX = 8
HASH_LENGTH = 8


@dataclass(frozen=True)
class NameRule:
    """One resource type's name constraint, as the resource provider enforces it."""

    key: str  # the input property that holds the name
    minimum: int
    maximum: int
    pattern: str  # full-match regex (case-insensitive unless the doc says lowercase)
    scope: str  # uniqueness scope
    section: str  # section of the doc page
    top_level: bool = True  # auto-named with a random suffix (child resources are not)
    no_double_hyphen: bool = False

    def problems(self, name: str) -> list[str]:
        """Why ``name`` is not accepted (empty when it is)."""
        found = []
        if not self.minimum <= len(name) <= self.maximum:
            found.append(f"{len(name)} characters; allowed {self.minimum}-{self.maximum}")
        if not re.fullmatch(self.pattern, name):
            found.append(f"does not match {self.pattern}")
        if self.no_double_hyphen and "--" in name:
            found.append("has consecutive hyphens")
        return found


_ALNUM_DASH = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_NETWORK = r"[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?"
NAME_RULES: dict[str, NameRule] = {
    "azure-native:resources:ResourceGroup": NameRule(
        "resourceGroupName", 1, 90, r"[\w().-]*[\w()-]", "subscription", "Microsoft.Resources"
    ),
    "azure-native:network:VirtualNetwork": NameRule(
        "virtualNetworkName", 2, 64, _NETWORK, "resource group", "Microsoft.Network"
    ),
    "azure-native:network:Subnet": NameRule(
        "subnetName", 1, 80, _NETWORK, "virtual network", "Microsoft.Network", top_level=False
    ),
    "azure-native:network:NetworkSecurityGroup": NameRule(
        "networkSecurityGroupName", 1, 80, _NETWORK, "resource group", "Microsoft.Network"
    ),
    "azure-native:network:PublicIPAddress": NameRule(
        "publicIpAddressName", 1, 80, _NETWORK, "resource group", "Microsoft.Network"
    ),
    "azure-native:network:NatGateway": NameRule(
        "natGatewayName", 1, 80, _NETWORK, "resource group", "Microsoft.Network"
    ),
    "azure-native:network:PrivateEndpoint": NameRule(
        "privateEndpointName", 2, 64, _NETWORK, "resource group", "Microsoft.Network"
    ),
    "azure-native:network:PrivateDnsZoneGroup": NameRule(
        "privateDnsZoneGroupName", 1, 80, _NETWORK, "private endpoint", "Microsoft.Network",
        top_level=False,
    ),
    "azure-native:privatedns:VirtualNetworkLink": NameRule(
        "virtualNetworkLinkName", 1, 80, _NETWORK, "private DNS zone", "Microsoft.Network",
        top_level=False,
    ),
    "azure-native:operationalinsights:Workspace": NameRule(
        "workspaceName", 4, 63, _ALNUM_DASH, "resource group", "Microsoft.OperationalInsights"
    ),
    "azure-native:containerservice:ManagedCluster": NameRule(
        "resourceName", 1, 63, r"[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?", "resource group",
        "Microsoft.ContainerService",
    ),
    "azure-native:dbforpostgresql:Server": NameRule(
        "serverName", 3, 63, r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", "global",
        "Microsoft.DBforPostgreSQL",
    ),
    "azure-native:dbforpostgresql:Database": NameRule(
        "databaseName", 1, 63, r"[A-Za-z_][A-Za-z0-9_]*", "server", "Microsoft.DBforPostgreSQL",
        top_level=False,
    ),
    "azure-native:eventhub:Namespace": NameRule(
        "namespaceName", 6, 50, r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]", "global",
        "Microsoft.EventHub",
    ),
    "azure-native:eventhub:EventHub": NameRule(
        "eventHubName", 1, 256, r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", "namespace",
        "Microsoft.EventHub", top_level=False,
    ),
    "azure-native:eventhub:NamespaceAuthorizationRule": NameRule(
        "authorizationRuleName", 1, 256, r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?",
        "namespace", "Microsoft.EventHub", top_level=False,
    ),
    # Azure Managed Redis (Microsoft.Cache/redisEnterprise): 1-60 letters, digits and hyphens,
    # no leading, trailing or consecutive hyphens (the REST API's clusterName parameter, as the
    # SDK documents it); the name is part of <name>.<region>.redis.azure.net.
    "azure-native:redisenterprise:RedisEnterprise": NameRule(
        "clusterName", 1, 60, _ALNUM_DASH, "global", "Microsoft.Cache", no_double_hyphen=True
    ),
    # its one database is named "default"; an access policy assignment's name is kept to
    # letters and digits (the REST API's examples), at most 60 like the cluster's
    "azure-native:redisenterprise:Database": NameRule(
        "databaseName", 1, 60, _ALNUM_DASH, "cluster", "Microsoft.Cache", top_level=False,
        no_double_hyphen=True,
    ),
    "azure-native:redisenterprise:AccessPolicyAssignment": NameRule(
        "accessPolicyAssignmentName", 1, 60, r"[A-Za-z0-9]+", "database", "Microsoft.Cache",
        top_level=False,
    ),
    "azure-native:storage:StorageAccount": NameRule(
        "accountName", 3, 24, r"[a-z0-9]+", "global", "Microsoft.Storage"
    ),
    # container registries: 5-50 alphanumerics, globally unique (the name is the login server
    # <name>.azurecr.io; ARM compares names case-insensitively, the login server is lowercase)
    "azure-native:containerregistry:Registry": NameRule(
        "registryName", 5, 50, r"[A-Za-z0-9]+", "global", "Microsoft.ContainerRegistry"
    ),
    "azure-native:keyvault:Vault": NameRule(
        "vaultName", 3, 24, r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]", "global", "Microsoft.KeyVault",
        no_double_hyphen=True,
    ),
    "azure-native:managedidentity:UserAssignedIdentity": NameRule(
        "resourceName", 3, 128, r"[A-Za-z0-9][A-Za-z0-9_-]*", "resource group",
        "Microsoft.ManagedIdentity",
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": NameRule(
        "federatedIdentityCredentialResourceName", 3, 120, r"[A-Za-z0-9][A-Za-z0-9_-]*",
        "user-assigned identity", "Microsoft.ManagedIdentity", top_level=False,
    ),
    "azure-native:monitor:DataCollectionRule": NameRule(
        "dataCollectionRuleName", 3, 44, r"[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?",
        "resource group", "Microsoft.Insights",
    ),
    # Microsoft.Insights actionGroups / metricAlerts: 1-260, none of :<>+/&%\? (action groups)
    # or *#&+:<>?@%{}\/ (metric alerts), no control characters, not ending in space or period.
    "azure-native:monitor:ActionGroup": NameRule(
        "actionGroupName", 1, 260, r"[^:<>+/&%\\?\x00-\x1f]*[^:<>+/&%\\?\x00-\x1f .]",
        "resource group", "Microsoft.Insights",
    ),
    "azure-native:monitor:MetricAlert": NameRule(
        "ruleName", 1, 260, r"[^*#&+:<>?@%{}\\/\x00-\x1f]*[^*#&+:<>?@%{}\\/\x00-\x1f .]",
        "resource group", "Microsoft.Insights",
    ),
    "azure-native:authorization:RoleAssignment": NameRule(
        "roleAssignmentName", 36, 36, r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "scope",
        "Microsoft.Authorization",
    ),
}  # fmt: skip
"""Name rules by Pulumi type token (see ``DOC``, section ``NameRule.section``)."""

# An action group's short name (the SMS/email sender) is at most 12 characters
# (https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups, "Short name").
SHORT_NAME_LIMIT = 12

# Role assignments are auto-named with a GUID by azure-native, not with a suffix.
GUID_NAMED = frozenset({"azure-native:authorization:RoleAssignment"})


def digest(*parts: str, length: int = HASH_LENGTH) -> str:
    """A stable lowercase hex hash of ``parts``."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]


def fit(type_: str, base: str, *, reserve: int = 0) -> str:
    """``base`` if it fits ``type_``'s length (minus ``reserve``), else shortened + a hash of it.

    ``reserve`` keeps room for azure-native's auto-name suffix when the result is used as a
    logical name of an auto-named resource.
    """
    rule = NAME_RULES[type_]
    limit = rule.maximum - reserve
    if len(base) <= limit:
        return base
    head = base[: limit - HASH_LENGTH - 1].rstrip("-_.")
    return f"{head}-{digest(base)}"


def global_name(type_: str, base: str, seed: str) -> str:
    """A globally unique name: ``base`` (shortened to fit) + ``-`` + a hash of ``seed``."""
    rule = NAME_RULES[type_]
    head = re.sub(r"-+", "-", base.lower())[: rule.maximum - HASH_LENGTH - 1].strip("-")
    return f"{head}-{digest(seed, base)}"


def _alphanumeric_name(prefix: str, maximum: int, base: str, seed: str) -> str:
    """``prefix`` + the lowercase alphanumerics of ``base`` + a hash of ``seed``, at most
    ``maximum`` characters: a globally unique name for a type that admits no hyphen."""
    head = re.sub(r"[^a-z0-9]", "", base.lower())[: maximum - HASH_LENGTH - len(prefix)]
    return f"{prefix}{head}{digest(seed, base)}"


def storage_account_name(base: str, seed: str) -> str:
    """3-24 lowercase letters and digits: the alphanumerics of ``base`` + a hash of ``seed``."""
    return _alphanumeric_name("st", 24, base, seed)


def registry_name(base: str, seed: str) -> str:
    """5-50 lowercase letters and digits (a container registry's name, its login server's
    host): ``cr`` + the alphanumerics of ``base`` + a hash of ``seed``."""
    return _alphanumeric_name("cr", 50, base, seed)
