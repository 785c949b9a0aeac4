"""GCP rules: Cloud SQL, GKE, Memorystore and subnet flow logs (property names as the
pulumi-gcp provider's engine schema spells them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity

from .base import dig, equals, is_unknown, property_rule, truthy

CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
GKE = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
REDIS_INSTANCE = "gcp:redis/instance:Instance"
REDIS_CLUSTER = "gcp:redis/cluster:Cluster"
SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
ARTIFACT_REPOSITORY = "gcp:artifactregistry/repository:Repository"

Props = Mapping[str, Any]


def cloudsql_no_public_ip(props: Props, config: Props) -> bool | None:
    # the provider's default is a public IPv4 address
    return equals(props, False, "settings", "ipConfiguration", "ipv4Enabled", default=True)


def cloudsql_ssl_enforced(props: Props, config: Props) -> bool | None:
    mode = dig(props, "settings", "ipConfiguration", "sslMode")
    if is_unknown(mode):
        return None
    return mode in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")


def _read_replica(props: Props) -> bool:
    """A read replica (``masterInstanceName`` set): Cloud SQL refuses backups/PITR on one, and
    it is the cross-region DR copy, not the serving instance (its primary is checked)."""
    return dig(props, "masterInstanceName") is not None


def cloudsql_backups_pitr(props: Props, config: Props) -> bool | None:
    if _read_replica(props):
        return None
    backup = dig(props, "settings", "backupConfiguration", default={})
    return bool(dig(backup, "enabled")) and bool(dig(backup, "pointInTimeRecoveryEnabled"))


def cloudsql_ha(props: Props, config: Props) -> bool | None:
    if _read_replica(props):
        return None
    return equals(props, "REGIONAL", "settings", "availabilityType")


def cloudsql_deletion_protection(props: Props, config: Props) -> bool | None:
    pulumi_side = dig(props, "deletionProtection", default=True)
    api_side = dig(props, "settings", "deletionProtectionEnabled", default=False)
    return bool(pulumi_side) and bool(api_side)


def gke_private_nodes(props: Props, config: Props) -> bool | None:
    return truthy(props, "privateClusterConfig", "enablePrivateNodes")


def gke_restricted_endpoint(props: Props, config: Props) -> bool | None:
    if dig(props, "privateClusterConfig", "enablePrivateEndpoint"):
        return True
    blocks = dig(props, "masterAuthorizedNetworksConfig", "cidrBlocks", default=[])
    if is_unknown(blocks):
        return None
    cidrs = [dig(b, "cidrBlock") for b in blocks]
    return bool(cidrs) and "0.0.0.0/0" not in cidrs


def gke_workload_identity(props: Props, config: Props) -> bool | None:
    return truthy(props, "workloadIdentityConfig", "workloadPool")


def gke_network_policy(props: Props, config: Props) -> bool | None:
    return dig(props, "datapathProvider") == "ADVANCED_DATAPATH" or bool(
        dig(props, "networkPolicy", "enabled")
    )


def gke_shielded_nodes(props: Props, config: Props) -> bool | None:
    return equals(props, True, "enableShieldedNodes", default=True)


def gke_release_channel(props: Props, config: Props) -> bool | None:
    channel = dig(props, "releaseChannel", "channel")
    return None if is_unknown(channel) else channel in ("RAPID", "REGULAR", "STABLE", "EXTENDED")


def gke_no_default_service_account(props: Props, config: Props) -> bool | None:
    if dig(props, "removeDefaultNodePool"):
        return True  # a cluster whose default pool is removed runs no nodes of its own
    account = dig(props, "nodeConfig", "serviceAccount")
    if is_unknown(account):
        return None
    return (
        bool(account)
        and account != "default"
        and not str(account).endswith("-compute@developer.gserviceaccount.com")
    )


def gke_secrets_encryption(props: Props, config: Props) -> bool | None:
    return equals(props, "ENCRYPTED", "databaseEncryption", "state")


def memorystore_auth_and_tls(props: Props, config: Props) -> bool | None:
    if "authorizationMode" in props or "shardCount" in props:  # Redis Cluster
        return (
            dig(props, "authorizationMode") == "AUTH_MODE_IAM_AUTH"
            and dig(props, "transitEncryptionMode")
            == "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"
        )
    return (
        bool(dig(props, "authEnabled"))
        and dig(props, "transitEncryptionMode") == "SERVER_AUTHENTICATION"
    )


def subnet_flow_logs(props: Props, config: Props) -> bool | None:
    return bool(dig(props, "logConfig"))


def artifact_registry_immutable_tags(props: Props, config: Props) -> bool | None:
    # only Docker repositories have tags (dockerConfig.immutableTags, default false)
    if equals(props, "DOCKER", "format") is not True:
        return None if is_unknown(dig(props, "format")) else True
    return equals(props, True, "dockerConfig", "immutableTags", default=False)


POLICIES = [
    property_rule(
        "gcp-cloudsql-no-public-ip", "A database with a public IP is reachable from the whole internet.",
        "Set settings.ip_configuration.ipv4_enabled=False and a private_network.", Severity.CRITICAL,
        [CLOUD_SQL], cloudsql_no_public_ip, "Cloud SQL instance has a public IPv4 address",
    ),
    property_rule(
        "gcp-cloudsql-ssl-enforced", "Without enforced TLS, clients may connect in plain text.",
        "Set settings.ip_configuration.ssl_mode='ENCRYPTED_ONLY'.", Severity.HIGH,
        [CLOUD_SQL], cloudsql_ssl_enforced, "Cloud SQL does not enforce TLS",
    ),
    property_rule(
        "gcp-cloudsql-backups-pitr", "Without backups and PITR a bad migration is unrecoverable.",
        "Enable settings.backup_configuration with point_in_time_recovery_enabled.", Severity.HIGH,
        [CLOUD_SQL], cloudsql_backups_pitr, "Cloud SQL backups or point-in-time recovery are off",
    ),
    property_rule(
        "gcp-cloudsql-high-availability", "A zonal instance goes down with its zone.",
        "Set settings.availability_type='REGIONAL'.", Severity.HIGH,
        [CLOUD_SQL], cloudsql_ha, "Cloud SQL instance is not REGIONAL",
    ),
    property_rule(
        "gcp-cloudsql-deletion-protection", "One mistaken delete must not drop the database.",
        "Set deletion_protection=True and settings.deletion_protection_enabled=True.", Severity.HIGH,
        [CLOUD_SQL], cloudsql_deletion_protection, "Cloud SQL deletion protection is off",
    ),
    property_rule(
        "gcp-gke-private-nodes", "Nodes with public IPs expose kubelets and node ports.",
        "Set private_cluster_config.enable_private_nodes=True.", Severity.HIGH,
        [GKE], gke_private_nodes, "GKE nodes are not private",
    ),
    property_rule(
        "gcp-gke-restricted-endpoint", "An API endpoint open to the internet invites attacks.",
        "Use a private endpoint or master_authorized_networks_config (never 0.0.0.0/0).", Severity.CRITICAL,
        [GKE], gke_restricted_endpoint, "GKE API endpoint is open to the internet",
    ),
    property_rule(
        "gcp-gke-workload-identity", "Without Workload Identity pods use the node's service account.",
        "Set workload_identity_config.workload_pool='<project>.svc.id.goog'.", Severity.HIGH,
        [GKE], gke_workload_identity, "GKE Workload Identity is off",
    ),
    property_rule(
        "gcp-gke-network-policy", "Without an enforcing dataplane NetworkPolicies do nothing.",
        "Set datapath_provider='ADVANCED_DATAPATH' (Dataplane V2).", Severity.HIGH,
        [GKE], gke_network_policy, "GKE enforces no NetworkPolicies",
    ),
    property_rule(
        "gcp-gke-shielded-nodes", "Shielded nodes resist boot-level and kernel rootkits.",
        "Leave enable_shielded_nodes=True.", Severity.MEDIUM,
        [GKE], gke_shielded_nodes, "GKE shielded nodes are off",
    ),
    property_rule(
        "gcp-gke-release-channel", "A release channel keeps control plane and nodes patched.",
        "Set release_channel.channel to REGULAR or STABLE.", Severity.MEDIUM,
        [GKE], gke_release_channel, "GKE cluster is on no release channel",
    ),
    property_rule(
        "gcp-gke-no-default-service-account", "The default compute service account is project Editor.",
        "Give node pools a dedicated least-privilege service account.", Severity.HIGH,
        [NODE_POOL, GKE], gke_no_default_service_account, "GKE nodes use the default compute service account",
    ),
    property_rule(
        "gcp-gke-secrets-encryption", "Application-layer encryption keeps Secrets safe in etcd backups.",
        "Set database_encryption state='ENCRYPTED' with a Cloud KMS key.", Severity.HIGH,
        [GKE], gke_secrets_encryption, "GKE does not encrypt Secrets with Cloud KMS",
    ),
    property_rule(
        "gcp-memorystore-auth-tls", "An unauthenticated, unencrypted cache leaks its contents to the VPC.",
        "Enable AUTH (or IAM auth) and server-authentication transit encryption.", Severity.HIGH,
        [REDIS_INSTANCE, REDIS_CLUSTER], memorystore_auth_and_tls, "Memorystore lacks AUTH or TLS",
    ),
    property_rule(
        "gcp-subnet-flow-logs", "Flow logs are the only record of who talked to what.",
        "Set log_config on the subnetwork.", Severity.MEDIUM,
        [SUBNETWORK], subnet_flow_logs, "subnetwork has no flow logs",
    ),
    property_rule(
        "gcp-artifact-registry-immutable-tags", "A mutable tag lets a push replace what a released tag runs.",
        "Set docker_config.immutable_tags=True on Docker repositories.", Severity.MEDIUM,
        [ARTIFACT_REPOSITORY], artifact_registry_immutable_tags, "Artifact Registry Docker tags are mutable",
    ),
]  # fmt: skip
