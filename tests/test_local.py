"""``platform:cloud: local``: the whole platform on a laptop cluster, with no cloud resources.

dev-local's plan holds only Kubernetes objects (and generated passwords/keys): CloudNativePG
with TimescaleDB, Strimzi Kafka in KRaft mode with its node pool and topics, Valkey, and
cert-manager issuing from a self-signed CA; every app's settings and NetworkPolicies point at
those in-cluster services, and everything scheduled fits a 4-CPU / 8-GiB kind node.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.config.quantities import cpu_millicores, memory_bytes
from infra.plan.cli import Outcome
from infra.plan.render import kubernetes_objects
from stacks.local import KIND_SYSTEM_REQUESTS
from tests.conftest import one, plan_config, plan_of, resources_of

STACK = "dev-local"
KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka"
NODE_POOL = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool"
TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic"
CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"
ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer"
RELEASE = "kubernetes:helm.sh/v3:Release"
CLOUD_PACKAGES = ("aws", "gcp", "azure-native", "azure")


@pytest.fixture(scope="module")
def plan(shipped_plans: dict[str, Outcome]) -> dict[str, Any]:
    return plan_of(shipped_plans, STACK)


def _objects(plan: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in kubernetes_objects(plan["resources"]) if o["kind"] == kind]


def test_dev_local_plans_with_no_cloud_resources(plan: dict[str, Any]) -> None:
    packages = {r["type"].split(":")[0] for r in plan["resources"]}
    providers = {r["type"] for r in plan["resources"] if r["type"].startswith("pulumi:providers:")}
    assert not packages & set(CLOUD_PACKAGES), packages
    assert providers == {"pulumi:providers:kubernetes"}, providers
    provider = one(plan, "pulumi:providers:kubernetes")
    # the ambient kubeconfig: no kubeconfig content of ours, no context unless one is set
    assert "kubeconfig" not in provider["inputs"] and "context" not in provider["inputs"]
    assert plan["outputs"]["cloud"] == "local"
    assert not [v for v in plan["policy"]["violations"] if v["level"] == "mandatory"]


def test_kubernetes_context_picks_the_provider_context(tmp_path: Path) -> None:
    outcome = plan_config(
        tmp_path, STACK,
        {"platform:cloud": "local", "platform:environment": "dev",
         "kubernetes:context": "kind-platform"},
    )  # fmt: skip
    assert outcome.plan is not None, outcome.errors
    provider = one(outcome.plan, "pulumi:providers:kubernetes")
    assert provider["inputs"]["context"] == "kind-platform"


def test_postgres_is_cloudnative_pg_timescaledb_without_backups(plan: dict[str, Any]) -> None:
    cluster = one(plan, CNPG_CLUSTER)
    spec = cluster["inputs"]["spec"]
    assert "timescale" in spec["imageName"]
    assert spec["instances"] == 1
    assert "backup" not in spec  # no object storage on a laptop
    preload = spec["postgresql"]["shared_preload_libraries"]
    assert "timescaledb" in preload
    assert spec["storage"]["storageClass"] == "standard"


def test_kafka_is_strimzi_kraft_with_a_node_pool_and_topics(plan: dict[str, Any]) -> None:
    operator = next(r for r in resources_of(plan, RELEASE) if "strimzi" in r["inputs"]["chart"])
    assert operator["inputs"]["chart"] == "oci://quay.io/strimzi-helm/strimzi-kafka-operator"
    assert operator["inputs"]["version"] == "1.2.0"
    kafka = one(plan, KAFKA)
    assert kafka["inputs"]["apiVersion"] == "kafka.strimzi.io/v1"
    spec = kafka["inputs"]["spec"]["kafka"]
    assert spec["version"] == "4.3.1"
    assert "zookeeper" not in kafka["inputs"]["spec"]
    assert spec["listeners"] == [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]
    assert spec["config"]["min.insync.replicas"] == 2
    pool = one(plan, NODE_POOL)
    assert pool["inputs"]["metadata"]["labels"]["strimzi.io/cluster"] == "platform"
    assert pool["inputs"]["spec"]["replicas"] == 3
    assert sorted(pool["inputs"]["spec"]["roles"]) == ["broker", "controller"]
    # CRDs (the operator's release) before the objects that need them
    assert operator["urn"] in pool["dependencies"] and operator["urn"] in kafka["dependencies"]
    topics = {t["inputs"]["spec"]["topicName"]: t for t in resources_of(plan, TOPIC)}
    assert set(topics) == {"events", "events-dlq"}
    events = topics["events"]["inputs"]["spec"]
    assert (events["partitions"], events["replicas"]) == (12, 3)
    assert events["config"]["retention.ms"] == 168 * 3_600_000
    assert kafka["urn"] in topics["events"]["dependencies"]


def test_redis_is_a_password_protected_valkey(plan: dict[str, Any]) -> None:
    (statefulset,) = [
        s for s in _objects(plan, "StatefulSet") if s["metadata"]["namespace"] == "redis"
    ]
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "valkey/valkey:8.1.3"
    assert container["securityContext"]["runAsNonRoot"] is True
    (config,) = [s for s in _objects(plan, "Secret") if s["metadata"]["name"] == "valkey-config"]
    assert "valkey.conf" in config["stringData"]
    assert plan["outputs"]["redisHost"] == "valkey.redis.svc"


def test_certificates_come_from_a_self_signed_ca(plan: dict[str, Any]) -> None:
    issuers = {
        r["inputs"]["metadata"]["name"]: r["inputs"]["spec"] for r in resources_of(plan, ISSUER)
    }
    assert issuers == {
        "selfsigned-bootstrap": {"selfSigned": {}},
        "platform-local-ca": {"ca": {"secretName": "platform-local-ca"}},
    }
    ingresses = _objects(plan, "Ingress")  # the backend's, Grafana's and Prometheus'
    assert {i["metadata"]["name"] for i in ingresses} == {"backend", "grafana", "prometheus"}
    for ingress in ingresses:
        annotations = ingress["metadata"]["annotations"]
        assert annotations["cert-manager.io/cluster-issuer"] == "platform-local-ca"
    (service,) = [r for r in resources_of(plan, RELEASE) if r["inputs"]["chart"] == "ingress-nginx"]
    ingress_service = service["inputs"]["values"]["controller"]["service"]
    assert ingress_service["type"] == "NodePort"  # no load balancer on kind


def test_every_app_points_at_the_in_cluster_services(plan: dict[str, Any]) -> None:
    settings = {c["metadata"]["name"]: c["data"] for c in _objects(plan, "ConfigMap")}
    backend = settings["backend-settings"]
    assert backend["POSTGRES_HOST"] == "postgres-rw.postgres.svc"
    assert backend["REDIS_HOST"] == "valkey.redis.svc"
    for app in ("backend", "collector"):
        bootstrap = settings[f"{app}-settings"]["KAFKA_BOOTSTRAP_SERVERS"]
        assert bootstrap == "platform-kafka-bootstrap.kafka.svc:9092"
    policies = {p["metadata"]["name"]: p["spec"] for p in _objects(plan, "NetworkPolicy")}
    expected = {
        "backend-allow": {"postgres": 5432, "kafka": 9092, "redis": 6379},
        "collector-allow": {"kafka": 9092},
        "backend-migrations-allow": {"postgres": 5432},
    }
    for name, services in expected.items():
        egress = policies[name]["egress"]
        peers = {
            peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]: rule["ports"][0]["port"]
            for rule in egress for peer in rule.get("to", []) if "namespaceSelector" in peer
        }  # fmt: skip
        assert {ns: peers[ns] for ns in services if ns in peers} == services, name
        # in-cluster services are pods: no ipBlock names a data-service port
        blocked = [r for r in egress if any("ipBlock" in p for p in r.get("to", []))]
        assert all(p["port"] == 443 for r in blocked for p in r["ports"]), name


def _requests(
    node: Any, count: int = 1, key: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Every ``resources.requests`` under ``node`` with the pod count of its nearest owner
    (``replicas``, ``replicaCount`` or ``instances`` on the same object or above)."""
    if isinstance(node, dict):
        for counter in ("replicas", "replicaCount", "instances"):
            if isinstance(node.get(counter), int):
                count = node[counter]
        if key == "resources" and isinstance(node.get("requests"), dict):
            yield count, node["requests"]
            return
        for child_key, value in node.items():
            yield from _requests(value, count, child_key)
    elif isinstance(node, list):
        for item in node:
            yield from _requests(item, count, key)


