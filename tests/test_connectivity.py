"""Flows, not shapes: network-config-analyzer (np-guard's ``nca``) computes who may reach whom
from each stack's rendered NetworkPolicies, and the platform's required flows must be permitted
and the forbidden ones denied.

Pods the plan does not render (chart pods, cert-manager's HTTP-01 solver, kube-dns) get
stand-ins carrying the labels their charts set; non-pod peers are addresses: the internet
client, the API server (which reaches webhooks from outside the pod network, through
konnectivity on AKS/GKE), a node (kubelet, host-network node-exporter) and the data services
(an address in the range each cloud's network places them in).
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.kubernetes.gateway import DATA_PLANE_LABELS
from infra.plan.cli import Outcome
from infra.plan.render import kubernetes_objects

STACKS = ["dev", "dev-gcp", "dev-azure", "prod", "prod-gcp", "prod-azure"]
DATA_PLANE = "envoy-gateway-system/envoy"
SOLVER = "envoy-gateway-system/acme-solver"
INTERNET = "203.0.113.7"
API_SERVER = "192.0.2.10"  # not a pod: managed control plane / konnectivity
NODE = "10.0.0.20"  # a node of the cluster's subnet (kubelet 10250, node-exporter 9100)
# Where each cloud's network places the managed services (see components/<cloud>/network.py).
DATA_ADDRESSES: dict[str, dict[str, str]] = {
    "aws": {"postgres": "10.0.0.10", "redis": "10.0.0.11", "kafka": "10.0.0.12"},
    "gcp": {"postgres": "10.200.0.10", "redis": "10.0.0.11", "kafka": "10.0.0.12"},
    "azure": {"postgres": "10.0.32.10", "redis": "10.0.255.11", "kafka": "10.0.255.12"},
}
# (namespace, name, labels) of the chart pods the plan does not render, as their charts label them.
STAND_INS: list[tuple[str, str, dict[str, str]]] = [
    ("kube-system", "coredns", {"k8s-app": "kube-dns"}),
    # Envoy Gateway's data plane (labels of proxy/resource.go EnvoyAppLabel plus the owner's) and
    # controller (gateway-helm's selector labels), and cert-manager's HTTP-01 solver, which the
    # gateway-shim's Certificates create next to the Gateway
    ("envoy-gateway-system", "envoy", {**DATA_PLANE_LABELS, "gateway.envoyproxy.io/owning-gateway-name": "platform"}),
    ("envoy-gateway-system", "controller", {"control-plane": "envoy-gateway", "app.kubernetes.io/name": "gateway-helm", "app.kubernetes.io/instance": "gateway-helm"}),
    ("envoy-gateway-system", "acme-solver", {"acme.cert-manager.io/http01-solver": "true"}),
    ("cert-manager", "cert-manager", {"app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller"}),
    ("cert-manager", "webhook", {"app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook"}),
    ("monitoring", "prometheus", {"app.kubernetes.io/name": "prometheus"}),
    ("monitoring", "alertmanager", {"app.kubernetes.io/name": "alertmanager"}),
    ("monitoring", "grafana", {"app.kubernetes.io/name": "grafana"}),
    ("monitoring", "operator", {"app": "kube-prometheus-stack-operator"}),
    ("monitoring", "kube-state-metrics", {"app.kubernetes.io/name": "kube-state-metrics"}),
    ("vpa", "admission", {"app.kubernetes.io/component": "admission-controller"}),
]  # fmt: skip


@dataclass(frozen=True)
class Flow:
    """Permitted connections from one endpoint to another (a pod ``ns/name`` or an IP range)."""

    src: str
    dst: str
    conns: str


def _pod(namespace: str, name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "main", "image": "stand-in:1"}]},
    }


def cluster_manifests(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Namespaces, NetworkPolicies, one pod per rendered workload and the stand-ins."""
    kept = [o for o in objects if o["kind"] in ("Namespace", "NetworkPolicy")]
    kept.append(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "kube-system", "labels": {"kubernetes.io/metadata.name": "kube-system"}},
        }
    )  # fmt: skip
    for workload in objects:
        if workload["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            meta = workload["metadata"]
            labels = workload["spec"]["template"]["metadata"]["labels"]
            name = "migrations" if workload["kind"] == "Job" else meta["name"]
            kept.append(_pod(meta["namespace"], name, labels))
    kept += [_pod(*stand_in) for stand_in in STAND_INS]
    return kept + source_side_probes(kept)


# Sources that no policy was written for: a pod in a namespace with no NetworkPolicies at all
# (its egress is open, so only the destination's ingress can stop it) and, in every namespace
# the platform polices, a pod no policy selects by label (only the namespace's default deny
# applies). A destination that trusts "its clients are careful" is open to these.
INTRUDER = "intruder/probe"
STRAY = "stray"


def source_side_probes(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    policed = sorted(
        {m["metadata"]["namespace"] for m in manifests if m["kind"] == "NetworkPolicy"}
    )
    namespace, name = INTRUDER.split("/")
    probes: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {"kubernetes.io/metadata.name": namespace}},
        },
        _pod(namespace, name, {"app": "probe"}),
    ]
    return probes + [_pod(ns, STRAY, {"app": "stray-probe"}) for ns in policed]


