"""The cloud stacks create the apps' image registry: private, immutable, and pullable by the nodes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from components.aws.ecr import PUSH_ACTIONS, check_repository_name, lifecycle_policy
from components.gcp.artifact_registry import check_repository_id
from infra.plan.cli import Outcome
from policies.rules.facts.azure_names import NAME_RULES, registry_name
from tests.conftest import plan_of, resources_of

REPOSITORY = "aws:ecr/repository:Repository"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_aws_stack_creates_one_private_immutable_repository_per_app(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    repositories = {r["inputs"]["name"]: r for r in resources_of(plan, REPOSITORY)}
    assert set(repositories) == {f"platform-{stack}/backend", f"platform-{stack}/collector"}
    for repository in repositories.values():
        inputs = repository["inputs"]
        assert inputs["imageTagMutability"] == "IMMUTABLE"
        assert inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert inputs["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
        assert repository["protect"] is (stack == "prod")
        assert inputs["forceDelete"] is (stack != "prod")
    # no repository policy: an ECR repository is reachable from its own account only
    assert resources_of(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy") == []
    policies = resources_of(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert len(policies) == len(repositories)
    rule = json.loads(policies[0]["inputs"]["policy"])["rules"][0]
    assert rule["selection"]["countNumber"] == 30 and rule["action"] == {"type": "expire"}
    assert plan["outputs"]["imageRegistry"] == (
        f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-{stack}"
    )


def test_aws_nodes_can_pull_from_the_registry(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod")
    node_group = resources_of(plan, "aws:eks/nodeGroup:NodeGroup")[0]
    # the role's physical name is the last segment of the ARN the node group runs as
    node_role = node_group["inputs"]["nodeRoleArn"].rsplit("/", 1)[1]
    pulls = [
        a["inputs"]["role"]
        for a in resources_of(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a["inputs"]["policyArn"] == "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    ]
    assert pulls == [node_role]


def test_aws_release_role_may_push_to_the_repositories_only(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod")
    (policy,) = [
        p
        for p in resources_of(plan, "aws:iam/policy:Policy")
        if p["name"] == "platform-prod-images-push"
    ]
    statements = {s["Sid"]: s for s in json.loads(policy["inputs"]["policy"])["Statement"]}
    # logging in is account-wide; everything else names the two repositories
    assert statements["Login"]["Action"] == "ecr:GetAuthorizationToken"
    assert statements["Push"]["Action"] == PUSH_ACTIONS and "ecr:PutImage" in PUSH_ACTIONS
    assert statements["Push"]["Resource"] == [
        f"arn:aws:ecr:eu-west-1:123456789012:repository/platform-prod/{app}"
        for app in ("backend", "collector")
    ]
    attachments = [
        a
        for a in resources_of(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if policy["urn"] in a["dependencies"]
    ]
    # Pulumi.prod.yaml's images.pushers: arn:aws:iam::123456789012:role/ci/platform-release
    assert [a["inputs"]["role"] for a in attachments] == ["platform-release"]
    # no pushers, no policy (dev)
    dev = plan_of(shipped_plans, "dev")
    assert not [p for p in resources_of(dev, "aws:iam/policy:Policy") if "-images-" in p["name"]]


def test_ecr_names_follow_the_api_rules() -> None:
    assert check_repository_name("platform-prod/backend") == "platform-prod/backend"
    for bad in ("a", "Platform/backend", "platform//backend", "platform-/x", "x" * 257):
        with pytest.raises(ValueError, match="not an ECR repository name"):
            check_repository_name(bad)
    assert json.loads(lifecycle_policy(5))["rules"][0]["selection"]["countNumber"] == 5


def test_gcp_stack_creates_a_private_immutable_docker_repository(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    repository = resources_of(plan, "gcp:artifactregistry/repository:Repository")
    assert len(repository) == 1
    inputs = repository[0]["inputs"]
    assert inputs["format"] == "DOCKER" and inputs["repositoryId"] == "platform-prod-gcp"
    assert inputs["dockerConfig"] == {"immutableTags": True}
    assert inputs["cleanupPolicyDryRun"] is False
    keep = next(p for p in inputs["cleanupPolicies"] if p["action"] == "KEEP")
    assert keep["mostRecentVersions"] == {"keepCount": 30}
    assert repository[0]["protect"] is True
    # one grant on the repository: the release identity from config may push (never allUsers /
    # allAuthenticatedUsers)
    (push,) = resources_of(plan, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert push["inputs"]["role"] == "roles/artifactregistry.writer"
    assert push["inputs"]["member"] == (
        "serviceAccount:platform-release@analytics-platform-prod.iam.gserviceaccount.com"
    )
    assert repository[0]["urn"] in push["dependencies"]
    assert (
        resources_of(plan, "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding") == []
    )
    assert plan["outputs"]["imageRegistry"].endswith(
        "-docker.pkg.dev/" + inputs["project"] + "/platform-prod-gcp"
    )
    # CMEK: a key in the repository's region, usable by the Artifact Registry service agent,
    # granted before the repository is created
    (key,) = [
        k
        for k in resources_of(plan, "gcp:kms/cryptoKey:CryptoKey")
        if k["inputs"]["name"] == "images"
    ]
    assert inputs["kmsKeyName"].startswith(
        f"projects/{inputs['project']}/locations/{inputs['location']}/keyRings/"
    )
    assert inputs["kmsKeyName"].endswith("/cryptoKeys/images") and key["protect"] is True
    (grant,) = [
        g
        for g in resources_of(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
        if g["inputs"]["cryptoKeyId"] == inputs["kmsKeyName"]
    ]
    assert grant["inputs"]["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grant["inputs"]["member"].endswith("@gcp-sa-artifactregistry.iam.gserviceaccount.com")
    assert grant["urn"] in repository[0]["dependencies"]


def test_gcp_nodes_can_pull_from_the_registry(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    pool = resources_of(plan, "gcp:container/nodePool:NodePool")[0]
    node_account = pool["inputs"]["nodeConfig"]["serviceAccount"]
    readers = [
        m["inputs"]["member"]
        for m in resources_of(plan, "gcp:projects/iAMMember:IAMMember")
        if m["inputs"]["role"] == "roles/artifactregistry.reader"
    ]
    assert readers == [f"serviceAccount:{node_account}"]
    apis = {s["inputs"]["service"] for s in resources_of(plan, "gcp:projects/service:Service")}
    assert "artifactregistry.googleapis.com" in apis


def test_artifact_registry_ids_follow_the_api_rules() -> None:
    assert check_repository_id("platform-prod-gcp") == "platform-prod-gcp"
    for bad in ("1platform", "platform-", "Platform", "p" * 64, ""):
        with pytest.raises(ValueError, match="not an Artifact Registry repository id"):
            check_repository_id(bad)


ACR = "azure-native:containerregistry:Registry"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
UUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def _grants(plan: dict[str, Any], scope: str) -> list[dict[str, Any]]:
    return [
        a
        for a in resources_of(plan, "azure-native:authorization:RoleAssignment")
        if a["inputs"]["scope"] == scope
    ]


@pytest.mark.parametrize("stack", ["dev-azure", "prod-azure"])
def test_azure_stack_creates_a_registry_only_entra_id_gets_into(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    (registry,) = resources_of(plan, ACR)
    inputs = registry["inputs"]
    prod = stack == "prod-azure"
    assert inputs["adminUserEnabled"] is False and inputs["anonymousPullEnabled"] is False
    assert NAME_RULES[ACR].problems(inputs["registryName"]) == []
    assert plan["outputs"]["imageRegistry"] == f"{inputs['registryName']}.azurecr.io"
    assert registry["protect"] is prod
    endpoints = [
        e
        for e in resources_of(plan, "azure-native:network:PrivateEndpoint")
        if e["inputs"]["privateLinkServiceConnections"][0]["groupIds"] == ["registry"]
    ]
    if prod:
        # prod's cluster is private: so is its registry, reached through a private endpoint
        assert inputs["sku"] == {"name": "Premium"} and inputs["zoneRedundancy"] == "Enabled"
        assert inputs["publicNetworkAccess"] == "Disabled"
        assert inputs["policies"] == {
            "exportPolicy": {"status": "disabled"},
            "retentionPolicy": {"days": 7, "status": "enabled"},
        }
        assert len(endpoints) == 1
        zones = {
            z["inputs"]["privateZoneName"]
            for z in resources_of(plan, "azure-native:privatedns:PrivateZone")
        }
        assert "privatelink.azurecr.io" in zones
    else:
        # Standard has neither private endpoints nor network rules: Entra ID only
        assert inputs["sku"] == {"name": "Standard"} and inputs["publicNetworkAccess"] == "Enabled"
        assert "policies" not in inputs and "networkRuleSet" not in inputs
        assert endpoints == []


def test_azure_kubelet_pulls_from_the_registry(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    (registry,) = resources_of(plan, ACR)
    scope = next(
        e["inputs"]["privateLinkServiceConnections"][0]["privateLinkServiceId"]
        for e in resources_of(plan, "azure-native:network:PrivateEndpoint")
        if e["inputs"]["privateLinkServiceConnections"][0]["groupIds"] == ["registry"]
    )
    assert scope.endswith("/" + registry["inputs"]["registryName"])
    (pull,) = [
        g
        for g in _grants(plan, scope)
        if g["inputs"]["roleDefinitionId"].endswith("/roleDefinitions/" + ACR_PULL)
    ]
    assert pull["inputs"]["principalType"] == "ServicePrincipal"
    # the kubelet identity is the cluster's (identityProfile.kubeletidentity), none of ours
    (cluster,) = resources_of(plan, "azure-native:containerservice:ManagedCluster")
    assert cluster["urn"] in pull["dependencies"]
    assert UUID.match(pull["inputs"]["principalId"])
    others = {
        a["inputs"]["principalId"]
        for a in resources_of(plan, "azure-native:authorization:RoleAssignment")
        if a is not pull
    }
    assert pull["inputs"]["principalId"] not in others


def test_azure_release_identity_may_push(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    (registry,) = resources_of(plan, ACR)
    pushes = [
        a["inputs"]
        for a in resources_of(plan, "azure-native:authorization:RoleAssignment")
        if a["inputs"]["roleDefinitionId"].endswith("/roleDefinitions/" + ACR_PUSH)
    ]
    # Pulumi.prod-azure.yaml's images.pushers, on this registry only
    assert [(p["principalId"], p["principalType"]) for p in pushes] == [
        ("7c4d2b1a-3e5f-4a6b-8c9d-0e1f2a3b4c5d", "ServicePrincipal")
    ]
    assert pushes[0]["scope"].endswith("/" + registry["inputs"]["registryName"])


def test_the_aks_mock_answers_with_the_kubelet_identity() -> None:
    from types import SimpleNamespace

    from infra.plan.mocks.azure import RESOURCES
    from infra.plan.mocks.common import MockContext

    args = SimpleNamespace(
        typ="azure-native:containerservice:ManagedCluster",
        name="platform-prod-azure-aks",
        inputs={"resourceName": "aks1", "resourceGroupName": "rg1"},
    )
    context = MockContext(project="platform", stack="prod-azure", region="westeurope")
    outputs = RESOURCES["azure-native:containerservice:ManagedCluster"](args, context)
    kubelet = outputs["identityProfile"]["kubeletidentity"]
    assert set(kubelet) == {"objectId", "clientId", "resourceId"}
    # AKS puts it in the node resource group, named after the cluster
    assert kubelet["resourceId"].endswith(
        "/resourcegroups/MC_rg1_aks1_westeurope/providers/Microsoft.ManagedIdentity/"
        "userAssignedIdentities/aks1-agentpool"
    )
    assert UUID.match(kubelet["objectId"]) and kubelet["objectId"] != kubelet["clientId"]


def test_registry_names_are_alphanumeric_and_globally_unique() -> None:
    rule = NAME_RULES[ACR]
    long_prefix = "platform-" + "x" * 40 + "-images"
    names = {registry_name(base, seed) for base in ("a", long_prefix) for seed in ("s/1", "s/2")}
    assert len(names) == 4
    for name in names:
        assert rule.problems(name) == [], name
    for bad in ("crab", "cr-platform", "c" * 51):
        assert rule.problems(bad) != [], bad
