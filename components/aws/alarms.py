"""CloudWatch alarms on the data services and the cluster, published to one encrypted SNS topic.

Thresholds come from ``platform:alarms`` (per environment in the profiles); every alarm fires
after ``evaluation_minutes`` of one-minute datapoints over the threshold and notifies the
topic on ALARM and on OK. Metric names and dimensions are the services' own (RDS, MSK,
ElastiCache and EC2 Auto Scaling "CloudWatch metrics" pages of their user guides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.shared import AccountScope, key_policy, kms_key
from components.specs import AlarmSpec, KafkaSpec, PostgresSpec, RedisSpec
from infra.naming import child

GIB = 1024**3
# RDS for PostgreSQL: max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000).
RDS_BYTES_PER_CONNECTION = 9_531_392
RDS_MAX_CONNECTIONS = 5000
# Memory (GiB) of the ".large" size per instance family letter; each "Nxlarge" doubles it.
_LARGE_MEMORY_GIB = {"t": 8, "m": 8, "r": 16}
_SMALL_MEMORY_GIB = {"micro": 1, "small": 2, "medium": 4}
_INSTANCE_CLASS = re.compile(r"^db\.([tmr])\d+[a-z]*\.(micro|small|medium|large|(\d*)xlarge)$")


def rds_max_connections(instance_class: str) -> int:
    """RDS's default max_connections for ``instance_class`` (t, m and r families)."""
    match = _INSTANCE_CLASS.match(instance_class)
    if not match:
        raise ValueError(f"no memory size known for RDS class {instance_class}")
    family, size, multiple = match.groups()
    if size in _SMALL_MEMORY_GIB:
        memory_gib = _SMALL_MEMORY_GIB[size]
    elif size == "large":
        memory_gib = _LARGE_MEMORY_GIB[family]
    else:
        memory_gib = _LARGE_MEMORY_GIB[family] * 2 * int(multiple or 1)
    return min(memory_gib * GIB // RDS_BYTES_PER_CONNECTION, RDS_MAX_CONNECTIONS)


@dataclass(frozen=True)
class AlarmTargets:
    """What is watched: names/ids the services' metrics are dimensioned by, and their specs."""

    #: RDS instance identifier (DBInstanceIdentifier dimension); None: no RDS instance (Postgres
    #: runs in the cluster, watched by Prometheus)
    rds_identifier: pulumi.Input[str] | None
    #: the database's spec: its class gives max_connections, its storage the free-space floor
    postgres: PostgresSpec
    #: MSK cluster name ("Cluster Name" dimension)
    msk_cluster_name: pulumi.Input[str]
    #: the Kafka spec: one disk alarm per broker
    kafka: KafkaSpec
    #: ElastiCache replication group id (its node ids derive from it)
    redis_group_id: pulumi.Input[str]
    #: the Redis spec: one alarm per node, <group>-<shard>-<node>
    redis: RedisSpec
    #: node group Auto Scaling group name (AutoScalingGroupName dimension)
    node_asg_name: pulumi.Input[str]
    #: the node group's minimum size: fewer in-service instances alarm
    node_min: int


@dataclass(frozen=True, kw_only=True)
class AwsAlarmsArgs:
    """Inputs of ``AwsAlarms``."""

    #: thresholds and recipients (components/specs.py); tighter in prod
    spec: AlarmSpec
    #: the resources watched
    targets: AlarmTargets
    #: account/region the topic key's policy names
    scope: AccountScope
    #: Pulumi ``protect`` on the topic's key (prod)
    protect: bool
    #: AWS tags on every resource
    tags: dict[str, str]


class AwsAlarms(pulumi.ComponentResource):
    """The alarm topic (CMK-encrypted, email subscriptions) and one alarm per watched metric."""

    topic_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: AwsAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:Alarms", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        topic = self._build_topic()
        self.topic_arn = topic.arn
        self._rds_alarms()
        self._msk_alarms()
        self._redis_alarms()
        self._node_alarms()
        self.register_outputs({"topicArn": self.topic_arn})

    def _build_topic(self) -> aws.sns.Topic:
        args = self._args
        # CloudWatch publishes to an encrypted topic only if the key lets it (SNS Developer
        # Guide, "Configure AWS KMS permissions for AWS services"); scoped to this account's
        # alarms through aws:SourceAccount.
        cloudwatch = {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": args.scope.account_id}},
        }
        key = kms_key(
            child(self._name, "topic"),
            f"{self._name} alarm notifications",
            args.tags,
            self,
            args.protect,
            key_policy(args.scope, services=(cloudwatch,)),
        )
        topic = aws.sns.Topic(
            self._name, kms_master_key_id=key.arn, tags=args.tags, opts=self._opts
        )
        for index, email in enumerate(args.spec.notification_emails):
            # Email subscriptions stay pending until the recipient confirms the AWS mail.
            aws.sns.TopicSubscription(
                child(self._name, f"email-{index}"),
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=self._opts,
            )
        self._topic = topic
        return topic

    def _alarm(
        self,
        suffix: str,
        description: str,
        namespace: str,
        metric: str,
        dimensions: dict[str, pulumi.Input[str]],
        comparison: str,
        threshold: float,
        statistic: str = "Average",
        missing: str = "missing",
    ) -> aws.cloudwatch.MetricAlarm:
        minutes = self._args.spec.evaluation_minutes
        return aws.cloudwatch.MetricAlarm(
            child(self._name, suffix),
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            statistic=statistic,
            period=60,
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
            comparison_operator=comparison,
            threshold=threshold,
            treat_missing_data=missing,
            alarm_actions=[self._topic.arn],
            ok_actions=[self._topic.arn],
            tags=self._args.tags,
            opts=self._opts,
        )

    def _rds_alarms(self) -> None:
        t, target = self._args.spec, self._args.targets
        if target.rds_identifier is None:
            return
        db = {"DBInstanceIdentifier": target.rds_identifier}
        above = "GreaterThanThreshold"
        self._alarm("rds-cpu", "RDS CPU", "AWS/RDS", "CPUUtilization", db, above, t.cpu_percent)
        # FreeStorageSpace is in bytes: alarm when used storage passes storage_percent of the
        # allocated size (storage autoscaling grows it later; the alarm stays conservative).
        free_bytes = target.postgres.storage_gb * GIB * (100 - t.storage_percent) / 100
        self._alarm(
            "rds-storage",
            f"RDS free storage under {100 - t.storage_percent}% of {target.postgres.storage_gb} GiB",
            "AWS/RDS",
            "FreeStorageSpace",
            db,
            "LessThanThreshold",
            free_bytes,
            statistic="Minimum",
        )
        connections = (
            rds_max_connections(target.postgres.instance_size) * t.connections_percent // 100
        )
        self._alarm(
            "rds-connections",
            f"RDS connections above {t.connections_percent}% of max_connections",
            "AWS/RDS",
            "DatabaseConnections",
            db,
            above,
            connections,
            statistic="Maximum",
        )

    def _msk_alarms(self) -> None:
        t, target = self._args.spec, self._args.targets
        cluster = {"Cluster Name": target.msk_cluster_name}
        for broker in range(1, target.kafka.brokers + 1):
            self._alarm(
                f"msk-disk-{broker}",
                f"MSK broker {broker} data disk used above {t.storage_percent}%",
                "AWS/Kafka",
                "KafkaDataLogsDiskUsed",
                {**cluster, "Broker ID": str(broker)},
                "GreaterThanThreshold",
                t.storage_percent,
                statistic="Maximum",
            )
            # Reported per broker at the PER_BROKER monitoring level and above.
            self._alarm(
                f"msk-under-replicated-{broker}",
                f"MSK broker {broker} has under-replicated partitions",
                "AWS/Kafka",
                "UnderReplicatedPartitions",
                {**cluster, "Broker ID": str(broker)},
                "GreaterThanThreshold",
                0,
                statistic="Maximum",
            )
        self._alarm(
            "msk-offline-partitions",
            "MSK has offline partitions (no leader: producers and consumers stall)",
            "AWS/Kafka",
            "OfflinePartitionsCount",
            cluster,
            "GreaterThanThreshold",
            0,
            statistic="Maximum",
        )

    def _redis_alarms(self) -> None:
        t, target = self._args.spec, self._args.targets
        above = "GreaterThanThreshold"
        for shard in range(1, target.redis.shards + 1):
            for node in range(1, target.redis.replicas_per_shard + 2):
                # Cluster-mode node ids are "<group>-<shard:04>-<node:03>"; node 001 starts
                # as the primary.
                node_id = pulumi.Output.concat(target.redis_group_id, f"-{shard:04d}-{node:03d}")
                dims: dict[str, pulumi.Input[str]] = {"CacheClusterId": node_id}
                label = f"{shard:04d}-{node:03d}"
                self._alarm(
                    f"redis-cpu-{label}", f"Redis {label} host CPU", "AWS/ElastiCache",
                    "CPUUtilization", dims, above, t.cpu_percent,
                )  # fmt: skip
                self._alarm(
                    f"redis-engine-cpu-{label}", f"Redis {label} engine thread CPU",
                    "AWS/ElastiCache", "EngineCPUUtilization", dims, above, t.cpu_percent,
                )  # fmt: skip
                self._alarm(
                    f"redis-memory-{label}", f"Redis {label} memory used",
                    "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", dims, above,
                    t.memory_percent,
                )  # fmt: skip
                self._alarm(
                    f"redis-evictions-{label}", f"Redis {label} evicts keys",
                    "AWS/ElastiCache", "Evictions", dims, above, 0, statistic="Sum",
                )  # fmt: skip
                if target.redis.replicas_per_shard:
                    # every node: a failover makes any of them a replica (a primary
                    # publishes no ReplicationLag, hence notBreaching)
                    self._alarm(
                        f"redis-replication-lag-{label}", f"Redis replica {label} lag",
                        "AWS/ElastiCache", "ReplicationLag", dims, above,
                        t.replica_lag_seconds, statistic="Maximum", missing="notBreaching",
                    )  # fmt: skip

    def _node_alarms(self) -> None:
        """Nodes in service below the node group's minimum (Container Insights is not installed;
        the desired count moves with the autoscaler, the minimum is what the platform needs).

        GroupInServiceInstances is published only with the Auto Scaling group's metrics
        collection enabled (docs/aws.md), which happens after the first deploy: until then
        there is no data, and treating that as breaching paged from day one. Missing data is
        not breaching; a node count below the minimum still alarms once metrics flow.
        """
        target = self._args.targets
        self._alarm(
            "nodes-in-service",
            f"Fewer than {target.node_min} cluster nodes in service",
            "AWS/AutoScaling",
            "GroupInServiceInstances",
            {"AutoScalingGroupName": target.node_asg_name},
            "LessThanThreshold",
            target.node_min,
            statistic="Minimum",
            missing="notBreaching",
        )
