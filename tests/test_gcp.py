"""The GCP stacks as planned offline: every hardening property, dev vs prod."""

from __future__ import annotations

import pytest

from infra.plan.cli import Outcome
from infra.plan.render import kubernetes_objects
from tests.conftest import one, plan_of, resources_of

STACKS = ["dev-gcp", "staging-gcp", "prod-gcp"]


def test_gcp_stacks_plan_cleanly(shipped_plans: dict[str, Outcome]) -> None:
    for stack in STACKS:
        assert shipped_plans[stack].errors == [] and shipped_plans[stack].exit_code == 0


def test_network(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    assert one(plan, "gcp:compute/network:Network")["inputs"]["autoCreateSubnetworks"] is False
    subnet = one(plan, "gcp:compute/subnetwork:Subnetwork")["inputs"]
    assert subnet["privateIpGoogleAccess"] is True
    assert {r["rangeName"] for r in subnet["secondaryIpRanges"]} == {"pods", "services"}
    assert subnet["logConfig"]["flowSampling"] == 0.5
    nat = one(plan, "gcp:compute/routerNat:RouterNat")["inputs"]
    assert nat["sourceSubnetworkIpRangesToNat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    rules = {
        r["name"].rsplit("-network-", 1)[-1]: r["inputs"]
        for r in resources_of(plan, "gcp:compute/firewall:Firewall")
    }
    assert (
        rules["deny-all-ingress"]["denies"] == [{"protocol": "all"}]
        and rules["deny-all-ingress"]["priority"] == 65534
    )
    assert rules["allow-health-checks"]["sourceRanges"] == ["130.211.0.0/22", "35.191.0.0/16"]
    assert rules["allow-control-plane"]["sourceRanges"] == ["172.16.0.0/28"]
    reserved = one(plan, "gcp:compute/globalAddress:GlobalAddress")["inputs"]
    assert (reserved["purpose"], reserved["address"], reserved["prefixLength"]) == (
        "VPC_PEERING",
        "10.200.0.0",
        16,
    )
    connection = one(plan, "gcp:servicenetworking/connection:Connection")["inputs"]
    assert connection["service"] == "servicenetworking.googleapis.com"
    psc = one(plan, "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy")[
        "inputs"
    ]
    assert psc["serviceClass"] == "gcp-memorystore-redis"


@pytest.mark.parametrize(
    ("stack", "regional", "private_endpoint"), [("dev-gcp", False, False), ("prod-gcp", True, True)]
)
def test_gke(
    shipped_plans: dict[str, Outcome], stack: str, regional: bool, private_endpoint: bool
) -> None:
    plan = plan_of(shipped_plans, stack)
    cluster = one(plan, "gcp:container/cluster:Cluster")
    inputs = cluster["inputs"]
    assert (inputs["location"] == "europe-west1") is regional
    assert inputs["removeDefaultNodePool"] is True
    assert inputs["privateClusterConfig"]["enablePrivateNodes"] is True
    assert inputs["privateClusterConfig"]["enablePrivateEndpoint"] is private_endpoint
    cidrs = [b["cidrBlock"] for b in inputs["masterAuthorizedNetworksConfig"]["cidrBlocks"]]
    assert "10.0.0.0/16" in cidrs and "0.0.0.0/0" not in cidrs
    assert ("203.0.113.0/24" in cidrs) is (not private_endpoint)
    assert inputs["releaseChannel"]["channel"] == "REGULAR"
    # the version catalog's GKE default (REGULAR channel; policies/rules/facts/catalog)
    assert inputs["minMasterVersion"] == "1.36"
    assert inputs["workloadIdentityConfig"]["workloadPool"].endswith(".svc.id.goog")
    assert inputs["datapathProvider"] == "ADVANCED_DATAPATH"
    assert inputs["databaseEncryption"]["state"] == "ENCRYPTED"
    assert inputs["databaseEncryption"]["keyName"].startswith("projects/")
    assert "FREQ=WEEKLY" in inputs["maintenancePolicy"]["recurringWindow"]["recurrence"]
    assert "WORKLOADS" in inputs["loggingConfig"]["enableComponents"]
    assert inputs["monitoringConfig"]["managedPrometheus"]["enabled"] is True
    assert inputs["deletionProtection"] is (stack == "prod-gcp") and cluster["protect"] is (
        stack == "prod-gcp"
    )
    pool = one(plan, "gcp:container/nodePool:NodePool")["inputs"]
    assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert pool["nodeConfig"]["imageType"] == "COS_CONTAINERD"
    assert pool["nodeConfig"]["shieldedInstanceConfig"]["enableSecureBoot"] is True
    assert pool["nodeConfig"]["workloadMetadataConfig"]["mode"] == "GKE_METADATA"
    assert pool["nodeConfig"]["serviceAccount"].endswith(".iam.gserviceaccount.com")
    assert "compute@developer" not in pool["nodeConfig"]["serviceAccount"]
    assert pool["autoscaling"]["totalMinNodeCount"] == (1 if stack == "dev-gcp" else 3)
    key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-gke-secrets")["inputs"]
    assert key["rotationPeriod"] == "7776000s"
    agent = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-secrets-gke-agent")[
        "inputs"
    ]
    assert agent["member"].endswith("@container-engine-robot.iam.gserviceaccount.com")
    assert plan["outputs"]["kubeconfig"] == "[secret]"


