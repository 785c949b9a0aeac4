"""The Kubernetes layer's ordering, contract wiring, alerting and add-on settings, read from the
plan JSON (``dependencies`` for ordering, inputs for values)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.kubernetes.addons import AlertReceiverArgs, alertmanager_document
from components.kubernetes.workload import migrations_job_name
from infra.plan.cli import EXIT_ERROR, Outcome, plan_many
from infra.plan.render import helm_releases, kubernetes_objects
from tests.conftest import ROOT, delivered_objects, make_project, plan_config


def _plan(outcome: Outcome) -> dict[str, Any]:
    assert outcome.plan is not None, outcome.errors
    return outcome.plan


def _urn(plan: dict[str, Any], type_: str, name_suffix: str) -> dict[str, Any]:
    (found,) = [
        r for r in plan["resources"] if r["type"] == type_ and r["name"].endswith(name_suffix)
    ]
    return found


def _named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o.get("kind") == kind and o["metadata"]["name"] == name]
    return found


RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.mark.parametrize("stack", ["dev", "prod-gcp", "prod-azure"])
def test_servicemonitor_users_wait_for_the_prometheus_release(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    """Item 1: the CRDs come with kube-prometheus-stack; its users must be created after it."""
    plan = _plan(shipped_plans[stack])
    prometheus = _urn(plan, RELEASE, "kube-prometheus-stack")["urn"]
    for chart in ("gateway-helm", "cert-manager"):
        release = _urn(plan, RELEASE, chart)
        assert prometheus in release["dependencies"], (stack, chart)


def test_migrations_job_runs_before_the_statefulset_once_per_change(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = _plan(shipped_plans["prod"])
    job = _urn(plan, "kubernetes:batch/v1:Job", "backend-migrate")
    statefulset = _urn(plan, "kubernetes:apps/v1:StatefulSet", "backend-sts")
    assert job["urn"] in statefulset["dependencies"]
    name = job["inputs"]["metadata"]["name"]
    image, command = "ghcr.io/analytics-platform/backend:1.8.2", ["/app/backend", "migrate", "up"]
    assert name == migrations_job_name("backend", image, command)
    assert migrations_job_name("backend", image.replace("1.8.2", "1.8.3"), command) != name
    assert migrations_job_name("backend", image, [*command, "--to", "42"]) != name
    assert len(name) <= 63


def test_apps_are_scraped_through_monitors(shipped_plans: dict[str, Outcome]) -> None:
    """Item 5: the operator ignores prometheus.io annotations; monitors select the apps."""
    objects = kubernetes_objects(_plan(shipped_plans["prod"])["resources"])
    monitors = [o for o in objects if o["kind"] in ("ServiceMonitor", "PodMonitor")]
    services = [o for o in objects if o["kind"] == "Service"]
    scraped = set()
    for monitor in monitors:
        wanted = monitor["spec"]["selector"]["matchLabels"]
        (service,) = [
            s for s in services
            if all(s["metadata"]["labels"].get(k) == v for k, v in wanted.items())
            and any(p["name"] == "metrics" for p in s["spec"]["ports"])
        ]  # fmt: skip
        assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
        scraped.add(service["metadata"]["name"])
    assert scraped == {"backend", "collector"}
    for workload in [o for o in objects if o["kind"] in ("StatefulSet", "DaemonSet")]:
        assert "prometheus.io/scrape" not in (
            workload["spec"]["template"]["metadata"].get("annotations") or {}
        )


_CONTRACT_PROGRAM = f"""
import dataclasses
import sys

sys.path.insert(0, {str(ROOT)!r})
import pulumi

from components.contracts import EgressDestination
from infra.config import load_platform_config
from infra.registry import cloud_entry
from stacks.kubernetes import build
import importlib

