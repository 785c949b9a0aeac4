"""What a first real ``pulumi up`` on a fresh GCP project needs, read from the offline plan:
APIs enabled before use, Workload Identity after its pool, a way into a private control plane,
pods allowed into Cloud SQL, the contract fields the Kubernetes layer wires (metadata-server
egress, Redis shard ports and CA), clean destroys, and names valid for any stack name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.gcp import apis
from components.gcp.names import account_id, resource_name
from infra.plan.cli import Outcome, plan_many
from policies.rules.deployability import gcp as rules
from tests.conftest import ROOT, make_project, one, plan_config, plan_of, resources_of

STACKS = ["dev-gcp", "staging-gcp", "prod-gcp"]
# the stacks that set platform:dns.zone
ZONED = {"staging-gcp"}
SERVICE = "gcp:projects/service:Service"
# The API each GCP resource type calls when created (a resource may need more: see below).
API_OF_TYPE = {
    "gcp:compute/": apis.COMPUTE,
    "gcp:container/": apis.CONTAINER,
    "gcp:kms/": apis.CLOUDKMS,
    "gcp:sql/": apis.SQLADMIN,
    "gcp:servicenetworking/": apis.SERVICENETWORKING,
    "gcp:networkconnectivity/": apis.NETWORKCONNECTIVITY,
    "gcp:managedkafka/": apis.MANAGEDKAFKA,
    "gcp:redis/": apis.REDIS,
    "gcp:monitoring/": apis.MONITORING,
    "gcp:serviceaccount/": apis.IAM,
    "gcp:dns/": apis.DNS,
    "gcp:artifactregistry/": apis.ARTIFACTREGISTRY,
    # project IAM policy is read and written through Cloud Resource Manager
    "gcp:projects/iAMMember:": apis.CLOUDRESOURCEMANAGER,
}
# A ServiceIdentity generates the agent of the API it names (GKE's, Artifact Registry's), which
# must be on; the call itself is the Service Usage API's, on in every project.
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
FURTHER_APIS = {
    "gcp:container/cluster:Cluster": {apis.COMPUTE, apis.LOGGING, apis.MONITORING},
    "gcp:redis/cluster:Cluster": {
        apis.NETWORKCONNECTIVITY,
        apis.SERVICECONSUMERMANAGEMENT,
        apis.COMPUTE,
    },
    "gcp:managedkafka/cluster:Cluster": {apis.COMPUTE},
    "gcp:servicenetworking/connection:Connection": {apis.COMPUTE},
}


def _services(plan: dict[str, Any]) -> dict[str, str]:
    """URN -> API of every enabled service."""
    return {r["urn"]: r["inputs"]["service"] for r in resources_of(plan, SERVICE)}


def _apis_awaited(plan: dict[str, Any], resource: dict[str, Any]) -> set[str]:
    services = _services(plan)
    return {services[urn] for urn in resource["dependencies"] if urn in services}


@pytest.mark.parametrize("stack", STACKS)
def test_every_api_is_enabled_and_kept_on_destroy(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    services = resources_of(plan, SERVICE)
    # Cloud DNS only where external-dns writes a zone (Pulumi.staging-gcp.yaml)
    dns = {apis.DNS} if stack in ZONED else set()
    # Artifact Registry where the stack creates the image registry (the default)
    registry = {apis.ARTIFACTREGISTRY}
    assert {s["inputs"]["service"] for s in services} == set(apis.ALL) | dns | registry
    assert all(s["inputs"]["disableOnDestroy"] is False for s in services)


@pytest.mark.parametrize("stack", STACKS)
def test_every_gcp_resource_waits_for_its_apis(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    checked = 0
    for resource in plan["resources"]:
        kind = resource["type"]
        if not kind.startswith("gcp:") or kind == SERVICE:
            continue
        if kind == SERVICE_IDENTITY:
            needed = {resource["inputs"]["service"]}
        else:
            (api,) = [a for prefix, a in API_OF_TYPE.items() if kind.startswith(prefix)]
            needed = {api} | FURTHER_APIS.get(kind, set())
        assert needed <= _apis_awaited(plan, resource), (resource["name"], needed)
        checked += 1
    assert checked > 25


def test_gke_agent_key_binding_waits_for_the_container_api(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    binding = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-secrets-gke-agent")
    assert "container-engine-robot" in binding["inputs"]["member"]
    # through the agent's ServiceIdentity, which waits for the API (tests/test_converge_waits.py)
    agent = one(plan, "gcp:projects/serviceIdentity:ServiceIdentity", "-gke-agent")
    assert agent["urn"] in binding["dependencies"]
    assert apis.CONTAINER in _apis_awaited(plan, agent)


@pytest.mark.parametrize("stack", STACKS)
def test_workload_identity_bindings_wait_for_the_cluster(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    cluster = one(plan, "gcp:container/cluster:Cluster")
    bindings = [
        b
        for b in resources_of(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        if b["inputs"]["role"] == "roles/iam.workloadIdentityUser"
    ]
    # the apps' (backend, collector), and external-dns's where the stack sets a zone
    subjects = {"analytics/backend", "analytics/collector"}
    subjects |= {"external-dns/external-dns"} if stack in ZONED else set()
    pool = cluster["inputs"]["workloadIdentityConfig"]["workloadPool"]
    assert {b["inputs"]["member"] for b in bindings} == {
        f"serviceAccount:{pool}[{subject}]" for subject in subjects
    }
    for binding in bindings:
        assert cluster["urn"] in binding["dependencies"], binding["name"]


@pytest.mark.parametrize(("stack", "dns"), [("dev-gcp", False), ("prod-gcp", True)])
def test_private_control_plane_is_reachable_through_the_dns_endpoint(
    shipped_plans: dict[str, Outcome], stack: str, dns: bool
) -> None:
    inputs = one(plan_of(shipped_plans, stack), "gcp:container/cluster:Cluster")["inputs"]
    endpoints = inputs.get("controlPlaneEndpointsConfig")
    if dns:
        assert inputs["privateClusterConfig"]["enablePrivateEndpoint"] is True
        assert endpoints["dnsEndpointConfig"]["allowExternalTraffic"] is True
    else:
        assert endpoints is None


# A program that runs the real GCP wiring and exports what the contracts hand over.
CONTRACTS_PROGRAM = """
import pulumi
from infra.config import load_platform_config
from stacks import gcp

