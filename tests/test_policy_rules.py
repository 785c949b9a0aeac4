"""Every rule of the pack with a compliant and a non-compliant case, called directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.plan.cli import EXIT_POLICY, plan_many
from policies.rules import ALL_POLICIES
from tests.conftest import ROOT, make_project
from tests.policy_helpers import find, resource, violations_of_resource, violations_of_stack

RDS = "aws:rds/instance:Instance"
MSK = "aws:msk/cluster:Cluster"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
EKS = "aws:eks/cluster:Cluster"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
GKE = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
AZ_PG = "azure-native:dbforpostgresql:Server"
AKS = "azure-native:containerservice:ManagedCluster"
AZ_REDIS = "azure-native:redisenterprise:RedisEnterprise"
AZ_REDIS_DB = "azure-native:redisenterprise:Database"
EVH = "azure-native:eventhub:Namespace"
DEPLOY = "kubernetes:apps/v1:Deployment"

GOOD_CONTAINER = {
    "name": "app", "image": "ghcr.io/x/app:1.2.3", "ports": [{"containerPort": 8080}],
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}},
    "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
}  # fmt: skip


def deployment(**container_changes: Any) -> dict[str, Any]:
    container = {**GOOD_CONTAINER, **container_changes}
    container = {k: v for k, v in container.items() if v is not None}
    return {"spec": {"replicas": 3, "template": {"spec": {"containers": [container]}}}}


# (rule, resource type, compliant props, non-compliant props)
PROPERTY_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("argocd-manual-sync", "kubernetes:argoproj.io/v1alpha1:Application",
     {"spec": {"syncPolicy": {"syncOptions": ["PruneLast=true"]}}},
     {"spec": {"syncPolicy": {"automated": {"prune": True, "selfHeal": True}}}}),
    ("k8s-tls-on-http-entry-points", "kubernetes:networking.k8s.io/v1:Ingress",
     {"spec": {"rules": [{"host": "a.test"}], "tls": [{"hosts": ["a.test"], "secretName": "a"}]}},
     {"spec": {"rules": [{"host": "a.test"}, {"host": "b.test"}],
               "tls": [{"hosts": ["a.test"], "secretName": "a"}]}}),
    ("aws-rds-storage-encrypted", RDS, {"storageEncrypted": True}, {"storageEncrypted": False}),
    ("aws-rds-not-publicly-accessible", RDS, {"publiclyAccessible": False}, {"publiclyAccessible": True}),
    ("aws-rds-multi-az", RDS, {"multiAz": True}, {"multiAz": False}),
    ("aws-rds-backup-retention", RDS, {"backupRetentionPeriod": 14}, {"backupRetentionPeriod": 3}),
    ("aws-rds-deletion-protection", RDS, {"deletionProtection": True}, {}),
    ("aws-rds-iam-auth", RDS, {"iamDatabaseAuthenticationEnabled": True}, {}),
    ("aws-msk-tls-only", MSK, {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "TLS", "inCluster": True}}},
     {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "TLS_PLAINTEXT"}}}),
    ("aws-msk-at-rest-cmk", MSK, {"encryptionInfo": {"encryptionAtRestKmsKeyArn": "arn:aws:kms:x"}}, {"encryptionInfo": {}}),
    ("aws-msk-broker-logging", MSK, {"loggingInfo": {"brokerLogs": {"cloudwatchLogs": {"enabled": True}}}}, {}),
    ("aws-msk-authenticated-clients", MSK, {"clientAuthentication": {"sasl": {"iam": True}, "unauthenticated": False}},
     {"clientAuthentication": {"sasl": {"iam": True}, "unauthenticated": True}}),
    ("aws-elasticache-transit-encryption", CACHE, {"transitEncryptionEnabled": True},
     {"transitEncryptionEnabled": True, "transitEncryptionMode": "preferred"}),
    ("aws-elasticache-at-rest-encryption", CACHE, {"atRestEncryptionEnabled": True}, {"atRestEncryptionEnabled": False}),
    ("aws-elasticache-auth", CACHE, {"authToken": "s3cret"}, {}),
    ("aws-elasticache-automatic-failover", CACHE, {"automaticFailoverEnabled": True}, {"automaticFailoverEnabled": False}),
    ("aws-kms-key-rotation", "aws:kms/key:Key", {"enableKeyRotation": True}, {}),
    ("aws-ecr-immutable-tags", "aws:ecr/repository:Repository", {"imageTagMutability": "IMMUTABLE"}, {}),
    ("gcp-artifact-registry-immutable-tags", "gcp:artifactregistry/repository:Repository",
     {"format": "DOCKER", "dockerConfig": {"immutableTags": True}}, {"format": "DOCKER"}),
    ("aws-eks-secrets-encryption", EKS, {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "k"}}}, {}),
    ("aws-eks-control-plane-logs", EKS, {"enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"]},
     {"enabledClusterLogTypes": ["api"]}),
    ("aws-eks-endpoint-restricted", EKS, {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}},
     {"vpcConfig": {"endpointPublicAccess": True}}),
    ("aws-eks-node-imdsv2", LT, {"metadataOptions": {"httpTokens": "required"}}, {"metadataOptions": {"httpTokens": "optional"}}),
    ("aws-eks-node-volumes-encrypted", LT, {"blockDeviceMappings": [{"ebs": {"encrypted": "true"}}]},
     {"blockDeviceMappings": [{"ebs": {"volumeSize": 50}}]}),
    ("gcp-cloudsql-no-public-ip", SQL, {"settings": {"ipConfiguration": {"ipv4Enabled": False}}}, {"settings": {}}),
    ("gcp-cloudsql-ssl-enforced", SQL, {"settings": {"ipConfiguration": {"sslMode": "ENCRYPTED_ONLY"}}},
     {"settings": {"ipConfiguration": {"sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED"}}}),
    ("gcp-cloudsql-backups-pitr", SQL, {"settings": {"backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": True}}},
     {"settings": {"backupConfiguration": {"enabled": True}}}),
    ("gcp-cloudsql-high-availability", SQL, {"settings": {"availabilityType": "REGIONAL"}}, {"settings": {"availabilityType": "ZONAL"}}),
    ("gcp-cloudsql-deletion-protection", SQL, {"deletionProtection": True, "settings": {"deletionProtectionEnabled": True}},
     {"deletionProtection": False, "settings": {"deletionProtectionEnabled": True}}),
    ("gcp-gke-private-nodes", GKE, {"privateClusterConfig": {"enablePrivateNodes": True}}, {}),
    ("gcp-gke-restricted-endpoint", GKE, {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "10.0.0.0/8"}]}},
     {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}}),
    ("gcp-gke-workload-identity", GKE, {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"}}, {}),
    ("gcp-gke-network-policy", GKE, {"datapathProvider": "ADVANCED_DATAPATH"}, {"datapathProvider": "LEGACY_DATAPATH"}),
    ("gcp-gke-shielded-nodes", GKE, {}, {"enableShieldedNodes": False}),
    ("gcp-gke-release-channel", GKE, {"releaseChannel": {"channel": "REGULAR"}}, {"releaseChannel": {"channel": "UNSPECIFIED"}}),
    ("gcp-gke-no-default-service-account", POOL, {"nodeConfig": {"serviceAccount": "nodes@p.iam.gserviceaccount.com"}},
     {"nodeConfig": {"serviceAccount": "123-compute@developer.gserviceaccount.com"}}),
    ("gcp-gke-secrets-encryption", GKE, {"databaseEncryption": {"state": "ENCRYPTED", "keyName": "k"}}, {"databaseEncryption": {"state": "DECRYPTED"}}),
    ("gcp-memorystore-auth-tls", "gcp:redis/instance:Instance", {"authEnabled": True, "transitEncryptionMode": "SERVER_AUTHENTICATION"},
     {"authEnabled": True, "transitEncryptionMode": "DISABLED"}),
    ("gcp-subnet-flow-logs", "gcp:compute/subnetwork:Subnetwork", {"logConfig": {"flowSampling": 0.5}}, {}),
    ("deploy-gcp-names", "gcp:serviceaccount/account:Account", {"accountId": "backend-prod"}, {"accountId": "backend-"}),
    ("deploy-gcp-labels", "gcp:compute/network:Network", {"labels": {"stack": "dev-gcp"}}, {"labels": {"stack": "Dev.GCP"}}),
    ("azure-postgres-no-public-access", AZ_PG, {"network": {"publicNetworkAccess": "Disabled"}}, {"network": {"publicNetworkAccess": "Enabled"}}),
    ("azure-postgres-zone-redundant-ha", AZ_PG, {"highAvailability": {"mode": "ZoneRedundant"}}, {"highAvailability": {"mode": "Disabled"}}),
    ("azure-postgres-geo-redundant-backup", AZ_PG, {"backup": {"geoRedundantBackup": "Enabled"}}, {"backup": {"geoRedundantBackup": "Disabled"}}),
    ("azure-aks-private-or-authorized", AKS, {"apiServerAccessProfile": {"enablePrivateCluster": True}}, {"apiServerAccessProfile": {}}),
    ("azure-aks-network-policy", AKS, {"networkProfile": {"networkPolicy": "cilium"}}, {"networkProfile": {}}),
    ("azure-aks-local-accounts-disabled", AKS, {"disableLocalAccounts": True}, {"disableLocalAccounts": False}),
    ("azure-aks-azure-rbac", AKS, {"aadProfile": {"enableAzureRBAC": True, "managed": True}}, {"aadProfile": {"managed": True}}),
    ("azure-redis-tls-only", AZ_REDIS_DB, {"clientProtocol": "Encrypted"}, {"clientProtocol": "Plaintext"}),
    ("azure-redis-min-tls", AZ_REDIS, {"minimumTlsVersion": "1.2"}, {"minimumTlsVersion": "1.0"}),
    ("azure-redis-access-keys-disabled", AZ_REDIS_DB, {"accessKeysAuthentication": "Disabled"}, {"accessKeysAuthentication": "Enabled"}),
    ("azure-redis-no-public-access", AZ_REDIS, {"publicNetworkAccess": "Disabled"}, {"publicNetworkAccess": "Enabled"}),
    ("azure-redis-high-availability", AZ_REDIS, {"highAvailability": "Enabled"}, {"highAvailability": "Disabled"}),
    ("azure-redis-persistence", AZ_REDIS_DB, {"persistence": {"rdbEnabled": True, "rdbFrequency": "1h"}}, {"persistence": {"aofEnabled": False, "rdbEnabled": False}}),
    ("azure-eventhubs-min-tls", EVH, {"minimumTlsVersion": "1.2"}, {"minimumTlsVersion": "1.1"}),
    ("azure-eventhubs-local-auth-disabled", EVH, {"disableLocalAuth": True}, {}),
    ("k8s-requests-and-limits", DEPLOY, deployment(), deployment(resources={"requests": {"cpu": "1"}})),
    ("k8s-no-latest-tag", DEPLOY, deployment(), deployment(image="ghcr.io/x/app:latest")),
    ("k8s-probes", DEPLOY, deployment(), deployment(readinessProbe=None)),
    ("k8s-run-as-non-root", DEPLOY, deployment(), deployment(securityContext={**GOOD_CONTAINER["securityContext"], "runAsNonRoot": False})),
    ("k8s-no-privilege-escalation", DEPLOY, deployment(), deployment(securityContext={"runAsNonRoot": True})),
    ("k8s-read-only-root-filesystem", DEPLOY, deployment(), deployment(securityContext={"runAsNonRoot": True})),
    ("k8s-capabilities-dropped", DEPLOY, deployment(), deployment(securityContext={"capabilities": {"drop": ["NET_RAW"]}})),
    ("k8s-no-loadbalancer-services", "kubernetes:core/v1:Service", {"metadata": {"namespace": "analytics"}, "spec": {"type": "ClusterIP"}},
     {"metadata": {"namespace": "analytics"}, "spec": {"type": "LoadBalancer"}}),
    ("k8s-no-secrets-in-configmaps", "kubernetes:core/v1:ConfigMap", {"data": {"LOG_LEVEL": "info"}}, {"data": {"DB_PASSWORD": "x"}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "type_", "good", "bad"), PROPERTY_CASES, ids=[c[0] for c in PROPERTY_CASES]
)
def test_resource_rule(rule: str, type_: str, good: dict[str, Any], bad: dict[str, Any]) -> None:
    policy = find(ALL_POLICIES, rule)
    assert violations_of_resource(policy, type_, good) == []
    assert len(violations_of_resource(policy, type_, bad)) >= 1
    # other resource types are none of its business
    assert violations_of_resource(policy, "random:index/randomId:RandomId", bad) == []


def test_unknown_values_are_skipped_not_reported() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert (
        violations_of_resource(find(ALL_POLICIES, "aws-rds-multi-az"), RDS, {"multiAz": unknown})
        == []
    )
    assert violations_of_resource(find(ALL_POLICIES, "gcp-cloudsql-ssl-enforced"), SQL,
                                  {"settings": {"ipConfiguration": {"sslMode": "[unknown]"}}}) == []  # fmt: skip


def test_every_rule_has_a_case() -> None:
    covered = {c[0] for c in PROPERTY_CASES} | STACK_RULES | {
        "aws-vpc-flow-logs", "aws-security-group-no-public-sensitive-ingress",
        "aws-default-security-group-closed", "aws-log-group-retention", "required-tags",
        "protect-stateful-resources", "deploy-k8s-no-ipblock-for-cluster-peers",
    }  # fmt: skip
    # the version warning's cases are in tests/test_version_catalog.py
    covered.add("version-support-ending")
    # deployability rules (deploy-*) are covered by their cloud's own tests
    assert {p.name for p in ALL_POLICIES if not p.name.startswith("deploy-")} == {
        name for name in covered if not name.startswith("deploy-")
    }
    assert len(ALL_POLICIES) >= 40


STACK_RULES = {
    "aws-rds-force-ssl",
    "k8s-pdb-for-replicated-workloads",
    "k8s-namespace-default-deny",
    "k8s-gateway-tls",
}


def test_rds_force_ssl() -> None:
    policy = find(ALL_POLICIES, "aws-rds-force-ssl")
    group = resource(
        "aws:rds/parameterGroup:ParameterGroup",
        "pg",
        {"parameters": [{"name": "rds.force_ssl", "value": "1"}]},
    )
    weak = resource("aws:rds/parameterGroup:ParameterGroup", "weak", {"parameters": []})
    db = resource(RDS, "db", {"engine": "postgres"})
    db.property_dependencies = {"parameterGroupName": [group]}
    assert violations_of_stack(policy, [group, db]) == []
    db.property_dependencies = {"parameterGroupName": [weak]}
    assert violations_of_stack(policy, [weak, db]) == [
        "db does not use a parameter group with rds.force_ssl=1"
    ]


def test_pdb_for_replicated_workloads() -> None:
    policy = find(ALL_POLICIES, "k8s-pdb-for-replicated-workloads")
    labels = {"app.kubernetes.io/name": "api"}
    workload = resource(DEPLOY, "api", {"metadata": {"namespace": "a"},
                                        "spec": {"replicas": 3, "template": {"metadata": {"labels": labels}}}})  # fmt: skip
    pdb = resource("kubernetes:policy/v1:PodDisruptionBudget", "api",
                   {"metadata": {"namespace": "a"}, "spec": {"selector": {"matchLabels": labels}}})  # fmt: skip
    other_ns = resource("kubernetes:policy/v1:PodDisruptionBudget", "api2",
                        {"metadata": {"namespace": "b"}, "spec": {"selector": {"matchLabels": labels}}})  # fmt: skip
    assert violations_of_stack(policy, [workload, pdb]) == []
    assert violations_of_stack(policy, [workload, other_ns]) == [
        "api has 3 replicas and no PodDisruptionBudget"
    ]


def test_namespace_default_deny() -> None:
    policy = find(ALL_POLICIES, "k8s-namespace-default-deny")
    namespace = resource("kubernetes:core/v1:Namespace", "ns", {"metadata": {"name": "apps"}})
    deny = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny",
                    {"metadata": {"namespace": "apps"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})  # fmt: skip
    allow_all = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "allow",
                         {"metadata": {"namespace": "apps"},
                          "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]}})  # fmt: skip
    assert violations_of_stack(policy, [namespace, deny]) == []
    assert violations_of_stack(policy, [namespace, allow_all]) == [
        "namespace apps has no default-deny NetworkPolicy"
    ]


GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"


def _gateway(*listeners: dict[str, Any]) -> Any:
    return resource(GATEWAY, "gw", {"metadata": {"name": "gw", "namespace": "edge"},
                                    "spec": {"gatewayClassName": "envoy", "listeners": list(listeners)}})  # fmt: skip


def _route(name: str, namespace: str, parent: dict[str, Any], rule: dict[str, Any]) -> Any:
    return resource(ROUTE, name, {"metadata": {"name": name, "namespace": namespace},
                                  "spec": {"parentRefs": [parent], "rules": [rule]}})  # fmt: skip


def test_gateway_tls_on_every_entry_point() -> None:
    policy = find(ALL_POLICIES, "k8s-gateway-tls")
    https = {"name": "https-api", "protocol": "HTTPS", "port": 443, "hostname": "api.example.com",
             "tls": {"mode": "Terminate", "certificateRefs": [{"name": "api-tls"}]}}  # fmt: skip
    http = {"name": "http", "protocol": "HTTP", "port": 80}
    redirect = _route("redirect", "edge", {"name": "gw", "sectionName": "http"},
                      {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]})  # fmt: skip
    app = _route("api", "apps", {"name": "gw", "namespace": "edge", "sectionName": "https-api"},
                 {"backendRefs": [{"name": "api", "port": 80}]})  # fmt: skip
    assert violations_of_stack(policy, [_gateway(https, http), redirect, app]) == []
    # a route without sectionName attaches to every listener, the plain one included
    everywhere = _route("api", "apps", {"name": "gw", "namespace": "edge"}, {"backendRefs": [{"name": "api", "port": 80}]})  # fmt: skip
    assert violations_of_stack(policy, [_gateway(https, http), redirect, everywhere]) == [
        "gw listener http serves plain HTTP to routes api (only redirects to https may attach)"
    ]
    # a redirect that stays on http is no redirect to TLS; another Gateway's route is not ours
    to_http = _route("redirect", "edge", {"name": "gw", "sectionName": "http"},
                     {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "http"}}]})  # fmt: skip
    other = _route("x", "edge", {"name": "other", "sectionName": "http"}, {"backendRefs": [{"name": "x"}]})  # fmt: skip
    assert violations_of_stack(policy, [_gateway(http), to_http, other]) == [
        "gw listener http serves plain HTTP to routes redirect (only redirects to https may attach)"
    ]
    no_cert = {**https, "tls": {"mode": "Terminate"}}
    passthrough = {**https, "name": "tls", "protocol": "TLS", "tls": {"mode": "Passthrough", "certificateRefs": [{"name": "c"}]}}  # fmt: skip
    tcp = {"name": "raw", "protocol": "TCP", "port": 5432}
    assert violations_of_stack(policy, [_gateway(no_cert, passthrough, tcp)]) == [
        "gw listener https-api terminates no TLS certificate",
        "gw listener tls terminates no TLS certificate",
        "gw listener raw speaks TCP, not HTTPS",
    ]


def test_weakened_prod_config_fails_the_gate_naming_the_rule(tmp_path: Path) -> None:
    stack = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    stack["config"]["platform:network"] = {
        "flowLogRetentionDays": 7
    }  # allowed by config, not by policy
    path = tmp_path / "Pulumi.weak-prod.yaml"
    path.write_text(yaml.safe_dump(stack))
    (outcome,) = plan_many([path], ROOT)
    assert outcome.exit_code == EXIT_POLICY, outcome.errors
    assert outcome.plan is not None
    (violation,) = outcome.plan["policy"]["violations"]
    assert violation["policy"] == "aws-log-group-retention" and violation["level"] == "mandatory"
    assert "below the minimum 30" in violation["message"]


def test_an_insecure_program_fails_the_prod_gate(tmp_path: Path) -> None:
    program = """