config = load_platform_config()
contracts = importlib.import_module(cloud_entry(config.cloud).module).build(config)
cluster = dataclasses.replace(
    contracts.cluster,
    workload_egress=[
        EgressDestination("metadata", ["169.254.169.254/32"], [(80, 80)]),
        EgressDestination("metadata-mtls", ["169.254.169.252/32"], [(988, 988)]),
    ],
    hidden_control_plane=False,
)
redis = dataclasses.replace(
    contracts.redis, extra_ports=[(11000, 13047)], ca_certificate="-----BEGIN CERTIFICATE-----R"
)
postgres = dataclasses.replace(
    contracts.postgres, ca_certificate=pulumi.Output.from_input("-----BEGIN CERTIFICATE-----P")
)
build(config, dataclasses.replace(contracts, cluster=cluster, redis=redis, postgres=postgres))
"""


@pytest.fixture(scope="module")
def filled_contracts(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The dev stack with the contract fields the clouds fill (egress, shard ports, CAs)."""
    directory = tmp_path_factory.mktemp("contracts")
    config = {
        "aws:region": "eu-west-1",
        "platform:example": "true",
        "platform:cloud": "aws",
        "platform:environment": "dev",
        "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
    }
    stack = make_project(directory, _CONTRACT_PROGRAM, config, stack="dev")
    (directory / "policies").symlink_to(ROOT / "policies")
    (outcome,) = plan_many([stack], directory)
    plan = _plan(outcome)
    return [*kubernetes_objects(plan["resources"]), *helm_releases(plan["resources"])]


