"""Cloud-neutral contracts: what each capability exposes to the stack wiring (see docs/architecture.md).

Every cloud's components produce these; the stack wiring and the Kubernetes layer consume only
these, never a cloud's own resources. Secret values are secret ``Output``s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pulumi

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s


# An inclusive TCP port range (first, last); a single port is (port, port).
PortRange = tuple[int, int]


@dataclass(frozen=True)
class EgressDestination:
    """Somewhere outside the cluster every workload must reach, besides the data services.

    Example: GKE's metadata server (Workload Identity tokens). The Kubernetes layer turns each
    into an egress NetworkPolicy rule (ipBlock is right here: these are not pods or nodes).
    """

    name: str
    cidrs: list[str]
    ports: list[PortRange]


@dataclass(frozen=True)
class NetworkContract:
    """A private network spread over zones."""

    id: pulumi.Output[str]
    cidr: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    zones: list[pulumi.Output[str]]
    # Where the managed data services get their addresses (egress NetworkPolicies allow these).
    service_cidrs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ClusterContract:
    """A Kubernetes cluster and a provider that deploys onto it."""

    name: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    provider: k8s.Provider
    # Per workload (app name): the ServiceAccount annotations that bind it to a cloud identity.
    workload_identity: dict[str, dict[str, pulumi.Output[str]]] = field(default_factory=dict)
    # Labels pods need for the cloud's identity webhook (AKS: azure.workload.identity/use).
    workload_pod_labels: dict[str, str] = field(default_factory=dict)
    # StorageClass (encrypted, expandable) for PersistentVolumeClaims.
    storage_class: str = "standard"
    # Annotations for the Gateway data plane's LoadBalancer Service on this cloud.
    gateway_service_annotations: dict[str, str] = field(default_factory=dict)
    # Whether the cloud runs metrics-server itself (GKE, AKS) or the platform must (EKS).
    ships_metrics_server: bool = False
    # Further destinations every workload must reach on this cloud (metadata server, ...).
    workload_egress: list[EgressDestination] = field(default_factory=list)
    # Managed control planes hide the controller manager, scheduler, etcd and (often) kube-proxy
    # from Prometheus; their scrapes would only fire TargetDown. False: scrape them.
    hidden_control_plane: bool = True
    # CSI driver that provisions block volumes ("" : the Kubernetes layer picks the cloud's
    # standard driver); used for the platform's Retain StorageClass in prod.
    disk_csi_provisioner: str = ""
    # NodePorts (http, https) of the Gateway's data plane when the cluster has no load balancer
    # (kind maps them to the laptop's ports); empty: a LoadBalancer Service.
    gateway_node_ports: dict[str, int] = field(default_factory=dict)
    # The HTTPS port clients reach the Gateway on (the HTTP->HTTPS redirect's target): 443
    # behind a load balancer, the host port kind maps to the HTTPS NodePort on a laptop.
    gateway_https_port: int = 443
    # Certificates from a self-signed CA of our own instead of Let's Encrypt (no public DNS
    # or reachable HTTP-01 solver on a laptop).
    self_signed_issuer: bool = False
    # Kubelets serve self-signed certificates (kind, k3d, minikube): metrics-server must skip
    # verifying them (--kubelet-insecure-tls) or it never becomes Ready.
    kubelet_self_signed_certs: bool = False
    # The cluster DNS is kube-dns (GKE), not CoreDNS: monitor that one, or TargetDown fires.
    kube_dns: bool = False


@dataclass(frozen=True)
class ClusterPeer:
    """Pods inside the cluster that serve a data service (an in-cluster database's instances).

    The Kubernetes layer names them with namespace/pod selectors in NetworkPolicies: an
    ``ipBlock`` never matches a pod on the clusters' CNIs.
    """

    namespace: str
    pod_labels: dict[str, str]
    # TCP port clients connect to on those pods
    port: int
    # Name of the pods' Prometheus port (the Kubernetes layer adds a PodMonitor); None: none.
    metrics_port_name: str | None = None


@dataclass(frozen=True)
class PostgresContract:
    """Connection facts for the managed PostgreSQL database."""

    host: pulumi.Output[str]
    port: pulumi.Output[int]
    database: pulumi.Output[str]
    username: pulumi.Output[str]
    password: pulumi.Output[str]
    ssl_mode: str
    # PEM bundle that verifies the server's certificate (verify-full needs it); None: system CAs.
    ca_certificate: pulumi.Input[str] | None = None
    # Set when Postgres runs in the cluster (CloudNativePG): apps reach these pods, not an address.
    cluster_peer: ClusterPeer | None = None
    # What a client waits for before it connects (an in-cluster service's resource that the
    # engine awaits until the service is Ready); empty: the address is ready once it exists.
    ready: list[pulumi.Resource] = field(default_factory=list)


@dataclass(frozen=True)
class KafkaContract:
    """Connection facts for the managed Kafka cluster."""

    bootstrap_servers: pulumi.Output[str]
    port: int
    security_protocol: str
    sasl_mechanism: str | None
    username: pulumi.Output[str] | None = None
    password: pulumi.Output[str] | None = None
    # Set when the brokers run in the cluster (Strimzi): apps reach these pods, not an address.
    cluster_peer: ClusterPeer | None = None
    # What a client waits for before it connects (an in-cluster service's resource that the
    # engine awaits until the service is Ready); empty: the address is ready once it exists.
    ready: list[pulumi.Resource] = field(default_factory=list)


RedisAuthMode = Literal["token", "iam", "entra"]


@dataclass(frozen=True)
class RedisContract:
    """Connection facts for the managed Redis."""

    host: pulumi.Output[str]
    port: pulumi.Output[int]
    tls: bool
    auth_token: pulumi.Output[str] | None
    # How a client signs in: "token" (AUTH with ``auth_token``), "iam" (GCP: an access token of
    # its workload identity), "entra" (Azure: an Entra ID token of its workload identity, as
    # that identity's object id). None: "token" when there is a token, else "iam".
    auth_mode: RedisAuthMode | None = None
    # Further TCP ports clients connect to besides ``port`` (cluster shard/node ports).
    extra_ports: list[PortRange] = field(default_factory=list)
    # PEM bundle that verifies the server's certificate; None: system CAs suffice.
    ca_certificate: pulumi.Input[str] | None = None
    # Set when the server runs in the cluster (Valkey): apps reach these pods, not an address.
    cluster_peer: ClusterPeer | None = None
    # What a client waits for before it connects (an in-cluster service's resource that the
    # engine awaits until the service is Ready); empty: the address is ready once it exists.
    ready: list[pulumi.Resource] = field(default_factory=list)

    @property
    def auth(self) -> RedisAuthMode:
        """How a client signs in (``auth_mode``, or what the token's presence implies)."""
        if self.auth_mode is not None:
            return self.auth_mode
        return "token" if self.auth_token is not None else "iam"


@dataclass(frozen=True, kw_only=True)
class TopicSpec:
    """A Kafka topic the service needs (every cloud's Kafka component creates these)."""

    name: str
    partitions: int
    retention_hours: int
