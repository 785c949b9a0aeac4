"""Observability, checked by the real tools and against what each stack deploys.

- ``promtool check rules`` (Debian's ``prometheus`` package; ``make tools`` installs it) on
  every PrometheusRule of every shipped stack, and on every dashboard expression turned into a
  recording rule;
- ``amtool check-config`` (``prometheus-alertmanager``) on the Alertmanager configuration the
  platform renders, with Slack, webhook and e-mail receivers;
- every metric an alert or a panel uses has a named source (``METRIC_SOURCES``) that the stack
  deploys (``_deployed_sources``);
- dashboards and rules on every stack (dev-local included), traces and logs with a destination
  on every cloud and on the laptop.

The tools missing is a failure, never a skip: ``make test`` installs them first.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.kubernetes.addons import AlertReceiverArgs, alertmanager_document
from components.kubernetes.alert_rules import DataServiceRules, data_service_groups
from components.kubernetes.grafana import available_dashboards, dashboard
from infra.plan.cli import Outcome
from infra.plan.render import helm_releases, kubernetes_objects
from tests.conftest import plan_of

RULE_KIND = "PrometheusRule"
# Every metric the platform's alerts and dashboards read, by who produces it. A name matches a
# source when it equals one of its names or starts with one of its prefixes (ending in "_").
METRIC_SOURCES: dict[str, tuple[str, ...]] = {
    # Prometheus itself: scrape health and the alert state series
    "prometheus": ("up", "ALERTS"),
    # kube-prometheus-stack's kube-state-metrics
    "kube-state-metrics": ("kube_",),
    # the kubelet's cAdvisor and volume stats (kube-prometheus-stack's kubelet ServiceMonitor)
    "kubelet": ("container_", "kubelet_volume_stats_"),
    # kube-prometheus-stack's prometheus-node-exporter DaemonSet
    "node-exporter": ("node_",),
    # the backend's metrics contract (metricsPort, its ServiceMonitor): RED metrics
    "app-contract": ("http_requests_total", "http_request_duration_seconds_"),
    # CloudNativePG's instance manager exporter, port 9187 (PodMonitor "postgres")
    "cloudnative-pg": ("cnpg_",),
    # cert-manager's controller metrics (its ServiceMonitor)
    "cert-manager": ("certmanager_",),
    # Strimzi Metrics Reporter in the brokers, port 9404 (PodMonitor "kafka")
    "strimzi-metrics-reporter": ("kafka_server_", "kafka_controller_", "kafka_cluster_"),
    # Strimzi's Kafka Exporter (Kafka.spec.kafkaExporter), same PodMonitor
    "kafka-exporter": ("kafka_brokers", "kafka_consumergroup_", "kafka_topic_"),
    # redis_exporter sidecar of the Valkey pod, port 9121 (PodMonitor "valkey")
    "redis-exporter": ("redis_",),
}
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "le", "inf", "nan",
}  # fmt: skip


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, (
        f"{name} is missing: `make tools` installs it (Debian: prometheus/prometheus-alertmanager)"
    )
    return path


def _plan(plans: dict[str, Outcome], stack: str) -> dict[str, Any]:
    return plan_of(plans, stack)


def _rule_groups(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        group
        for obj in kubernetes_objects(plan["resources"])
        if obj["kind"] == RULE_KIND
        for group in obj["spec"]["groups"]
    ]


def _dashboards(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    boards = {}
    for obj in kubernetes_objects(plan["resources"]):
        if (
            obj["kind"] == "ConfigMap"
            and obj["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
        ):
            for key, text in obj["data"].items():
                boards[key.removesuffix(".json")] = json.loads(text)
    return boards


def _prometheus_exprs(board: dict[str, Any]) -> Iterator[str]:
    for panel in board["panels"]:
        # no data source: Grafana's default, the chart's Prometheus
        if panel.get("datasource", {"type": "prometheus"})["type"] != "prometheus":
            continue
        for target in panel["targets"]:
            yield target["expr"]
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("datasource", {}).get("type") == "prometheus":
            query = variable["query"]["query"]
            yield re.sub(r"^label_values\((.+), \w+\)$", r"\1", query)


def _as_promql(expr: str) -> str:
    """Grafana variables replaced by values PromQL accepts."""
    return expr.replace("$__rate_interval", "5m").replace("$namespace", "ns")


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (strings, label matchers, grouping labels, range
    selectors, functions and keywords removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        following = text[match.end() :].lstrip()
        if following.startswith("(") or word.lower() in PROMQL_WORDS:
            continue
        if re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names


def source_of(metric: str) -> str | None:
    for source, names in METRIC_SOURCES.items():
        if any(metric == n or (n.endswith("_") and metric.startswith(n)) for n in names):
            return source
    return None


def _deployed_sources(plan: dict[str, Any]) -> set[str]:
    """The metric sources this stack's plan actually deploys."""
    objects = kubernetes_objects(plan["resources"])
    kinds = {o["kind"] for o in objects}
    releases = {r["name"]: r for r in helm_releases(plan["resources"])}
    sources = {"prometheus", "app-contract"}
    if "kube-prometheus-stack" in releases:
        sources |= {"kube-state-metrics", "kubelet", "node-exporter"}
    if "cert-manager" in releases:
        sources.add("cert-manager")
    if "Cluster" in kinds:
        sources.add("cloudnative-pg")
    for kafka in (o for o in objects if o["kind"] == "Kafka"):
        if kafka["spec"]["kafka"].get("metricsConfig", {}).get("type") == "strimziMetricsReporter":
            sources.add("strimzi-metrics-reporter")
        if "kafkaExporter" in kafka["spec"]:
            sources.add("kafka-exporter")
    for sts in (o for o in objects if o["kind"] == "StatefulSet"):
        containers = sts["spec"]["template"]["spec"]["containers"]
        if any(c["image"].startswith("oliver006/redis_exporter:") for c in containers):
            sources.add("redis-exporter")
    return sources