def pods(manifests: list[dict[str, Any]]) -> list[str]:
    """Every pod of the analysed cluster as ``namespace/name``."""
    return [
        f"{m['metadata']['namespace']}/{m['metadata']['name']}"
        for m in manifests
        if m["kind"] == "Pod"
    ]


def policed(sources: list[str], objects: list[dict[str, Any]]) -> list[str]:
    """The ``sources`` in namespaces that carry NetworkPolicies (kube-system and the intruder's
    do not: Kubernetes leaves a namespace without policies open)."""
    namespaces = {o["metadata"]["namespace"] for o in objects if o["kind"] == "NetworkPolicy"}
    return [src for src in sources if src.split("/")[0] in namespaces]


def sources_reaching(flows: list[Flow], sources: list[str], dst: str, port: int) -> set[str]:
    """Which of ``sources`` may open TCP ``port`` on ``dst``."""
    return {src for src in sources if src != dst and permitted(flows, src, dst, port)}


def analyse(manifests: list[dict[str, Any]], directory: Path) -> list[Flow]:
    """Run ``nca --connectivity`` and read its per-pair output."""
    path = directory / "cluster.yaml"
    path.write_text(yaml.safe_dump_all(manifests))
    nca = Path(sys.executable).parent / "nca"
    result = subprocess.run(
        [str(nca), "--connectivity", str(path), "--resource_list", str(path), "-o", "txt_no_fw_rules"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    flows = []
    for line in result.stdout.splitlines():
        match = re.fullmatch(r"(\S+) => (\S+) : (.+)", line.strip())
        if match:
            flows.append(Flow(*match.groups()))
    assert flows, result.stdout + result.stderr
    return flows


def _endpoint_matches(token: str, endpoint: str) -> bool:
    if token.endswith("[Pod]"):
        return token.removesuffix("[Pod]") == endpoint
    if "/" in endpoint:
        return False  # a pod is never matched by an address range
    address = ipaddress.IPv4Address(endpoint)
    if "-" in token:
        first, last = token.split("-")
        return ipaddress.IPv4Address(first) <= address <= ipaddress.IPv4Address(last)
    return address in ipaddress.IPv4Network(token)


def _conns_allow(conns: str, port: int, protocol: str) -> bool:
    if conns.strip() == "All connections":
        return True
    for group in re.findall(r"\{([^}]*)\}", conns):
        protocols = re.search(r"protocols:([A-Z, ]+?)(?:,dst_ports|$)", group)
        if protocols and protocol not in [p.strip() for p in protocols.group(1).split(",")]:
            continue
        ports = re.search(r"dst_ports:([\d,\-]+)", group)
        if not ports:
            return True
        for item in ports.group(1).split(","):
            first, _, last = item.partition("-")
            if int(first) <= port <= int(last or first):
                return True
    return False


def permitted(flows: list[Flow], src: str, dst: str, port: int, protocol: str = "TCP") -> bool:
    """Whether ``src`` may open ``protocol``/``port`` to ``dst``."""
    return any(
        _endpoint_matches(f.src, src)
        and _endpoint_matches(f.dst, dst)
        and _conns_allow(f.conns, port, protocol)
        for f in flows
    )


@pytest.fixture(scope="module")
def connectivity(
    shipped_plans: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[list[Flow], list[dict[str, Any]], list[str]]]:
    analysed = {}
    for stack in STACKS:
        plan = shipped_plans[stack].plan
        assert plan is not None, shipped_plans[stack].errors
        objects = kubernetes_objects(plan["resources"])
        manifests = cluster_manifests(objects)
        flows = analyse(manifests, tmp_path_factory.mktemp(stack))
        analysed[stack] = (flows, objects, pods(manifests))
    return analysed


def _settings(objects: list[dict[str, Any]], app: str) -> dict[str, str]:
    (config_map,) = [
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"] == f"{app}-settings"
    ]
    return config_map["data"]


def _cloud(objects: list[dict[str, Any]]) -> str:
    host = _settings(objects, "backend")["POSTGRES_HOST"]
    if "rds.amazonaws.com" in host:
        return "aws"
    return "azure" if "azure" in host else "gcp"


@pytest.mark.parametrize("stack", STACKS)
def test_required_flows_are_permitted(
    connectivity: dict[str, tuple[list[Flow], list[dict[str, Any]], list[str]]], stack: str
) -> None:
    flows, objects, _ = connectivity[stack]
    backend = _settings(objects, "backend")
    data = DATA_ADDRESSES[_cloud(objects)]
    kafka_port = int(backend["KAFKA_BOOTSTRAP_SERVERS"].split(",")[0].rsplit(":", 1)[1])
    required = [
        # clients and certificates
        # (Envoy listens on the Gateway's ports + 10000: 443 -> 10443, 80 -> 10080)
        (INTERNET, DATA_PLANE, 10443),
        (INTERNET, DATA_PLANE, 10080),
        (DATA_PLANE, "analytics/backend", 8080),
        (DATA_PLANE, SOLVER, 8089),
        (DATA_PLANE, "envoy-gateway-system/controller", 18000),  # xDS
        ("cert-manager/cert-manager", DATA_PLANE, 10080),  # HTTP-01 self check
        ("cert-manager/cert-manager", INTERNET, 443),  # ACME directory
        # the application
        ("analytics/backend", "analytics/collector", 4318),
        ("analytics/backend", data["postgres"], int(backend["POSTGRES_PORT"])),
        ("analytics/backend", data["redis"], int(backend["REDIS_PORT"])),
        ("analytics/backend", data["kafka"], kafka_port),
        ("analytics/collector", data["kafka"], kafka_port),
        ("analytics/migrations", data["postgres"], int(backend["POSTGRES_PORT"])),
        # monitoring
        ("monitoring/prometheus", "analytics/backend", 9090),
        ("monitoring/prometheus", "analytics/collector", 8888),
        ("monitoring/prometheus", DATA_PLANE, 19001),
        ("monitoring/prometheus", "cert-manager/cert-manager", 9402),
        ("monitoring/prometheus", "monitoring/kube-state-metrics", 8080),
        ("monitoring/prometheus", NODE, 10250),
        ("monitoring/prometheus", NODE, 9100),
        ("monitoring/prometheus", API_SERVER, 443),
        ("monitoring/prometheus", "monitoring/alertmanager", 9093),
        ("monitoring/grafana", "monitoring/prometheus", 9090),
        ("monitoring/alertmanager", INTERNET, 443),  # Slack / webhook receivers
        # the API server calls the admission webhooks
        (API_SERVER, "envoy-gateway-system/controller", 9443),
        (API_SERVER, "cert-manager/webhook", 10250),
        (API_SERVER, "monitoring/operator", 10250),
        (API_SERVER, "vpa/admission", 8000),
        ("envoy-gateway-system/controller", API_SERVER, 443),
    ]
    for app in ("backend", "collector", "migrations"):
        required += [(f"analytics/{app}", "kube-system/coredns", 53)]
    missing = [flow for flow in required if not permitted(flows, *flow)]
    missing += [
        (f"analytics/{app}", "kube-system/coredns", "53/UDP")
        for app in ("backend", "collector")
        if not permitted(flows, f"analytics/{app}", "kube-system/coredns", 53, "UDP")
    ]
    assert missing == [], stack


@pytest.mark.parametrize("stack", STACKS)
def test_forbidden_flows_are_denied(
    connectivity: dict[str, tuple[list[Flow], list[dict[str, Any]], list[str]]], stack: str
) -> None:
    flows, objects, _ = connectivity[stack]
    backend = _settings(objects, "backend")
    data = DATA_ADDRESSES[_cloud(objects)]
    forbidden = [
        # the collector uses Kafka only; the migrations only the database
        ("analytics/collector", data["postgres"], int(backend["POSTGRES_PORT"])),
        ("analytics/collector", data["redis"], int(backend["REDIS_PORT"])),
        ("analytics/migrations", data["redis"], int(backend["REDIS_PORT"])),
        ("analytics/migrations", "analytics/collector", 4318),
        # apps only on their serving port, and only from their callers
        (INTERNET, "analytics/backend", 8080),
        (DATA_PLANE, "analytics/backend", 9090),
        (DATA_PLANE, "analytics/backend", 5000),
        (DATA_PLANE, "analytics/collector", 4318),  # no host
        # only the data plane reaches apps from the Gateway's namespace
        ("envoy-gateway-system/controller", "analytics/backend", 8080),
        ("analytics/collector", "analytics/backend", 8080),
        ("monitoring/grafana", "analytics/backend", 8080),
        ("monitoring/prometheus", "analytics/backend", 8080),
        # nothing in the app namespace reaches nodes or the monitoring stack; the solver takes
        # the challenge from the data plane only
        ("analytics/backend", NODE, 10250),
        ("analytics/backend", "monitoring/prometheus", 9090),
        ("analytics/backend", SOLVER, 8089),
        (INTERNET, SOLVER, 8089),
        ("cert-manager/cert-manager", SOLVER, 8089),
        ("monitoring/prometheus", SOLVER, 8089),
        # the data plane is no way into the cluster beyond the apps' serving ports
        (DATA_PLANE, "cert-manager/webhook", 10250),
        (DATA_PLANE, "monitoring/grafana", 3000),
        (INTERNET, "monitoring/grafana", 3000),
        ("analytics/backend", INTERNET, 80),
    ]
    allowed = [flow for flow in forbidden if permitted(flows, *flow)]
    assert allowed == [], stack


def test_the_analyser_sees_what_the_old_policies_dropped(tmp_path: Path) -> None:
    """The harness itself: an ipBlock 0.0.0.0/0 (the old "anywhere") matches no pod here."""
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "monitoring", "labels": {"kubernetes.io/metadata.name": "monitoring"}}}  # fmt: skip
    deny_but_anywhere = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "old", "namespace": "monitoring"},
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
            "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
        },
    }
    pods = [_pod("monitoring", "grafana", {"a": "g"}), _pod("monitoring", "prometheus", {"a": "p"})]
    flows = analyse([namespace, deny_but_anywhere, *pods], tmp_path)
    assert not permitted(flows, "monitoring/grafana", "monitoring/prometheus", 9090)
    assert permitted(flows, "monitoring/grafana", INTERNET, 443)


