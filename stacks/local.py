"""Local wiring (``platform:cloud: local``): no cloud at all, the current kubeconfig context.

For a laptop cluster (kind, k3d, minikube, Docker Desktop): the provider targets the ambient
kubeconfig (``kubernetes:context`` or the current context), and the data services the clouds
sell run in the cluster, each in its own guarded namespace:

- Postgres: CloudNativePG with TimescaleDB (``stacks/postgres_engine.py``, the clouds'
  ``engine: cloudnative-pg`` wiring), one instance, no object-storage backups (there is no
  bucket, and no cloud identity to reach one);
- Kafka: Strimzi, KRaft, ``kafka.brokers`` combined controller+broker pods
  (``components/kubernetes/strimzi.py``);
- Redis: Valkey (``components/kubernetes/valkey.py``).

The Kubernetes layer then runs unchanged on top: the contracts carry ``cluster_peer`` so app
egress names these pods instead of address ranges, the Gateway's data plane listens on fixed
NodePorts (kind maps them to the laptop) and cert-manager issues from a self-signed CA.
docs/local.md has the resource budget and the limitations.
"""

from __future__ import annotations

import pulumi

from components.contracts import ClusterContract, NetworkContract
from components.kubernetes.strimzi import StrimziKafka, StrimziKafkaArgs
from components.kubernetes.valkey import Valkey, ValkeyArgs
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, kubernetes_labels
from infra.providers import kubernetes_provider
from stacks import specs
from stacks.observability import monitoring_namespace
from stacks.platform import PlatformContracts
from stacks.postgres_engine import cnpg_postgres

# kind's, and minikube's, default StorageClass (rancher.io/local-path resp. hostpath
# provisioner); k3d and Docker Desktop users set platform:cluster.storageClass.
DEFAULT_STORAGE_CLASS = "standard"
# The Gateway's NodePorts; docs/kind-cluster.yaml maps them to localhost:8080 and 8443, and the
# HTTP->HTTPS redirect sends clients to 8443.
GATEWAY_NODE_PORTS = {"http": 30080, "https": 30443}
GATEWAY_HTTPS_HOST_PORT = 8443
KAFKA_NAMESPACE = "kafka"
REDIS_NAMESPACE = "redis"
KAFKA_CLUSTER = "platform"
REDIS_STORAGE_GB = 1
# What a kind node runs before the platform: kubeadm's static pods (kube-apiserver 250m,
# kube-controller-manager 200m, kube-scheduler 100m, etcd 100m/100Mi), CoreDNS 2 x 100m/70Mi
# and kindnet 100m/50Mi (kube-proxy and local-path-provisioner request nothing). docs/local.md
# adds the platform's requests to these.
KIND_SYSTEM_REQUESTS = ("950m", "290Mi")


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the local stack for ``config``: in-cluster data services, no cloud resources."""
    provider = kubernetes_provider(config)
    on_cluster = pulumi.ResourceOptions(providers=[provider])
    prefix = config.name_prefix
    labels = kubernetes_labels(config)
    storage_class = config.cluster.storage_class or DEFAULT_STORAGE_CLASS
    context = config.kube_context or "current-context"
    cluster = ClusterContract(
        name=pulumi.Output.from_input(context),
        # the ambient kubeconfig is the developer's own; the stack never holds a copy
        kubeconfig=pulumi.Output.from_input(""),
        provider=provider,
        storage_class=storage_class,
        gateway_node_ports=GATEWAY_NODE_PORTS,
        gateway_https_port=GATEWAY_HTTPS_HOST_PORT,
        self_signed_issuer=True,
        kubelet_self_signed_certs=True,
    )
    # the same CloudNativePG/TimescaleDB wiring as a cloud's engine: cloudnative-pg, without
    # object-storage backups (no bucket, no cloud identity: docs/local.md)
    postgres = cnpg_postgres(config, cluster, backup=None)
    kafka = StrimziKafka(
        f"{prefix}-kafka",
        StrimziKafkaArgs(
            spec=specs.kafka_spec(config),
            namespace=KAFKA_NAMESPACE,
            cluster_name=KAFKA_CLUSTER,
            storage_class=storage_class,
            client_namespace=APP_NAMESPACE,
            labels=labels,
            monitoring_namespace=monitoring_namespace(config),
        ),
        on_cluster,
    )
    redis = Valkey(
        f"{prefix}-redis",
        ValkeyArgs(
            spec=specs.redis_spec(config),
            namespace=REDIS_NAMESPACE,
            storage_gb=REDIS_STORAGE_GB,
            storage_class=storage_class,
            client_namespace=APP_NAMESPACE,
            labels=labels,
            monitoring_namespace=monitoring_namespace(config),
        ),
        on_cluster,
    )
    return PlatformContracts(
        network=NetworkContract(
            id=pulumi.Output.from_input(context),
            cidr=pulumi.Output.from_input(str(config.network.cidr)),
            private_subnet_ids=[],
            zones=[],
        ),
        cluster=cluster,
        postgres=postgres.contract(),
        kafka=kafka.contract(),
        redis=redis.contract(),
    )
