"""Issue 13: what a first real `pulumi up` on Azure needs, asserted from the offline plans.

Each test fails on the code before the fix (invalid sizes, auto-named storage accounts, a Redis
SKU Azure no longer creates, no NAT IP in the authorized ranges, no way into a private cluster,
device-code kubelogin, no in-cluster authorization, NSG blocking the ingress, no DCR, open Event
Hubs, parallel subnets).
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.azure import kubeconfig
from components.azure.postgres import restart_command, restart_problem
from components.azure.redis import assignment_name
from components.azure.roles import (
    AKS_RBAC_CLUSTER_ADMIN,
    EVENT_HUBS_DATA_RECEIVER,
    EVENT_HUBS_DATA_SENDER,
    NETWORK_CONTRIBUTOR,
)
from infra.plan.cli import Outcome
from infra.plan.mocks.azure import AKS_SERVER_ID, TENANT
from policies.rules.facts.azure_names import NAME_RULES, global_name, storage_account_name
from tests.conftest import (
    PROD_ALARMS,
    one,
    plan_config,
    plan_of,
    prod_requirements,
    resources_of,
)
from tests.test_config import build as build_config

STACKS = ["dev-azure", "staging-azure", "prod-azure"]
PREMIUM_SSD_GB = {32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767}


def _by_urn(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in plan["resources"]}


def _urn(plan: dict[str, Any], type_: str, suffix: str = "") -> str:
    return one(plan, type_, suffix)["urn"]


def _azure(environment: str, overrides: dict[str, Any]) -> list[str]:
    from infra.config import ConfigError

    with pytest.raises(ConfigError) as info:
        build_config(overrides, **{"platform:example": "true", "platform:cloud": "azure", "platform:environment": environment,
                                   "azure-native:location": "westeurope"})  # fmt: skip
    return info.value.lines()


# 1, 2 -- sizes and retention the API accepts --------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_postgres_storage_and_retention_are_accepted_values(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    inputs = one(plan_of(shipped_plans, stack), "azure-native:dbforpostgresql:Server")["inputs"]
    assert inputs["storage"]["storageSizeGB"] in PREMIUM_SSD_GB
    assert 7 <= inputs["backup"]["backupRetentionDays"] <= 35


def test_config_rejects_invalid_storage_size_and_retention() -> None:
    lines = _azure("dev", {"postgres": {"storageGb": 50, "backupRetentionDays": 1}})
    assert any(
        "platform:postgres.storageGb: 50 is not a Flexible Server Premium SSD size; allowed: 32, "
        "64, 128" in line
        for line in lines
    ), lines
    assert any(
        "platform:postgres.backupRetentionDays: 1 is outside Flexible Server's range; allowed: 7-35"
        in line
        for line in lines
    ), lines


def test_invalid_storage_size_exits_2(tmp_path: Path) -> None:
    outcome = plan_config(tmp_path, "bad-azure", {
        "azure-native:location": "westeurope", "platform:example": "true", "platform:cloud": "azure",
        "platform:environment": "dev", "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
        "platform:postgres": {"storageGb": 100},
    })  # fmt: skip
    assert outcome.exit_code == 2
    assert any("postgres.storageGb: 100" in e and "allowed: 32" in e for e in outcome.errors)


# 3 -- names --------------------------------------------------------------------------------------


def test_storage_account_is_named_validly_and_stably() -> None:
    names = [storage_account_name(f"platform-{stack}-pg-backups", "sub/a") for stack in STACKS]
    for name in names:
        assert re.fullmatch(r"[a-z0-9]{3,24}", name), name
    assert len(set(names)) == len(names)
    long_stack = "platform-" + "x" * 40 + "-redis-rdb"
    assert storage_account_name(long_stack, "sub/a") == storage_account_name(long_stack, "sub/a")
    assert storage_account_name(long_stack, "sub/a") != storage_account_name(long_stack, "sub/b")
    assert len(storage_account_name(long_stack, "sub/a")) == 24


def test_globally_unique_names_carry_the_seed_hash() -> None:
    base = "platform-" + "a" * 40 + "-kafka"
    name = global_name("azure-native:eventhub:Namespace", base, "sub/x")
    assert NAME_RULES["azure-native:eventhub:Namespace"].problems(name) == []
    assert name != global_name("azure-native:eventhub:Namespace", base, "sub/y")


# 4 -- Redis: a SKU Azure still creates --------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_redis_is_a_managed_redis_sku_with_enough_shards(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    """Azure Cache for Redis (Basic/Standard/Premium) cannot be created by new tenants since
    2026-04-01: every stack runs an Azure Managed Redis SKU that runs its configured shards."""
    from policies.rules.facts.azure_redis import AMR_SKUS, primary_shards
    from tests.test_maintenance_windows import config_of

    cluster = one(plan_of(shipped_plans, stack), "azure-native:redisenterprise:RedisEnterprise")
    sku = cluster["inputs"]["sku"]["name"]
    assert sku in AMR_SKUS
    shards = primary_shards(sku)
    config = config_of(stack)
    assert shards is not None and shards >= config.redis.shards
    assert (cluster["inputs"]["highAvailability"] == "Enabled") is (
        config.redis.replicas_per_shard > 0
    )
    assert (
        NAME_RULES["azure-native:redisenterprise:RedisEnterprise"].problems(
            cluster["inputs"]["clusterName"]
        )
        == []
    )


def test_assignment_names_are_letters_and_digits() -> None:
    rule = NAME_RULES["azure-native:redisenterprise:AccessPolicyAssignment"]
    apps = ("backend", "history-worker", "historyworker", "a_b", "x" * 80, "x" * 81)
    for app in apps:
        assert rule.problems(assignment_name(app)) == [], app
    assert len({assignment_name(app) for app in apps}) == len(apps)
    assert assignment_name("backend") == "backend"
    assert assignment_name("history-worker").startswith("historyworker")


# 5 -- authorized ranges include the NAT gateway's IP --------------------------------------------


@pytest.mark.parametrize("stack", ["dev-azure", "staging-azure"])
def test_authorized_ranges_include_nat_egress(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    cluster = one(plan, "azure-native:containerservice:ManagedCluster")
    ranges = cluster["inputs"]["apiServerAccessProfile"]["authorizedIPRanges"]
    assert "203.0.113.0/24" in ranges
    nat = [ipaddress.IPv4Network(r) for r in ranges if r.endswith("/32")]
    assert len(nat) == 1 and nat[0].subnet_of(ipaddress.IPv4Network("198.51.100.0/24"))
    assert _urn(plan, "azure-native:network:PublicIPAddress") in cluster["dependencies"]


# 6 -- a way into the prod cluster ----------------------------------------------------------------


def test_prod_api_server_is_vnet_integrated_with_a_runner_subnet(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    access = one(plan, "azure-native:containerservice:ManagedCluster")["inputs"][
        "apiServerAccessProfile"
    ]
    assert access["enablePrivateCluster"] is True and access["enableVnetIntegration"] is True
    apiserver = one(plan, "azure-native:network:Subnet", "-apiserver")
    assert apiserver["inputs"]["delegations"][0]["serviceName"] == (
        "Microsoft.ContainerService/managedClusters"
    )
    assert ipaddress.ip_network(apiserver["inputs"]["addressPrefix"]).prefixlen <= 28
    assert "/" + apiserver["name"] in access["subnetId"]
    cluster = one(plan, "azure-native:containerservice:ManagedCluster")
    assert apiserver["urn"] in cluster["dependencies"]
    runner = one(plan, "azure-native:network:Subnet", "-runner")["inputs"]
    assert "natGateway" in runner  # the runner reaches its CI service through the NAT gateway
    assert resources_of(plan_of(shipped_plans, "dev-azure"), "azure-native:network:Subnet")
    assert not [
        s
        for s in resources_of(plan_of(shipped_plans, "dev-azure"), "azure-native:network:Subnet")
        if s["name"].endswith("-runner")
    ]


def test_control_plane_identity_can_join_the_vnet_before_the_cluster(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    cluster = one(plan, "azure-native:containerservice:ManagedCluster")
    assert cluster["inputs"]["identity"]["type"] == "UserAssigned"
    grant = one(plan, "azure-native:authorization:RoleAssignment", "-network-contributor")
    assert grant["inputs"]["roleDefinitionId"].endswith(NETWORK_CONTRIBUTOR)
    assert grant["inputs"]["principalType"] == "ServicePrincipal"
    assert grant["urn"] in cluster["dependencies"]


# 7 -- kubelogin never asks for a device code -----------------------------------------------------


def _aks_kubeconfig() -> str:
    return yaml.safe_dump({"users": [{"name": "u", "user": {"exec": {
        "command": "kubelogin",
        "args": ["get-token", "--environment", "AzurePublicCloud", "--server-id", AKS_SERVER_ID,
                 "--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a", "--tenant-id", TENANT,
                 "--login", "devicecode"]}}}]})  # fmt: skip


@pytest.mark.parametrize("mode", ["azurecli", "workloadidentity"])
def test_kubeconfig_rewritten_to_non_interactive_login(mode: str) -> None:
    rewritten = yaml.safe_load(kubeconfig.rewrite(_aks_kubeconfig(), mode))
    args = rewritten["users"][0]["user"]["exec"]["args"]
    assert args == ["get-token", "--login", mode, "--server-id", AKS_SERVER_ID]
    assert "devicecode" not in str(rewritten)


def test_kubelogin_mode_follows_config_then_environment() -> None:
    assert kubeconfig.resolve_mode("auto", {}) == "azurecli"
    assert kubeconfig.resolve_mode("auto", {"AZURE_FEDERATED_TOKEN_FILE": "/t"}) == (
        "workloadidentity"
    )
    assert kubeconfig.resolve_mode("azurecli", {"AZURE_FEDERATED_TOKEN_FILE": "/t"}) == "azurecli"
    with pytest.raises(ValueError, match="allowed: azurecli, workloadidentity"):
        kubeconfig.rewrite(_aks_kubeconfig(), "devicecode")


def test_config_rejects_unknown_kubelogin_mode() -> None:
    lines = _azure("dev", {"cluster": {"kubeloginMode": "devicecode"}})
    assert any("platform:cluster.kubeloginMode" in line and "azurecli" in line for line in lines)


# 8 -- the deployer is cluster-admin before the Kubernetes provider is used ------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_deployer_is_granted_rbac_cluster_admin(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    cluster = one(plan, "azure-native:containerservice:ManagedCluster")
    grant = one(plan, "azure-native:authorization:RoleAssignment", "-deployer-0")
    assert grant["inputs"]["roleDefinitionId"].endswith(
        "/roleDefinitions/" + AKS_RBAC_CLUSTER_ADMIN
    )
    assert cluster["urn"] in grant["dependencies"]
    assert re.fullmatch(r"[0-9a-f-]{36}", grant["inputs"]["principalId"])  # the caller's object id
    # the provider waits for the grant to reach the API server (tests/test_converge_waits.py)
    provider = one(plan, "pulumi:providers:kubernetes")
    wait = one(plan, "pulumi-python:dynamic:Resource", "-aks-access")
    assert wait["urn"] in provider["dependencies"] and grant["urn"] in wait["dependencies"]


def test_configured_deployers_replace_the_caller(tmp_path: Path) -> None:
    principal = "0b6e5a1c-2f3d-4e5f-8a9b-0c1d2e3f4a5b"
    outcome = plan_config(tmp_path, "deployers-azure", {
        "azure-native:location": "westeurope", "platform:example": "true", "platform:cloud": "azure",
        "platform:environment": "dev",
        "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"],
                             "deployerPrincipals": [principal],
                             "deployerPrincipalType": "Group"},
    })  # fmt: skip
    assert outcome.plan is not None, outcome.errors
    grant = one(outcome.plan, "azure-native:authorization:RoleAssignment", "-deployer-0")
    assert (grant["inputs"]["principalId"], grant["inputs"]["principalType"]) == (
        principal,
        "Group",
    )


# 9 -- ingress reachable ------------------------------------------------------------------------


def test_nodes_nsg_admits_http_and_https_from_internet(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    nsg = one(plan, "azure-native:network:NetworkSecurityGroup", "-nodes")["inputs"]
    allow = next(r for r in nsg["securityRules"] if r["name"] == "allow-ingress-http")
    deny = next(r for r in nsg["securityRules"] if r["name"] == "deny-internet-inbound")
    assert (allow["access"], allow["sourceAddressPrefix"], allow["protocol"]) == (
        "Allow", "Internet", "Tcp",
    )  # fmt: skip
    assert allow["destinationPortRanges"] == ["80", "443"]
    assert allow["priority"] < deny["priority"]
    others = one(plan, "azure-native:network:NetworkSecurityGroup", "-postgres")["inputs"]
    assert not [r for r in others["securityRules"] if r["name"] == "allow-ingress-http"]


@pytest.mark.parametrize(("stack", "public"), [("dev-azure", True), ("prod-azure", False)])
def test_public_api_server_subnet_admits_https(
    shipped_plans: dict[str, Outcome], stack: str, public: bool
) -> None:
    nsg = one(
        plan_of(shipped_plans, stack), "azure-native:network:NetworkSecurityGroup", "-apiserver"
    )
    allowed = [r for r in nsg["inputs"]["securityRules"] if r["name"] == "allow-api-server"]
    assert bool(allowed) is public
    if public:
        assert allowed[0]["destinationPortRanges"] == ["443"]


# 10 -- TimescaleDB preload restart ---------------------------------------------------------------


def test_pending_restart_fails_loudly_with_the_command(shipped_plans: dict[str, Outcome]) -> None:
    problem = restart_problem(True, "rg", "srv")
    assert problem is not None
    assert "az postgres flexible-server restart --resource-group rg --name srv" in problem
    assert restart_problem(False, "rg", "srv") is None
    plan = plan_of(shipped_plans, "prod-azure")
    server = one(plan, "azure-native:dbforpostgresql:Server")["inputs"]["serverName"]
    assert plan["outputs"]["postgresRestartCommand"].endswith(f"--name {server}")
    assert restart_command("rg", "srv").startswith("az postgres flexible-server restart")


# 11 -- one Redis port ------------------------------------------------------------------------


def test_redis_contract_needs_no_shard_ports(shipped_plans: dict[str, Outcome]) -> None:
    """The Enterprise clustering policy proxies every shard behind port 10000: the contract
    carries no 85XX shard ports (OSS clustering would redirect clients to them)."""
    plan = plan_of(shipped_plans, "prod-azure")
    database = one(plan, "azure-native:redisenterprise:Database")
    assert database["inputs"]["clusteringPolicy"] == "EnterpriseCluster"
    assert plan["outputs"]["redisPort"] == 10000
    # the backend's egress reaches the private endpoints' subnet on 10000, and no port range
    policy = one(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "-backend-allow")
    ports = [p for rule in policy["inputs"]["spec"]["egress"] for p in rule.get("ports", [])]
    assert {"protocol": "TCP", "port": 10000} in ports
    assert not [p for p in ports if "endPort" in p or p.get("port") in (6380, 15000)]


# 12 -- Container Insights DCR -------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_container_insights_has_dcr_and_association(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    rule = one(plan, "azure-native:monitor:DataCollectionRule")
    workspace = one(plan, "azure-native:operationalinsights:Workspace")
    assert rule["inputs"]["dataFlows"][0]["streams"] == [
        "Microsoft-ContainerInsights-Group-Default"
    ]
    assert workspace["urn"] in rule["dependencies"]
    association = one(plan, "azure-native:monitor:DataCollectionRuleAssociation")
    cluster = one(plan, "azure-native:containerservice:ManagedCluster")
    assert {rule["urn"], cluster["urn"]} <= set(association["dependencies"])
    assert association["inputs"]["associationName"] == "ContainerInsightsExtension"


# 13 -- Event Hubs network rules ----------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev-azure", "staging-azure"])
def test_event_hubs_public_access_is_restricted(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    rules = one(plan, "azure-native:eventhub:NamespaceNetworkRuleSet")
    inputs = rules["inputs"]
    assert inputs["defaultAction"] == "Deny" and inputs["trustedServiceAccessEnabled"] is True
    assert [r["ipMask"] for r in inputs["ipRules"]] == ["203.0.113.0/24"]
    nodes = one(plan, "azure-native:network:Subnet", "-nodes")
    assert nodes["urn"] in rules["dependencies"]
    assert nodes["inputs"]["serviceEndpoints"] == [{"service": "Microsoft.EventHub"}]
    assert not resources_of(
        plan_of(shipped_plans, "prod-azure"), "azure-native:eventhub:NamespaceNetworkRuleSet"
    )


# minor ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_subnets_are_created_one_after_another(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    subnets = resources_of(plan, "azure-native:network:Subnet")
    urns = {s["urn"] for s in subnets}
    # a chain: every subnet but the first waits for exactly one other subnet
    waits = [len(urns & set(s["dependencies"])) for s in subnets]
    assert sorted(waits) == [0] + [1] * (len(subnets) - 1)


def test_database_waits_for_the_last_parameter(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    database = one(plan, "azure-native:dbforpostgresql:Database")
    configurations = {
        r["urn"] for r in resources_of(plan, "azure-native:dbforpostgresql:Configuration")
    }
    assert configurations & set(database["dependencies"])


def test_workload_identities_hold_event_hubs_data_roles(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    namespace = one(plan, "azure-native:eventhub:Namespace")["urn"]
    grants = [
        r for r in resources_of(plan, "azure-native:authorization:RoleAssignment")
        if "-grant-" in r["name"]
    ]  # fmt: skip
    roles = {
        (g["name"].split("-grant-")[0].rsplit("-", 1)[-1], g["inputs"]["roleDefinitionId"][-36:])
        for g in grants
    }
    assert roles == {(app, role) for app in ("backend", "collector")
                     for role in (EVENT_HUBS_DATA_SENDER, EVENT_HUBS_DATA_RECEIVER)}  # fmt: skip
    assert all(namespace in g["dependencies"] for g in grants)
    assert all(g["inputs"]["principalType"] == "ServicePrincipal" for g in grants)


# offline naming rules --------------------------------------------------------------------------

LONG_STACK = "analytics-platform-westeurope-team-a-dev"


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_forty_character_stack_names_are_valid_azure_names(
    tmp_path: Path, environment: str
) -> None:
    assert len(LONG_STACK) == 40
    cluster = (
        {
            "adminPrincipals": ["6a1f3c2e-9b0d-4d8e-a5f1-2c3b4d5e6f70"],
            "deployerPrincipals": ["00000000-0000-0000-0000-000000000000"],
        }
        if environment == "prod"
        else {"authorizedNetworks": ["203.0.113.0/24"]}
    )
    outcome = plan_config(tmp_path, LONG_STACK, {
        "azure-native:location": "westeurope", "platform:example": "true", "platform:cloud": "azure",
        "platform:environment": environment, "platform:cluster": cluster,
        **(prod_requirements("azure") if environment == "prod" else {}),
        # staging's alarms are on: someone hears them
        **({"platform:alarms": PROD_ALARMS} if environment == "staging" else {}),
    })  # fmt: skip
    assert outcome.plan is not None, outcome.errors
    deploy = [v for v in outcome.plan["policy"]["violations"] if v["policy"].startswith("deploy-")]
    assert deploy == []
    checked = {r["type"] for r in outcome.plan["resources"]} & set(NAME_RULES)
    assert len(checked) >= 15  # the rule saw every Azure type the program names


@pytest.mark.parametrize(
    ("type_", "props", "flagged"),
    [
        # the storage account as azure-native used to auto-name it
        ("azure-native:storage:StorageAccount", {"accountName": "platform-staging-azure-redis-rdb1a2b3c4d"}, True),
        ("azure-native:storage:StorageAccount", {"accountName": "stplatformstagi1a2b3c4d"}, False),
        ("azure-native:redisenterprise:RedisEnterprise", {"clusterName": "platform--redis"}, True),
        ("azure-native:redisenterprise:RedisEnterprise", {"clusterName": "r" * 61}, True),
        ("azure-native:redisenterprise:RedisEnterprise", {"clusterName": "platform-redis-1a2b3c4d"}, False),
        ("azure-native:redisenterprise:AccessPolicyAssignment", {"accessPolicyAssignmentName": "history-worker"}, True),
        ("azure-native:eventhub:Namespace", {"namespaceName": "n" * 51}, True),
        ("azure-native:eventhub:Namespace", {"namespaceName": "[unknown]"}, False),
        ("azure-native:keyvault:Vault", {"vaultName": "1vault"}, True),
        ("azure-native:dbforpostgresql:Server", {"serverName": "Platform-DB"}, True),
    ],
)  # fmt: skip
def test_naming_rule_flags_invalid_names(type_: str, props: dict[str, Any], flagged: bool) -> None:
    from policies.rules.deployability.azure import POLICIES
    from tests.policy_helpers import find, violations_of_resource

    found = violations_of_resource(find(POLICIES, "deploy-azure-resource-names"), type_, props)
    assert bool(found) is flagged, found
    if flagged:
        assert "resource-name-rules" in found[0]


def test_size_and_zone_rules_flag_what_azure_rejects() -> None:
    from policies.rules.deployability.azure import POLICIES
    from tests.policy_helpers import find, violations_of_resource

    sizes = find(POLICIES, "deploy-azure-postgres-storage-and-retention")
    server = "azure-native:dbforpostgresql:Server"
    bad = {"storage": {"storageSizeGB": 20}, "backup": {"backupRetentionDays": 1}}
    assert len(violations_of_resource(sizes, server, bad)) == 2
    good = {"storage": {"storageSizeGB": 32}, "backup": {"backupRetentionDays": 7}}
    assert violations_of_resource(sizes, server, good) == []
    skus = find(POLICIES, "deploy-azure-redis-sku")
    redis = "azure-native:redisenterprise:RedisEnterprise"
    assert violations_of_resource(skus, redis, {"sku": {"name": "Enterprise_E10"}})
    assert violations_of_resource(skus, redis, {"sku": {"name": "Premium_P1"}})
    assert not violations_of_resource(skus, redis, {"sku": {"name": "Balanced_B5"}})
    databases = find(POLICIES, "deploy-azure-redis-database")
    database = "azure-native:redisenterprise:Database"
    assert violations_of_resource(databases, database, {"databaseName": "cache"})
    assert not violations_of_resource(databases, database, {"databaseName": "default"})