# dev-local: the data services are pods (docs/local.md). Operator-managed pods the plan does
# not render get stand-ins labelled as their operators label them.
LOCAL_STAND_INS: list[tuple[str, str, dict[str, str]]] = [
    ("kafka", "broker", {"strimzi.io/cluster": "platform", "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true"}),
    ("kafka", "broker-2", {"strimzi.io/cluster": "platform", "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true"}),
    ("kafka", "entity-operator", {"strimzi.io/cluster": "platform", "strimzi.io/name": "platform-entity-operator"}),
    ("kafka", "operator", {"name": "strimzi-cluster-operator"}),
    ("postgres", "instance", {"cnpg.io/cluster": "postgres", "cnpg.io/instanceRole": "primary"}),
    ("cnpg-system", "operator", {"app.kubernetes.io/name": "cloudnative-pg"}),
]  # fmt: skip


@pytest.fixture(scope="module")
def local_cluster(
    shipped_plans: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Flow], list[str]]:
    plan = shipped_plans["dev-local"].plan
    assert plan is not None, shipped_plans["dev-local"].errors
    objects = kubernetes_objects(plan["resources"])
    namespaces = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
    namespaces |= {"kube-system", INTRUDER.split("/")[0]}
    manifests = [
        m for m in cluster_manifests(objects)
        if m["kind"] != "Pod" or m["metadata"]["namespace"] in namespaces
    ]  # fmt: skip
    manifests += [_pod(*stand_in) for stand_in in LOCAL_STAND_INS]
    return analyse(manifests, tmp_path_factory.mktemp("dev-local")), pods(manifests)