def _egress_ports(policy: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_peer: dict[str, list[dict[str, Any]]] = {}
    for rule in policy["spec"]["egress"]:
        for peer in rule["to"]:
            key = peer["ipBlock"]["cidr"] if "ipBlock" in peer else json.dumps(peer)
            by_peer.setdefault(key, []).extend(rule["ports"])
    return by_peer


def test_cloud_egress_and_shard_ports_reach_every_workload(
    filled_contracts: list[dict[str, Any]],
) -> None:
    """Item 3 (GKE metadata server) and RedisContract.extra_ports."""
    policies = {
        o["metadata"]["name"]: o for o in filled_contracts if o.get("kind") == "NetworkPolicy"
    }
    for name in ("backend-allow", "collector-allow", "backend-migrations-allow"):
        egress = _egress_ports(policies[name])
        assert egress["169.254.169.254/32"] == [{"protocol": "TCP", "port": 80}], name
        assert egress["169.254.169.252/32"] == [{"protocol": "TCP", "port": 988}], name
    backend_rules = policies["backend-allow"]["spec"]["egress"]
    (redis_rule,) = [
        r
        for r in backend_rules
        if {"protocol": "TCP", "port": 11000, "endPort": 13047} in r["ports"]
    ]
    assert {"protocol": "TCP", "port": 6379} in redis_rule["ports"]
    # the migrations reach the database only; the collector no Redis at all
    for name in ("backend-migrations-allow", "collector-allow"):
        ports = [p.get("port") for r in policies[name]["spec"]["egress"] for p in r["ports"]]
        assert 6379 not in ports and 11000 not in ports, name


def test_ca_bundles_are_mounted_only_where_used(filled_contracts: list[dict[str, Any]]) -> None:
    objects = filled_contracts
    ca = _named(objects, "ConfigMap", "backend-ca")["data"]
    assert set(ca) == {"postgres-ca.pem", "redis-ca.pem"}
    settings = _named(objects, "ConfigMap", "backend-settings")["data"]
    assert settings["PGSSLROOTCERT"] == "/etc/platform/ca/postgres-ca.pem"
    assert settings["REDIS_CA_FILE"] == "/etc/platform/ca/redis-ca.pem"
    assert not [
        o
        for o in objects
        if o.get("kind") == "ConfigMap" and o["metadata"]["name"] == "collector-ca"
    ]
    assert "PGSSLROOTCERT" not in _named(objects, "ConfigMap", "collector-settings")["data"]
    pods = [
        o["spec"]["template"]["spec"]
        for o in objects
        if o.get("kind") in ("StatefulSet", "Job") and o["metadata"]["name"].startswith("backend")
    ]
    assert len(pods) == 2
    for pod in pods:
        assert {"name": "ca", "configMap": {"name": "backend-ca", "defaultMode": 0o444}} in pod[
            "volumes"
        ]
        assert {"name": "ca", "mountPath": "/etc/platform/ca", "readOnly": True} in pod[
            "containers"
        ][0]["volumeMounts"]


def test_control_plane_scrapes_follow_the_contract(
    filled_contracts: list[dict[str, Any]], shipped_plans: dict[str, Outcome]
) -> None:
    components = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")
    (visible,) = [r for r in filled_contracts if r.get("name") == "kube-prometheus-stack"]
    assert all(visible["values"][c]["enabled"] is True for c in components)
    for stack in ("dev", "dev-gcp", "dev-azure"):
        (release,) = [
            r for r in helm_releases(_plan(shipped_plans[stack])["resources"])
            if r["name"] == "kube-prometheus-stack"
        ]  # fmt: skip
        assert all(release["values"][c]["enabled"] is False for c in components), stack


def test_alertmanager_routes_alerts_to_the_configured_receivers_by_severity() -> None:
    receivers = [
        AlertReceiverArgs(name="oncall", kind="slack", url="unused", channel="#oncall"),
        AlertReceiverArgs(name="pager", kind="webhook", url="unused"),
    ]
    document = alertmanager_document(receivers, ["https://hooks.slack/x", "https://pager/y"])
    names = {r["name"] for r in document["receivers"]}
    assert names == {"null", "oncall", "pager"}
    routes = document["route"]["routes"]
    assert routes[0]["receiver"] == "null" and "Watchdog" in routes[0]["matchers"][0]
    # by default a receiver takes critical and warning alerts (never info)
    assert [(r["receiver"], r["matchers"]) for r in routes[1:]] == [
        ("oncall", ['severity="critical"']),
        ("oncall", ['severity="warning"']),
        ("pager", ['severity="critical"']),
        ("pager", ['severity="warning"']),
    ]
    assert all(r["continue"] for r in routes[1:])
    (oncall,) = [r for r in document["receivers"] if r["name"] == "oncall"]
    assert oncall["slack_configs"][0]["api_url"] == "https://hooks.slack/x"


@pytest.mark.parametrize("stack", ["prod", "prod-gcp", "prod-azure"])
def test_prod_alertmanager_and_grafana_read_generated_secrets(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    """Item 11: receivers from config (secret URL), Grafana's password generated."""
    plan = _plan(shipped_plans[stack])
    release = _urn(plan, RELEASE, "kube-prometheus-stack")
    values = release["inputs"]["values"]
    spec = values["alertmanager"]["alertmanagerSpec"]
    assert spec["useExistingSecret"] is True
    config_secret = _urn(plan, "kubernetes:core/v1:Secret", "alertmanager-config")
    assert config_secret["inputs"]["metadata"]["name"] == spec["configSecret"]
    assert config_secret["urn"] in release["dependencies"]
    # the receiver URL never appears in the clear in the plan
    assert "offline-plan-secret-placeholder" not in json.dumps(config_secret)
    admin = values["grafana"]["admin"]
    grafana_secret = _urn(plan, "kubernetes:core/v1:Secret", "grafana-admin")
    assert grafana_secret["inputs"]["metadata"]["name"] == admin["existingSecret"]
    assert grafana_secret["urn"] in release["dependencies"]
    password = _urn(plan, "random:index/randomPassword:RandomPassword", "grafana-admin")
    assert password["urn"] in grafana_secret["dependencies"]
    assert "adminPassword" not in values["grafana"]


def test_prod_without_a_receiver_is_a_config_error(tmp_path: Path) -> None:
    outcome = plan_config(
        tmp_path,
        "prod",
        {
            "aws:region": "eu-west-1",
            "platform:example": "true",
            "platform:cloud": "aws",
            "platform:environment": "prod",
        },
    )
    assert outcome.exit_code == EXIT_ERROR
    assert any("addons.alertReceivers" in e and "Pulumi.prod.yaml" in e for e in outcome.errors)


def _release(plan: dict[str, Any], name: str) -> dict[str, Any]:
    (release,) = [r for r in helm_releases(plan["resources"]) if r["name"] == name]
    return release["values"]


def test_chart_components_are_sized_and_highly_available_in_prod(
    shipped_plans: dict[str, Outcome],
) -> None:
    prod = _plan(shipped_plans["prod"])
    cert_manager = _release(prod, "cert-manager")
    for component in ("webhook", "cainjector"):
        assert cert_manager[component]["replicaCount"] >= 2
        assert cert_manager[component]["podDisruptionBudget"]["enabled"] is True
        assert cert_manager[component]["resources"]["requests"]["memory"]
    stack_values = _release(prod, "kube-prometheus-stack")
    sized = [
        stack_values["prometheusOperator"],
        stack_values["prometheusOperator"]["prometheusConfigReloader"],
        stack_values["prometheusOperator"]["admissionWebhooks"]["patch"],
        stack_values["alertmanager"]["alertmanagerSpec"],
        stack_values["grafana"],
        stack_values["grafana"]["sidecar"],
        stack_values["kube-state-metrics"],
        stack_values["prometheus-node-exporter"],
        cert_manager["startupapicheck"],
        _release(prod, "gateway-helm")["deployment"]["envoyGateway"],
        _release(prod, "gateway-helm")["certgen"]["job"],
        *(_release(prod, "vpa")[c] for c in ("recommender", "updater", "admissionController")),
    ]
    for values in sized:
        assert values["resources"]["requests"]["memory"] == values["resources"]["limits"]["memory"]
    metrics_server = _release(_plan(shipped_plans["dev"]), "metrics-server")
    assert "args" not in metrics_server
    address_types = [a for a in metrics_server["defaultArgs"] if "address-types" in a]
    assert address_types == ["--kubelet-preferred-address-types=InternalIP"]


@pytest.mark.parametrize(
    ("stack", "provisioner"),
    [
        ("prod", "ebs.csi.aws.com"),
        ("prod-gcp", "pd.csi.storage.gke.io"),
        ("prod-azure", "disk.csi.azure.com"),
    ],
)
def test_prod_data_keeps_its_volumes(
    shipped_plans: dict[str, Outcome], stack: str, provisioner: str
) -> None:
    plan = _plan(shipped_plans[stack])
    objects = kubernetes_objects(plan["resources"])
    storage_class = _named(objects, "StorageClass", "platform-retain")
    assert storage_class["reclaimPolicy"] == "Retain"
    assert storage_class["provisioner"] == provisioner
    assert _urn(plan, "kubernetes:storage.k8s.io/v1:StorageClass", "retain")["protect"] is True
    (backend,) = [o for o in objects if o["kind"] == "StatefulSet"]
    assert (
        backend["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "platform-retain"
    )
    prometheus = _release(plan, "kube-prometheus-stack")["prometheus"]["prometheusSpec"]
    claim = prometheus["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "platform-retain"


def _waits_for(plan: dict[str, Any], resource: dict[str, Any]) -> set[str]:
    """Names of everything ``resource`` waits for, directly or through what it waits for."""
    by_urn = {r["urn"]: r for r in plan["resources"]}
    seen: set[str] = set()
    todo = list(resource["dependencies"])
    while todo:
        urn = todo.pop()
        if urn not in seen:
            seen.add(urn)
            todo += by_urn[urn]["dependencies"]
    return {by_urn[u]["name"] for u in seen}


@pytest.mark.parametrize("stack", ["dev", "prod", "prod-gcp", "prod-azure", "dev-local"])
def test_gateway_api_crds_come_before_every_gateway_object(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    """The standard-channel CRDs (and Envoy Gateway's) are applied before any route, the
    Gateway or cert-manager (whose gateway-shim watches Gateways from its start)."""
    plan = _plan(shipped_plans[stack])
    prefix = "platform-" + stack
    crds = {f"{prefix}-addons-gateway-api", f"{prefix}-addons-envoy-gateway-crds"}
    (config_file,) = [r for r in plan["resources"] if r["type"] == "kubernetes:yaml/v2:ConfigFile"]
    assert config_file["inputs"]["file"] == (
        "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml"
    )
    gateway_objects = [r for r in plan["resources"] if r["type"].startswith("kubernetes:gateway.")]
    assert {r["type"].rsplit(":", 1)[1] for r in gateway_objects} == {
        "EnvoyProxy", "GatewayClass", "Gateway", "HTTPRoute"
    }  # fmt: skip
    for resource in gateway_objects:
        assert crds | {f"{prefix}-addons-gateway-helm"} <= _waits_for(plan, resource), resource[
            "name"
        ]
    assert f"{prefix}-addons-gateway-api" in _waits_for(plan, _urn(plan, RELEASE, "cert-manager"))


def test_no_stack_installs_ingress_nginx_and_every_host_is_served_over_https(
    shipped_plans: dict[str, Outcome],
) -> None:
    for stack in shipped_plans:
        plan = _plan(shipped_plans[stack])
        charts = {r["inputs"]["chart"] for r in plan["resources"] if r["type"] == RELEASE}
        assert not any("ingress-nginx" in c for c in charts), stack
        # the routes of a stack delivered by Argo CD are in its package
        objects = delivered_objects(shipped_plans[stack])
        assert [o for o in objects if o["kind"] == "Ingress"] == [], stack
        (gateway,) = [o for o in objects if o["kind"] == "Gateway"]
        https = {
            item["hostname"] for item in gateway["spec"]["listeners"] if item["protocol"] == "HTTPS"
        }
        routes = [o for o in objects if o["kind"] == "HTTPRoute" and o["spec"].get("hostnames")]
        assert https == {h for r in routes for h in r["spec"]["hostnames"]} != set(), stack
