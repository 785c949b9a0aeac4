"""What ``deploy-readiness`` and the program share: which resources are data services, how a
client says which ones it uses, and Pulumi's default wait.

A Job or workload names the data services it uses in ``USES_ANNOTATION`` (comma-separated
kinds); a data service of the same stack is a resource of one of ``DATA_SERVICE_TYPES`` or one
carrying ``DATA_SERVICE_ANNOTATION``. Custom resources are awaited only with the
``pulumi.com/waitFor`` annotation (pulumi-kubernetes 4.18+); other Kubernetes kinds
(StatefulSet, Deployment, Job) and cloud resources are awaited by the engine itself.
"""

from __future__ import annotations

USES_ANNOTATION = "platform.example.com/uses"
DATA_SERVICE_ANNOTATION = "platform.example.com/data-service"
WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait"
# The engine gives up on a create/update after this long unless customTimeouts says otherwise
# (https://www.pulumi.com/docs/iac/concepts/options/customtimeouts/; pulumi-kubernetes' await
# logic uses the same 10 minutes).
DEFAULT_TIMEOUT_SECONDS = 600

DATA_SERVICE_TYPES: dict[str, str] = {
    "kubernetes:postgresql.cnpg.io/v1:Cluster": "postgres",
    "kubernetes:kafka.strimzi.io/v1:Kafka": "kafka",
    "aws:rds/instance:Instance": "postgres",
    "aws:msk/cluster:Cluster": "kafka",
    "aws:elasticache/replicationGroup:ReplicationGroup": "redis",
    "gcp:sql/databaseInstance:DatabaseInstance": "postgres",
    "gcp:managedkafka/cluster:Cluster": "kafka",
    "gcp:redis/cluster:Cluster": "redis",
    "azure-native:dbforpostgresql:Server": "postgres",
    "azure-native:eventhub:Namespace": "kafka",
    # Azure Managed Redis: clients connect to the database (the cluster holds no data)
    "azure-native:redisenterprise:Database": "redis",
}
# Operator-managed services whose readiness takes minutes (initdb, broker quorum): their wait
# can outlast the default, so they need a custom timeout as well as a readiness condition.
SLOW_CUSTOM_RESOURCES = frozenset(
    {"kubernetes:postgresql.cnpg.io/v1:Cluster", "kubernetes:kafka.strimzi.io/v1:Kafka"}
)