@pytest.fixture(scope="module")
def local_flows(local_cluster: tuple[list[Flow], list[str]]) -> list[Flow]:
    return local_cluster[0]


@pytest.fixture(scope="module")
def local_sources(local_cluster: tuple[list[Flow], list[str]]) -> list[str]:
    return local_cluster[1]


LOCAL_REQUIRED = [
    (INTERNET, DATA_PLANE, 10443),
    (INTERNET, DATA_PLANE, 10080),
    (DATA_PLANE, "analytics/backend", 8080),
    (DATA_PLANE, "envoy-gateway-system/controller", 18000),
    ("analytics/backend", "analytics/collector", 4318),
    ("analytics/backend", "postgres/instance", 5432),
    ("analytics/backend", "kafka/broker", 9092),
    ("analytics/backend", "redis/valkey", 6379),
    ("analytics/collector", "kafka/broker", 9092),
    ("analytics/migrations", "postgres/instance", 5432),
    # KRaft controllers and replication among the brokers; the operators manage them
    ("kafka/broker", "kafka/broker-2", 9090),
    ("kafka/broker", "kafka/broker-2", 9091),
    ("kafka/operator", "kafka/broker", 9091),
    ("kafka/entity-operator", "kafka/broker", 9091),
    ("kafka/operator", API_SERVER, 443),
    ("kafka/entity-operator", API_SERVER, 443),
    ("cnpg-system/operator", "postgres/instance", 8000),
    (API_SERVER, "cnpg-system/operator", 9443),
    (API_SERVER, "cert-manager/webhook", 10250),
    ("redis/valkey", "kube-system/coredns", 53),
]
LOCAL_FORBIDDEN = [
    ("analytics/collector", "postgres/instance", 5432),
    ("analytics/collector", "redis/valkey", 6379),
    ("analytics/migrations", "redis/valkey", 6379),
    ("analytics/migrations", "kafka/broker", 9092),
    # clients only on the plain listener, never the brokers' internal ones
    ("analytics/backend", "kafka/broker", 9090),
    ("analytics/backend", "kafka/broker", 9091),
    (INTERNET, "kafka/broker", 9092),
    (INTERNET, "redis/valkey", 6379),
    (INTERNET, "postgres/instance", 5432),
    ("redis/valkey", INTERNET, 443),
    (DATA_PLANE, "redis/valkey", 6379),
    (DATA_PLANE, "postgres/instance", 5432),
    (DATA_PLANE, "analytics/collector", 4318),
    (INTERNET, "analytics/backend", 8080),
]


