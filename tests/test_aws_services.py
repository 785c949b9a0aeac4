"""EKS, RDS, MSK and ElastiCache as planned in the shipped AWS stacks, dev vs prod."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.plan.cli import Outcome
from tests.conftest import one, resources_of


@pytest.fixture(scope="module")
def dev(shipped_plans: dict[str, Outcome]) -> dict[str, Any]:
    assert shipped_plans["dev"].plan is not None, shipped_plans["dev"].errors
    return shipped_plans["dev"].plan


@pytest.fixture(scope="module")
def staging(shipped_plans: dict[str, Outcome]) -> dict[str, Any]:
    assert shipped_plans["staging"].plan is not None, shipped_plans["staging"].errors
    return shipped_plans["staging"].plan


@pytest.fixture(scope="module")
def prod(shipped_plans: dict[str, Outcome]) -> dict[str, Any]:
    assert shipped_plans["prod"].plan is not None, shipped_plans["prod"].errors
    return shipped_plans["prod"].plan


def attached_policies(plan: dict[str, Any], role_name: str) -> set[str]:
    return {
        r["inputs"]["policyArn"].rsplit("/", 1)[-1]
        for r in resources_of(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r["name"].startswith(f"{role_name}-")
    }


# --- EKS ---------------------------------------------------------------------------------


def test_eks_roles_have_only_the_policies_they_need(prod: dict[str, Any]) -> None:
    assert attached_policies(prod, "platform-prod-cluster-cluster") == {"AmazonEKSClusterPolicy"}
    assert attached_policies(prod, "platform-prod-cluster-nodes") == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryReadOnly",
    }
    assert attached_policies(prod, "platform-prod-cluster-ebs-csi") == {"AmazonEBSCSIDriverPolicy"}


def test_eks_secrets_encrypted_with_a_rotating_cmk_and_all_logs(prod: dict[str, Any]) -> None:
    cluster = one(prod, "aws:eks/cluster:Cluster")["inputs"]
    key = one(prod, "aws:kms/key:Key", "cluster-secrets")
    assert key["inputs"]["enableKeyRotation"] is True
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster["encryptionConfig"]["provider"]["keyArn"].startswith("arn:aws:kms:")
    assert sorted(cluster["enabledClusterLogTypes"]) == sorted(
        ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    )
    log_group = one(prod, "aws:cloudwatch/logGroup:LogGroup", "control-plane")["inputs"]
    assert log_group["name"] == "/aws/eks/platform-prod-eks/cluster"
    assert log_group["retentionInDays"] == 365
    assert cluster["accessConfig"]["authenticationMode"] == "API"


def test_eks_endpoint_private_in_prod_and_cidr_restricted_elsewhere(
    dev: dict[str, Any], prod: dict[str, Any]
) -> None:
    prod_vpc = one(prod, "aws:eks/cluster:Cluster")["inputs"]["vpcConfig"]
    dev_vpc = one(dev, "aws:eks/cluster:Cluster")["inputs"]["vpcConfig"]
    assert prod_vpc["endpointPrivateAccess"] and not prod_vpc["endpointPublicAccess"]
    assert "publicAccessCidrs" not in prod_vpc
    assert dev_vpc["endpointPrivateAccess"] and dev_vpc["endpointPublicAccess"]
    assert dev_vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert one(prod, "aws:eks/cluster:Cluster")["protect"] is True
    assert one(dev, "aws:eks/cluster:Cluster")["protect"] is False


def test_eks_admin_access_entries(prod: dict[str, Any], dev: dict[str, Any]) -> None:
    entry = one(prod, "aws:eks/accessEntry:AccessEntry", "admin-0")["inputs"]
    association = one(prod, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-0")[
        "inputs"
    ]
    assert entry["principalArn"] == "arn:aws:iam::123456789012:role/platform-admins"
    assert association["policyArn"].endswith("AmazonEKSClusterAdminPolicy")
    assert association["accessScope"] == {"type": "cluster"}
    # dev has no admin roles: only the deployer's entry
    assert [r["name"] for r in resources_of(dev, "aws:eks/accessEntry:AccessEntry")] == [
        "platform-dev-cluster-deployer"
    ]


@pytest.mark.parametrize(
    ("stack", "sizes", "instance"),
    [("dev", (1, 2, 3), "t3.large"), ("prod", (3, 3, 12), "m6i.xlarge")],
)
def test_node_group_sizes_and_launch_template(
    shipped_plans: dict[str, Outcome], stack: str, sizes: tuple[int, int, int], instance: str
) -> None:
    plan = shipped_plans[stack].plan
    assert plan is not None
    group = one(plan, "aws:eks/nodeGroup:NodeGroup")["inputs"]
    scaling = group["scalingConfig"]
    assert (scaling["minSize"], scaling["desiredSize"], scaling["maxSize"]) == sizes
    assert group["instanceTypes"] == [instance]
    assert group["amiType"] == "AL2023_x86_64_STANDARD"
    private = one(plan, "aws:eks/cluster:Cluster")["inputs"]["vpcConfig"]["subnetIds"]
    assert group["subnetIds"] == private and len(private) == (2 if stack == "dev" else 3)
    template = one(plan, "aws:ec2/launchTemplate:LaunchTemplate")["inputs"]
    ebs = template["blockDeviceMappings"][0]["ebs"]
    assert (ebs["volumeType"], ebs["encrypted"]) == ("gp3", "true")
    assert template["metadataOptions"]["httpTokens"] == "required"
    assert template["metadataOptions"]["httpPutResponseHopLimit"] == 1


def test_oidc_provider_and_pinned_addons(prod: dict[str, Any]) -> None:
    oidc = one(prod, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")["inputs"]
    assert oidc["url"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert oidc["clientIdLists"] == ["sts.amazonaws.com"]
    addons = {
        r["inputs"]["addonName"]: r["inputs"] for r in resources_of(prod, "aws:eks/addon:Addon")
    }
    assert set(addons) == {
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "aws-ebs-csi-driver",
        "eks-pod-identity-agent",
    }
    assert all(
        a["addonVersion"].startswith("v") and "eksbuild" in a["addonVersion"]
        for a in addons.values()
    )
    (association,) = addons["aws-ebs-csi-driver"]["podIdentityAssociations"]
    assert association["serviceAccount"] == "ebs-csi-controller-sa"


def test_kubeconfig_is_secret_and_feeds_a_kubernetes_provider(prod: dict[str, Any]) -> None:
    assert prod["outputs"]["kubeconfig"] == "[secret]"
    provider = one(prod, "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"


# --- RDS ---------------------------------------------------------------------------------


def test_rds_private_encrypted_tls_only(prod: dict[str, Any]) -> None:
    db = one(prod, "aws:rds/instance:Instance")["inputs"]
    assert db["engine"] == "postgres" and db["engineVersion"].startswith("16.")
    assert db["publiclyAccessible"] is False
    assert db["storageEncrypted"] is True and db["kmsKeyId"].startswith("arn:aws:kms:")
    assert (db["storageType"], db["allocatedStorage"], db["maxAllocatedStorage"]) == (
        "gp3",
        100,
        1000,
    )
    params = {
        p["name"]: p["value"]
        for p in one(prod, "aws:rds/parameterGroup:ParameterGroup")["inputs"]["parameters"]
    }
    assert params["rds.force_ssl"] == "1" and params["log_min_duration_statement"] == "1000"
    assert one(prod, "aws:rds/parameterGroup:ParameterGroup")["inputs"]["family"] == "postgres16"
    assert db["password"] == "[secret]" and prod["outputs"]["postgresPassword"] == "[secret]"


@pytest.mark.parametrize(
    ("stack", "multi_az", "retention", "protected"),
    [("dev", False, 1, False), ("staging", True, 7, False), ("prod", True, 14, True)],
)
def test_rds_availability_backups_and_protection(
    shipped_plans: dict[str, Outcome], stack: str, multi_az: bool, retention: int, protected: bool
) -> None:
    plan = shipped_plans[stack].plan
    assert plan is not None
    resource = one(plan, "aws:rds/instance:Instance")
    db = resource["inputs"]
    assert db["multiAz"] is multi_az
    assert db["backupRetentionPeriod"] == retention
    assert db["deletionProtection"] is protected
    assert db["skipFinalSnapshot"] is not protected
    assert ("finalSnapshotIdentifier" in db) is protected
    assert resource["protect"] is protected


def test_rds_observability_and_auth(prod: dict[str, Any]) -> None:
    db = one(prod, "aws:rds/instance:Instance")["inputs"]
    assert db["performanceInsightsEnabled"] and db["performanceInsightsKmsKeyId"].startswith(
        "arn:aws:kms:"
    )
    assert db["monitoringInterval"] == 60 and db["monitoringRoleArn"].startswith("arn:aws:iam::")
    assert attached_policies(prod, "platform-prod-postgres-monitoring") == {
        "AmazonRDSEnhancedMonitoringRole"
    }
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert db["iamDatabaseAuthenticationEnabled"] is True and db["copyTagsToSnapshot"] is True
    # backup and maintenance windows: tests/test_maintenance_windows.py


# --- security groups -----------------------------------------------------------------------


def test_data_services_admit_only_the_cluster(prod: dict[str, Any]) -> None:
    rules = {
        r["name"]: r["inputs"]
        for r in resources_of(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        # the cluster's own API rule (the deployer's way in) is tested with the cluster
        if not r["name"].startswith("platform-prod-cluster-")
    }
    ports = {name: (rule["fromPort"], rule["toPort"]) for name, rule in rules.items()}
    assert ports == {
        "platform-prod-postgres-db": (5432, 5432),
        "platform-prod-kafka-brokers": (9098, 9098),
        "platform-prod-redis-cache": (6379, 6379),
    }
    sources = {rule["referencedSecurityGroupId"] for rule in rules.values()}
    assert len(sources) == 1 and sources.pop().startswith("sg-")
    assert not any("cidrIpv4" in rule for rule in rules.values())
    for group in resources_of(prod, "aws:ec2/securityGroup:SecurityGroup"):
        assert "ingress" not in group["inputs"] and "egress" not in group["inputs"]


# --- MSK ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "brokers", "size"), [("dev", 2, "kafka.t3.small"), ("prod", 3, "kafka.m5.xlarge")]
)
def test_msk_brokers_and_storage_autoscaling(
    shipped_plans: dict[str, Outcome], stack: str, brokers: int, size: str
) -> None:
    plan = shipped_plans[stack].plan
    assert plan is not None
    cluster = one(plan, "aws:msk/cluster:Cluster")
    inputs = cluster["inputs"]
    assert inputs["numberOfBrokerNodes"] == brokers
    assert inputs["kafkaVersion"] == "3.8.x"
    assert inputs["brokerNodeGroupInfo"]["instanceType"] == size
    assert len(inputs["brokerNodeGroupInfo"]["clientSubnets"]) in (2, 3)
    assert brokers % len(inputs["brokerNodeGroupInfo"]["clientSubnets"]) == 0
    target = one(plan, "aws:appautoscaling/target:Target")["inputs"]
    assert target["scalableDimension"] == "kafka:broker-storage:VolumeSize"
    assert target["maxCapacity"] == (100 if stack == "dev" else 1000)
    policy = one(plan, "aws:appautoscaling/policy:Policy")["inputs"]
    metric = policy["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
    assert metric["predefinedMetricType"] == "KafkaBrokerStorageUtilization"
    assert cluster["protect"] is (stack == "prod")


def test_msk_encryption_auth_logging_monitoring(prod: dict[str, Any]) -> None:
    cluster = one(prod, "aws:msk/cluster:Cluster")["inputs"]
    encryption = cluster["encryptionInfo"]
    assert encryption["encryptionAtRestKmsKeyArn"].startswith("arn:aws:kms:")
    assert encryption["encryptionInTransit"] == {"clientBroker": "TLS", "inCluster": True}
    assert cluster["clientAuthentication"] == {
        "sasl": {"iam": True, "scram": False},
        "unauthenticated": False,
    }
    assert cluster["loggingInfo"]["brokerLogs"]["cloudwatchLogs"]["enabled"] is True
    # nothing scrapes the exporters: off (tests/test_converge_alarms.py)
    prometheus = cluster["openMonitoring"]["prometheus"]
    assert not prometheus["jmxExporter"]["enabledInBroker"]
    assert not prometheus["nodeExporter"]["enabledInBroker"]
    assert prod["outputs"]["kafkaBootstrapServers"].count(":9098") == 3


@pytest.mark.parametrize(("stack", "replication", "min_isr"), [("dev", 2, 1), ("prod", 3, 2)])
def test_msk_configuration(
    shipped_plans: dict[str, Outcome], stack: str, replication: int, min_isr: int
) -> None:
    plan = shipped_plans[stack].plan
    assert plan is not None
    properties = dict(
        line.split("=", 1)
        for line in one(plan, "aws:msk/configuration:Configuration")["inputs"][
            "serverProperties"
        ].splitlines()
    )
    assert properties["auto.create.topics.enable"] == "false"
    assert properties["default.replication.factor"] == str(replication)
    assert properties["min.insync.replicas"] == str(min_isr)
    topics = {t["inputs"]["name"]: t["inputs"] for t in resources_of(plan, "aws:msk/topic:Topic")}
    assert set(topics) == {"events", "events-dlq"}
    assert topics["events"]["replicationFactor"] == replication
    assert json.loads(topics["events"]["configs"])["retention.ms"] == str(168 * 3600 * 1000)


# --- ElastiCache ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "shards", "replicas"), [("dev", 1, 0), ("staging", 2, 1), ("prod", 3, 1)]
)
def test_redis_shape_and_failover(
    shipped_plans: dict[str, Outcome], stack: str, shards: int, replicas: int
) -> None:
    plan = shipped_plans[stack].plan
    assert plan is not None
    group = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    inputs = group["inputs"]
    assert (inputs["numNodeGroups"], inputs["replicasPerNodeGroup"]) == (shards, replicas)
    assert inputs["clusterMode"] == "enabled"
    assert inputs["automaticFailoverEnabled"] is True  # required in cluster mode
    assert inputs["multiAzEnabled"] is (stack != "dev")
    assert group["protect"] is (stack == "prod")


def test_redis_encryption_auth_and_operations(prod: dict[str, Any]) -> None:
    inputs = one(prod, "aws:elasticache/replicationGroup:ReplicationGroup")["inputs"]
    assert inputs["engine"] == "redis" and inputs["engineVersion"] == "7.1"
    assert inputs["transitEncryptionEnabled"] and inputs["transitEncryptionMode"] == "required"
    assert inputs["atRestEncryptionEnabled"] and inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert inputs["authToken"] == "[secret]" and prod["outputs"]["redisAuthToken"] == "[secret]"
    # retention (from config), snapshot and maintenance windows: tests/test_maintenance_windows.py
    assert {d["logType"] for d in inputs["logDeliveryConfigurations"]} == {"slow-log", "engine-log"}
    params = one(prod, "aws:elasticache/parameterGroup:ParameterGroup")["inputs"]
    assert params["family"] == "redis7"
    assert {"name": "cluster-enabled", "value": "yes"} in params["parameters"]
    assert prod["outputs"]["redisHost"].startswith("clustercfg.")


# --- identities and keys -------------------------------------------------------------------


def test_every_cmk_rotates_and_is_protected_in_prod(
    prod: dict[str, Any], dev: dict[str, Any]
) -> None:
    keys = resources_of(prod, "aws:kms/key:Key")
    # storage/data keys of each service, the cluster's secrets key, the flow-log key
    assert {
        "cluster-secrets",
        "network-flow-logs",
        "postgres-storage",
        "kafka-data",
        "redis-data",
    } <= {k["name"].removeprefix("platform-prod-") for k in keys}
    assert all(k["inputs"]["enableKeyRotation"] and k["protect"] for k in keys)
    assert not any(k["protect"] for k in resources_of(dev, "aws:kms/key:Key"))


def test_each_app_gets_an_irsa_role_scoped_to_its_service_account(prod: dict[str, Any]) -> None:
    roles = {r["name"]: r for r in resources_of(prod, "aws:iam/role:Role")}
    trust = json.loads(roles["platform-prod-backend"]["inputs"]["assumeRolePolicy"])
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    subjects = [v for k, v in condition.items() if k.endswith(":sub")]
    assert subjects == ["system:serviceaccount:analytics:backend"]
    policy = next(
        r
        for r in resources_of(prod, "aws:iam/rolePolicy:RolePolicy")
        if r["name"] == "platform-prod-backend-access"
    )
    statements = json.loads(policy["inputs"]["policy"])["Statement"]
    assert statements[0]["Action"] == ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    assert statements[1]["Resource"][0].startswith("arn:aws:kafka:eu-west-1:123456789012:topic/")
