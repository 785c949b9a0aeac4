"""``postgres.engine: cloudnative-pg``: TimescaleDB in the cluster instead of the cloud's service.

Each cloud's shipped stack file with the engine switched plans the CloudNativePG operator and a
TimescaleDB ``Cluster`` backed up to that cloud's object storage through workload identity, and
no managed instance. ``timescaledb`` on a managed service that lacks it is a config error naming
the fix. The Kubernetes layer reaches the in-cluster Postgres as pods (flows checked with
network-config-analyzer, as tests/test_connectivity.py does for the shipped stacks).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.azure.aks import STORAGE_CLASS as AKS_CLASS
from components.gcp.gke import STORAGE_CLASS as GKE_CLASS
from components.kubernetes.cnpg.timescale import timescale_parameters
from infra.plan.cli import EXIT_ERROR, Outcome, plan_many
from infra.plan.mocks.common import digest
from infra.plan.render import kubernetes_objects
from stacks.specs import postgres_spec
from tests.conftest import ROOT, one, resources_of, write_stack
from tests.test_config import build
from tests.test_connectivity import analyse, cluster_manifests, permitted
from tests.test_prod_floors import prod_problems

CNPG = {"engine": "cloudnative-pg", "extensions": ["timescaledb", "pg_stat_statements"]}
# test stack -> the shipped stack file it starts from
STACKS = {
    "prod-aws-cnpg": "prod",
    "prod-gcp-cnpg": "prod-gcp",
    "prod-azure-cnpg": "prod-azure",
    "dev-aws-cnpg": "dev",
    "staging-gcp-cnpg": "staging-gcp",
}
MANAGED_TYPES = {
    "aws": "aws:rds/instance:Instance",
    "gcp": "gcp:sql/databaseInstance:DatabaseInstance",
    "azure": "azure-native:dbforpostgresql:Server",
}
ENCRYPTED_CLASSES = {"aws": "gp3-encrypted", "gcp": GKE_CLASS, "azure": AKS_CLASS}
CLUSTER_TYPE = "kubernetes:postgresql.cnpg.io/v1:Cluster"
SCHEDULED_BACKUP_TYPE = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup"
# Resource types that are static cloud credentials: none may appear in a cnpg stack.
STATIC_KEY_TYPES = (
    "aws:iam/accessKey:AccessKey",
    "gcp:serviceaccount/key:Key",
    "azure-native:storage:listStorageAccountKeys",
)


def _stack_config(shipped: str, postgres: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / f"Pulumi.{shipped}.yaml").read_text())["config"]
    config["platform:postgres"] = {**config.get("platform:postgres", {}), **postgres}
    return config


@pytest.fixture(scope="module")
def cnpg_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("cnpg")
    paths = [
        write_stack(directory, stack, _stack_config(shipped, CNPG))
        for stack, shipped in STACKS.items()
    ]
    plans = {}
    for outcome in plan_many(paths, ROOT):
        assert outcome.plan is not None, outcome.errors
        plans[outcome.stack] = outcome.plan
    return plans


def _cloud(stack: str) -> str:
    return stack.split("-")[1]


def _spec(plan: dict[str, Any]) -> dict[str, Any]:
    return one(plan, CLUSTER_TYPE)["inputs"]["spec"]


@pytest.mark.parametrize("stack", ["prod-aws-cnpg", "prod-gcp-cnpg", "prod-azure-cnpg"])
def test_a_timescale_cluster_replaces_the_managed_instance(
    cnpg_plans: dict[str, dict[str, Any]], stack: str
) -> None:
    plan = cnpg_plans[stack]
    assert resources_of(plan, MANAGED_TYPES[_cloud(stack)]) == []
    spec = _spec(plan)
    image = spec["imageName"]
    assert "timescale" in image and not image.endswith(":latest")
    assert "timescaledb" in spec["postgresql"]["shared_preload_libraries"]
    parameters = spec["postgresql"]["parameters"]
    assert int(parameters["timescaledb.max_background_workers"]) > 0
    assert int(parameters["max_worker_processes"]) > int(
        parameters["timescaledb.max_background_workers"]
    )
    # memory settings follow the pod's memory (8Gi in prod): 25 % / 75 %
    assert parameters["shared_buffers"] == "2048MB"
    assert parameters["effective_cache_size"] == "6144MB"
    assert (
        "CREATE EXTENSION IF NOT EXISTS timescaledb"
        in (spec["bootstrap"]["initdb"]["postInitApplicationSQL"])
    )
    # the operator chart is pinned
    (operator,) = [
        r for r in resources_of(plan, "kubernetes:helm.sh/v3:Release")
        if r["inputs"]["chart"] == "cloudnative-pg"
    ]  # fmt: skip
    assert operator["inputs"]["version"] == "0.29.0"


@pytest.mark.parametrize("stack", ["prod-aws-cnpg", "prod-gcp-cnpg", "prod-azure-cnpg"])
def test_prod_runs_three_instances_with_a_synchronous_replica_across_zones(
    cnpg_plans: dict[str, dict[str, Any]], stack: str
) -> None:
    spec = _spec(cnpg_plans[stack])
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"]["number"] >= 1
    assert spec["postgresql"]["synchronous"]["dataDurability"] == "required"
    assert spec["affinity"] == {
        "enablePodAntiAffinity": True,
        "topologyKey": "topology.kubernetes.io/zone",
        "podAntiAffinityType": "required",
    }
    # the cluster's encrypted class: EKS's gp3 class the platform creates encrypted, GKE's and
    # AKS's built-in CSI classes (encrypted at rest)
    assert spec["storage"]["storageClass"] == ENCRYPTED_CLASSES[_cloud(stack)]


def test_dev_runs_one_instance_and_staging_two_without_waiting_for_standbys(
    cnpg_plans: dict[str, dict[str, Any]],
) -> None:
    dev, staging = _spec(cnpg_plans["dev-aws-cnpg"]), _spec(cnpg_plans["staging-gcp-cnpg"])
    assert (dev["instances"], staging["instances"]) == (1, 2)
    assert "synchronous" not in dev["postgresql"] and "synchronous" not in staging["postgresql"]
    assert dev["affinity"]["podAntiAffinityType"] == "preferred"


def _backup(plan: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = _spec(plan)
    return spec["backup"]["barmanObjectStore"], spec["serviceAccountTemplate"]["metadata"]


def test_aws_backs_up_to_a_private_encrypted_versioned_bucket_through_irsa(
    cnpg_plans: dict[str, dict[str, Any]],
) -> None:
    plan = cnpg_plans["prod-aws-cnpg"]
    store, account = _backup(plan)
    bucket = one(plan, "aws:s3/bucket:Bucket")
    assert store["destinationPath"] == f"s3://{bucket['inputs']['bucket']}/"
    assert store["s3Credentials"] == {"inheritFromIAMRole": True}
    assert _spec(plan)["backup"]["retentionPolicy"] == "14d"
    block = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")["inputs"]
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                  "restrictPublicBuckets"))  # fmt: skip
    sse = one(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    assert (
        sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    )
    versioning = one(plan, "aws:s3/bucketVersioning:BucketVersioning")["inputs"]
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    lifecycle = one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle["inputs"]["rules"][0]["noncurrentVersionExpiration"]["noncurrentDays"] == 14
    policy = json.loads(one(plan, "aws:s3/bucketPolicy:BucketPolicy")["inputs"]["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # the ServiceAccount's role trusts exactly system:serviceaccount:postgres:postgres
    role_arn = account["annotations"]["eks.amazonaws.com/role-arn"]
    (role,) = [
        r for r in resources_of(plan, "aws:iam/role:Role")
        if role_arn.rsplit("/", 1)[1].rsplit("-", 1)[0] == r["name"]
    ]  # fmt: skip
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert "system:serviceaccount:postgres:postgres" in condition.values()


def test_gcp_backs_up_to_a_cmek_bucket_through_workload_identity(
    cnpg_plans: dict[str, dict[str, Any]],
) -> None:
    plan = cnpg_plans["prod-gcp-cnpg"]
    store, account = _backup(plan)
    bucket = one(plan, "gcp:storage/bucket:Bucket")["inputs"]
    assert store["destinationPath"] == f"gs://{bucket['name']}/"
    assert store["googleCredentials"] == {"gkeEnvironment": True}
    assert bucket["uniformBucketLevelAccess"] is True
    assert bucket["publicAccessPrevention"] == "enforced"
    assert bucket["versioning"] == {"enabled": True}
    assert bucket["encryption"]["defaultKmsKeyName"]
    email = account["annotations"]["iam.gke.io/gcp-service-account"]
    members = [m["inputs"] for m in resources_of(plan, "gcp:serviceaccount/iAMMember:IAMMember")]
    assert any(m["member"].endswith("[postgres/postgres]") for m in members)
    writer = one(plan, "gcp:storage/bucketIAMMember:BucketIAMMember")["inputs"]
    assert writer["member"] == f"serviceAccount:{email}"
    assert writer["bucket"] == bucket["name"]
    # the bucket waits for the Cloud Storage API, enabled only where a stack uses it
    storage_api = next(
        r for r in resources_of(plan, "gcp:projects/service:Service")
        if r["inputs"]["service"] == "storage.googleapis.com"
    )  # fmt: skip
    assert storage_api["urn"] in one(plan, "gcp:storage/bucket:Bucket")["dependencies"]


def test_the_cluster_waits_for_its_operator_secrets_and_backup_storage(
    cnpg_plans: dict[str, dict[str, Any]],
) -> None:
    plan = cnpg_plans["prod-aws-cnpg"]
    dependencies = set(one(plan, CLUSTER_TYPE)["dependencies"])
    (operator,) = [
        r for r in resources_of(plan, "kubernetes:helm.sh/v3:Release")
        if r["inputs"]["chart"] == "cloudnative-pg"
    ]  # fmt: skip
    secrets = [
        r["urn"] for r in resources_of(plan, "kubernetes:core/v1:Secret")
        if r["inputs"]["metadata"]["namespace"] == "postgres"
    ]  # fmt: skip
    assert len(secrets) == 2  # app credentials, server CA (the operator issues the certificate)
    assert {operator["urn"], one(plan, "aws:s3/bucket:Bucket")["urn"], *secrets} <= dependencies
    assert one(plan, CLUSTER_TYPE)["protect"] is True


def test_azure_backs_up_to_blob_storage_through_a_federated_identity(
    cnpg_plans: dict[str, dict[str, Any]],
) -> None:
    plan = cnpg_plans["prod-azure-cnpg"]
    store, account = _backup(plan)
    storage = one(plan, "azure-native:storage:StorageAccount", "pg-backups")["inputs"]
    assert store["destinationPath"] == (
        f"https://{storage['accountName']}.blob.core.windows.net/postgres-backups/"
    )
    assert store["azureCredentials"] == {"useDefaultAzureCredentials": True}
    assert storage["allowSharedKeyAccess"] is False
    assert storage["allowBlobPublicAccess"] is False
    assert "azure.workload.identity/client-id" in account["annotations"]
    assert _spec(plan)["inheritedMetadata"]["labels"] == {"azure.workload.identity/use": "true"}
    federations = resources_of(plan, "azure-native:managedidentity:FederatedIdentityCredential")
    assert any(
        f["inputs"]["subject"] == "system:serviceaccount:postgres:postgres" for f in federations
    )


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_backups_never_use_static_keys(cnpg_plans: dict[str, dict[str, Any]], stack: str) -> None:
    plan = cnpg_plans[stack]
    store, _ = _backup(plan)
    for credentials in ("s3Credentials", "googleCredentials", "azureCredentials"):
        assert not {"accessKeyId", "secretAccessKey", "applicationCredentials", "storageKey",
                    "storageSasToken", "connectionString"} & set(store.get(credentials, {}))  # fmt: skip
    assert not [r for r in plan["resources"] if r["type"] in STATIC_KEY_TYPES]
    scheduled = one(plan, SCHEDULED_BACKUP_TYPE)["inputs"]["spec"]
    assert scheduled["cluster"] == {"name": "postgres"}
    assert scheduled["method"] == "barmanObjectStore"
    # WAL is archived at least every few minutes: the recovery point objective
    assert _spec(plan)["postgresql"]["parameters"]["archive_timeout"] == "5min"


def test_apps_connect_to_the_rw_service_with_verify_full_and_the_server_ca(
    cnpg_plans: dict[str, dict[str, Any]],
) -> None:
    objects = kubernetes_objects(cnpg_plans["prod-aws-cnpg"]["resources"])
    settings = next(
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "backend-settings"
    )["data"]  # fmt: skip
    assert settings["POSTGRES_HOST"] == "postgres-rw.postgres.svc"
    assert settings["POSTGRES_SSLMODE"] == "verify-full"
    ca_bundle = next(
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "backend-ca"
    )["data"]["postgres-ca.pem"]  # fmt: skip
    # the CA the program generated (offline: the mock's stand-in PEM of that resource), the same
    # one the Cluster serves its certificate from
    assert ca_bundle.startswith("-----BEGIN CERTIFICATE-----")
    assert (
        f"OFFLINE-PLAN-{digest('prod-aws-cnpg', 'platform-prod-aws-cnpg-cnpg-ca', length=32)}"
        in ca_bundle
    )
    assert (
        _spec(cnpg_plans["prod-aws-cnpg"])["certificates"]["serverCASecret"] == "postgres-server-ca"
    )


def _postgres_pods() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"containers": [{"name": "main", "image": "stand-in:1"}]},
        }
        for namespace, name, labels in (
            ("postgres", "postgres-1", {"cnpg.io/cluster": "postgres"}),
            ("postgres", "postgres-2", {"cnpg.io/cluster": "postgres"}),
            ("cnpg-system", "operator", {"app.kubernetes.io/name": "cloudnative-pg"}),
        )
    ]  # fmt: skip


def test_in_cluster_postgres_flows(cnpg_plans: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    objects = kubernetes_objects(cnpg_plans["prod-aws-cnpg"]["resources"])
    flows = analyse([*cluster_manifests(objects), *_postgres_pods()], tmp_path)
    required = [
        ("analytics/backend", "postgres/postgres-1", 5432),
        ("analytics/migrations", "postgres/postgres-1", 5432),
        ("postgres/postgres-2", "postgres/postgres-1", 5432),  # streaming replication
        ("cnpg-system/operator", "postgres/postgres-1", 8000),  # instance status
        ("monitoring/prometheus", "postgres/postgres-1", 9187),
        ("192.0.2.10", "cnpg-system/operator", 9443),  # the API server calls the webhook
        ("postgres/postgres-1", "203.0.113.7", 443),  # object storage
    ]
    forbidden = [
        ("analytics/collector", "postgres/postgres-1", 5432),  # does not use postgres
        ("envoy-gateway-system/envoy", "postgres/postgres-1", 5432),
        ("analytics/backend", "postgres/postgres-1", 8000),
        ("postgres/postgres-1", "analytics/backend", 8080),
    ]
    assert [f for f in required if not permitted(flows, *f)] == []
    assert [f for f in forbidden if permitted(flows, *f)] == []


def test_timescaledb_on_managed_aws_is_a_config_error_naming_the_fix(tmp_path: Path) -> None:
    config = _stack_config("dev", {"extensions": ["timescaledb"]})
    (outcome,) = plan_many([write_stack(tmp_path, "dev-ts", config)], ROOT)
    assert isinstance(outcome, Outcome)
    assert outcome.exit_code == EXIT_ERROR
    assert any(
        "platform:postgres.extensions" in line and "engine: cloudnative-pg" in line
        for line in outcome.errors
    ), outcome.errors


@pytest.mark.parametrize(
    ("postgres", "message"),
    [
        ({"engine": "cloudnative-pg", "instances": 2, "synchronousReplicas": 2},
         "synchronousReplicas (2) must be at most instances - 1"),
        ({"engine": "cloudnative-pg", "podMemory": "256Mi"}, "below 512Mi"),
        ({"engine": "cloudnative-pg", "podCpu": "two"}, "not a CPU quantity"),
        ({"engine": "postgres-operator"}, "platform:postgres.engine"),
    ],
)  # fmt: skip
def test_bad_in_cluster_settings_are_one_line_errors(
    tmp_path: Path, postgres: dict[str, Any], message: str
) -> None:
    (outcome,) = plan_many([write_stack(tmp_path, "dev-bad", _stack_config("dev", postgres))], ROOT)
    assert outcome.exit_code == EXIT_ERROR
    assert any(message in line and "\n" not in line for line in outcome.errors), outcome.errors


def test_prod_cannot_ask_for_more_instances_than_zones() -> None:
    lines = prod_problems("aws", {"postgres": {"engine": "cloudnative-pg", "instances": 4}})
    assert any(
        line.startswith("Pulumi.prod.yaml: platform:postgres.instances: 4 exceeds network.zones")
        for line in lines
    ), lines


def test_timescale_parameters_follow_the_pod_size() -> None:
    """Memory settings scale with the pod, and the worker pools fit inside each other."""
    base = postgres_spec(build({"postgres": CNPG}))
    small = timescale_parameters(replace(base, pod_cpu="1", pod_memory="2Gi"))
    large = timescale_parameters(replace(base, pod_cpu="4", pod_memory="16Gi"))
    assert (small["shared_buffers"], large["shared_buffers"]) == ("512MB", "4096MB")
    assert (small["effective_cache_size"], large["effective_cache_size"]) == ("1536MB", "12288MB")
    assert large["maintenance_work_mem"] == "819MB"  # 5 % of 16 GiB, under the 2 GiB cap
    for parameters in (small, large):
        workers = int(parameters["max_worker_processes"])
        background = int(parameters["timescaledb.max_background_workers"])
        assert workers >= background + int(parameters["max_parallel_workers"])
        assert parameters["archive_timeout"] == "5min"  # the RPO docs/postgres.md promises
        assert parameters["pg_stat_statements.track"] == "top"  # CNPG then preloads it
    plain = timescale_parameters(replace(base, pod_cpu="1", pod_memory="2Gi", extensions=[]))
    assert "timescaledb.max_background_workers" not in plain
    assert "pg_stat_statements.max" not in plain