def test_local_required_flows_are_permitted(local_flows: list[Flow]) -> None:
    assert [flow for flow in LOCAL_REQUIRED if not permitted(local_flows, *flow)] == []


def test_local_forbidden_flows_are_denied(local_flows: list[Flow]) -> None:
    assert [flow for flow in LOCAL_FORBIDDEN if permitted(local_flows, *flow)] == []


# Who may reach each service, counted from every pod of the cluster (the probes included):
# exactly these, so an ingress opened to "any namespace" fails even when every other source's
# own egress is careful.
APP_CLIENTS = {
    ("analytics/backend", 8080): {DATA_PLANE},
    ("analytics/collector", 4318): {"analytics/backend"},
}
MANAGED_CLIENTS = {
    "postgres": {"analytics/backend", "analytics/migrations"},
    "redis": {"analytics/backend"},
    "kafka": {"analytics/backend", "analytics/collector"},
}


@pytest.mark.parametrize("stack", STACKS)
def test_apps_admit_exactly_their_callers(
    connectivity: dict[str, tuple[list[Flow], list[dict[str, Any]], list[str]]], stack: str
) -> None:
    flows, _, sources = connectivity[stack]
    assert INTRUDER in sources and f"analytics/{STRAY}" in sources
    reached = {target: sources_reaching(flows, sources, *target) for target in APP_CLIENTS}
    assert reached == APP_CLIENTS, stack