contracts = gcp.build(load_platform_config())
pulumi.export("kubeconfig", pulumi.Output.unsecret(contracts.cluster.kubeconfig))
pulumi.export("egress", [[d.cidrs, d.ports] for d in contracts.cluster.workload_egress])
pulumi.export("redisPorts", contracts.redis.extra_ports)
pulumi.export("redisCa", contracts.redis.ca_certificate)
"""


def _contracts(tmp_path: Path, stack: str) -> dict[str, Any]:
    for entry in ("infra", "components", "stacks", "policies"):
        (tmp_path / entry).symlink_to(ROOT / entry)
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    stack_file = make_project(tmp_path, CONTRACTS_PROGRAM, config, stack=stack)
    (outcome,) = plan_many([stack_file], tmp_path)
    assert outcome.plan is not None, outcome.errors
    return outcome.plan["outputs"]


def test_prod_kubeconfig_uses_the_dns_endpoint_and_contracts_are_filled(tmp_path: Path) -> None:
    outputs = _contracts(tmp_path, "prod-gcp")
    (cluster,) = json.loads(outputs["kubeconfig"])["clusters"]
    server = cluster["cluster"]["server"]
    assert server.startswith("https://gke-") and server.endswith(".europe-west1.gke.goog")
    # publicly trusted certificate on the DNS endpoint: no cluster CA pinned
    assert "certificate-authority-data" not in cluster["cluster"]
    # GKE metadata server (Workload Identity tokens) under Dataplane V2
    assert outputs["egress"] == [
        [["169.254.169.254/32"], [[80, 80]]],
        [["169.254.169.252/32"], [[988, 988]]],
    ]
    # Memorystore Redis Cluster shard ports and its server CA from the cluster's output
    assert outputs["redisPorts"] == [[11000, 13047]]
    assert outputs["redisCa"].startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize("stack", STACKS)
def test_pods_are_authorized_on_cloud_sql(shipped_plans: dict[str, Outcome], stack: str) -> None:
    plan = plan_of(shipped_plans, stack)
    ip = one(plan, "gcp:sql/databaseInstance:DatabaseInstance", "-postgres")["inputs"]["settings"][
        "ipConfiguration"
    ]
    pods = next(
        r["ipCidrRange"]
        for r in one(plan, "gcp:compute/subnetwork:Subnetwork")["inputs"]["secondaryIpRanges"]
        if r["rangeName"] == "pods"
    )
    assert pods == "100.64.0.0/14"  # not RFC 1918: Cloud SQL refuses it unless authorized
    assert [n["value"] for n in ip["authorizedNetworks"]] == [pods]
    assert ip["ipv4Enabled"] is False  # still private IP only


def test_rfc1918_pod_ranges_need_no_authorization(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "Pulumi.dev-gcp.yaml").read_text())["config"]
    config["platform:network"] = {**config.get("platform:network", {}), "podCidr": "10.64.0.0/14"}
    outcome = plan_config(tmp_path, "dev-gcp", config)
    assert outcome.plan is not None, outcome.errors
    ip = one(outcome.plan, "gcp:sql/databaseInstance:DatabaseInstance")["inputs"]["settings"][
        "ipConfiguration"
    ]
    assert not ip.get("authorizedNetworks")


def test_peering_and_sql_user_are_abandoned_on_destroy(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    connection = one(plan, "gcp:servicenetworking/connection:Connection")
    assert connection["inputs"]["deletionPolicy"] == "ABANDON"
    assert one(plan, "gcp:sql/user:User")["inputs"]["deletionPolicy"] == "ABANDON"


def test_service_account_ids_are_valid_and_unique() -> None:
    stack_a, stack_b = "x" * 21 + "-a" * 9 + "a", "x" * 21 + "-b" * 9 + "b"  # 40 characters
    assert len(stack_a) == len(stack_b) == 40
    # the old [:30] cut ends in "-" (refused) and maps both stacks to one id (collision)
    assert f"backend-{stack_a}"[:30] == f"backend-{stack_b}"[:30]
    assert f"backend-{stack_a}"[:30].endswith("-")
    ids = {
        account_id(f"{app}-{stack}")
        for app in ("backend", "collector")
        for stack in (stack_a, stack_b)
    }
    assert len(ids) == 4
    for value in ids | {account_id("ab"), account_id("Dev_Stack.1-backend")}:
        assert rules.name_problem(_rule("accountId"), value) is None, value
    assert account_id("backend-prod-gcp") == "backend-prod-gcp"  # short ids unchanged


def _rule(field: str) -> rules.NameRule:
    return next(r for r in rules.NAME_RULES if r.field == field)


def test_names_stay_within_limits_and_distinct() -> None:
    long_a, long_b = "platform-" + "a" * 40 + "-gke", "platform-" + "a" * 40 + "-gkf"
    names = {resource_name(long_a, 40), resource_name(long_b, 40)}
    assert len(names) == 2 and all(len(n) <= 40 and not n.endswith("-") for n in names)
    assert resource_name("platform-Dev_Stack-network") == "platform-dev-stack-network"


def test_name_rules_reject_what_gcp_refuses() -> None:
    pool = next(r for r in rules.NAME_RULES if r.type == "gcp:container/nodePool:NodePool")
    # the provider appends 24 characters to a prefix of at most 14, 9 to a longer one; GKE
    # refuses uppercase
    assert (
        rules.name_problem(pool, rules.effective_name(pool, {"namePrefix": "workloads-"}, "x"))
        is None
    )
    assert rules.name_problem(pool, rules.effective_name(pool, {"namePrefix": "Workloads-"}, "x"))
    sa = _rule("accountId")
    assert (
        rules.name_problem(sa, "backend-")
        and rules.name_problem(sa, "b1")
        and rules.name_problem(sa, "1backend")
    )


def test_name_rule_table_is_in_the_docs() -> None:
    assert rules.rules_table() in (ROOT / "docs" / "gcp.md").read_text()


def _long_stack(environment: str) -> str:
    return (f"{environment}-gcp-" + "long-stack-name-" * 3)[:40]


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_a_forty_character_stack_plans_valid_gcp_names(tmp_path: Path, environment: str) -> None:
    stack = _long_stack(environment)
    assert len(stack) == 40
    config = yaml.safe_load((ROOT / f"Pulumi.{environment}-gcp.yaml").read_text())["config"]
    outcome = plan_config(tmp_path, stack, config)
    assert outcome.plan is not None, outcome.errors
    deploy = [v for v in outcome.plan["policy"]["violations"] if v["policy"].startswith("deploy-")]
    assert deploy == []
    checked = [r for r in outcome.plan["resources"] if r["type"] in rules.NAMED_TYPES]
    assert len(checked) > 20
