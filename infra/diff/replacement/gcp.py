"""GCP: pulumi-gcp inputs that force a new resource.

pulumi-gcp is built on the Terraform Google provider; its registry pages mark these arguments
"Changing this forces a new resource to be created"
(registry.terraform.io/providers/hashicorp/google/latest/docs/resources/<resource>). Each entry
is tested (tests/test_diff_replacements.py): the input exists in the SDK and its change reads
as a replacement.
"""

from __future__ import annotations

FORCE_NEW: dict[str, tuple[str, ...]] = {
    "gcp:compute/network:Network": ("name", "project", "autoCreateSubnetworks"),
    # ip_cidr_range is expanded in place (expandIpCidrRange); only a shrink would replace
    "gcp:compute/subnetwork:Subnetwork": ("name", "project", "region", "network"),
    "gcp:compute/router:Router": ("name", "project", "region", "network"),
    "gcp:compute/routerNat:RouterNat": ("name", "project", "region", "router"),
    "gcp:compute/firewall:Firewall": ("name", "project", "network", "direction"),
    "gcp:compute/globalAddress:GlobalAddress": (
        "name", "project", "address", "addressType", "prefixLength", "purpose", "network",
        "ipVersion",
    ),
    "gcp:container/cluster:Cluster": (
        "name", "project", "location", "network", "subnetwork", "ipAllocationPolicy",
        "privateClusterConfig.masterIpv4CidrBlock", "networkingMode", "enableAutopilot",
        "datapathProvider", "defaultMaxPodsPerNode", "initialNodeCount",
    ),
    "gcp:container/nodePool:NodePool": (
        "name", "project", "location", "cluster", "initialNodeCount", "maxPodsPerNode",
        "networkConfig.podRange",
    ),
    "gcp:sql/databaseInstance:DatabaseInstance": (
        "name", "project", "region", "masterInstanceName", "encryptionKeyName",
    ),
    "gcp:sql/database:Database": ("name", "project", "instance"),
    "gcp:sql/user:User": ("name", "project", "instance", "host"),
    # .../resources/artifact_registry_repository: these force a new repository
    "gcp:artifactregistry/repository:Repository": (
        "repositoryId", "project", "location", "format", "mode", "kmsKeyName",
    ),
    "gcp:kms/keyRing:KeyRing": ("name", "project", "location"),
    "gcp:kms/cryptoKey:CryptoKey": (
        "name", "keyRing", "purpose", "importOnly", "skipInitialVersionCreation",
    ),
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": ("cryptoKeyId", "role", "member", "condition"),
    "gcp:projects/iAMMember:IAMMember": ("project", "role", "member", "condition"),
    "gcp:serviceaccount/account:Account": ("accountId", "project"),
    "gcp:serviceaccount/iAMMember:IAMMember": ("serviceAccountId", "role", "member", "condition"),
    "gcp:managedkafka/cluster:Cluster": ("clusterId", "project", "location", "gcpConfig.kmsKey"),
    "gcp:managedkafka/topic:Topic": ("topicId", "project", "location", "cluster", "replicationFactor"),
    "gcp:redis/cluster:Cluster": (
        "name", "project", "region", "authorizationMode", "transitEncryptionMode", "kmsKey",
        "zoneDistributionConfig",
    ),
    "gcp:servicenetworking/connection:Connection": ("network", "service"),
    # .../resources/storage_bucket: a bucket's name, project and location are fixed
    "gcp:storage/bucket:Bucket": ("name", "project", "location"),
    "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy": (
        "name", "project", "location", "network", "serviceClass",
    ),
}  # fmt: skip


def force_new(pulumi_type: str) -> tuple[str, ...]:
    """pulumi-gcp inputs of ``pulumi_type`` whose change replaces the resource."""
    return FORCE_NEW.get(pulumi_type, ())
