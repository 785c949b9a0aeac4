"""The Kubernetes layer as rendered from every shipped stack: schema-valid manifests, hardened
workloads, and in prod a PDB, an HPA and a NetworkPolicy for every replicated workload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from components.kubernetes.gateway import DATA_PLANE_LABELS
from components.kubernetes.workload import migrations_job_name
from infra.plan.cli import Outcome
from infra.plan.render import helm_releases, render
from policies.rules.facts import crd_schemas
from stacks.kubernetes import namespace_quota
from tests.conftest import delivered_objects, plan_of


def _objects(outcome: Outcome) -> list[dict[str, Any]]:
    return delivered_objects(outcome)


def _by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def _selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = policy["spec"].get("podSelector", {}).get("matchLabels", {})
    return all(labels.get(k) == v for k, v in wanted.items())


def test_render_writes_schema_valid_manifests_for_every_stack(
    shipped_plans: dict[str, Outcome], tmp_path: Path
) -> None:
    for stack, outcome in shipped_plans.items():
        assert outcome.plan is not None, outcome.errors
        written = render(outcome.plan["resources"], tmp_path / stack)
        documents = [
            d
            for p in written
            if not p.name.startswith("_helm")
            for d in yaml.safe_load_all(p.read_text())
        ]
        assert len(documents) > 40, stack
        invalid = []
        for document in documents:
            # custom resources: against their CRD's vendored schema (tests/test_crd_schemas.py)
            if f"{document['apiVersion']} {document['kind']}" in crd_schemas.index():
                invalid += crd_schemas.problems(document)
                continue
            try:
                kubernetes_validate.validate(document, "1.33", strict=True)
            except kubernetes_validate.ValidationError as exc:
                invalid.append(
                    f"{document['kind']}/{document['metadata'].get('name')}: {exc.message}"
                )
        assert invalid == [], (stack, invalid)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_namespace_has_psa_quota_limits_and_default_deny(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    objects = _objects(shipped_plans[stack])
    namespaces = {n["metadata"]["name"]: n for n in _by_kind(objects, "Namespace")}
    assert {"analytics", "envoy-gateway-system", "cert-manager", "monitoring", "vpa"} <= set(
        namespaces
    )
    assert (
        namespaces["analytics"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "restricted"
    )
    for name in namespaces:
        in_ns = [o for o in objects if o["metadata"].get("namespace") == name]
        assert _by_kind(in_ns, "ResourceQuota") and _by_kind(in_ns, "LimitRange"), name
        deny = [
            p for p in _by_kind(in_ns, "NetworkPolicy")
            if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")
        ]  # fmt: skip
        assert len(deny) == 1, name


def test_in_prod_every_replicated_workload_has_pdb_hpa_and_network_policy(
    shipped_plans: dict[str, Outcome],
) -> None:
    objects = _objects(shipped_plans["prod"])
    workloads = _by_kind(objects, "Deployment") + _by_kind(objects, "StatefulSet")
    assert workloads
    for workload in workloads:
        labels = workload["spec"]["template"]["metadata"]["labels"]
        namespace, name = workload["metadata"]["namespace"], workload["metadata"]["name"]
        in_ns = [o for o in objects if o["metadata"].get("namespace") == namespace]
        pdbs = [p for p in _by_kind(in_ns, "PodDisruptionBudget") if _selects_pdb(p, labels)]
        assert len(pdbs) == 1 and pdbs[0]["spec"]["minAvailable"] >= 2, name
        hpas = [
            h
            for h in _by_kind(in_ns, "HorizontalPodAutoscaler")
            if h["spec"]["scaleTargetRef"]["name"] == name
        ]
        assert len(hpas) == 1 and hpas[0]["spec"]["minReplicas"] >= 3, name
        policies = [
            p
            for p in _by_kind(in_ns, "NetworkPolicy")
            if p["spec"]["podSelector"].get("matchLabels") and _selects(p, labels)
        ]
        assert policies, name
    # A DaemonSet has no scale subresource: a PDB over its pods never allows a disruption.
    for daemon in _by_kind(objects, "DaemonSet"):
        labels = daemon["spec"]["template"]["metadata"]["labels"]
        assert not [p for p in _by_kind(objects, "PodDisruptionBudget") if _selects_pdb(p, labels)]


def _selects_pdb(pdb: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in pdb["spec"]["selector"]["matchLabels"].items())


def test_containers_are_hardened_pinned_and_sized(shipped_plans: dict[str, Outcome]) -> None:
    for stack, outcome in shipped_plans.items():
        for workload in [
            o for o in _objects(outcome) if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")
        ]:
            pod = workload["spec"]["template"]["spec"]
            assert pod["automountServiceAccountToken"] is False
            for container in pod["containers"] + pod.get("initContainers", []):
                context = container["securityContext"]
                assert context["runAsNonRoot"] and context["readOnlyRootFilesystem"], (
                    stack,
                    container["name"],
                )
                assert context["allowPrivilegeEscalation"] is False
                assert context["capabilities"]["drop"] == ["ALL"]
                assert context["seccompProfile"]["type"] == "RuntimeDefault"
                assert set(container["resources"]) == {"requests", "limits"}
                assert ":" in container["image"] and not container["image"].endswith(":latest")
            main = pod["containers"][0]
            assert {"livenessProbe", "readinessProbe", "startupProbe"} <= set(main), (
                stack,
                main["name"],
            )


def test_backend_statefulset_shape(shipped_plans: dict[str, Outcome]) -> None:
    objects = _objects(shipped_plans["prod"])
    (backend,) = [o for o in _by_kind(objects, "StatefulSet") if o["metadata"]["name"] == "backend"]
    spec = backend["spec"]
    assert spec["replicas"] == 3
    # migrations run once per rollout in a Job, never in every replica
    assert "initContainers" not in spec["template"]["spec"]
    (job,) = _by_kind(objects, "Job")
    (migrations,) = job["spec"]["template"]["spec"]["containers"]
    assert migrations["command"] == ["/app/backend", "migrate", "up"]
    assert job["metadata"]["name"] == migrations_job_name(
        "backend", migrations["image"], migrations["command"]
    )
    # a headless governing Service
    (governing,) = [
        s for s in _by_kind(objects, "Service") if s["metadata"]["name"] == spec["serviceName"]
    ]
    assert governing["spec"]["clusterIP"] == "None"
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "platform-retain"
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    zone = spec["template"]["spec"]["topologySpreadConstraints"][0]
    assert (
        zone["topologyKey"] == "topology.kubernetes.io/zone"
        and zone["whenUnsatisfiable"] == "DoNotSchedule"
    )
    (collector,) = _by_kind(objects, "DaemonSet")
    assert collector["metadata"]["name"] == "collector"


def test_service_accounts_carry_the_cloud_identity(shipped_plans: dict[str, Outcome]) -> None:
    objects = _objects(shipped_plans["prod"])
    accounts = {a["metadata"]["name"]: a for a in _by_kind(objects, "ServiceAccount")}
    assert set(accounts) == {"backend", "collector"}
    for account in accounts.values():
        assert account["automountServiceAccountToken"] is False
        assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith(
            "arn:aws:iam::"
        )


def test_each_app_gets_only_its_settings_and_secrets_as_files(
    shipped_plans: dict[str, Outcome],
) -> None:
    objects = _objects(shipped_plans["prod"])
    maps = {c["metadata"]["name"]: c["data"] for c in _by_kind(objects, "ConfigMap")}
    secrets = {
        s["metadata"]["name"]: s["stringData"]
        for s in _by_kind(objects, "Secret")
        if s["metadata"].get("namespace") == "analytics"
    }
    backend, collector = maps["backend-settings"], maps["collector-settings"]
    assert backend["POSTGRES_HOST"].endswith(".rds.amazonaws.com")
    assert backend["KAFKA_SASL_MECHANISM"] == "AWS_MSK_IAM"
    # apps.*.env reaches the app, and only that app
    assert backend["HTTP_PORT"] == "8080" and "HTTP_PORT" not in collector
    # the collector uses Kafka only: no database or cache settings, no credentials at all
    assert not any(k.startswith(("POSTGRES_", "REDIS_")) for k in collector)
    assert "collector-credentials" not in secrets
    for data in maps.values():
        assert not any(word in key for key in data for word in ("PASSWORD", "TOKEN", "URL"))
    assert set(secrets["backend-credentials"]) == {
        "DATABASE_URL",
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "REDIS_URL",
        "REDIS_AUTH_TOKEN",
    }
    assert set(secrets["backend-credentials"].values()) == {"[secret]"}
    # mounted read-only as files, never in the environment (checkov CKV_K8S_35)
    for workload in (
        _by_kind(objects, "StatefulSet") + _by_kind(objects, "DaemonSet") + _by_kind(objects, "Job")
    ):
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            assert all("secretRef" not in source for source in container.get("envFrom", []))
            assert all("valueFrom" not in env for env in container.get("env", []))
    (pod,) = [w["spec"]["template"]["spec"] for w in _by_kind(objects, "StatefulSet")]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["credentials"]["secret"]["secretName"] == "backend-credentials"
    (mount,) = [m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "credentials"]
    assert mount["readOnly"] is True


def test_every_host_is_https_through_the_gateway_and_http_only_redirects(
    shipped_plans: dict[str, Outcome],
) -> None:
    for stack, issuer in (("dev", "letsencrypt-staging"), ("prod", "letsencrypt-prod")):
        objects = _objects(shipped_plans[stack])
        (gateway,) = _by_kind(objects, "Gateway")
        assert gateway["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == issuer
        listeners = {item["name"]: item for item in gateway["spec"]["listeners"]}
        routes = {r["metadata"]["name"]: r for r in _by_kind(objects, "HTTPRoute")}
        assert set(routes) == {"backend", "https-redirect"}  # one per app host, and the redirect
        backend = routes["backend"]
        (parent,) = backend["spec"]["parentRefs"]
        https = listeners[parent["sectionName"]]
        host = "api.analytics.example.com" if stack == "prod" else "api.dev.analytics.example.com"
        assert backend["spec"]["hostnames"] == [https["hostname"]] == [host]
        assert https["protocol"] == "HTTPS" and https["port"] == 443
        assert https["tls"] == {
            "mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "backend-tls"}]
        }  # fmt: skip
        (rule,) = backend["spec"]["rules"]
        assert rule["backendRefs"] == [{"name": "backend", "port": 80}]
        assert rule["timeouts"] == {"request": "60s"}
        # the plain listener admits routes of its own namespace only: the redirect (and
        # cert-manager's solver routes); the redirect goes to 443 (no port), with no backend
        assert listeners["http"]["protocol"] == "HTTP"
        assert listeners["http"]["allowedRoutes"] == {"namespaces": {"from": "Same"}}
        redirect = routes["https-redirect"]
        assert redirect["metadata"]["namespace"] == gateway["metadata"]["namespace"]
        assert redirect["spec"]["parentRefs"] == [{"name": "platform", "sectionName": "http"}]
        assert redirect["spec"]["rules"] == [
            {"filters": [{"type": "RequestRedirect",
                          "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
        ]  # fmt: skip
        assert _by_kind(objects, "Ingress") == []
        for solver in (i["spec"]["acme"]["solvers"] for i in _by_kind(objects, "ClusterIssuer")):
            assert solver == [{"http01": {"gatewayHTTPRoute": {"parentRefs": [
                {"name": "platform", "namespace": "envoy-gateway-system", "kind": "Gateway",
                 "sectionName": "http"}]}}}]  # fmt: skip
    issuers = {
        i["metadata"]["name"]: i for i in _by_kind(_objects(shipped_plans["prod"]), "ClusterIssuer")
    }
    assert set(issuers) == {"letsencrypt-staging", "letsencrypt-prod"}
    assert issuers["letsencrypt-prod"]["spec"]["acme"]["email"] == "platform-team@example.com"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "dev-gcp", "dev-azure"])
def test_hpa_behaviour_and_never_vpa_auto_on_the_same_target(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    objects = _objects(shipped_plans[stack])
    (hpa,) = _by_kind(objects, "HorizontalPodAutoscaler")
    names = {m["resource"]["name"] for m in hpa["spec"]["metrics"]}
    assert names == {"cpu", "memory"}
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    scaled = {
        h["spec"]["scaleTargetRef"]["name"] for h in _by_kind(objects, "HorizontalPodAutoscaler")
    }
    modes = {
        v["spec"]["targetRef"]["name"]: v["spec"]["updatePolicy"]["updateMode"]
        for v in _by_kind(objects, "VerticalPodAutoscaler")
    }
    assert modes, stack
    for target, mode in modes.items():
        assert target not in scaled or mode == "Off", (stack, target)
    if stack == "dev":
        assert modes["collector"] == "Recreate"  # no HPA competes for the DaemonSet


def test_network_policies_allow_only_what_the_service_needs(
    shipped_plans: dict[str, Outcome],
) -> None:
    objects = [
        o for o in _objects(shipped_plans["prod"]) if o["metadata"].get("namespace") == "analytics"
    ]
    policies = {p["metadata"]["name"]: p["spec"] for p in _by_kind(objects, "NetworkPolicy")}
    dns = policies["allow-dns"]["egress"][0]
    assert {p["port"] for p in dns["ports"]} == {53}
    backend = policies["backend-allow"]
    sources = [rule["from"][0] for rule in backend["ingress"]]
    assert sources == [
        {
            "namespaceSelector": {
                "matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}
            },
            "podSelector": {"matchLabels": DATA_PLANE_LABELS},
        },
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        },
    ]
    egress_ports = sorted(rule["ports"][0]["port"] for rule in backend["egress"])
    assert egress_ports == [443, 4318, 5432, 6379, 9098]
    private_subnets = {"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"}
    for rule in backend["egress"]:
        port = rule["ports"][0]["port"]
        if port == 4318:  # OTLP to the collector's pods, by selector
            assert rule["to"] == [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "analytics"}
                    },
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "collector"}},
                }
            ]
            continue
        blocks = [peer["ipBlock"] for peer in rule["to"]]
        if port == 443:  # the internet, never the VPC, pod or service ranges
            assert blocks == [
                {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/16", "100.64.0.0/14", "172.20.0.0/16"]}
            ]
        else:  # data services: only the private subnets they live in
            assert {b["cidr"] for b in blocks} == private_subnets
    # the collector only reaches Kafka, the OTLP gateway (4317/4318, docs/observability.md) and
    # HTTPS out: no database, no cache
    collector_ports = sorted(r["ports"][0]["port"] for r in policies["collector-allow"]["egress"])
    assert collector_ports == [443, 4317, 9098]


def test_addons_pinned_and_sized_per_environment(shipped_plans: dict[str, Outcome]) -> None:
    for stack, replicas in (("dev", 1), ("prod", 3)):
        plan = shipped_plans[stack].plan
        assert plan is not None
        releases = {r["name"]: r for r in helm_releases(plan["resources"])}
        assert set(releases) == {
            "gateway-helm",
            "cert-manager",
            "kube-prometheus-stack",
            "metrics-server",
            "vpa",
            "opentelemetry-collector",
        }
        for release in releases.values():
            assert release["version"] and (
                release["chart"].startswith("oci://")
                or release["repositoryOpts"]["repo"].startswith("https://")
            )
        (proxy,) = _by_kind(_objects(shipped_plans[stack]), "EnvoyProxy")
        data_plane = proxy["spec"]["provider"]["kubernetes"]
        assert data_plane["envoyDeployment"]["replicas"] == replicas
        if stack == "prod":
            assert data_plane["envoyPDB"] == {"minAvailable": 2}
            assert releases["gateway-helm"]["values"]["deployment"]["replicas"] == 2
        # the chart's bundled (experimental-channel) Gateway API CRDs stay out
        assert releases["gateway-helm"]["values"]["crds"] == {"enabled": False}
        assert releases["cert-manager"]["values"]["crds"]["enabled"] is True
        assert releases["cert-manager"]["values"]["config"]["gatewayAPI"] == {"enabled": True}
        prometheus = releases["kube-prometheus-stack"]["values"]["prometheus"]["prometheusSpec"]
        assert prometheus["retention"] == ("3d" if stack == "dev" else "15d")
        storage = prometheus["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"][
            "storage"
        ]
        assert storage == ("10Gi" if stack == "dev" else "100Gi")


def test_alert_rules_and_dashboard(shipped_plans: dict[str, Outcome]) -> None:
    objects = _objects(shipped_plans["prod"])
    (rule,) = [
        r
        for r in _by_kind(objects, "PrometheusRule")
        if r["metadata"]["name"] == "analytics-service"
    ]
    alerts = {r["alert"] for r in rule["spec"]["groups"][0]["rules"]}
    assert alerts == {
        "AppHighErrorRate",
        "AppHighLatency",
        "AppPodRestarting",
        "AppHpaAtMaximum",
        "AppVolumeFillingUp",
    }
    (dashboard,) = [
        c
        for c in _by_kind(objects, "ConfigMap")
        if c["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
        and "analytics-service.json" in c["data"]
    ]
    assert len(json.loads(dashboard["data"]["analytics-service.json"])["panels"]) == 4


def test_quota_fits_every_workload_at_its_maximum() -> None:
    from infra.config import build_platform_config

    config = build_platform_config(
        {
            "platform:example": "true",
            "platform:cloud": "aws",
            "platform:environment": "prod",
            "aws:region": "eu-west-1",
            "platform:addons": json.dumps(
                {
                    "alertReceivers": [
                        {"name": "oncall", "kind": "webhook", "url": "https://x.example"}
                    ]
                }
            ),
            # prod also needs an alarm recipient, a DR region (infra/config/floors.py) and
            # a named deployer (infra/config/cloud_rules.py)
            "platform:alarms": json.dumps({"notificationEmails": ["oncall@example.com"]}),
            "platform:cluster": json.dumps(
                {"deployerPrincipal": "arn:aws:iam::123456789012:role/ci/deployer"}
            ),
            "platform:disasterRecovery": json.dumps({"region": "eu-central-1"}),
        },
        "prod",
        "Pulumi.prod.yaml",
    )
    quota = namespace_quota(config)
    # backend 10 x 250m + collector 12 nodes x 100m = 3700m, times 1.5 headroom
    assert quota["requests.cpu"] == "5550m"
    assert quota["persistentvolumeclaims"] == "10"
    assert quota["services.loadbalancers"] == "0"


def test_addon_toggles_change_the_layer(tmp_path: Path) -> None:
    from tests.conftest import plan_config

    config = yaml.safe_load((Path(__file__).parent.parent / "Pulumi.dev.yaml").read_text())[
        "config"
    ]
    config["platform:addons"] = {
        "gateway": False,
        "argoCd": True,
        "verticalPodAutoscaler": False,
    }
    outcome = plan_config(tmp_path, "toggles", config)
    assert outcome.plan is not None, outcome.errors
    releases = {r["name"] for r in helm_releases(outcome.plan["resources"])}
    assert "argo-cd" in releases and "gateway-helm" not in releases and "vpa" not in releases
    objects = _objects(outcome)
    assert _by_kind(objects, "HTTPRoute") == [] and _by_kind(objects, "Gateway") == []
    assert _by_kind(objects, "VerticalPodAutoscaler") == []
    (policy,) = [
        p for p in _by_kind(objects, "NetworkPolicy") if p["metadata"]["name"] == "backend-allow"
    ]
    sources = [
        r["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for r in policy["spec"]["ingress"]
    ]
    # no Gateway and no app calls the backend: only Prometheus reaches it
    assert sources == ["monitoring"]


# The objects stacks/ once declared at the root of the stack, now in these components; each
# keeps its old URN as an alias (components/kubernetes/moved.py) so existing stacks adopt it.
MOVED_INTO = {
    "platform:kubernetes:DefaultDeny",
    "platform:kubernetes:AppMonitoring",
    "platform:kubernetes:RetainStorageClass",
    "platform:kubernetes:ImagePullSecret",
}


def _root_urn(stack: str, resource: dict[str, Any]) -> str:
    return f"urn:pulumi:{stack}::platform::{resource['type']}::{resource['name']}"


def test_every_kubernetes_object_is_inside_a_component(shipped_plans: dict[str, Outcome]) -> None:
    for stack, outcome in shipped_plans.items():
        assert outcome.plan is not None, outcome.errors
        root = f"urn:pulumi:{stack}::platform::pulumi:pulumi:Stack::platform-{stack}"
        objects = [r for r in outcome.plan["resources"] if r["type"].startswith("kubernetes:")]
        assert len(objects) > 40, stack
        assert [r["urn"] for r in objects if r["parent"] in ("", root)] == [], stack


def test_moved_objects_alias_their_root_stack_urns(shipped_plans: dict[str, Outcome]) -> None:
    for stack, outcome in shipped_plans.items():
        assert outcome.plan is not None and outcome.records is not None, outcome.errors
        moved = [r for r in outcome.plan["resources"] if r["parent"].split("::")[2] in MOVED_INTO]
        names = {r["name"].removeprefix(f"platform-{stack}-") for r in moved}
        assert {"analytics-default-deny", "analytics-allow-dns", "observability-rules",
                "observability-dashboard"} <= names, stack  # fmt: skip
        assert ("retain" in names) == stack.startswith("prod"), stack
        aliases = {r.urn: r.parent_aliases for r in outcome.records}
        assert {r["urn"]: aliases[r["urn"]] for r in moved} == {
            r["urn"]: [_root_urn(stack, r)] for r in moved
        }
        # nothing else claims to have moved
        assert {u for u, a in aliases.items() if a} == {r["urn"] for r in moved}, stack
    local = {r["name"] for r in plan_of(shipped_plans, "dev-local")["resources"]
             if r["parent"].split("::")[2] == "platform:kubernetes:AppMonitoring"}  # fmt: skip
    assert {f"platform-dev-local-{n}-pod-monitor" for n in ("postgres", "kafka", "valkey")} | {
        "platform-dev-local-data-service-rules"
    } <= local