@pytest.mark.parametrize(
    ("stack", "availability", "retained"),
    [("dev-gcp", "ZONAL", 1), ("staging-gcp", "REGIONAL", 7), ("prod-gcp", "REGIONAL", 14)],
)
def test_cloud_sql(
    shipped_plans: dict[str, Outcome], stack: str, availability: str, retained: int
) -> None:
    plan = plan_of(shipped_plans, stack)
    instance = one(plan, "gcp:sql/databaseInstance:DatabaseInstance", "-postgres")
    inputs = instance["inputs"]
    settings = inputs["settings"]
    assert inputs["databaseVersion"] == "POSTGRES_16"
    assert settings["ipConfiguration"]["ipv4Enabled"] is False
    assert settings["ipConfiguration"]["sslMode"] == "ENCRYPTED_ONLY"
    assert settings["ipConfiguration"]["privateNetwork"].startswith("projects/")
    assert settings["availabilityType"] == availability
    backup = settings["backupConfiguration"]
    assert backup["enabled"] is True and backup["pointInTimeRecoveryEnabled"] is True
    assert backup["backupRetentionSettings"]["retainedBackups"] == retained
    assert backup["transactionLogRetentionDays"] == min(retained, 7)
    assert (
        settings["diskAutoresize"] is True
        and settings["diskAutoresizeLimit"] >= settings["diskSize"]
    )
    assert settings["insightsConfig"]["queryInsightsEnabled"] is True
    assert settings["maintenanceWindow"]["day"] == 7
    flags = {f["name"]: f["value"] for f in settings["databaseFlags"]}
    # CIS flags checkov checks (CKV_GCP_51, CKV_GCP_109, CKV_GCP_111) are set, not skipped
    assert {k: flags.get(k) for k in ("log_checkpoints", "log_statement", "log_min_error_statement")} == {
        "log_checkpoints": "on", "log_statement": "ddl", "log_min_error_statement": "error",
    }  # fmt: skip
    assert {"log_min_duration_statement", "log_connections"} <= set(flags)
    protected = stack == "prod-gcp"
    assert (
        inputs["deletionProtection"] is protected
        and settings["deletionProtectionEnabled"] is protected
    )
    assert instance["protect"] is protected
    assert one(plan, "gcp:sql/user:User")["inputs"]["password"] == "[secret]"
    assert one(plan, "gcp:sql/database:Database")["inputs"]["name"] == "analytics"


def test_managed_kafka(shipped_plans: dict[str, Outcome]) -> None:
    for stack, vcpus, replication in (("dev-gcp", "3", 2), ("prod-gcp", "6", 3)):
        plan = plan_of(shipped_plans, stack)
        cluster = one(plan, "gcp:managedkafka/cluster:Cluster")["inputs"]
        assert cluster["capacityConfig"]["vcpuCount"] == vcpus
        (network,) = cluster["gcpConfig"]["accessConfig"]["networkConfigs"]
        assert "/subnetworks/" in network["subnet"]
        topics = {
            t["inputs"]["topicId"]: t["inputs"]
            for t in resources_of(plan, "gcp:managedkafka/topic:Topic")
        }
        assert set(topics) == {"events", "events-dlq"}
        assert topics["events"]["replicationFactor"] == replication
        assert plan["outputs"]["kafkaBootstrapServers"].endswith(":9092")


@pytest.mark.parametrize(("stack", "shards", "replicas"), [("dev-gcp", 1, 0), ("prod-gcp", 3, 1)])
def test_memorystore(
    shipped_plans: dict[str, Outcome], stack: str, shards: int, replicas: int
) -> None:
    plan = plan_of(shipped_plans, stack)
    cluster = one(plan, "gcp:redis/cluster:Cluster")
    inputs = cluster["inputs"]
    assert (inputs["shardCount"], inputs["replicaCount"]) == (shards, replicas)
    assert inputs["authorizationMode"] == "AUTH_MODE_IAM_AUTH"
    assert inputs["transitEncryptionMode"] == "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"
    assert inputs["pscConfigs"][0]["network"].startswith("projects/")
    assert inputs["persistenceConfig"]["mode"] == "RDB"
    assert inputs["maintenancePolicy"]["weeklyMaintenanceWindows"][0]["day"] == "SUNDAY"
    assert cluster["protect"] is (stack == "prod-gcp")


def test_kubernetes_layer_on_gke(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    objects = kubernetes_objects(plan["resources"])
    accounts = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ServiceAccount"}
    assert accounts["backend"]["metadata"]["annotations"][
        "iam.gke.io/gcp-service-account"
    ].startswith("backend-prod-gcp@")
    bindings = [
        r["inputs"]["member"] for r in resources_of(plan, "gcp:serviceaccount/iAMMember:IAMMember")
    ]
    assert "serviceAccount:analytics-platform-prod.svc.id.goog[analytics/backend]" in bindings
    (config_map,) = [
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "backend-settings"
    ]
    assert config_map["data"]["REDIS_AUTH_MODE"] == "iam"
    assert config_map["data"]["KAFKA_SASL_MECHANISM"] == "OAUTHBEARER"
    releases = {r["name"] for r in resources_of(plan, "kubernetes:helm.sh/v3:Release")}
    assert "metrics-server" not in releases  # GKE ships its own
    (backend_policy,) = [
        o
        for o in objects
        if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "backend-allow"
    ]
    data_cidrs = {
        p["ipBlock"]["cidr"]
        for rule in backend_policy["spec"]["egress"]
        for p in rule["to"]
        if "ipBlock" in p
    }
    assert {
        "10.0.0.0/19",
        "10.200.0.0/16",
    } <= data_cidrs  # subnet (Kafka, Redis PSC) and PSA (Cloud SQL)
