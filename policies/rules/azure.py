"""Azure rules: PostgreSQL Flexible Server, AKS, Azure Managed Redis and Event Hubs
(property names as pulumi-azure-native's engine schema spells them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity

from .base import dig, equals, is_unknown, property_rule, truthy

POSTGRES = "azure-native:dbforpostgresql:Server"
AKS = "azure-native:containerservice:ManagedCluster"
# Azure Managed Redis: the cluster (SKU, HA, TLS, network) and its database (protocol, auth)
REDIS = "azure-native:redisenterprise:RedisEnterprise"
REDIS_DATABASE = "azure-native:redisenterprise:Database"
EVENT_HUBS = "azure-native:eventhub:Namespace"

Props = Mapping[str, Any]


def postgres_no_public_access(props: Props, config: Props) -> bool | None:
    return equals(props, "Disabled", "network", "publicNetworkAccess")


def postgres_ha(props: Props, config: Props) -> bool | None:
    return equals(props, "ZoneRedundant", "highAvailability", "mode")


def postgres_geo_backup(props: Props, config: Props) -> bool | None:
    return equals(props, "Enabled", "backup", "geoRedundantBackup")


def aks_private_or_authorized(props: Props, config: Props) -> bool | None:
    profile = dig(props, "apiServerAccessProfile", default={})
    if dig(profile, "enablePrivateCluster"):
        return True
    ranges = dig(profile, "authorizedIPRanges", default=[])
    return bool(ranges) and "0.0.0.0/0" not in ranges


def aks_network_policy(props: Props, config: Props) -> bool | None:
    return truthy(props, "networkProfile", "networkPolicy")


def aks_local_accounts_disabled(props: Props, config: Props) -> bool | None:
    return truthy(props, "disableLocalAccounts")


def aks_azure_rbac(props: Props, config: Props) -> bool | None:
    return truthy(props, "aadProfile", "enableAzureRBAC")


def redis_tls_only(props: Props, config: Props) -> bool | None:
    # clientProtocol defaults to Encrypted (the SDK's Database doc)
    return equals(props, "Encrypted", "clientProtocol", default="Encrypted")


def redis_min_tls(props: Props, config: Props) -> bool | None:
    return equals(props, "1.2", "minimumTlsVersion")


def redis_access_keys_disabled(props: Props, config: Props) -> bool | None:
    return equals(props, "Disabled", "accessKeysAuthentication")


def redis_no_public_access(props: Props, config: Props) -> bool | None:
    return equals(props, "Disabled", "publicNetworkAccess")


def redis_high_availability(props: Props, config: Props) -> bool | None:
    # highAvailability defaults to Enabled (the SDK's RedisEnterprise doc)
    return equals(props, "Enabled", "highAvailability", default="Enabled")


def redis_persistence(props: Props, config: Props) -> bool | None:
    aof, rdb = dig(props, "persistence", "aofEnabled"), dig(props, "persistence", "rdbEnabled")
    if is_unknown(aof) or is_unknown(rdb):
        return None
    return bool(aof) or bool(rdb)


def eventhubs_min_tls(props: Props, config: Props) -> bool | None:
    return equals(props, "1.2", "minimumTlsVersion")


def eventhubs_local_auth_disabled(props: Props, config: Props) -> bool | None:
    return truthy(props, "disableLocalAuth")


POLICIES = [
    property_rule(
        "azure-postgres-no-public-access", "A database reachable from the internet is one leaked password from a breach.",
        "Use a delegated subnet with a private DNS zone; network.public_network_access='Disabled'.", Severity.CRITICAL,
        [POSTGRES], postgres_no_public_access, "PostgreSQL Flexible Server allows public network access",
    ),
    property_rule(
        "azure-postgres-zone-redundant-ha", "A server without a standby in another zone goes down with its zone.",
        "Set high_availability.mode='ZoneRedundant'.", Severity.HIGH,
        [POSTGRES], postgres_ha, "PostgreSQL Flexible Server has no zone-redundant HA",
    ),
    property_rule(
        "azure-postgres-geo-redundant-backup", "Backups in one region are lost with the region.",
        "Set backup.geo_redundant_backup='Enabled'.", Severity.MEDIUM,
        [POSTGRES], postgres_geo_backup, "PostgreSQL backups are not geo-redundant",
    ),
    property_rule(
        "azure-aks-private-or-authorized", "An API server open to the internet invites attacks.",
        "Enable a private cluster or list api_server_access_profile.authorized_ip_ranges.", Severity.CRITICAL,
        [AKS], aks_private_or_authorized, "AKS API server is open to the internet",
    ),
    property_rule(
        "azure-aks-network-policy", "Without a network policy engine NetworkPolicies do nothing.",
        "Set network_profile.network_policy (cilium or calico).", Severity.HIGH,
        [AKS], aks_network_policy, "AKS has no network policy engine",
    ),
    property_rule(
        "azure-aks-local-accounts-disabled", "Local accounts bypass Entra ID and never expire.",
        "Set disable_local_accounts=True.", Severity.HIGH,
        [AKS], aks_local_accounts_disabled, "AKS local accounts are enabled",
    ),
    property_rule(
        "azure-aks-azure-rbac", "Azure RBAC ties cluster permissions to Entra ID identities and audit.",
        "Set aad_profile.enable_azure_rbac=True with managed Entra ID integration.", Severity.MEDIUM,
        [AKS], aks_azure_rbac, "AKS does not use Azure RBAC",
    ),
    property_rule(
        "azure-redis-tls-only", "A plaintext Redis protocol exposes data and credentials on the wire.",
        "Set client_protocol='Encrypted' on the database.", Severity.HIGH,
        [REDIS_DATABASE], redis_tls_only, "Azure Managed Redis database accepts plaintext clients",
    ),
    property_rule(
        "azure-redis-min-tls", "TLS 1.0 and 1.1 are broken.",
        "Set minimum_tls_version='1.2'.", Severity.HIGH,
        [REDIS], redis_min_tls, "Azure Managed Redis accepts TLS below 1.2",
    ),
    property_rule(
        "azure-redis-access-keys-disabled", "Access keys are long-lived shared secrets; Entra ID tokens are not.",
        "Set access_keys_authentication='Disabled' and give each client an access policy assignment.", Severity.HIGH,
        [REDIS_DATABASE], redis_access_keys_disabled, "Azure Managed Redis database accepts access keys",
    ),
    property_rule(
        "azure-redis-no-public-access", "A cache reachable from the internet is one leaked token from a breach.",
        "Set public_network_access='Disabled' and reach it through a private endpoint.", Severity.CRITICAL,
        [REDIS], redis_no_public_access, "Azure Managed Redis allows public network access",
    ),
    property_rule(
        "azure-redis-high-availability", "Without a replica a node's failure or maintenance loses the data and the service.",
        "Set high_availability='Enabled' (redis.replicasPerShard: 1).", Severity.HIGH,
        [REDIS], redis_high_availability, "Azure Managed Redis runs without high availability",
    ),
    property_rule(
        "azure-redis-persistence", "Losing every node of a cache without persistence loses its data.",
        "Enable RDB or AOF persistence on the database.", Severity.MEDIUM,
        [REDIS_DATABASE], redis_persistence, "Azure Managed Redis database does not persist its data",
    ),
    property_rule(
        "azure-eventhubs-min-tls", "TLS 1.0 and 1.1 are broken.",
        "Set minimum_tls_version='1.2'.", Severity.HIGH,
        [EVENT_HUBS], eventhubs_min_tls, "Event Hubs namespace accepts TLS below 1.2",
    ),
    property_rule(
        "azure-eventhubs-local-auth-disabled", "SAS keys are long-lived shared secrets; Entra ID tokens are not.",
        "Set disable_local_auth=True where clients can use Entra ID (Kafka clients need OAUTHBEARER).", Severity.MEDIUM,
        [EVENT_HUBS], eventhubs_local_auth_disabled, "Event Hubs namespace allows SAS (local) authentication",
    ),
]  # fmt: skip
