"""The extension points (``infra/registry.py``): every registered cloud has an entry in every
table keyed by cloud, and a fourth cloud and an extra data service, registered here the way a
new package would register itself, plan end to end through the CLI's own entry (one plan).

The stub cloud is a tiny ``stacks/<cloud>.py``: ``build`` below declares a network, a cluster
and Postgres, Kafka and Redis from stub components and returns their contracts; the Kubernetes
layer then runs on it unchanged. ``STUB_ENTRIES`` are the stub's entries in the per-cloud
tables: the true list a new cloud fills in (docs/architecture.md, "Add a cloud").
"""

from __future__ import annotations

import ast
import copy
import importlib
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pytest

from components.contracts import (
    ClusterContract,
    KafkaContract,
    NetworkContract,
    PostgresContract,
    RedisContract,
)
from infra import registry
from infra.config.models import PlatformConfig
from stacks.platform import PlatformContracts
from tests.conftest import ROOT, plan_config

STUB = "stub"
STUB_REGION_KEY = "stub:region"


def declaring_modules() -> list[str]:
    """The modules that declare a per-cloud table (they call ``per_cloud``)."""
    found = []
    for folder in ("infra", "components", "stacks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "per_cloud"
            ]
            if calls and path.name != "registry.py":
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def declared_tables() -> set[str]:
    """Every per-cloud table's name, with each declaring module imported."""
    for module in declaring_modules():
        importlib.import_module(module)
    return {table.name for table in registry.tables()}


def test_each_table_is_named_by_where_it_lives() -> None:
    """``per_cloud``'s name is ``module.ATTRIBUTE`` of the very table (messages point there)."""
    declared_tables()
    for table in registry.tables():
        module, attribute = table.name.rsplit(".", 1)
        assert getattr(importlib.import_module(module), attribute) is table.table, table.name


def test_every_registered_cloud_has_an_entry_in_every_table() -> None:
    tables = declared_tables()
    assert "stacks.kubernetes._DISK_CSI" in tables  # read only when protect=True
    assert registry.clouds() == ("aws", "gcp", "azure", "local")
    assert registry.missing_entries() == []


def test_each_cloud_s_mocks_answer_for_its_provider_package_only() -> None:
    """``CloudEntry.mocks`` names a module whose types and invokes are its package's."""
    for cloud in registry.clouds():
        name = registry.cloud_entry(cloud).mocks
        if not name:
            assert cloud == "local"
            continue
        module = importlib.import_module(name)
        assert callable(module.fallback) and module.RESOURCES and module.INVOKES, name
        tokens = [*module.RESOURCES, *module.INVOKES]
        assert [t for t in tokens if not t.startswith(f"{module.PACKAGE}:")] == [], name


# --- the stub cloud: its entries in the tables --------------------------------------------


def _stub_sizes() -> dict[str, Any]:
    """The stub's profile sizes: AWS's dev shape, with sizes of its own."""
    from infra.config.profiles import _SIZES

    dev = copy.deepcopy(_SIZES["aws"]["dev"])
    dev["cluster"]["nodeSize"] = "stub-large"
    return {"dev": dev, "staging": dev, "prod": dev}


STUB_ENTRIES: dict[str, Any] = {
    "infra.config.cloud_rules._INSTANCE_FAMILIES": {},
    "infra.config.cloud_rules.KUBERNETES_SERVICES": "kubernetes.eks",
    "infra.config.cloud_rules.SUPPORTED_KUBERNETES_VERSIONS": None,  # copied from aws below
    "infra.config.cloud_rules.UNSUPPORTED_EXTENSIONS": {},
    "infra.config.cloud_rules.MANAGED_POSTGRES_SERVICES": "postgres.rds",
    "infra.config.cloud_rules.REDIS_SERVICES": "redis.elasticache",
    "infra.config.dns.ZONE_ID_PATTERNS": (r"^stub-[a-z]+$", "a stub zone id like stub-zone"),
    "infra.config.profiles._SIZES": None,  # _stub_sizes()
    "infra.config.common.REGION_KEYS": STUB_REGION_KEY,
    "stacks.dns._RECORD_TYPE": "A",
    # a dashboard file in components/kubernetes/dashboards/ (the stub borrows one)
    "stacks.observability.MANAGED_DASHBOARDS": "valkey",
    "stacks.kubernetes._DISK_CSI": ("disk.csi.stub.example", {"type": "ssd"}),
    # traces and logs to the gateway's own log
    # its monitoring service in Grafana (the stub borrows the chart's own Prometheus)
    "components.kubernetes.grafana.CLOUD_DATASOURCES": lambda _region, _project: {
        "name": "Stub Monitoring",
        "uid": "stub-monitoring",
        "type": "prometheus",
        "access": "proxy",
        "url": "http://stub-monitoring.example:9090",
    },
    "components.kubernetes.telemetry.EXPORTERS": lambda _args: (
        {"debug": {}},
        ["debug"],
        ["debug"],
    ),
}