# --- the parser this file relies on -----------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum by (pod) (rate(http_requests_total{status=~"5.."}[5m]))', {"http_requests_total"}),
        ("a / on (pod) group_left b > 0.8", {"a", "b"}),
        ('time() - x{name="max_connections"} > 26 * 3600 and x > 0', {"x"}),
        ("histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))", {"h_bucket"}),
        ('count(ALERTS{alertstate="firing"})', {"ALERTS"}),
    ],
)
def test_metric_names_finds_exactly_the_metrics(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


# --- promtool / amtool --------------------------------------------------------------------------


def test_promtool_and_amtool_are_installed() -> None:
    for tool in ("promtool", "amtool"):
        result = subprocess.run(
            [_tool(tool), "--version"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0 and "version" in result.stdout + result.stderr


def _promtool_check(path: Path) -> None:
    result = subprocess.run(
        [_tool("promtool"), "check", "rules", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_accepts_every_prometheus_rule_of_every_stack(
    shipped_plans: dict[str, Outcome], tmp_path: Path
) -> None:
    for stack in shipped_plans:
        groups = _rule_groups(_plan(shipped_plans, stack))
        assert groups, stack
        path = tmp_path / f"{stack}.rules.yaml"
        path.write_text(yaml.safe_dump({"groups": groups}))
        _promtool_check(path)


def test_promtool_accepts_every_rule_the_engines_can_produce(tmp_path: Path) -> None:
    """Including CNPG backup rules and every engine at once (no shipped stack has all)."""
    engines = DataServiceRules("postgres", True, 26, "kafka", 3, 10000, "redis")
    groups = data_service_groups(engines)
    assert [g["name"] for g in groups] == ["cloudnative-pg", "strimzi-kafka", "valkey"]
    path = tmp_path / "engines.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}))
    _promtool_check(path)


def test_promtool_accepts_every_dashboard_expression(tmp_path: Path) -> None:
    rules = [
        {"record": f"dashboard:{name.replace('-', '_')}:{index}", "expr": _as_promql(expr)}
        for name in available_dashboards()
        for index, expr in enumerate(_prometheus_exprs(dashboard(name)))
    ]
    assert len(rules) > 50
    path = tmp_path / "dashboards.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    _promtool_check(path)


def _amtool_check(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "alertmanager.yaml"
    path.write_text(yaml.safe_dump(document))
    result = subprocess.run(
        [_tool("amtool"), "check-config", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_amtool_accepts_the_rendered_alertmanager_config(tmp_path: Path) -> None:
    receivers = [
        AlertReceiverArgs(name="oncall", kind="slack", url=None, channel="#analytics-oncall"),
        AlertReceiverArgs(name="pager", kind="webhook", url=None, severities=("critical",)),
        AlertReceiverArgs(
            name="mail", kind="email", url=None, to="oncall@example.com", smarthost="smtp.example.com:587",
            sender="alerts@example.com", username="alerts", severities=("critical",),
        ),
    ]  # fmt: skip
    secrets = ["https://hooks.slack.com/services/T/B/X", "https://pager.example/hook", "pw"]
    _amtool_check(alertmanager_document(receivers, secrets), tmp_path)
    _amtool_check(alertmanager_document([], []), tmp_path)


@pytest.mark.parametrize("stack", ["prod", "dev-local"])
def test_amtool_accepts_the_config_each_stack_renders(
    shipped_plans: dict[str, Outcome], stack: str, tmp_path: Path
) -> None:
    """The Secret's document as the plan holds it (the receiver URL is redacted there, so the
    structure is rebuilt from the stack's config by the same function)."""
    plan = _plan(shipped_plans, stack)
    (secret,) = [
        o for o in kubernetes_objects(plan["resources"])
        if o["kind"] == "Secret" and o["metadata"]["name"] == "alertmanager-platform-config"
    ]  # fmt: skip
    assert "alertmanager.yaml" in secret.get("stringData", secret.get("data", {}))
    receivers = [
        AlertReceiverArgs(name="oncall", kind="slack", url=None, channel="#analytics-oncall")
    ] if stack == "prod" else []  # fmt: skip
    document = alertmanager_document(receivers, ["https://hooks.slack.com/x"] * len(receivers))
    _amtool_check(document, tmp_path)


# --- routing ------------------------------------------------------------------------------------


def test_alerts_route_by_severity_to_the_receivers_that_take_it() -> None:
    receivers = [
        AlertReceiverArgs(name="chat", kind="slack", url=None, channel="#ops", severities=("critical", "warning")),
        AlertReceiverArgs(
            name="mail", kind="email", url=None, to="a@example.com", smarthost="smtp.example.com:587",
            sender="b@example.com", severities=("critical",),
        ),
    ]  # fmt: skip
    document = alertmanager_document(receivers, ["https://hooks.slack.com/x", ""])
    routes = document["route"]["routes"]
    assert routes[0] == {"matchers": ['alertname=~"Watchdog|InfoInhibitor"'], "receiver": "null"}
    taken = {(r["receiver"], r["matchers"][0]) for r in routes[1:]}
    assert taken == {
        ("chat", 'severity="critical"'),
        ("chat", 'severity="warning"'),
        ("mail", 'severity="critical"'),
    }
    assert all(r["continue"] for r in routes[1:])
    (mail,) = [r for r in document["receivers"] if r["name"] == "mail"]
    assert mail["email_configs"][0]["to"] == "a@example.com"
    assert "auth_password" not in mail["email_configs"][0]  # no username: no SMTP auth
    assert document["inhibit_rules"][0]["source_matchers"] == ['severity="critical"']


# --- what each stack watches --------------------------------------------------------------------


def test_every_alert_carries_severity_and_runbook(shipped_plans: dict[str, Outcome]) -> None:
    for stack in shipped_plans:
        for group in _rule_groups(_plan(shipped_plans, stack)):
            for rule in group["rules"]:
                assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule
                if group["name"] != "analytics-service":
                    assert len(rule["annotations"]["runbook"]) > 40, rule["alert"]


@pytest.mark.parametrize(
    ("stack", "groups", "boards"),
    [
        ("dev-local", {"analytics-service", "cloudnative-pg", "strimzi-kafka", "valkey"},
         {"backend", "cluster", "postgres-cnpg", "kafka-strimzi", "valkey", "analytics-service"}),
        ("dev", {"analytics-service"}, {"backend", "cluster", "managed-aws", "analytics-service"}),
        ("prod-gcp", {"analytics-service"}, {"backend", "cluster", "managed-gcp", "analytics-service"}),
        ("prod-azure", {"analytics-service"}, {"backend", "cluster", "managed-azure", "analytics-service"}),
    ],
)  # fmt: skip
def test_each_stack_loads_the_rules_and_dashboards_of_its_engines(
    shipped_plans: dict[str, Outcome], stack: str, groups: set[str], boards: set[str]
) -> None:
    plan = _plan(shipped_plans, stack)
    assert {g["name"] for g in _rule_groups(plan)} == groups
    assert set(_dashboards(plan)) == boards


def test_every_stack_has_dashboards_and_rules(shipped_plans: dict[str, Outcome]) -> None:
    for stack in shipped_plans:
        plan = _plan(shipped_plans, stack)
        assert {"backend", "cluster"} <= set(_dashboards(plan)), stack
        assert _rule_groups(plan), stack


def test_every_metric_has_a_source_the_stack_deploys(shipped_plans: dict[str, Outcome]) -> None:
    for stack in shipped_plans:
        plan = _plan(shipped_plans, stack)
        deployed = _deployed_sources(plan)
        exprs = [r["expr"] for g in _rule_groups(plan) for r in g["rules"]]
        exprs += [
            e for b in _dashboards(plan).values() if "panels" in b for e in _prometheus_exprs(b)
        ]
        assert exprs, stack
        for expr in exprs:
            for metric in metric_names(_as_promql(expr)):
                source = source_of(metric)
                assert source is not None, f"{stack}: {metric} has no named source ({expr})"
                assert source in deployed, f"{stack}: {metric} needs {source}, not deployed"


def test_every_dashboard_file_is_valid_and_uniquely_identified() -> None:
    uids = set()
    for name in available_dashboards():
        board: dict[str, Any] = dashboard(name)
        assert board["uid"] not in uids and len(board["uid"]) <= 40
        uids.add(board["uid"])
        assert board["panels"] and all(p["targets"] for p in board["panels"]), name
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), name


# --- wiring: sidecar, data sources, scraping, traces and logs -----------------------------------


def _objects(plan: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in kubernetes_objects(plan["resources"]) if o["kind"] == kind]


def test_grafana_sidecars_watch_the_labels_the_configmaps_carry(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = _plan(shipped_plans, "prod")
    (stack_release,) = [
        r for r in helm_releases(plan["resources"]) if r["name"] == "kube-prometheus-stack"
    ]
    sidecar = stack_release["values"]["grafana"]["sidecar"]
    assert (
        sidecar["dashboards"]["label"] == "grafana_dashboard"
        and sidecar["dashboards"]["labelValue"] == "1"
    )
    assert sidecar["datasources"] == {
        "enabled": True,
        "label": "grafana_datasource",
        "labelValue": "1",
    }
    (datasources,) = [
        c for c in _objects(plan, "ConfigMap") if c["metadata"].get("labels", {}).get("grafana_datasource") == "1"
    ]  # fmt: skip
    assert datasources["metadata"]["namespace"] == "monitoring"  # the sidecar's own namespace
    document = json.loads(datasources["data"]["platform-datasources.yaml"])
    assert document["datasources"][0]["type"] == "cloudwatch"


@pytest.mark.parametrize(
    ("stack", "traces", "logs"),
    [
        ("dev", ["awsxray"], ["awscloudwatchlogs"]),
        ("prod-gcp", ["googlecloud"], ["googlecloud"]),
        ("prod-azure", ["azuremonitor"], ["azuremonitor"]),
        ("dev-local", ["otlp/jaeger"], ["debug"]),
    ],
)
def test_traces_and_logs_have_a_destination(
    shipped_plans: dict[str, Outcome], stack: str, traces: list[str], logs: list[str]
) -> None:
    plan = _plan(shipped_plans, stack)
    releases = {r["name"]: r for r in helm_releases(plan["resources"])}
    gateway = releases["opentelemetry-collector"]
    assert gateway["namespace"] == "telemetry"
    config = gateway["values"]["alternateConfig"]
    pipelines = config["service"]["pipelines"]
    assert pipelines["traces"]["exporters"] == traces and pipelines["logs"]["exporters"] == logs
    assert set(traces + logs) <= set(config["exporters"])
    assert pipelines["traces"]["receivers"] == ["otlp"]
    assert ("jaeger" in releases) is (stack == "dev-local")
    # the apps' OTLP receiver (the collector app) forwards to the gateway
    (settings,) = [
        c for c in _objects(plan, "ConfigMap") if c["metadata"]["name"] == "collector-settings"
    ]
    assert (
        settings["data"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-gateway.telemetry.svc:4318"
    )
    (policy,) = [
        p for p in _objects(plan, "NetworkPolicy") if p["metadata"]["name"] == "collector-allow"
    ]
    namespaces = {
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in policy["spec"]["egress"] for peer in rule.get("to", []) if "namespaceSelector" in peer
    }  # fmt: skip
    assert "telemetry" in namespaces


def test_laptop_serves_grafana_and_prometheus_through_the_apps_ingress(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = _plan(shipped_plans, "dev-local")
    ingresses = {i["metadata"]["name"]: i for i in _objects(plan, "Ingress")}
    assert ingresses["grafana"]["spec"]["rules"][0]["host"] == "grafana.localhost"
    assert ingresses["prometheus"]["spec"]["rules"][0]["host"] == "prometheus.localhost"
    backend_class = ingresses["backend"]["spec"]["ingressClassName"]
    assert all(i["spec"]["ingressClassName"] == backend_class for i in ingresses.values())
    monitors = {m["metadata"]["name"] for m in _objects(plan, "PodMonitor")}
    assert {"postgres", "kafka", "valkey"} <= monitors