def scheduled_requests(plan: dict[str, Any]) -> tuple[int, int]:
    """Millicores and bytes requested by everything the plan schedules: pod templates, Helm
    values and operator CRs (Kafka node pools, CNPG instances, the topic operator)."""
    cpu = memory = 0
    for resource in plan["resources"]:
        if resource["type"].startswith("kubernetes:"):
            for count, requests in _requests(resource["inputs"]):
                cpu += count * cpu_millicores(requests.get("cpu", "0"))
                memory += count * memory_bytes(requests.get("memory", "0"))
    return cpu, memory


def test_everything_fits_the_laptop_node(plan: dict[str, Any]) -> None:
    cpu, memory = scheduled_requests(plan)
    system_cpu, system_memory = KIND_SYSTEM_REQUESTS
    cpu += cpu_millicores(system_cpu)
    memory += memory_bytes(system_memory)
    # the node in the README's kind config: Docker Desktop's default 4 CPUs / 8 GiB
    assert cpu <= 4000 and memory <= 8 * 2**30, (cpu, memory / 2**20)
    # and the count covers what must be there: three brokers at their requests, at least
    assert cpu >= 3 * 200 and memory >= 3 * 768 * 2**20


LOCAL = {"platform:cloud": "local", "platform:environment": "dev"}
BAD_LOCAL = [
    ({"platform:environment": "prod"}, "platform:environment: prod is not available with platform:cloud local"),
    ({"aws:region": "eu-west-1"}, "aws:region: not used when platform:cloud is local"),
    ({"platform:postgres": {"engine": "managed"}}, "platform:postgres.engine: managed needs a cloud; allowed on local: cloudnative-pg"),
    ({"platform:postgres": {"backups": True}}, "platform:postgres.backups: true needs object storage"),
    ({"platform:kafka": {"version": "3.9.0"}}, "platform:kafka.version: 3.9.0 is not run by Strimzi 1.2.0 on local; allowed: 4.2.0"),
    ({"platform:redis": {"version": "7.4"}}, "platform:redis.version: 7.4 has no pinned Valkey image on local; allowed: 8.1"),
    ({"platform:kafka": {"brokerSize": "kafka.m5.large"}}, "platform:kafka.brokerSize: 'kafka.m5.large' is not valid on local; expected each broker pod's requests"),
    ({"platform:cluster": {"storageClass": "Fast_SSD"}}, "platform:cluster.storageClass: String should match pattern"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "expected"), BAD_LOCAL, ids=[c[1].split(":")[1] for c in BAD_LOCAL]
)
def test_bad_local_config_is_one_line(
    tmp_path: Path, overrides: dict[str, Any], expected: str
) -> None:
    outcome = plan_config(tmp_path, STACK, {**LOCAL, **overrides})
    assert outcome.exit_code == 2 and outcome.plan is None
    assert any(line.startswith(f"Pulumi.{STACK}.yaml: {expected}") for line in outcome.errors), (
        outcome.errors
    )
    assert not any("Traceback" in line for line in outcome.errors)


def test_storage_class_is_a_local_setting_only(tmp_path: Path) -> None:
    outcome = plan_config(
        tmp_path, "dev",
        {"platform:cloud": "aws", "platform:environment": "dev", "aws:region": "eu-west-1",
         "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"], "storageClass": "gp3"}},
    )  # fmt: skip
    assert any(
        "platform:cluster.storageClass: only used when platform:cloud is local" in e
        for e in outcome.errors
    ), outcome.errors
