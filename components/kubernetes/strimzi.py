"""Kafka inside the cluster: the Strimzi operator and one KRaft cluster with its topics.

The operator is Strimzi's Helm chart (``charts.STRIMZI_KAFKA_OPERATOR``, 1.2.0), which serves
only the ``kafka.strimzi.io/v1`` API (its CRDs at that tag list ``v1`` alone) and runs Kafka
4.2.0-4.3.1 (``kafka-versions.yaml``). The cluster is a ``Kafka`` with one ``KafkaNodePool`` of
combined controller+broker nodes (KRaft, no ZooKeeper: fine for a laptop, where separate
controllers would only cost memory), and each ``platform:kafka.topics`` entry is a
``KafkaTopic`` the operator's topic operator creates.

Clients connect on the plaintext ``internal`` listener (9092): on a laptop cluster the traffic
never leaves one node, the namespace's NetworkPolicies admit only the app namespace, and TLS
(9093) would need Strimzi's cluster CA mounted into every app for no gain in that setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import ClusterPeer, KafkaContract
from components.kubernetes import charts
from components.kubernetes.guarded_namespace import AddonNamespace, guarded_namespace
from components.kubernetes.helm import helm_release
from components.kubernetes.network_policy import ALL, API_PORTS, SAME, Allow
from components.specs import KafkaSpec
from infra.config.quantities import (
    cpu_millicores,
    format_cpu,
    format_memory,
    memory_bytes,
    pod_size,
)
from infra.naming import child

API_VERSION = "kafka.strimzi.io/v1"
PLAIN_PORT = 9092
CLUSTER_LABEL = "strimzi.io/cluster"
# Strimzi labels every broker pod with this (its bootstrap Service selects on it too)
BROKER_ROLE_LABEL = "strimzi.io/broker-role"
NODE_POOL = "dual-role"
OPERATOR_REQUESTS = ("200m", "384Mi")  # the chart's own defaults at 1.2.0
TOPIC_OPERATOR_REQUESTS = ("100m", "256Mi")
# Prometheus metrics of the brokers (Strimzi Metrics Reporter) and the Kafka Exporter: Strimzi's
# port 9404 named "tcp-prometheus" (MetricsModel at 1.2.0)
METRICS_PORT = 9404
# The ports Strimzi's own pods use among themselves (KafkaCluster.java at 1.2.0): the KRaft
# control plane, replication (also the operators' admin client) and the Kafka Agent the cluster
# operator polls for broker state. Nothing else in the namespace is a client.
INTERNAL_PORTS = [9090, 9091, 8443]
METRICS_PORT_NAME = "tcp-prometheus"
KAFKA_EXPORTER_REQUESTS = ("20m", "96Mi")


@dataclass(frozen=True, kw_only=True)
class StrimziKafkaArgs:
    """Inputs of ``StrimziKafka``: the cloud-neutral spec placed in a namespace of the cluster."""

    #: what to build (version, brokers, "<cpu>/<memory>" broker size, storage, replication,
    #: topics; components/specs.py): the version must be one Strimzi 1.2.0 runs
    spec: KafkaSpec
    #: namespace of the operator and the cluster (created here)
    namespace: str
    #: Kafka cluster name (pods, services and the bootstrap address derive from it)
    cluster_name: str
    #: StorageClass of the broker volumes
    storage_class: str
    #: namespace whose pods may connect (the apps')
    client_namespace: str
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)
    #: Prometheus' namespace: brokers export metrics (Strimzi Metrics Reporter), a Kafka
    #: Exporter reports consumer lag, both admitted from there on 9404; None: no metrics
    monitoring_namespace: str | None = None


def _resources(cpu: str, memory: str) -> dict[str, dict[str, str]]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}


def topic_object_name(topic: str) -> str:
    """A DNS-1123 object name for a Kafka topic name (which may hold ``_``, ``.`` or capitals);
    the real name goes in ``spec.topicName``."""
    return re.sub(r"[^a-z0-9-]", "-", topic.lower()).strip("-")[:63] or "topic"


READY_TIMEOUTS = pulumi.CustomTimeouts(create="30m", update="30m")


class StrimziKafka(pulumi.ComponentResource):
    """The Strimzi operator, a KRaft Kafka cluster and its topics, in one guarded namespace."""

    bootstrap_servers: str
    """``<cluster>-kafka-bootstrap.<namespace>.svc:9092``."""
    broker_pods: ClusterPeer
    """The broker pods (what clients' egress policies name)."""

    def __init__(
        self, name: str, args: StrimziKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:StrimziKafka", name, None, opts)
        self._name = name
        self._args = args
        self._spec = args.spec
        self._broker_cpu, self._broker_memory = pod_size(args.spec.broker_size)
        namespace = guarded_namespace(
            name, args.namespace, self._namespace_spec(), args.labels,
            pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        operator = self._operator(namespace)
        after_operator = pulumi.ResourceOptions(parent=self, depends_on=[operator])
        pool = self._node_pool(after_operator)
        kafka = self._kafka(after_operator)
        self.kafka = kafka
        self._topics(pulumi.ResourceOptions(parent=self, depends_on=[kafka, pool]))
        self.bootstrap_servers = (
            f"{args.cluster_name}-kafka-bootstrap.{args.namespace}.svc:{PLAIN_PORT}"
        )
        self.broker_pods = ClusterPeer(
            args.namespace,
            {CLUSTER_LABEL: args.cluster_name, BROKER_ROLE_LABEL: "true"},
            port=PLAIN_PORT,
        )
        self.register_outputs({"bootstrapServers": self.bootstrap_servers})

    def contract(self) -> KafkaContract:
        """Plaintext, no SASL: see the module docstring for why on a laptop."""
        return KafkaContract(
            bootstrap_servers=pulumi.Output.from_input(self.bootstrap_servers),
            port=PLAIN_PORT,
            security_protocol="PLAINTEXT",
            sasl_mechanism=None,
            cluster_peer=self.broker_pods,
            ready=[self.kafka],
        )

    def _namespace_spec(self) -> AddonNamespace:
        args = self._args
        brokers = self._spec.brokers
        # every pod at its requests, with room for a rolling restart of one broker
        others = [OPERATOR_REQUESTS, TOPIC_OPERATOR_REQUESTS]
        if args.monitoring_namespace:
            others.append(KAFKA_EXPORTER_REQUESTS)
        cpu = (brokers + 1) * cpu_millicores(self._broker_cpu) + sum(
            cpu_millicores(c) for c, _ in others
        )
        memory = (brokers + 1) * memory_bytes(self._broker_memory) + sum(
            memory_bytes(m) for _, m in others
        )
        scrapes = (
            [Allow(args.monitoring_namespace, [METRICS_PORT])] if args.monitoring_namespace else []
        )
        return AddonNamespace(
            "restricted", format_cpu(cpu), format_memory(memory),
            # brokers, controllers, the operator and the topic operator talk among themselves
            # on the internal ports (TLS, Strimzi's own CA); clients only on the plain listener,
            # which a pod of this namespace never uses
            ingress=[
                Allow(SAME, INTERNAL_PORTS), Allow(args.client_namespace, [PLAIN_PORT]), *scrapes,
            ],
            # the operator and the topic operator watch and write through the API server
            egress=[Allow(SAME), Allow(ALL, API_PORTS)],
        )  # fmt: skip

    def _operator(self, namespace: pulumi.Resource) -> k8s.helm.v3.Release:
        cpu, memory = OPERATOR_REQUESTS
        values: charts.StrimziValues = {
            "replicas": 1,
            "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}},
            # Kafka pods with the "restricted" Pod Security Standard's security context (the
            # namespace enforces it), documented in con-config-security-providers.adoc
            "extraEnvs": [{"name": "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "value": "restricted"}],
            "generateNetworkPolicy": False,
        }
        return helm_release(
            child(self._name, "operator"), charts.STRIMZI_KAFKA_OPERATOR, self._args.namespace,
            values, pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
        )  # fmt: skip

    def _metadata(self, name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name,
            namespace=self._args.namespace,
            labels={**self._args.labels, CLUSTER_LABEL: self._args.cluster_name},
        )

    def _node_pool(self, opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        args, spec = self._args, self._spec
        # half the pod's memory for the heap, the rest for page cache and off-heap buffers
        heap = f"{memory_bytes(self._broker_memory) // 2 // 2**20}m"
        return k8s.apiextensions.CustomResource(
            child(self._name, NODE_POOL),
            api_version=API_VERSION,
            kind="KafkaNodePool",
            metadata=self._metadata(NODE_POOL),
            spec={
                "replicas": spec.brokers,
                "roles": ["controller", "broker"],
                "storage": {
                    "type": "jbod",
                    "volumes": [
                        {
                            "id": 0,
                            "type": "persistent-claim",
                            "size": f"{spec.storage_gb}Gi",
                            "class": args.storage_class,
                            # a laptop cluster: the data goes with the cluster
                            "deleteClaim": True,
                            "kraftMetadata": "shared",
                        }
                    ],
                },
                "resources": _resources(self._broker_cpu, self._broker_memory),
                "jvmOptions": {"-Xms": heap, "-Xmx": heap},
            },
            opts=opts,
        )

    def _kafka(self, opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        args, spec = self._args, self._spec
        replication = spec.replication_factor
        return k8s.apiextensions.CustomResource(
            child(self._name, "cluster"),
            api_version=API_VERSION,
            kind="Kafka",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.cluster_name,
                namespace=args.namespace,
                labels=args.labels,
                # the engine awaits the brokers' Ready condition (pulumi-kubernetes 4.18+)
                annotations={"pulumi.com/waitFor": "condition=Ready"},
            ),
            spec={
                "kafka": {
                    "version": spec.version,
                    **(
                        {"metricsConfig": {"type": "strimziMetricsReporter"}}
                        if args.monitoring_namespace
                        else {}
                    ),
                    "listeners": [
                        {"name": "plain", "port": PLAIN_PORT, "type": "internal", "tls": False}
                    ],
                    "config": {
                        "offsets.topic.replication.factor": replication,
                        "transaction.state.log.replication.factor": replication,
                        "transaction.state.log.min.isr": spec.min_insync_replicas,
                        "default.replication.factor": replication,
                        "min.insync.replicas": spec.min_insync_replicas,
                        # topics are KafkaTopic objects, never a typo in a producer
                        "auto.create.topics.enable": False,
                    },
                },
                "entityOperator": {
                    "topicOperator": {"resources": _resources(*TOPIC_OPERATOR_REQUESTS)},
                },
                **self._metrics(),
            },
            # three brokers pulling images and forming the KRaft quorum outlast the default 10m
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(custom_timeouts=READY_TIMEOUTS)
            ),
        )

    def _metrics(self) -> dict[str, object]:
        """With monitoring: the Strimzi Metrics Reporter in every broker (no JMX exporter
        config to maintain) and a Kafka Exporter for consumer-group lag and the broker count
        (docs/observability.md lists what the alerts and dashboards read)."""
        if not self._args.monitoring_namespace:
            return {}
        return {
            "kafkaExporter": {
                "topicRegex": ".*",
                "groupRegex": ".*",
                "resources": _resources(*KAFKA_EXPORTER_REQUESTS),
            },
        }

    def _topics(self, opts: pulumi.ResourceOptions) -> None:
        spec = self._spec
        for topic in spec.topics:
            k8s.apiextensions.CustomResource(
                child(self._name, f"topic-{topic_object_name(topic.name)}"),
                api_version=API_VERSION,
                kind="KafkaTopic",
                metadata=self._metadata(topic_object_name(topic.name)),
                spec={
                    "topicName": topic.name,
                    "partitions": topic.partitions,
                    "replicas": spec.replication_factor,
                    "config": {
                        "retention.ms": topic.retention_hours * 3_600_000,
                        "min.insync.replicas": spec.min_insync_replicas,
                    },
                },
                opts=opts,
            )
