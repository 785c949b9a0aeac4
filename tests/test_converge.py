"""Issue 27: one ``pulumi up`` converges, and the next one changes nothing.

Each test pins one finding of the issue (a missing wait, a field the cloud changes after
create, a value that works once and then breaks) on the shipped stacks' plans; the two rules
that make the class checkable (``deploy-cloud-managed-fields``, ``deploy-readiness``) have
their own tests in ``tests/test_converge_rules.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.quantities import memory_bytes
from infra.plan.cli import Outcome, plan_many
from infra.plan.values import plain
from tests.conftest import ROOT, one, plan_config, plan_of, resources_of, write_stack

RELEASE = "kubernetes:helm.sh/v3:Release"
OPTION_KEYS = ("ignoreChanges", "customTimeouts", "replaceOnChanges", "deleteBeforeReplace")


def _plan(plans: dict[str, Outcome], stack: str) -> dict[str, Any]:
    return plan_of(plans, stack)


def _release(plan: dict[str, Any], suffix: str) -> dict[str, Any]:
    return one(plan, RELEASE, suffix)


@pytest.mark.parametrize("stack", ["dev", "prod-gcp", "staging-azure", "dev-local"])
def test_plan_json_carries_the_resource_options(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    plan = _plan(shipped_plans, stack)
    for resource in plan["resources"]:
        assert all(key in resource for key in OPTION_KEYS), resource["urn"]
        assert isinstance(resource["ignoreChanges"], list)
        assert isinstance(resource["customTimeouts"], dict)
        assert resource["deleteBeforeReplace"] in (None, True, False)


def test_plan_json_shows_an_ignored_field(shipped_plans: dict[str, Outcome]) -> None:
    # MSK's broker volume grows under storage autoscaling: the engine is told to leave it alone
    msk = one(_plan(shipped_plans, "prod"), "aws:msk/cluster:Cluster")
    assert any("volumeSize" in path for path in msk["ignoreChanges"]), msk["ignoreChanges"]


def test_metrics_server_skips_kubelet_tls_verification_on_kind(
    shipped_plans: dict[str, Outcome],
) -> None:
    args = _release(_plan(shipped_plans, "dev-local"), "metrics-server")["inputs"]["values"][
        "defaultArgs"
    ]
    assert "--kubelet-insecure-tls" in args
    # a cloud's kubelets serve certificates the cluster CA signed: keep verifying them
    eks_args = _release(_plan(shipped_plans, "dev"), "metrics-server")["inputs"]["values"]
    assert "--kubelet-insecure-tls" not in eks_args["defaultArgs"]


def test_gke_monitors_kube_dns_not_coredns(shipped_plans: dict[str, Outcome]) -> None:
    for stack in ("dev-gcp", "prod-gcp"):
        values = _release(_plan(shipped_plans, stack), "kube-prometheus-stack")["inputs"]["values"]
        assert values["coreDns"] == {"enabled": False}, stack
        assert values["kubeDns"] == {"enabled": True}, stack
    for stack in ("prod", "prod-azure"):
        values = _release(_plan(shipped_plans, stack), "kube-prometheus-stack")["inputs"]["values"]
        assert values["coreDns"] == {"enabled": True}, stack
        assert values["kubeDns"] == {"enabled": False}, stack


def test_final_snapshot_suffix_is_replaced_with_the_instance(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = _plan(shipped_plans, "prod")
    instance = one(plan, "aws:rds/instance:Instance")
    suffix = one(plan, "random:index/randomId:RandomId", "final-snapshot")
    keepers = suffix["inputs"].get("keepers", {})
    # each input that forces a new instance also forces a new suffix (a new snapshot name)
    for field in ("identifier", "dbName", "username", "dbSubnetGroupName", "kmsKeyId"):
        assert keepers.get(field) == instance["inputs"][field], field
    assert suffix["urn"] in instance["dependencies"]


def _record(plans: dict[str, Outcome], stack: str, type_: str, suffix: str) -> Any:
    records = plans[stack].records or []
    found = [r for r in records if r.type == type_ and r.name.endswith(suffix)]
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def test_valkey_evicts_before_its_memory_limit(shipped_plans: dict[str, Outcome]) -> None:
    plan = _plan(shipped_plans, "dev-local")
    statefulset = one(plan, "kubernetes:apps/v1:StatefulSet", "redis-server")
    container = statefulset["inputs"]["spec"]["template"]["spec"]["containers"][0]
    limit = memory_bytes(container["resources"]["limits"]["memory"])
    secret = _record(shipped_plans, "dev-local", "kubernetes:core/v1:Secret", "redis-config")
    config = plain(secret.inputs, redact=False)["stringData"]["valkey.conf"]
    settings = dict(line.split(" ", 1) for line in config.splitlines() if line)
    assert settings["maxmemory-policy"] == "allkeys-lru"
    # allkeys-lru only evicts above maxmemory: it must be set, below the container's limit
    assert 0.5 * limit <= int(settings["maxmemory"]) <= 0.8 * limit


CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"
CNPG = {"engine": "cloudnative-pg", "extensions": ["timescaledb", "pg_stat_statements"]}


@pytest.fixture(scope="module")
def cnpg_plans(
    shipped_plans: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """dev-local as shipped, and prod-gcp with the in-cluster engine (records kept)."""
    directory = tmp_path_factory.mktemp("cnpg")
    config = yaml.safe_load((ROOT / "Pulumi.prod-gcp.yaml").read_text())["config"]
    config["platform:postgres"] = {**config.get("platform:postgres", {}), **CNPG}
    [outcome] = plan_many([write_stack(directory, "prod-gcp", config)], ROOT, keep_records=True)
    return {"dev-local": shipped_plans["dev-local"], "prod-gcp": outcome}


@pytest.mark.parametrize("stack", ["dev-local", "prod-gcp"])
def test_cnpg_operator_issues_and_renews_the_server_certificate(
    cnpg_plans: dict[str, Outcome], stack: str
) -> None:
    plan = _plan(cnpg_plans, stack)
    certificates = one(plan, CNPG_CLUSTER)["inputs"]["spec"]["certificates"]
    # no user-provided server certificate (it would expire unrenewed); the CA Secret carries
    # the key the operator signs and renews the server certificate with
    assert "serverTLSSecret" not in certificates
    ca = _record(cnpg_plans, stack, "kubernetes:core/v1:Secret", "server-ca")
    assert set(plain(ca.inputs, redact=False)["stringData"]) == {"ca.crt", "ca.key"}
    assert ca.inputs["metadata"]["name"] == certificates["serverCASecret"]
    assert not resources_of(plan, "tls:index/locallySignedCert:LocallySignedCert")


@pytest.mark.parametrize(("stack", "pdb"), [("dev-local", False), ("prod-gcp", True)])
def test_single_instance_cnpg_cluster_has_no_pdb(
    cnpg_plans: dict[str, Outcome], stack: str, pdb: bool
) -> None:
    spec = one(_plan(cnpg_plans, stack), CNPG_CLUSTER)["inputs"]["spec"]
    assert spec["enablePDB"] is pdb
    assert (spec["instances"] > 1) is pdb


def test_azure_postgres_host_is_the_servers_fqdn(shipped_plans: dict[str, Outcome]) -> None:
    for stack in ("dev-azure", "prod-azure"):
        plan = _plan(shipped_plans, stack)
        server = _record(shipped_plans, stack, "azure-native:dbforpostgresql:Server", "")
        # the name Azure gives the server (resolved through the linked private zone), never
        # a name made up from the zone
        assert plan["outputs"]["postgresHost"] == server.outputs["fullyQualifiedDomainName"]
        assert ".private." not in plan["outputs"]["postgresHost"]


def test_gcp_managed_kafka_runs_the_configured_version(shipped_plans: dict[str, Outcome]) -> None:
    for stack in ("dev-gcp", "prod-gcp"):
        cluster = one(_plan(shipped_plans, stack), "gcp:managedkafka/cluster:Cluster")
        assert cluster["inputs"]["kafkaVersion"] == "3.7.x"


def test_gcp_rejects_a_kafka_version_managed_kafka_does_not_run(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "Pulumi.dev-gcp.yaml").read_text())["config"]
    config["platform:kafka"] = {**config.get("platform:kafka", {}), "version": "3.8.x"}
    outcome = plan_config(tmp_path, "dev-gcp", config)
    assert outcome.plan is None
    assert any("kafka.version: 3.8.x" in line for line in outcome.errors), outcome.errors


def test_gcp_cnpg_backups_live_in_the_dr_region(cnpg_plans: dict[str, Outcome]) -> None:
    plan = _plan(cnpg_plans, "prod-gcp")
    bucket = one(plan, "gcp:storage/bucket:Bucket", "pg-backups")
    dr_region = yaml.safe_load((ROOT / "Pulumi.prod-gcp.yaml").read_text())["config"][
        "platform:disasterRecovery"
    ]["region"]
    assert bucket["inputs"]["location"].lower() == dr_region
    # CMEK: the bucket's key ring sits in the bucket's location
    rings = [r for r in resources_of(plan, "gcp:kms/keyRing:KeyRing") if "pg-backups" in r["name"]]
    assert [r["inputs"]["location"] for r in rings] == [dr_region]


def test_gcp_backup_bucket_name_keeps_the_project_id() -> None:
    from components.gcp.names import bucket_name

    project = "analytics-platform-prod-12345"  # 29 of GCP's 30 characters
    long_stack = "platform-" + "a-very-long-stack-name" * 3
    names = {bucket_name(f"{long_stack}{i}-pg", project) for i in range(2)}
    assert len(names) == 2  # distinct stacks stay distinct after the cut
    for name in names:
        assert len(name) <= 63 and name.endswith(f"-{project}"), name
    assert bucket_name("platform-prod-pg", "p-1") == "platform-prod-pg-p-1"


def test_migrations_wait_for_a_ready_cnpg_cluster(cnpg_plans: dict[str, Outcome]) -> None:
    for stack in ("dev-local", "prod-gcp"):
        plan = _plan(cnpg_plans, stack)
        cluster = one(plan, CNPG_CLUSTER)
        job = one(plan, "kubernetes:batch/v1:Job", "migrate")
        assert cluster["urn"] in job["dependencies"], stack
        # the engine awaits the operator's Ready condition, for longer than its 10m default
        assert cluster["inputs"]["metadata"]["annotations"]["pulumi.com/waitFor"] == (
            "condition=Ready"
        )
        assert cluster["customTimeouts"]["create"] == "30m"
        # and awaits the Job for as long as its deadline allows
        deadline = job["inputs"]["spec"]["activeDeadlineSeconds"]
        assert int(job["customTimeouts"]["create"].rstrip("m")) * 60 > deadline


@pytest.mark.parametrize(
    ("stack", "service"),
    [("dev", "aws:rds/instance:Instance"), ("dev-azure", "azure-native:redisenterprise:Database"),
     ("prod-gcp", "gcp:managedkafka/cluster:Cluster")],
)  # fmt: skip
def test_workloads_wait_for_their_managed_data_services(
    shipped_plans: dict[str, Outcome], stack: str, service: str
) -> None:
    plan = _plan(shipped_plans, stack)
    urn = one(plan, service)["urn"]
    assert urn in one(plan, "kubernetes:batch/v1:Job", "migrate")["dependencies"]


def test_aws_alarms_neither_page_from_day_one_nor_watch_one_fixed_node(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = _plan(shipped_plans, "prod")
    alarms = resources_of(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
    nodes = [a for a in alarms if a["inputs"]["metricName"] == "GroupInServiceInstances"]
    assert [a["inputs"]["treatMissingData"] for a in nodes] == ["notBreaching"]
    lag = [a for a in alarms if a["inputs"]["metricName"] == "ReplicationLag"]
    redis = [a for a in alarms if a["inputs"]["metricName"] == "CPUUtilization"
             and a["inputs"]["namespace"] == "AWS/ElastiCache"]  # fmt: skip
    # one per node (any node can be a replica after a failover), not only the -002s
    assert len(lag) == len(redis) > 0
    assert {a["inputs"]["treatMissingData"] for a in lag} == {"notBreaching"}
