"""AWS MSK (provisioned): the Kafka contract on AWS.

Creates a security group admitting the SASL/IAM TLS port only from the cluster's nodes, a
customer-managed KMS key for data at rest, a server configuration (no topic auto-creation,
replication and min.insync from the profile), a broker log group, the cluster (brokers spread
evenly over the private subnets, TLS only between clients and brokers and inside the cluster,
IAM authentication, open monitoring off: nothing scrapes it, and its ports would be open to every
pod; CloudWatch carries the metrics the alarms read), EBS storage autoscaling through
Application Auto Scaling, and the service's topics.

Authentication is SASL/IAM only: workloads get Kafka permissions through their IAM role (IRSA),
so there is no password to store or rotate. SCRAM is not added; it would need Secrets Manager
secrets and a second credential path for no gain inside AWS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.shared import (
    AccountScope,
    PortRange,
    PrivatePlacement,
    key_policy,
    kms_key,
    log_group,
)
from components.contracts import KafkaContract
from components.specs import KafkaSpec
from infra.config.errors import CloudCheckError
from infra.naming import child

SASL_IAM_PORT = 9098
# Storage autoscaling grows this after the first scale-out; Pulumi must not shrink it back
# (MSK refuses to shrink a volume, so the update would fail on every later ``pulumi up``).
VOLUME_SIZE_PATH = "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"
STORAGE_TARGET_UTILIZATION = 60.0
# What MSK creates clusters on: a version it has not deprecated
OFFERED_STATUS = "ACTIVE"


def offered_kafka_version(version: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """``version`` once MSK reports it ``ACTIVE`` (``msk.get_kafka_version``, pulumi-aws
    ``aws:msk/getKafkaVersion``), else a failed preview naming the key; the offline plan's mock
    answers from the version catalog as last checked."""
    found = aws.msk.get_kafka_version_output(
        preferred_versions=[version], opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return found.status.apply(lambda status: offered_or_raise(version, status))


def offered_or_raise(version: str, status: str) -> str:
    """``version`` when MSK reports it ``ACTIVE``; the error names the key otherwise."""
    if status != OFFERED_STATUS:
        raise CloudCheckError(
            f"platform:kafka.version: MSK reports Kafka {version} as {status} "
            "(msk.get_kafka_version); pick an ACTIVE version and update the catalog "
            "(policies/rules/facts/catalog/kafka.toml [msk])"
        )
    return version


@dataclass(frozen=True, kw_only=True)
class AwsKafkaArgs:
    """Inputs of ``AwsKafka``: the cloud-neutral spec placed in the VPC."""

    #: what to build (version, brokers, storage, replication, topics; see components/specs.py)
    spec: KafkaSpec
    #: private subnets (one broker set per zone) and the cluster security group admitted
    placement: PrivatePlacement
    #: account/region the key policies name
    scope: AccountScope
    #: AWS tags on every resource
    tags: dict[str, str]


def server_properties(replication_factor: int, min_insync_replicas: int) -> str:
    """The broker configuration: explicit topics, durable defaults."""
    lines = {
        "auto.create.topics.enable": "false",
        "default.replication.factor": str(replication_factor),
        "min.insync.replicas": str(min_insync_replicas),
        "num.partitions": "6",
        "unclean.leader.election.enable": "false",
        "allow.everyone.if.no.acl.found": "false",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


class AwsKafka(pulumi.ComponentResource):
    """A private, encrypted, IAM-authenticated MSK cluster."""

    bootstrap_servers: pulumi.Output[str]
    """Bootstrap brokers for SASL/IAM over TLS."""
    cluster_arn: pulumi.Output[str]
    """The cluster's ARN (for IAM policies granting Kafka access)."""

    def __init__(
        self, name: str, args: AwsKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:Kafka", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        self._cluster = self._build_cluster()
        self._ready: list[pulumi.Resource] = [self._cluster]
        self._build_storage_autoscaling()
        self._build_topics()
        self.bootstrap_servers = self._cluster.bootstrap_brokers_sasl_iam
        self.cluster_arn = self._cluster.arn
        self.cluster_name = self._cluster.cluster_name
        self.register_outputs(
            {"bootstrapServers": self.bootstrap_servers, "clusterArn": self.cluster_arn}
        )

    def contract(self) -> KafkaContract:
        """The cloud-neutral view of this cluster."""
        return KafkaContract(
            ready=self._ready,
            bootstrap_servers=self.bootstrap_servers,
            port=SASL_IAM_PORT,
            security_protocol="SASL_SSL",
            sasl_mechanism="AWS_MSK_IAM",
        )

    def _build_cluster(self) -> aws.msk.Cluster:
        args = self._args
        logs_name = child(self._name, "brokers")
        # Auto-named log group: "<logical name>-<random suffix>".
        key = kms_key(
            child(self._name, "data"),
            f"{self._name} data at rest and broker logs",
            args.tags,
            self,
            args.spec.protect,
            key_policy(args.scope, log_groups=(f"{logs_name}-*",)),
        )
        security_group = args.placement.security_group(
            child(self._name, "brokers"),
            # The description is create-only and the cluster's security groups too: changing
            # it would replace the MSK cluster. The exporters' ports are no longer admitted.
            "Kafka (SASL/IAM over TLS) and Prometheus exporters from the cluster nodes only",
            [PortRange(SASL_IAM_PORT, SASL_IAM_PORT, "Kafka SASL/IAM over TLS")],
            args.tags,
            self,
        )
        # verified against what MSK offers (msk.get_kafka_version) before either is created
        version = offered_kafka_version(args.spec.version, self)
        configuration = aws.msk.Configuration(
            self._name,
            kafka_versions=[version],
            description=f"{self._name} broker defaults",
            server_properties=server_properties(
                args.spec.replication_factor, args.spec.min_insync_replicas
            ),
            opts=self._opts,
        )
        broker_logs = log_group(logs_name, key, args.spec.log_retention_days, args.tags, self)
        return aws.msk.Cluster(
            self._name,
            kafka_version=version,
            number_of_broker_nodes=args.spec.brokers,
            broker_node_group_info=aws.msk.ClusterBrokerNodeGroupInfoArgs(
                instance_type=args.spec.broker_size,
                client_subnets=args.placement.subnet_ids,
                security_groups=[security_group.id],
                az_distribution="DEFAULT",
                storage_info=aws.msk.ClusterBrokerNodeGroupInfoStorageInfoArgs(
                    ebs_storage_info=aws.msk.ClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfoArgs(
                        volume_size=args.spec.storage_gb
                    )
                ),
            ),
            encryption_info=aws.msk.ClusterEncryptionInfoArgs(
                encryption_at_rest_kms_key_arn=key.arn,
                encryption_in_transit=aws.msk.ClusterEncryptionInfoEncryptionInTransitArgs(
                    client_broker="TLS", in_cluster=True
                ),
            ),
            client_authentication=aws.msk.ClusterClientAuthenticationArgs(
                sasl=aws.msk.ClusterClientAuthenticationSaslArgs(iam=True, scram=False),
                unauthenticated=False,
            ),
            configuration_info=aws.msk.ClusterConfigurationInfoArgs(
                arn=configuration.arn, revision=configuration.latest_revision
            ),
            logging_info=aws.msk.ClusterLoggingInfoArgs(
                broker_logs=aws.msk.ClusterLoggingInfoBrokerLogsArgs(
                    cloudwatch_logs=aws.msk.ClusterLoggingInfoBrokerLogsCloudwatchLogsArgs(
                        enabled=True, log_group=broker_logs.name
                    )
                )
            ),
            # Off, and said so: no Prometheus scrapes the brokers (the in-cluster one has no
            # scrape config for them, and a security group cannot tell its pods from the
            # others on a node); the alarms read CloudWatch.
            open_monitoring=aws.msk.ClusterOpenMonitoringArgs(
                prometheus=aws.msk.ClusterOpenMonitoringPrometheusArgs(
                    jmx_exporter=aws.msk.ClusterOpenMonitoringPrometheusJmxExporterArgs(
                        enabled_in_broker=False
                    ),
                    node_exporter=aws.msk.ClusterOpenMonitoringPrometheusNodeExporterArgs(
                        enabled_in_broker=False
                    ),
                )
            ),
            enhanced_monitoring="PER_TOPIC_PER_BROKER",
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.spec.protect, ignore_changes=[VOLUME_SIZE_PATH]
            ),
        )

    def _build_storage_autoscaling(self) -> None:
        target = aws.appautoscaling.Target(
            child(self._name, "storage"),
            service_namespace="kafka",
            scalable_dimension="kafka:broker-storage:VolumeSize",
            resource_id=self._cluster.arn,
            min_capacity=1,
            max_capacity=self._args.spec.max_storage_gb,
            tags=self._args.tags,
            opts=self._opts,
        )
        aws.appautoscaling.Policy(
            child(self._name, "storage"),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=STORAGE_TARGET_UTILIZATION,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="KafkaBrokerStorageUtilization"
                ),
                # MSK storage can only grow: never scale in.
                disable_scale_in=True,
            ),
            opts=self._opts,
        )

    def _build_topics(self) -> None:
        for topic in self._args.spec.topics:
            aws.msk.Topic(
                child(self._name, topic.name),
                name=topic.name,
                cluster_arn=self._cluster.arn,
                partition_count=topic.partitions,
                replication_factor=self._args.spec.replication_factor,
                configs=json.dumps(
                    {
                        "retention.ms": str(topic.retention_hours * 3600 * 1000),
                        "min.insync.replicas": str(self._args.spec.min_insync_replicas),
                        "cleanup.policy": "delete",
                    }
                ),
                opts=self._opts,
            )
