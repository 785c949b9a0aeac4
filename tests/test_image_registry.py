"""The cloud stacks create the apps' image registry: private, immutable, and pullable by the nodes."""

from __future__ import annotations

import json

import pytest

from components.aws.ecr import check_repository_name, lifecycle_policy
from components.gcp.artifact_registry import check_repository_id
from infra.plan.cli import Outcome
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
    # no IAM grant on the repository at all (so no allUsers / allAuthenticatedUsers)
    assert resources_of(plan, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember") == []
    assert (
        resources_of(plan, "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding") == []
    )
    assert plan["outputs"]["imageRegistry"].endswith(
        "-docker.pkg.dev/" + inputs["project"] + "/platform-prod-gcp"
    )


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
