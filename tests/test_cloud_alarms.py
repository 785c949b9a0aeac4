"""GCP and Azure: cross-region recovery and alarms as planned (issue 18, items 1-2).

prod-gcp: Cloud SQL backups stored in the DR region and a cross-region read replica there;
prod-azure: geo-redundant backup whose DR region is the location's pair (a deployability rule
refuses another one). Alarms (staging, prod; never dev): GCP alert policies to email channels,
after the Monitoring API; Azure metric alerts to an email action group. Thresholds from config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.azure.alarms import max_connections as azure_max_connections
from components.azure.alarms import short_name, window
from components.gcp.alarms import SHARED_CORE_MAX_CONNECTIONS
from components.gcp.alarms import max_connections as gcp_max_connections
from infra.plan.cli import Outcome
from policies.rules.facts.azure_regions import ONE_WAY, PAIRED_REGION
from policies.rules.facts.gcp_offerings import CLOUD_SQL_TIERS
from tests.conftest import ROOT, one, plan_config, plan_of, prod_requirements, resources_of

ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
SERVER = "azure-native:dbforpostgresql:Server"


def _conditions(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Alert policy key (name after "-alarms-") -> its threshold condition."""
    return {
        r["name"].split("-alarms-", 1)[1]: r["inputs"]["conditions"][0]["conditionThreshold"]
        for r in resources_of(plan, ALERT_POLICY)
    }


# 1 -- cross-region recovery -----------------------------------------------------------------