def _table(name: str) -> dict[str, Any]:
    return next(t.table for t in registry.tables() if t.name == name)  # type: ignore[return-value]


@pytest.fixture
def stub_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stub cloud registered with its entries (undone after the test)."""
    declared_tables()
    monkeypatch.setitem(
        registry._CLOUDS, STUB, registry.CloudEntry(name=STUB, module=__name__, account=True)
    )
    entries = {
        **STUB_ENTRIES,
        "infra.config.cloud_rules.SUPPORTED_KUBERNETES_VERSIONS": _table(
            "infra.config.cloud_rules.SUPPORTED_KUBERNETES_VERSIONS"
        )["aws"],
        "infra.config.profiles._SIZES": _stub_sizes(),
    }
    for name, value in entries.items():
        monkeypatch.setitem(_table(name), STUB, value)


def test_a_cloud_without_its_entries_is_named_in_every_table_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared_tables()
    monkeypatch.setitem(
        registry._CLOUDS, STUB, registry.CloudEntry(name=STUB, module=__name__, account=True)
    )
    assert sorted(registry.missing_entries()) == sorted(
        f"{name} has no entry for cloud 'stub'" for name in STUB_ENTRIES
    )


@pytest.mark.usefixtures("stub_cloud")
def test_the_stub_entries_are_exactly_what_the_tables_ask_for() -> None:
    assert registry.missing_entries() == []
    needed = {t.name for t in registry.tables() if t.needs(registry.cloud_entry(STUB))}
    assert needed == set(STUB_ENTRIES)
    # docs/architecture.md's walkthrough counts them
    files = {name.rsplit(".", 1)[0] for name in STUB_ENTRIES}
    walkthrough = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert f"{len(STUB_ENTRIES)} table entries in {len(files)} files" in walkthrough


# --- the stub cloud: its wiring (a tiny stacks/<cloud>.py) ----------------------------------


class StubPart(pulumi.ComponentResource):
    """One stub capability: an address and a generated secret."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"platform:stub:{kind}", name, None)
        self.secret = random.RandomPassword(
            f"{name}-secret", length=24, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        self.host = pulumi.Output.from_input(f"{name}.stub.internal")
        self.register_outputs({"host": self.host})


def build(config: PlatformConfig) -> PlatformContracts:
    """The stub cloud's ``build``: every contract, from stub components."""
    prefix = config.name_prefix
    network = StubPart("Network", f"{prefix}-network")
    cluster = StubPart("Cluster", f"{prefix}-cluster")
    postgres, kafka, redis = (
        StubPart(kind, f"{prefix}-{kind.lower()}") for kind in ("Postgres", "Kafka", "Redis")
    )
    kubeconfig = pulumi.Output.secret("apiVersion: v1\nkind: Config\n")
    return PlatformContracts(
        network=NetworkContract(
            id=network.host,
            cidr=pulumi.Output.from_input(str(config.network.cidr)),
            private_subnet_ids=[pulumi.Output.from_input("stub-subnet-a")],
            zones=[pulumi.Output.from_input("stub-1a")],
        ),
        cluster=ClusterContract(
            name=cluster.host,
            kubeconfig=kubeconfig,
            provider=k8s.Provider(
                f"{prefix}-k8s", kubeconfig=kubeconfig, opts=pulumi.ResourceOptions(parent=cluster)
            ),
        ),
        postgres=PostgresContract(
            host=postgres.host,
            port=pulumi.Output.from_input(5432),
            database=pulumi.Output.from_input(config.postgres.database_name),
            username=pulumi.Output.from_input(config.postgres.username),
            password=postgres.secret.result,
            ssl_mode="verify-full",
        ),
        kafka=KafkaContract(
            bootstrap_servers=kafka.host.apply(lambda host: f"{host}:9093"),
            port=9093,
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512",
            username=pulumi.Output.from_input("app"),
            password=kafka.secret.result,
        ),
        redis=RedisContract(
            host=redis.host,
            port=pulumi.Output.from_input(6380),
            tls=True,
            auth_token=redis.secret.result,
        ),
    )


# --- the stub data service -----------------------------------------------------------------


def build_stub_cache(config: PlatformConfig, contracts: PlatformContracts) -> dict[str, Any]:
    """The stub data service's builder (the same on every cloud): a component, its outputs."""
    cache = StubPart("Cache", f"{config.name_prefix}-cache")
    return {"host": cache.host, "network": contracts.network.id}


@pytest.fixture
def stub_service(monkeypatch: pytest.MonkeyPatch) -> None:
    builders = {cloud: f"{__name__}:build_stub_cache" for cloud in registry.clouds()}
    monkeypatch.setattr(registry, "_DATA_SERVICES", {})
    registry.register_data_service(registry.DataServiceEntry(name="cache", builders=builders))


# --- the stub add-on -----------------------------------------------------------------------


def build_stub_addon(config: PlatformConfig, contracts: PlatformContracts) -> None:
    """The stub add-on's builder: one object on the stack's cluster."""
    k8s.core.v1.ConfigMap(
        f"{config.name_prefix}-stub-addon",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="stub-addon", namespace="kube-system"),
        data={"cloud": config.cloud},
        opts=pulumi.ResourceOptions(provider=contracts.cluster.provider),
    )


