"""The diff's replacement tables against an independent, hand-kept list of what replaces.

``infra/diff/replacement/`` derives most of AWS from CloudFormation's schemas and keeps GCP,
Azure and Kubernetes as tables. This list is kept by hand, one line per stateful resource type
and input, each with the provider documentation that states "forces a new resource" (or the
ARM resource id the input is part of). Deleting an entry from a table, or a schema update that
drops one, makes the PR diff call a replacement an update: this test fails first.
"""

from __future__ import annotations

import pytest

from infra.diff.replacement import STATEFUL, replacing_paths

TF_AWS = "registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
TF_GCP = "registry.terraform.io/providers/hashicorp/google/latest/docs/resources/"
ARM_ID = "ARM resource id segment (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules)"
K8S = "kubernetes.io/docs/reference/kubernetes-api/ (field immutable)"

REPLACES: list[tuple[str, str, str]] = [
    # databases
    ("aws:rds/instance:Instance", "identifier", TF_AWS + "db_instance (identifier: forces new)"),
    ("aws:rds/instance:Instance", "kmsKeyId", TF_AWS + "db_instance (kms_key_id: forces new)"),
    ("aws:rds/instance:Instance", "storageEncrypted", TF_AWS + "db_instance (storage_encrypted: forces new)"),
    ("aws:rds/instance:Instance", "username", TF_AWS + "db_instance (username: forces new)"),
    ("aws:rds/instance:Instance", "dbName", TF_AWS + "db_instance (db_name: forces new)"),
    ("aws:rds/instance:Instance", "availabilityZone", TF_AWS + "db_instance (availability_zone: forces new)"),
    ("gcp:sql/databaseInstance:DatabaseInstance", "name", TF_GCP + "sql_database_instance (name: forces new)"),
    ("gcp:sql/databaseInstance:DatabaseInstance", "region", TF_GCP + "sql_database_instance (region: forces new)"),
    ("gcp:sql/databaseInstance:DatabaseInstance", "encryptionKeyName", TF_GCP + "sql_database_instance (encryption_key_name: forces new)"),
    ("azure-native:dbforpostgresql:Server", "serverName", ARM_ID),
    ("azure-native:dbforpostgresql:Server", "resourceGroupName", ARM_ID),
    ("azure-native:dbforpostgresql:Server", "location", "azure-native registry: location is create-only"),
    ("azure-native:dbforpostgresql:Server", "administratorLogin", "Flexible Server REST API: administratorLogin x-ms-mutability [create, read]"),
    # image registries
    ("aws:ecr/repository:Repository", "name", TF_AWS + "ecr_repository (name: forces new)"),
    ("aws:ecr/repository:Repository", "encryptionConfigurations", TF_AWS + "ecr_repository (encryption_configuration: forces new)"),
    ("gcp:artifactregistry/repository:Repository", "repositoryId", TF_GCP + "artifact_registry_repository (repository_id: forces new)"),
    ("gcp:artifactregistry/repository:Repository", "kmsKeyName", TF_GCP + "artifact_registry_repository (kms_key_name: forces new)"),
    # clusters
    ("aws:eks/cluster:Cluster", "name", TF_AWS + "eks_cluster (name: forces new)"),
    ("aws:eks/cluster:Cluster", "roleArn", TF_AWS + "eks_cluster (role_arn: forces new)"),
    ("aws:eks/cluster:Cluster", "kubernetesNetworkConfig.serviceIpv4Cidr", TF_AWS + "eks_cluster (service_ipv4_cidr: forces new)"),
    ("gcp:container/cluster:Cluster", "name", TF_GCP + "container_cluster (name: forces new)"),
    ("gcp:container/cluster:Cluster", "location", TF_GCP + "container_cluster (location: forces new)"),
    ("gcp:container/cluster:Cluster", "network", TF_GCP + "container_cluster (network: forces new)"),
    ("gcp:container/cluster:Cluster", "subnetwork", TF_GCP + "container_cluster (subnetwork: forces new)"),
    ("azure-native:containerservice:ManagedCluster", "resourceName", ARM_ID),
    ("azure-native:containerservice:ManagedCluster", "dnsPrefix", "AKS REST API: dnsPrefix cannot be updated"),
    ("azure-native:containerservice:ManagedCluster", "networkProfile.serviceCidr", "AKS docs: the service CIDR cannot change after creation"),
    # caches
    ("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId", TF_AWS + "elasticache_replication_group (replication_group_id: forces new)"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "atRestEncryptionEnabled", TF_AWS + "elasticache_replication_group (at_rest_encryption_enabled: forces new)"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "kmsKeyId", TF_AWS + "elasticache_replication_group (kms_key_id: forces new)"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "subnetGroupName", TF_AWS + "elasticache_replication_group (subnet_group_name: forces new)"),
    ("gcp:redis/cluster:Cluster", "name", TF_GCP + "redis_cluster (name: forces new)"),
    ("gcp:redis/cluster:Cluster", "authorizationMode", TF_GCP + "redis_cluster (authorization_mode: forces new)"),
    ("gcp:redis/cluster:Cluster", "transitEncryptionMode", TF_GCP + "redis_cluster (transit_encryption_mode: forces new)"),
    ("azure-native:redisenterprise:RedisEnterprise", "clusterName", ARM_ID),
    ("azure-native:redisenterprise:RedisEnterprise", "location", "azure-native registry: location is create-only"),
    ("azure-native:redisenterprise:RedisEnterprise", "highAvailability", "learn.microsoft.com/azure/redis/architecture: high availability cannot be disabled once created"),
    ("azure-native:redisenterprise:Database", "databaseName", ARM_ID),
    ("azure-native:redisenterprise:Database", "clusteringPolicy", "pulumi-azure-native redisenterprise.Database: clustering_policy cannot be updated without deleting the database"),
    ("azure-native:redisenterprise:Database", "port", "pulumi-azure-native redisenterprise.Database: port is specified at create time"),
    # Kafka
    ("aws:msk/cluster:Cluster", "clusterName", TF_AWS + "msk_cluster (cluster_name: forces new)"),
    ("aws:msk/cluster:Cluster", "brokerNodeGroupInfo.clientSubnets", TF_AWS + "msk_cluster (client_subnets: forces new)"),
    ("aws:msk/cluster:Cluster", "encryptionInfo.encryptionAtRestKmsKeyArn", TF_AWS + "msk_cluster (encryption_at_rest_kms_key_arn: forces new)"),
    ("gcp:managedkafka/cluster:Cluster", "clusterId", TF_GCP + "managed_kafka_cluster (cluster_id: forces new)"),
    ("gcp:managedkafka/cluster:Cluster", "location", TF_GCP + "managed_kafka_cluster (location: forces new)"),
    ("gcp:managedkafka/cluster:Cluster", "gcpConfig.kmsKey", TF_GCP + "managed_kafka_cluster (kms_key: forces new)"),
    ("azure-native:containerregistry:Registry", "registryName", ARM_ID),
    ("azure-native:containerregistry:Registry", "location", "azure-native registry: location is create-only"),
    ("azure-native:eventhub:Namespace", "namespaceName", ARM_ID),
    ("azure-native:eventhub:Namespace", "location", "azure-native registry: location is create-only"),
    # buckets and storage
    ("aws:s3/bucket:Bucket", "bucket", TF_AWS + "s3_bucket (bucket: forces new)"),
    ("aws:s3/bucket:Bucket", "objectLockEnabled", TF_AWS + "s3_bucket (object_lock_enabled: forces new)"),
    ("gcp:storage/bucket:Bucket", "name", TF_GCP + "storage_bucket (name: forces new)"),
    ("gcp:storage/bucket:Bucket", "location", TF_GCP + "storage_bucket (location: forces new)"),
    ("azure-native:storage:StorageAccount", "accountName", ARM_ID),
    ("azure-native:storage:StorageAccount", "location", "azure-native registry: location is create-only"),
    ("azure-native:storage:BlobContainer", "containerName", ARM_ID),
    # keys
    ("aws:kms/key:Key", "keyUsage", TF_AWS + "kms_key (key_usage: forces new)"),
    ("aws:kms/key:Key", "customerMasterKeySpec", TF_AWS + "kms_key (customer_master_key_spec: forces new)"),
    ("aws:kms/key:Key", "multiRegion", TF_AWS + "kms_key (multi_region: forces new)"),
    ("gcp:kms/cryptoKey:CryptoKey", "name", TF_GCP + "kms_crypto_key (name: forces new)"),
    ("gcp:kms/cryptoKey:CryptoKey", "keyRing", TF_GCP + "kms_crypto_key (key_ring: forces new)"),
    ("gcp:kms/cryptoKey:CryptoKey", "purpose", TF_GCP + "kms_crypto_key (purpose: forces new)"),
    # networks and subnets
    ("aws:ec2/vpc:Vpc", "cidrBlock", TF_AWS + "vpc (cidr_block: forces new)"),
    ("aws:ec2/subnet:Subnet", "cidrBlock", TF_AWS + "subnet (cidr_block: forces new)"),
    ("aws:ec2/subnet:Subnet", "availabilityZone", TF_AWS + "subnet (availability_zone: forces new)"),
    ("aws:ec2/subnet:Subnet", "vpcId", TF_AWS + "subnet (vpc_id: forces new)"),
    ("gcp:compute/network:Network", "name", TF_GCP + "compute_network (name: forces new)"),
    ("gcp:compute/network:Network", "autoCreateSubnetworks", TF_GCP + "compute_network (auto_create_subnetworks: forces new)"),
    ("gcp:compute/subnetwork:Subnetwork", "name", TF_GCP + "compute_subnetwork (name: forces new)"),
    ("gcp:compute/subnetwork:Subnetwork", "network", TF_GCP + "compute_subnetwork (network: forces new)"),
    ("gcp:compute/subnetwork:Subnetwork", "region", TF_GCP + "compute_subnetwork (region: forces new)"),
    ("azure-native:network:VirtualNetwork", "virtualNetworkName", ARM_ID),
    ("azure-native:network:VirtualNetwork", "location", "azure-native registry: location is create-only"),
    ("azure-native:network:Subnet", "subnetName", ARM_ID),
    ("azure-native:network:Subnet", "virtualNetworkName", ARM_ID),
    # Kubernetes state
    ("kubernetes:apps/v1:StatefulSet", "spec.volumeClaimTemplates", K8S + " StatefulSetSpec.volumeClaimTemplates"),
    ("kubernetes:apps/v1:StatefulSet", "spec.selector", K8S + " StatefulSetSpec.selector"),
    ("kubernetes:core/v1:PersistentVolumeClaim", "spec.storageClassName", K8S + " PersistentVolumeClaimSpec.storageClassName"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("pulumi_type", "path", "source"), REPLACES, ids=[f"{t}:{p}" for t, p, _ in REPLACES]
)
def test_the_diff_calls_each_change_a_replacement(pulumi_type: str, path: str, source: str) -> None:
    assert source
    assert replacing_paths(pulumi_type, [path]), f"{pulumi_type} {path} ({source})"


def test_the_list_covers_every_kind_of_stateful_resource() -> None:
    listed = {t for t, _, _ in REPLACES}
    wanted = {
        t
        for t in STATEFUL
        if t.split(":")[0] in ("aws", "gcp", "azure-native")
        and t.rsplit(":", 1)[1] in {"Instance", "DatabaseInstance", "Server", "Cluster",
                                     "ManagedCluster", "ReplicationGroup", "Redis", "Namespace",
                                     "StorageAccount", "Key", "CryptoKey",
                                     "Repository"}
    }  # fmt: skip
    assert wanted <= listed, sorted(wanted - listed)