def test_prod_gcp_cloud_sql_backups_and_replica_live_in_the_dr_region(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    primary = one(plan, SQL, "-postgres")
    replica = one(plan, SQL, "-postgres-dr")
    backup = primary["inputs"]["settings"]["backupConfiguration"]
    assert backup["location"] == "europe-west4" != primary["inputs"]["region"]
    assert backup["pointInTimeRecoveryEnabled"] is True
    assert replica["inputs"]["region"] == "europe-west4"
    assert replica["inputs"]["masterInstanceName"] == primary["inputs"]["name"]
    assert primary["urn"] in replica["dependencies"]
    # private and TLS-only like the primary, and as protected
    ip = replica["inputs"]["settings"]["ipConfiguration"]
    assert (ip["ipv4Enabled"], ip["sslMode"]) == (False, "ENCRYPTED_ONLY")
    assert replica["inputs"]["deletionProtection"] is True


def test_dev_gcp_has_no_dr_copy(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "dev-gcp")
    assert [r["name"] for r in resources_of(plan, SQL)] == ["platform-dev-gcp-postgres"]
    backup = one(plan, SQL)["inputs"]["settings"]["backupConfiguration"]
    assert "location" not in backup


def test_prod_azure_geo_backup_goes_to_the_configured_pair(
    shipped_plans: dict[str, Outcome],
) -> None:
    server = one(plan_of(shipped_plans, "prod-azure"), SERVER)["inputs"]
    assert server["backup"]["geoRedundantBackup"] == "Enabled"
    assert server["tags"]["disaster-recovery-region"] == "northeurope"
    assert PAIRED_REGION[server["location"]] == "northeurope"


def test_azure_dr_region_that_is_not_the_pair_is_refused(tmp_path: Path) -> None:
    outcome = plan_config(tmp_path, "prod-azure", {
        "azure-native:location": "westeurope", "platform:example": "true", "platform:cloud": "azure",
        "platform:environment": "prod",
        "platform:cluster": {"adminPrincipals": ["6a1f3c2e-9b0d-4d8e-a5f1-2c3b4d5e6f70"],
                             "deployerPrincipals": ["00000000-0000-0000-0000-000000000000"]},
        **prod_requirements("azure"),
        "platform:disasterRecovery": {"region": "westus"},
    })  # fmt: skip
    assert outcome.plan is not None, outcome.errors
    found = [
        v for v in outcome.plan["policy"]["violations"]
        if v["policy"] == "deploy-azure-geo-backup-pair"
    ]  # fmt: skip
    assert found and "northeurope" in str(found[0])
    assert outcome.exit_code != 0


def test_pair_table_is_symmetric_except_documented_one_way_pairs() -> None:
    for region, pair in PAIRED_REGION.items():
        if region not in ONE_WAY:
            assert PAIRED_REGION[pair] == region, region


# 2 -- alarms --------------------------------------------------------------------------------


def test_prod_gcp_alert_policies_cover_the_data_services_and_nodes(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-gcp")
    conditions = _conditions(plan)
    assert set(conditions) == {
        "sql-cpu", "sql-disk", "sql-memory", "sql-connections", "sql-replica-lag",
        "redis-memory", "gke-nodes-not-ready",
    }  # fmt: skip
    # prod thresholds (profiles: 80 %, 60 s, 5 minutes), as Cloud Monitoring's fractions
    assert conditions["sql-cpu"]["thresholdValue"] == pytest.approx(0.8)
    assert conditions["sql-replica-lag"]["thresholdValue"] == 60
    assert "-postgres-dr" in conditions["sql-replica-lag"]["filter"]
    assert conditions["sql-connections"]["thresholdValue"] == 400  # 80 % of 500 (15 GB tier)
    assert "kubernetes.io/node/status_condition" in conditions["gke-nodes-not-ready"]["filter"]
    assert {c["duration"] for c in conditions.values()} == {"300s"}
    channel = one(plan, CHANNEL)
    assert channel["inputs"]["type"] == "email"
    assert channel["inputs"]["labels"] == {"email_address": "platform-oncall@example.com"}
    monitoring = one(plan, "gcp:projects/service:Service", "-monitoring")["urn"]
    for resource in [channel, *resources_of(plan, ALERT_POLICY)]:
        assert monitoring in resource["dependencies"], resource["name"]
        if resource is not channel:
            assert channel["urn"] in resource["dependencies"]


def test_prod_azure_metric_alerts_notify_the_action_group(
    shipped_plans: dict[str, Outcome],
) -> None:
    plan = plan_of(shipped_plans, "prod-azure")
    group = one(plan, ACTION_GROUP)
    assert len(group["inputs"]["groupShortName"]) <= 12
    assert [r["emailAddress"] for r in group["inputs"]["emailReceivers"]] == [
        "platform-oncall@example.com"
    ]
    alerts = {
        r["inputs"]["criteria"]["allOf"][0]["metricName"]: r
        for r in resources_of(plan, METRIC_ALERT)
    }
    assert set(alerts) == {
        "cpu_percent", "memory_percent", "storage_percent", "active_connections",
        "usedmemorypercentage", "percentProcessorTime", "ThrottledRequests",
        "kube_node_status_condition",
    }  # fmt: skip
    # Azure Managed Redis: its metrics, sampled every 5 minutes, on the cluster
    for metric in ("usedmemorypercentage", "percentProcessorTime"):
        alert = alerts[metric]["inputs"]
        assert alert["criteria"]["allOf"][0]["metricNamespace"] == "Microsoft.Cache/redisEnterprise"
        assert alert["evaluationFrequency"] == "PT5M"
        assert "/providers/Microsoft.Cache/redisEnterprise/" in alert["scopes"][0]
    assert alerts["cpu_percent"]["inputs"]["criteria"]["allOf"][0]["threshold"] == 80
    # 80 % of Standard_D4ds_v5's 1718 connections
    assert alerts["active_connections"]["inputs"]["criteria"]["allOf"][0]["threshold"] == 1374
    assert {a["inputs"]["windowSize"] for a in alerts.values()} == {"PT5M"}
    for alert in alerts.values():
        assert group["urn"] in alert["dependencies"]
        assert alert["inputs"]["scopes"], alert["name"]


def test_staging_has_alarms_and_dev_has_none(shipped_plans: dict[str, Outcome]) -> None:
    assert resources_of(plan_of(shipped_plans, "staging-gcp"), ALERT_POLICY)
    assert resources_of(plan_of(shipped_plans, "staging-azure"), METRIC_ALERT)
    # staging evaluates over 10 minutes: Azure's allowed windows round it up to 15
    staging = resources_of(plan_of(shipped_plans, "staging-azure"), METRIC_ALERT)
    assert {a["inputs"]["windowSize"] for a in staging} == {"PT15M"}
    for stack, types in (
        ("dev-gcp", (ALERT_POLICY, CHANNEL)),
        ("dev-azure", (METRIC_ALERT, ACTION_GROUP)),
    ):
        for type_ in types:
            assert resources_of(plan_of(shipped_plans, stack), type_) == [], (stack, type_)


def test_sizes_behind_the_connection_thresholds() -> None:
    assert gcp_max_connections("db-custom-1-3840") == 100
    assert gcp_max_connections("db-custom-2-7680") == 400
    assert gcp_max_connections("db-custom-4-15360") == 500
    # every shared-core tier config accepts has its default (config and alarms agree)
    assert set(SHARED_CORE_MAX_CONNECTIONS) == set(CLOUD_SQL_TIERS)
    with pytest.raises(ValueError, match="db-perf-optimized-N-2"):
        gcp_max_connections("db-perf-optimized-N-2")
    assert azure_max_connections("Standard_B2s") == 429
    assert azure_max_connections("Standard_D2ds_v5") == 859
    assert azure_max_connections("Standard_E16ds_v5") == 5000
    assert (window(1), window(10), window(45)) == ("PT1M", "PT15M", "PT1H")
    assert short_name("a-very-long-stack-name-azure") == "averylongsta"


@pytest.mark.parametrize(("tier", "connections"), [("db-f1-micro", 25), ("db-g1-small", 50)])
def test_dev_gcp_alarms_plan_on_a_shared_core_tier(
    tmp_path: Path, tier: str, connections: int
) -> None:
    """A shared-core tier config accepts plans with alarms: connections against its default."""
    config = yaml.safe_load((ROOT / "Pulumi.dev-gcp.yaml").read_text(encoding="utf-8"))["config"]
    outcome = plan_config(tmp_path, "dev-gcp", {
        **config,
        "platform:postgres": {"instanceSize": tier},
        "platform:alarms": {"enabled": True, "notificationEmails": ["oncall@example.com"]},
    })  # fmt: skip
    assert outcome.plan is not None, outcome.errors
    assert one(outcome.plan, SQL)["inputs"]["settings"]["tier"] == tier
    # dev's profile: connections alarm at 90% of the tier's default max_connections
    threshold = _conditions(outcome.plan)["sql-connections"]["thresholdValue"]
    assert threshold == connections * 90 // 100
