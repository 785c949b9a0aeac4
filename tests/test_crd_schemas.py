"""Custom resources against the vendored schemas of their CRDs (``deploy-k8s-cr-schema``).

A ``CustomResource`` is a dict to Pulumi and to the type checker, and the API server prunes an
undeclared field without an error: only these checks catch a misspelt key.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from components.kubernetes import charts
from infra.crd_vendor import to_json_schema
from infra.plan.cli import Outcome, plan_many
from policies.rules import ALL_POLICIES
from policies.rules.deployability.kubernetes import MAX_SCHEMA_PROBLEMS
from policies.rules.facts.crd_schemas import (
    INDEX_FILE,
    SCHEMAS_DIR,
    SOURCES_FILE,
    SUPPORTED,
    errors,
    index,
    is_custom_resource_type,
    problems,
)
from tests.conftest import make_project, plan_of
from tests.policy_helpers import find, violations_of_resource

RULE = "deploy-k8s-cr-schema"
# The kinds the shipped Kubernetes layer renders today (each must be in some shipped plan).
RENDERED_KINDS = {
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    "kubernetes:cert-manager.io/v1:ClusterIssuer",
    "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler",
    "kubernetes:argoproj.io/v1alpha1:Application",
    "kubernetes:argoproj.io/v1alpha1:AppProject",
}


def _custom_resources(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if is_custom_resource_type(r["type"])]


def _violations(type_: str, props: dict[str, Any]) -> list[str]:
    return violations_of_resource(find(ALL_POLICIES, RULE), type_, props)


def test_every_custom_resource_of_every_shipped_stack_matches_its_crd(
    shipped_plans: dict[str, Outcome],
) -> None:
    seen: set[str] = set()
    for stack in shipped_plans:
        plan = plan_of(shipped_plans, stack)
        for cr in _custom_resources(plan):
            seen.add(cr["type"])
            assert problems(cr["inputs"]) == [], (stack, cr["urn"])
        flagged = [v for v in plan["policy"]["violations"] if v["policy"] == RULE]
        assert flagged == [], stack
    assert seen >= RENDERED_KINDS, seen


def _shipped(shipped_plans: dict[str, Outcome], type_: str) -> dict[str, Any]:
    plan = plan_of(shipped_plans, "prod")
    return copy.deepcopy(next(r["inputs"] for r in plan["resources"] if r["type"] == type_))


def _misspell_endpoints(spec: dict[str, Any]) -> None:
    spec["endpoint"] = spec.pop("endpoints")


def _misspell_issuer_key_ref(spec: dict[str, Any]) -> None:
    spec["acme"]["privateKeySecretReference"] = spec["acme"].pop("privateKeySecretRef")


def _misspell_update_mode(spec: dict[str, Any]) -> None:
    spec["updatePolicy"] = {"updatemode": spec["updatePolicy"]["updateMode"]}


def _misspell_rule_expression(spec: dict[str, Any]) -> None:
    rule = spec["groups"][0]["rules"][0]
    rule["expression"] = rule.pop("expr")


def _misspell_top_level(_: dict[str, Any]) -> None:
    pass  # the whole spec is moved under a wrong key below


@pytest.mark.parametrize(
    ("type_", "breakage", "where"),
    [
        ("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", _misspell_endpoints, "spec"),
        (
            "kubernetes:cert-manager.io/v1:ClusterIssuer",
            _misspell_issuer_key_ref,
            "spec.acme",
        ),
        (
            "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler",
            _misspell_update_mode,
            "spec.updatePolicy",
        ),
        (
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
            _misspell_rule_expression,
            "spec.groups[0].rules[0]",
        ),
    ],
    ids=["servicemonitor-endpoint", "clusterissuer-key-ref", "vpa-update-mode", "rule-expression"],
)
def test_a_misspelt_field_in_a_shipped_custom_resource_fails_the_rule(
    shipped_plans: dict[str, Outcome], type_: str, breakage: Any, where: str
) -> None:
    props = _shipped(shipped_plans, type_)
    assert _violations(type_, props) == []
    breakage(props["spec"])
    (message,) = _violations(type_, props)
    assert f"{where}: Additional properties are not allowed" in message, message


def test_a_wrong_enum_value_and_a_misspelt_top_level_key_fail(
    shipped_plans: dict[str, Outcome],
) -> None:
    type_ = "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler"
    props = _shipped(shipped_plans, type_)
    props["spec"]["updatePolicy"]["updateMode"] = "Always"
    assert (
        "is not one of ['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate', 'InPlace', 'Auto']"
        in (_violations(type_, props)[0])
    )
    props = _shipped(shipped_plans, type_)
    props["specs"] = props.pop("spec")
    (message,) = _violations(type_, props)
    assert "'spec' is a required property" in message and "'specs' was unexpected" in message


def test_a_kind_without_a_vendored_schema_fails_and_builtin_kinds_are_not_custom() -> None:
    type_ = "kubernetes:redis.example.io/v1:Redis"
    props = {"apiVersion": "redis.example.io/v1", "kind": "Redis", "spec": {"replicas": 3}}
    (message,) = _violations(type_, props)
    assert "no vendored CRD schema for redis.example.io/v1 Redis" in message
    # a served but unvendored version of a known kind is just as unchecked
    props = {"apiVersion": "cert-manager.io/v1beta1", "kind": "ClusterIssuer", "spec": {}}
    assert _violations("kubernetes:cert-manager.io/v1beta1:ClusterIssuer", props)
    for builtin in (
        "kubernetes:apps/v1:Deployment",
        "kubernetes:helm.sh/v3:Release",
        "kubernetes:core/v1:Secret",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "kubernetes:yaml/v2:ConfigGroup",
        "kubernetes:helm.sh/v3:Chart",  # a Python-side component of the SDK
        "kubernetes:yaml:ConfigFile",
        "pulumi:providers:kubernetes",
    ):
        assert not is_custom_resource_type(builtin), builtin
        assert _violations(builtin, {"spec": {"anything": 1}}) == []


def test_values_known_only_at_deploy_are_not_reported(shipped_plans: dict[str, Outcome]) -> None:
    type_ = "kubernetes:cert-manager.io/v1:ClusterIssuer"
    props = _shipped(shipped_plans, type_)
    props["spec"]["acme"]["privateKeySecretRef"] = "[unknown]"
    assert _violations(type_, props) == []
    props["spec"]["acme"]["privateKeySecretRef"] = 42
    assert "is not of type 'object'" in _violations(type_, props)[0]


def test_integers_arriving_as_floats_are_integers(shipped_plans: dict[str, Outcome]) -> None:
    """The engine hands policies numbers as protobuf doubles: 2.0 is the integer 2."""
    type_ = "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler"
    props = _shipped(shipped_plans, type_)
    props["spec"]["updatePolicy"]["minReplicas"] = 2.0
    assert _violations(type_, props) == []
    props["spec"]["updatePolicy"]["minReplicas"] = 2.5
    assert "2.5 is not of type 'integer'" in _violations(type_, props)[0]


def test_a_long_list_of_problems_is_cut_short(shipped_plans: dict[str, Outcome]) -> None:
    type_ = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    props = _shipped(shipped_plans, type_)
    rules = props["spec"]["groups"][0]["rules"]
    rules[:] = [{**r, "expresion": r["expr"]} for r in rules * 2]
    for rule in rules:
        del rule["expr"]
    assert len(rules) > MAX_SCHEMA_PROBLEMS
    (message,) = _violations(type_, props)
    # two problems per rule: 'expr' missing, 'expresion' unexpected
    assert message.count("spec.groups[0].rules[") == MAX_SCHEMA_PROBLEMS
    assert message.endswith(f"(+{2 * len(rules) - MAX_SCHEMA_PROBLEMS} more)")


MISSPELT_PROGRAM = """
import pulumi_kubernetes as k8s
k8s.apiextensions.CustomResource(
    "monitor",
    api_version="monitoring.coreos.com/v1",
    kind="ServiceMonitor",
    metadata={"name": "api", "namespace": "analytics"},
    spec={"selector": {"matchLabels": {"app": "api"}}, "endpoint": [{"port": "metrics"}]},
)
"""


def test_the_offline_plan_fails_a_misspelt_custom_resource(tmp_path: Path) -> None:
    """End to end: the rule sees a CustomResource as the plan (and the engine) present it."""
    stack = make_project(tmp_path, MISSPELT_PROGRAM, {})
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.plan is not None, outcome.errors
    flagged = [v for v in outcome.plan["policy"]["violations"] if v["policy"] == RULE]
    assert [v["level"] for v in flagged] == ["mandatory"], outcome.plan["policy"]
    assert "'endpoint' was unexpected" in flagged[0]["message"]
    assert outcome.exit_code == 1


# --- the vendored set ------------------------------------------------------------------------


def test_index_files_and_sources_agree() -> None:
    """Every schema file is indexed, every index entry names an existing file and a source
    recorded in sources.json (repo, ref, path, chart), and each file says where it came from."""
    entries = index()
    files = {str(p.relative_to(SCHEMAS_DIR)) for p in SCHEMAS_DIR.glob("*/*.json")}
    assert files == {e["file"] for e in entries.values()}
    sources = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]
    recorded = {
        (s["repo"], s["ref"], path, f"{s['chart']['name']} {s['chart']['version']}")
        for s in sources
        for path in s["paths"]
    }
    for key, entry in entries.items():
        assert (entry["repo"], entry["ref"], entry["path"], entry["chart"]) in recorded, key
        schema = json.loads((SCHEMAS_DIR / entry["file"]).read_text(encoding="utf-8"))
        assert entry["ref"] in schema["$comment"] and entry["path"] in schema["$comment"]
        api_version, kind = key.split(" ")
        assert schema["properties"]["kind"]["type"] == "string", key
        assert (
            SCHEMAS_DIR / entry["file"]
        ).name == f"{kind.lower()}-{api_version.split('/')[1]}.json"
    assert INDEX_FILE.name == "index.json"


def test_vendored_sources_match_the_chart_pins() -> None:
    """A chart bump without re-vendoring its CRDs fails here: the source's chart version must
    be the version ``charts.py`` pins (for every chart pinned there)."""
    pins = {c.name: c.version for c in vars(charts).values() if isinstance(c, charts.Chart)}
    sources = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]
    checked = {
        s["chart"]["name"]: (s["chart"]["version"], pins[s["chart"]["name"]])
        for s in sources
        if s["chart"]["name"] in pins
    }
    assert {"kube-prometheus-stack", "cert-manager", "vpa"} <= set(checked)
    assert {name: v for name, v in checked.items() if v[0] != v[1]} == {}


def test_every_rendered_kind_comes_from_a_pinned_chart(shipped_plans: dict[str, Outcome]) -> None:
    pinned = {f"{c.name} {c.version}" for c in vars(charts).values() if isinstance(c, charts.Chart)}
    for type_ in RENDERED_KINDS:
        _, api_version, kind = type_.split(":")
        assert index()[f"{api_version} {kind}"]["chart"] in pinned, type_


# --- the conversion ----------------------------------------------------------------------


def test_conversion_closes_structural_objects_only() -> None:
    crd_node = {
        "type": "object",
        "description": "dropped",
        "properties": {
            "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {"type": "string"}}},
            "name": {"type": "string", "nullable": True},
            "tls": {"type": "object", "properties": {"ca": {"type": "string"}}},
        },
        "oneOf": [{"properties": {"port": {}}, "required": ["port"]}],
        "x-kubernetes-validations": [{"rule": "self.port > 0"}],
    }  # fmt: skip
    schema = to_json_schema(crd_node)
    assert schema["additionalProperties"] is False
    assert "description" not in schema and "x-kubernetes-validations" not in schema
    props = schema["properties"]
    assert props["port"]["type"] == ["integer", "string"]
    assert props["labels"]["additionalProperties"] == {"type": "string"}
    assert "additionalProperties" not in props["config"]  # kept open, like the API server
    assert props["name"]["type"] == ["string", "null"]
    assert props["tls"]["additionalProperties"] is False
    assert "additionalProperties" not in schema["oneOf"][0]  # value validation only


# --- the validator against jsonschema's ---------------------------------------------------


def _schema_nodes(node: Any) -> Any:
    """Every schema node of a converted schema (not the property-name maps)."""
    yield node
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            yield from _schema_nodes(node[key])
    for child in node.get("properties", {}).values():
        yield from _schema_nodes(child)
    for key in ("allOf", "anyOf", "oneOf"):
        for child in node.get(key, []):
            yield from _schema_nodes(child)


def test_vendored_schemas_use_only_keywords_the_validator_implements() -> None:
    for entry in index().values():
        schema = json.loads((SCHEMAS_DIR / entry["file"]).read_text(encoding="utf-8"))
        used = {key for node in _schema_nodes(schema) for key in node}
        assert used <= SUPPORTED, (entry["file"], used - SUPPORTED)


def _documents(shipped_plans: dict[str, Outcome]) -> list[dict[str, Any]]:
    """Every shipped CR, plus broken variants hitting each keyword the schemas use."""
    plan = plan_of(shipped_plans, "prod")
    shipped = [r["inputs"] for r in _custom_resources(plan)]
    broken: list[dict[str, Any]] = []
    for document in shipped:
        for mutate in (
            lambda d: d["spec"].update(typo=1),
            lambda d: d.update(spec="text"),
            lambda d: d["spec"].clear(),
            lambda d: d["metadata"].update(name=7),
        ):
            variant = copy.deepcopy(document)
            mutate(variant)
            broken.append(variant)
    vpa = copy.deepcopy(next(d for d in shipped if d["kind"] == "VerticalPodAutoscaler"))
    policy = vpa["spec"]["resourcePolicy"]["containerPolicies"][0]
    policy.update(mode="Sometimes", minAllowed={"cpu": 1.5, "memory": [1]}, controlledValues=3)
    monitor = copy.deepcopy(next(d for d in shipped if d["kind"] == "ServiceMonitor"))
    monitor["spec"]["endpoints"][0].update(port=9090, targetPort="x", scrapeTimeout="soon")
    monitor["spec"]["endpoints"].append({"bearerTokenSecret": {"key": 1}, "interval": "1x"})
    return [*shipped, *broken, vpa, monitor]


def test_the_validator_agrees_with_jsonschema(shipped_plans: dict[str, Outcome]) -> None:
    """Same verdict, same failing locations, as jsonschema's Draft 7 validator on the shipped
    custom resources and on broken variants of them."""
    for document in _documents(shipped_plans):
        schema = json.loads(
            (
                SCHEMAS_DIR / index()[f"{document['apiVersion']} {document['kind']}"]["file"]
            ).read_text()
        )
        ours = {path for path, _, _ in errors(schema, document)}
        reference = {
            tuple(e.absolute_path) for e in jsonschema.Draft7Validator(schema).iter_errors(document)
        }
        assert ours == reference, (document, ours, reference)