@pytest.fixture
def stub_addon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_ADDONS", {})
    registry.register_addon(
        registry.AddonEntry(name="stub-addon", builder=f"{__name__}:build_stub_addon")
    )


def test_a_data_service_without_a_builder_for_a_cloud_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "_DATA_SERVICES", {})
    registry.register_data_service(registry.DataServiceEntry(name="cache", builders={"aws": "m:f"}))
    with pytest.raises(ValueError, match="already registered"):
        registry.register_data_service(registry.DataServiceEntry(name="cache", builders={}))
    assert [line for line in registry.missing_entries() if "data service" in line] == [
        f"data service 'cache' has no builder for cloud {cloud!r}"
        for cloud in ("gcp", "azure", "local")
    ]


@pytest.mark.usefixtures("stub_cloud", "stub_service", "stub_addon")
def test_the_stub_cloud_service_and_addon_plan_end_to_end(tmp_path: Path) -> None:
    outcome = plan_config(
        tmp_path,
        "dev-stub",
        {
            "platform:example": True,
            "platform:cloud": STUB,
            "platform:environment": "dev",
            STUB_REGION_KEY: "stub-1",
            "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
        },
    )
    assert outcome.errors == [], outcome.errors
    plan = outcome.plan
    assert plan is not None
    types = {r["type"] for r in plan["resources"]}
    assert {
        f"platform:stub:{kind}" for kind in ("Network", "Cluster", "Postgres", "Cache")
    } <= types
    # the Kubernetes layer ran on the stub's contracts, on the stub's provider
    workloads = [r for r in plan["resources"] if r["type"] == "platform:kubernetes:Workload"]
    assert {r["name"] for r in workloads} == {
        "platform-dev-stub-backend",
        "platform-dev-stub-collector",
    }
    gateway = next(r for r in plan["resources"] if r["name"].endswith("-telemetry-otel-gateway"))
    assert "debug" in gateway["inputs"]["values"]["alternateConfig"]["exporters"]
    assert plan["outputs"]["cloud"] == STUB and plan["outputs"]["region"] == "stub-1"
    assert (
        plan["outputs"]["dataServices"]["cache"]["host"] == "platform-dev-stub-cache.stub.internal"
    )
    # the add-on deployed with the stub cluster's provider
    addon = next(r for r in plan["resources"] if r["name"] == "platform-dev-stub-stub-addon")
    assert addon["type"] == "kubernetes:core/v1:ConfigMap"
    assert addon["inputs"]["data"] == {"cloud": STUB}
    assert addon["provider"].startswith(
        "urn:pulumi:dev-stub::platform::platform:stub:Cluster$pulumi:providers:kubernetes::"
    ), addon["provider"]
    assert plan["policy"]["violations"] == [], plan["policy"]["violations"]
