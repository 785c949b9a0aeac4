"""The Azure stacks as planned offline: every hardening property, dev vs prod."""

from __future__ import annotations

import re

import pytest

from infra.plan.cli import Outcome
from infra.plan.render import kubernetes_objects
from tests.conftest import one, plan_of, resources_of
from tests.test_maintenance_windows import config_of

STACKS = ["dev-azure", "staging-azure", "prod-azure"]


def test_azure_stacks_plan_with_no_mandatory_violations(shipped_plans: dict[str, Outcome]) -> None:
    for stack in STACKS:
        outcome = shipped_plans[stack]
        assert outcome.errors == [] and outcome.exit_code == 0
        assert outcome.plan is not None
        levels = {(v["policy"], v["level"]) for v in outcome.plan["policy"]["violations"]}
        assert levels == {("azure-eventhubs-local-auth-disabled", "advisory")}


def test_network(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    subnets = {
        r["name"].rsplit("-", 1)[-1]: r["inputs"]
        for r in resources_of(plan, "azure-native:network:Subnet")
    }
    assert set(subnets) == {"nodes", "postgres", "endpoints", "apiserver", "runner"}
    assert all("networkSecurityGroup" in s for s in subnets.values())
    assert "natGateway" in subnets["nodes"]
    assert (
        subnets["postgres"]["delegations"][0]["serviceName"]
        == "Microsoft.DBforPostgreSQL/flexibleServers"
    )
    nsg = resources_of(plan, "azure-native:network:NetworkSecurityGroup")[0]["inputs"]
    assert any(
        r["access"] == "Deny" and r["sourceAddressPrefix"] == "Internet"
        for r in nsg["securityRules"]
    )
    zones = {
        r["inputs"]["privateZoneName"]
        for r in resources_of(plan, "azure-native:privatedns:PrivateZone")
    }
    assert zones == {"private.postgres.database.azure.com", "privatelink.redis.azure.net",
                     "privatelink.servicebus.windows.net", "privatelink.azurecr.io"}  # fmt: skip
    assert len(resources_of(plan, "azure-native:privatedns:VirtualNetworkLink")) == 4


@pytest.mark.parametrize(
    ("stack", "private", "tier"), [("dev-azure", False, "Free"), ("prod-azure", True, "Standard")]
)
def test_aks(shipped_plans: dict[str, Outcome], stack: str, private: bool, tier: str) -> None:
    plan = plan_of(shipped_plans, stack)
    cluster = one(plan, "azure-native:containerservice:ManagedCluster")
    inputs = cluster["inputs"]
    system, user = inputs["agentPoolProfiles"]
    assert (system["mode"], user["mode"]) == ("System", "User")
    assert all(p["enableAutoScaling"] and p["availabilityZones"] for p in (system, user))
    network = inputs["networkProfile"]
    assert (network["networkPlugin"], network["networkPluginMode"], network["networkPolicy"]) == (
        "azure",
        "overlay",
        "cilium",
    )
    assert network["outboundType"] == "userAssignedNATGateway"
    access = inputs["apiServerAccessProfile"]
    assert access["enablePrivateCluster"] is private
    ranges = access.get("authorizedIPRanges", [])
    assert ranges == [] if private else ranges[0] == "203.0.113.0/24"  # + the NAT IP
    assert inputs["aadProfile"]["managed"] and inputs["aadProfile"]["enableAzureRBAC"]
    assert inputs["disableLocalAccounts"] is True
    assert (
        inputs["oidcIssuerProfile"]["enabled"]
        and inputs["securityProfile"]["workloadIdentity"]["enabled"]
    )
    assert inputs["addonProfiles"]["azureKeyvaultSecretsProvider"]["enabled"] is True
    assert inputs["addonProfiles"]["omsagent"]["config"][
        "logAnalyticsWorkspaceResourceID"
    ].startswith("/subscriptions/")
    assert inputs["autoUpgradeProfile"]["upgradeChannel"] == "stable"
    assert inputs["sku"]["tier"] == tier
    assert cluster["protect"] is private
    assert len(resources_of(plan, "azure-native:containerservice:MaintenanceConfiguration")) == 2
    assert plan["outputs"]["kubeconfig"] == "[secret]"


@pytest.mark.parametrize(
    ("stack", "ha", "geo", "retention"),
    [("dev-azure", "Disabled", "Disabled", 7), ("prod-azure", "ZoneRedundant", "Enabled", 14)],
)
def test_postgres(
    shipped_plans: dict[str, Outcome], stack: str, ha: str, geo: str, retention: int
) -> None:
    plan = plan_of(shipped_plans, stack)
    server = one(plan, "azure-native:dbforpostgresql:Server")
    inputs = server["inputs"]
    assert inputs["version"] == "16"
    assert inputs["network"]["publicNetworkAccess"] == "Disabled"
    assert "/Subnet/platform-" in inputs["network"]["delegatedSubnetResourceId"]
    assert "-network-postgres" in inputs["network"]["delegatedSubnetResourceId"]
    assert "/PrivateZone/" in inputs["network"]["privateDnsZoneArmResourceId"]
    assert inputs["highAvailability"]["mode"] == ha
    assert inputs["backup"] == {"backupRetentionDays": retention, "geoRedundantBackup": geo}
    assert inputs["storage"]["autoGrow"] == "Enabled"
    assert inputs["maintenanceWindow"]["customWindow"] == "Enabled"
    assert inputs["administratorLoginPassword"] == "[secret]"
    assert server["protect"] is (stack == "prod-azure")
    parameters = {
        r["inputs"]["configurationName"]: r["inputs"]["value"]
        for r in resources_of(plan, "azure-native:dbforpostgresql:Configuration")
    }
    assert parameters["require_secure_transport"] == "on"
    assert "TIMESCALEDB" in parameters["azure.extensions"].split(",")
    assert "timescaledb" in parameters["shared_preload_libraries"]


@pytest.mark.parametrize(
    ("stack", "tier", "zone_redundant", "public"),
    [("dev-azure", "Standard", False, "Enabled"), ("prod-azure", "Premium", True, "Disabled")],
)
def test_event_hubs(
    shipped_plans: dict[str, Outcome], stack: str, tier: str, zone_redundant: bool, public: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    namespace = one(plan, "azure-native:eventhub:Namespace")["inputs"]
    assert namespace["sku"]["name"] == tier
    assert namespace["zoneRedundant"] is zone_redundant
    assert namespace["minimumTlsVersion"] == "1.2"
    assert namespace["publicNetworkAccess"] == public
    hubs = {
        r["inputs"]["eventHubName"]: r["inputs"]
        for r in resources_of(plan, "azure-native:eventhub:EventHub")
    }
    assert hubs["events"]["partitionCount"] == 12
    dlq_hours = hubs["events-dlq"]["retentionDescription"]["retentionTimeInHours"]
    assert dlq_hours == (168 if tier == "Standard" else 336)  # Standard keeps 7 days at most
    endpoints = [
        r
        for r in resources_of(plan, "azure-native:network:PrivateEndpoint")
        if "kafka" in r["name"]
    ]
    assert endpoints[0]["inputs"]["privateLinkServiceConnections"][0]["groupIds"] == ["namespace"]
    assert plan["outputs"]["kafkaBootstrapServers"].endswith(".servicebus.windows.net:9093")


@pytest.mark.parametrize(
    ("stack", "sku", "ha", "persistent"),
    [("dev-azure", "Balanced_B1", "Disabled", False), ("staging-azure", "Balanced_B5", "Enabled", False),
     ("prod-azure", "Balanced_B20", "Enabled", True)],
)  # fmt: skip
def test_redis_is_azure_managed_redis(
    shipped_plans: dict[str, Outcome], stack: str, sku: str, ha: str, persistent: bool
) -> None:
    plan = plan_of(shipped_plans, stack)
    # Azure Cache for Redis is retiring: none of its resources remain
    assert not [r for r in plan["resources"] if r["type"].startswith("azure-native:redis:")]
    cluster = one(plan, "azure-native:redisenterprise:RedisEnterprise")
    inputs = cluster["inputs"]
    assert inputs["sku"] == {"name": sku}
    assert inputs["highAvailability"] == ha and inputs["minimumTlsVersion"] == "1.2"
    assert inputs["publicNetworkAccess"] == "Disabled"
    # zone redundancy is the service's own placement: the program pins no zones
    assert "zones" not in inputs
    database = one(plan, "azure-native:redisenterprise:Database")
    db = database["inputs"]
    assert db["databaseName"] == "default" and db["port"] == 10000
    assert db["clientProtocol"] == "Encrypted" and db["accessKeysAuthentication"] == "Disabled"
    assert db["clusteringPolicy"] == "EnterpriseCluster"
    assert db["persistence"] == (
        {"rdbEnabled": True, "rdbFrequency": "1h"}
        if persistent
        else {"aofEnabled": False, "rdbEnabled": False}
    )
    assert cluster["urn"] in database["dependencies"]
    protected = stack == "prod-azure"
    assert cluster["protect"] is protected and database["protect"] is protected
    endpoint = one(plan, "azure-native:network:PrivateEndpoint", "-redis-pe")["inputs"]
    assert endpoint["privateLinkServiceConnections"][0]["groupIds"] == ["redisEnterprise"]
    assert plan["outputs"]["redisPort"] == 10000 and "redisAuthToken" not in plan["outputs"]
    assert re.fullmatch(
        r"platform-[a-z-]+-redis-[0-9a-f]{8}\.westeurope\.redis\.azure\.net",
        plan["outputs"]["redisHost"],
    )


@pytest.mark.parametrize("stack", ["dev-azure", "prod-azure"])
def test_redis_admits_the_workload_identities_of_its_users(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    config = config_of(stack)
    users = sorted(app for app, spec in config.apps.items() if "redis" in spec.uses)
    assert users, "the shipped stacks have an app that uses Redis"
    identities = {
        r["name"]: r
        for r in resources_of(plan, "azure-native:managedidentity:UserAssignedIdentity")
    }
    assignments = resources_of(plan, "azure-native:redisenterprise:AccessPolicyAssignment")
    assert sorted(a["inputs"]["accessPolicyAssignmentName"] for a in assignments) == users
    database = one(plan, "azure-native:redisenterprise:Database")
    for assignment in assignments:
        inputs = assignment["inputs"]
        assert inputs["accessPolicyName"] == "default" and inputs["databaseName"] == "default"
        assert database["urn"] in assignment["dependencies"]
        app = inputs["accessPolicyAssignmentName"]
        identity = identities[f"platform-{stack}-{app}"]
        # the identity's object id, as the mock answers it (the identity comes first)
        assert identity["urn"] in assignment["dependencies"]
        assert re.fullmatch(r"[0-9a-f-]{36}", inputs["user"]["objectId"])
    # an app that does not use Redis gets no way in
    assert len(assignments) == len(users) < len(config.apps)


def test_kubernetes_layer_on_aks(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    objects = kubernetes_objects(plan["resources"])
    accounts = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ServiceAccount"}
    assert "azure.workload.identity/client-id" in accounts["backend"]["metadata"]["annotations"]
    (backend,) = [o for o in objects if o["kind"] == "StatefulSet"]
    assert (
        backend["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    )
    credentials = [
        r for r in resources_of(plan, "azure-native:managedidentity:FederatedIdentityCredential")
    ]
    assert {c["inputs"]["subject"] for c in credentials} == {
        "system:serviceaccount:analytics:backend",
        "system:serviceaccount:analytics:collector",
    }
    (secret,) = [
        o
        for o in objects
        if o["kind"] == "Secret" and o["metadata"]["name"] == "backend-credentials"
    ]
    assert {"KAFKA_USERNAME", "KAFKA_PASSWORD", "REDIS_URL"} <= set(secret["stringData"])
    # Azure Managed Redis takes Entra ID tokens only: there is no Redis password to hand out
    assert "REDIS_AUTH_TOKEN" not in secret["stringData"]
    releases = {r["name"] for r in resources_of(plan, "kubernetes:helm.sh/v3:Release")}
    assert "metrics-server" not in releases  # AKS ships its own
