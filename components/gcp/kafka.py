"""GCP Managed Service for Apache Kafka: the Kafka contract on GCP.

Creates the cluster sized from the profile (vCPUs and memory; the service places and
replicates brokers across the region's zones itself) with its addresses in the VPC's subnet and
automatic rebalancing on scale-up, and the service's topics (replication 3 in prod).

Clients authenticate with SASL over TLS as a Google service account: OAUTHBEARER with
Google's login callback handler (or SASL/PLAIN with a service-account key, which we avoid),
authorized by IAM (``roles/managedkafka.client`` on the workload's service account).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.contracts import KafkaContract
from components.gcp.apis import COMPUTE, MANAGEDKAFKA, ProjectApis
from components.gcp.names import resource_name
from components.specs import KafkaSpec
from infra.naming import child

PORT = 9092


@dataclass(frozen=True, kw_only=True)
class GcpKafkaArgs:
    """Inputs of ``GcpKafka``: the cloud-neutral spec attached to the VPC's subnet."""

    #: what to build (broker size "<vCPUs>x<GiB>", replication, topics; components/specs.py)
    spec: KafkaSpec
    #: GCP project id
    project: str
    #: region of the cluster (the service spreads it over the region's zones)
    region: str
    #: subnet the cluster's addresses are allocated in
    subnet_id: pulumi.Input[str]
    #: GCP labels on the cluster
    labels: dict[str, str]
    #: the project's API enablement (the cluster waits for managedkafka and compute)
    apis: ProjectApis


def capacity(broker_size: str) -> tuple[int, int]:
    """``"3x12"`` -> (3 vCPUs, 12 GiB)."""
    vcpus, memory = broker_size.split("x")
    return int(vcpus), int(memory)


class GcpKafka(pulumi.ComponentResource):
    """A private Managed Kafka cluster and its topics."""

    bootstrap_servers: pulumi.Output[str]
    """The cluster's bootstrap address (host:port)."""

    def __init__(
        self, name: str, args: GcpKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Kafka", name, None, opts)
        # the cluster attaches to the VPC's subnet (Compute Engine) besides its own API
        apis = args.apis.needs(MANAGEDKAFKA, COMPUTE)
        vcpus, memory_gib = capacity(args.spec.broker_size)
        child_opts = pulumi.ResourceOptions(parent=self, depends_on=apis)
        cluster = gcp.managedkafka.Cluster(
            name,
            project=args.project,
            location=args.region,
            # 1-63 characters, RFC 1035 (the provider's cluster_id documentation)
            cluster_id=resource_name(name),
            # platform:kafka.version (one of GCP_KAFKA_VERSIONS, infra/config/cloud_rules.py)
            kafka_version=args.spec.version,
            capacity_config=gcp.managedkafka.ClusterCapacityConfigArgs(
                vcpu_count=str(vcpus), memory_bytes=str(memory_gib * 2**30)
            ),
            gcp_config=gcp.managedkafka.ClusterGcpConfigArgs(
                access_config=gcp.managedkafka.ClusterGcpConfigAccessConfigArgs(
                    network_configs=[
                        gcp.managedkafka.ClusterGcpConfigAccessConfigNetworkConfigArgs(
                            subnet=args.subnet_id
                        )
                    ]
                )
            ),
            rebalance_config=gcp.managedkafka.ClusterRebalanceConfigArgs(
                mode="AUTO_REBALANCE_ON_SCALE_UP"
            ),
            labels=args.labels,
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect, depends_on=apis),
        )
        self._ready: list[pulumi.Resource] = [cluster]
        for topic in args.spec.topics:
            gcp.managedkafka.Topic(
                child(name, topic.name),
                project=args.project,
                location=args.region,
                cluster=cluster.cluster_id,
                topic_id=topic.name,
                partition_count=topic.partitions,
                replication_factor=args.spec.replication_factor,
                configs={
                    "retention.ms": str(topic.retention_hours * 3600 * 1000),
                    "cleanup.policy": "delete",
                },
                opts=child_opts,
            )
        self.bootstrap_servers = cluster.bootstrap_address
        self.register_outputs({"bootstrapServers": self.bootstrap_servers})

    def contract(self) -> KafkaContract:
        """The cloud-neutral view of this cluster."""
        return KafkaContract(
            ready=self._ready,
            bootstrap_servers=self.bootstrap_servers,
            port=PORT,
            security_protocol="SASL_SSL",
            sasl_mechanism="OAUTHBEARER",
        )
