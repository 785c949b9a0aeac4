"""Which property changes replace a resource, per cloud, and which resources hold data.

One table per provider (``aws`` from CloudFormation's schemas, ``kubernetes``, ``gcp``,
``azure``); ``replacing_paths`` answers for any resource type.
"""

from __future__ import annotations

from infra.diff.replacement import aws, azure, gcp, kubernetes
from infra.diff.replacement.paths import first_match

_BY_PACKAGE = {
    "aws": aws.force_new,
    "gcp": gcp.force_new,
    "azure-native": azure.force_new,
    "kubernetes": kubernetes.force_new,
}

# Types whose replacement loses data (or every object inside them).
STATEFUL: frozenset[str] = frozenset({
    "aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:msk/cluster:Cluster", "aws:msk/topic:Topic", "aws:kms/key:Key", "aws:eks/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "gcp:sql/databaseInstance:DatabaseInstance", "gcp:sql/database:Database",
    "gcp:redis/cluster:Cluster", "gcp:managedkafka/cluster:Cluster",
    "gcp:managedkafka/topic:Topic", "gcp:kms/cryptoKey:CryptoKey", "gcp:container/cluster:Cluster",
    "gcp:artifactregistry/repository:Repository", "azure-native:containerregistry:Registry",
    "azure-native:dbforpostgresql:Server", "azure-native:dbforpostgresql:Database",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:redisenterprise:Database", "azure-native:eventhub:Namespace", "azure-native:eventhub:EventHub",
    "azure-native:storage:StorageAccount", "azure-native:containerservice:ManagedCluster",
    "azure-native:resources:ResourceGroup",
    "kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:core/v1:PersistentVolume", "kubernetes:core/v1:Namespace",
    # operator-run data services (platform:cloud local): the CR owns the volumes and the data
    "kubernetes:postgresql.cnpg.io/v1:Cluster", "kubernetes:kafka.strimzi.io/v1:Kafka",
    "kubernetes:kafka.strimzi.io/v1:KafkaNodePool", "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
})  # fmt: skip


def force_new(pulumi_type: str) -> tuple[str, ...]:
    """The inputs of ``pulumi_type`` that cannot change in place (empty if none are known)."""
    package = pulumi_type.split(":", 1)[0]
    lookup = _BY_PACKAGE.get(package)
    return lookup(pulumi_type) if lookup else ()


def replacing_paths(pulumi_type: str, changed_paths: list[str]) -> list[str]:
    """The changed paths that replace a resource of ``pulumi_type``."""
    props = force_new(pulumi_type)
    return [path for path in changed_paths if first_match(path, props)]