@pytest.mark.parametrize("stack", STACKS)
def test_managed_data_services_admit_exactly_their_clients(
    connectivity: dict[str, tuple[list[Flow], list[dict[str, Any]], list[str]]], stack: str
) -> None:
    """Managed services sit outside the pod network (an ipBlock): NetworkPolicies limit who may
    leave for them, so every pod of a policed namespace is counted. A namespace without policies
    (the intruder's) is open by Kubernetes' design; the cloud's firewall (security group, VPC
    firewall, NSG) admits only the node range, which is as far as the network can tell pods apart,
    and the services' own authentication does the rest (docs/security.md)."""
    flows, objects, sources = connectivity[stack]
    backend = _settings(objects, "backend")
    data = DATA_ADDRESSES[_cloud(objects)]
    ports = {
        "postgres": int(backend["POSTGRES_PORT"]),
        "redis": int(backend["REDIS_PORT"]),
        "kafka": int(backend["KAFKA_BOOTSTRAP_SERVERS"].split(",")[0].rsplit(":", 1)[1]),
    }
    clients = policed(sources, objects)
    assert INTRUDER not in clients and f"monitoring/{STRAY}" in clients
    reached = {
        service: sources_reaching(flows, clients, data[service], port)
        for service, port in ports.items()
    }
    assert reached == MANAGED_CLIENTS, stack


# dev-local's in-cluster data services: selected by label, so their ingress must admit their
# clients and nothing else, from any namespace (the intruder's included).
LOCAL_CLIENTS = {
    ("postgres/instance", 5432): {"analytics/backend", "analytics/migrations"},
    ("redis/valkey", 6379): {"analytics/backend"},
    ("kafka/broker", 9092): {"analytics/backend", "analytics/collector"},
}


def test_local_data_services_admit_exactly_their_clients(
    local_flows: list[Flow], local_sources: list[str]
) -> None:
    assert INTRUDER in local_sources
    reached = {
        target: sources_reaching(local_flows, local_sources, *target) for target in LOCAL_CLIENTS
    }
    assert reached == LOCAL_CLIENTS