import pulumi_aws as aws
aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                 publicly_accessible=True, tags={"project": "x", "environment": "prod", "stack": "x",
                 "managed-by": "pulumi", "component": "db"})
"""
    stack = make_project(
        tmp_path, program, {"aws:region": "eu-west-1", "platform:environment": "prod"}
    )
    (tmp_path / "policies").symlink_to(ROOT / "policies")
    (outcome,) = plan_many([stack], tmp_path)
    assert outcome.exit_code == EXIT_POLICY
    assert outcome.plan is not None
    failed = {
        v["policy"] for v in outcome.plan["policy"]["violations"] if v["level"] == "mandatory"
    }
    assert {"aws-rds-not-publicly-accessible", "aws-rds-storage-encrypted", "aws-rds-multi-az",
            "aws-rds-force-ssl", "protect-stateful-resources"} <= failed  # fmt: skip


# Every deployability rule with a resource that breaks it, run as the CLI runs the pack (the
# analyzer, proxies, floats). Stack rules build their resources with ``resource``.
DEPLOY_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
    ("deploy-aws-cfn-schema", "aws:ec2/securityGroup:SecurityGroup",
     {"description": "Postgres from the cluster's nodes"}, None),
    ("deploy-aws-engine-version", "aws:rds/instance:Instance",
     {"engine": "postgres", "engineVersion": "11.1"}, None),
    ("deploy-version-support", "kubernetes:helm.sh/v3:Release",
     {"chart": "cert-manager", "version": "v1.11.0"}, {"today": "2026-11-23"}),
    ("deploy-aws-elasticache-cluster-failover", CACHE,
     {"clusterMode": "enabled", "automaticFailoverEnabled": False, "multiAzEnabled": False}, None),
    ("deploy-gcp-names", "gcp:compute/network:Network", {"name": "Platform_Network"}, None),
    ("deploy-gcp-labels", "gcp:compute/network:Network",
     {"name": "net", "labels": {"Cost Center": "x"}}, None),
    ("deploy-azure-geo-backup-pair", AZ_PG,
     {"location": "westeurope", "backup": {"geoRedundantBackup": "Enabled"},
      "tags": {"disaster-recovery-region": "eastus"}}, None),
    ("deploy-azure-action-group-short-name", "azure-native:monitor:ActionGroup",
     {"groupShortName": "platform-oncall"}, None),
    ("deploy-azure-resource-names", "azure-native:keyvault:Vault", {"vaultName": "1vault"}, None),
    ("deploy-azure-postgres-storage-and-retention", AZ_PG,
     {"storage": {"storageSizeGB": 20}, "backup": {"backupRetentionDays": 1}}, None),
    ("deploy-azure-redis-sku", AZ_REDIS, {"sku": {"name": "Enterprise_E10"}}, None),
    ("deploy-azure-redis-database", AZ_REDIS_DB, {"databaseName": "cache"}, None),
    ("deploy-k8s-no-ipblock-for-cluster-peers", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
     {"spec": {"ingress": [{"from": [{"ipBlock": {"cidr": "100.64.0.0/16"}}]}]}}, None),
    ("deploy-k8s-cr-schema", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
     {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
      "metadata": {"name": "m"}, "spec": {"selector": {}, "endpoint": [{"port": "http"}]}}, None),
    ("deploy-cloud-managed-fields", "gcp:sql/databaseInstance:DatabaseInstance",
     {"settings": {"diskSize": 20, "diskAutoresize": True}}, None),
]  # fmt: skip
DEPLOY_STACK_RULES = {
    "deploy-aws-eks-reachable",  # tests/test_deployability_aws.py
    "deploy-azure-aks-reachable",  # tests/test_first_deploy.py
    "deploy-readiness",  # tests/test_converge_rules.py
}


@pytest.mark.parametrize(
    ("rule", "type_", "bad", "config"), DEPLOY_CASES, ids=[c[0] for c in DEPLOY_CASES]
)
def test_each_deployability_rule_fires_through_the_analyzer(
    rule: str, type_: str, bad: dict[str, Any], config: dict[str, Any] | None
) -> None:
    assert violations_of_resource(find(ALL_POLICIES, rule), type_, bad, config)


def test_every_deployability_rule_has_a_violating_case() -> None:
    deploy = {p.name for p in ALL_POLICIES if p.name.startswith("deploy-")}
    assert deploy == {c[0] for c in DEPLOY_CASES} | DEPLOY_STACK_RULES
