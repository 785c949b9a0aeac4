"""The two rules that make issue 27's class checkable, run through the pack's own analyzer.

``deploy-cloud-managed-fields``: replaying the shipped stacks with their ``ignore_changes``
taken away (today's code before the fix, for items 4 and 5's fields) reports every field the
cloud changes; with them, nothing. ``deploy-readiness``: a Job that uses a data service of the
same stack without waiting for it, or waits longer than Pulumi's default without a custom
timeout, is reported.
"""

from __future__ import annotations

import dataclasses

import pytest

from infra.plan.cli import Outcome
from infra.plan.policy import InProcessAnalyzer, run_pack
from policies.rules.deployability.convergence import POLICIES, parse_path, unmanaged_fields
from policies.rules.facts.cloud_managed import CLOUD_MANAGED_FIELDS
from tests.policy_helpers import find

MANAGED = find(POLICIES, "deploy-cloud-managed-fields")
STACKS = (
    "dev", "staging", "prod", "dev-gcp", "staging-gcp", "prod-gcp",
    "dev-azure", "staging-azure", "prod-azure", "dev-local",
)  # fmt: skip


def _run(policy: object, records: list[object]) -> list[dict[str, str]]:
    return [
        v
        for v in run_pack(InProcessAnalyzer([policy]), records, {})  # type: ignore[list-item]
        if v["policy"] == policy.name  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_no_cloud_managed_field_is_left_to_fight_the_cloud(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = shipped_plans[stack].records or []
    assert not _run(MANAGED, records)


# What the rule reports on today's code without the ignore_changes of issue 27 item 4.
EXPECTED_WITHOUT_IGNORES = {
    "prod": {("aws:rds/instance:Instance", "allocatedStorage"),
             ("aws:msk/cluster:Cluster", "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"),
             ("aws:eks/nodeGroup:NodeGroup", "scalingConfig.desiredSize")},
    # the primary and its DR replica
    "prod-gcp": {("gcp:sql/databaseInstance:DatabaseInstance", "settings.diskSize")},
    "dev-azure": {("azure-native:dbforpostgresql:Server", "storage.storageSizeGB"),
                  ("azure-native:containerservice:ManagedCluster", "kubernetesVersion"),
                  ("azure-native:containerservice:ManagedCluster", "agentPoolProfiles[0].count"),
                  ("azure-native:containerservice:ManagedCluster", "agentPoolProfiles[1].count"),
                  ("azure-native:eventhub:Namespace", "sku.capacity")},
}  # fmt: skip


@pytest.mark.parametrize("stack", sorted(EXPECTED_WITHOUT_IGNORES))
def test_the_rule_catches_every_field_when_nothing_is_ignored(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = [
        dataclasses.replace(r, ignore_changes=[]) for r in shipped_plans[stack].records or []
    ]
    by_urn = {r.urn: r.type for r in records}
    found = {(by_urn[v["urn"]], v["message"].split(" ", 1)[0]) for v in _run(MANAGED, records)}
    assert found == EXPECTED_WITHOUT_IGNORES[stack]


def test_a_setting_turned_off_hands_the_field_back_to_the_program() -> None:
    props = {"settings": {"diskSize": 20, "diskAutoresize": False}}
    assert not unmanaged_fields("gcp:sql/databaseInstance:DatabaseInstance", props, [])
    props["settings"]["diskAutoresize"] = True
    assert unmanaged_fields("gcp:sql/databaseInstance:DatabaseInstance", props, [])
    # a parent path or a wildcard covers the field
    assert not unmanaged_fields("gcp:sql/databaseInstance:DatabaseInstance", props, ["settings"])
    pools = {"agentPoolProfiles": [{"count": 3, "enableAutoScaling": True}, {"count": 1}]}
    aks = "azure-native:containerservice:ManagedCluster"
    assert [p for p, _ in unmanaged_fields(aks, pools, [])] == ["agentPoolProfiles[0].count"]
    assert not unmanaged_fields(aks, pools, ["agentPoolProfiles[*].count"])


def test_every_row_names_a_source_and_parses() -> None:
    for row in CLOUD_MANAGED_FIELDS:
        assert row.source and row.why, row
        assert parse_path(row.field), row
        assert row.type.count(":") >= 2, row


READINESS = find(POLICIES, "deploy-readiness")


@pytest.mark.parametrize("stack", STACKS)
def test_every_client_waits_for_its_data_services(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    assert not _run(READINESS, shipped_plans[stack].records or [])


def test_readiness_catches_a_job_that_does_not_wait(shipped_plans: dict[str, Outcome]) -> None:
    records = shipped_plans["dev-local"].records or []
    services = {
        r.urn
        for r in records
        if r.type.endswith((":Cluster", ":Kafka")) or "redis-server" in r.name
    }

    def unwaited(record: object) -> object:
        if record.type != "kubernetes:batch/v1:Job":  # type: ignore[attr-defined]
            return record
        # today's Job: no dependency on the data services, the engine's default wait
        return dataclasses.replace(
            record,  # type: ignore[arg-type]
            dependencies=[d for d in record.dependencies if d not in services],  # type: ignore[attr-defined]
            custom_timeouts={},
        )

    messages = [v["message"] for v in _run(READINESS, [unwaited(r) for r in records])]
    assert any("uses postgres but does not wait" in m for m in messages), messages
    assert any("activeDeadlineSeconds" in m for m in messages), messages


def test_readiness_catches_a_cluster_without_a_ready_condition(
    shipped_plans: dict[str, Outcome],
) -> None:
    records = []
    for record in shipped_plans["dev-local"].records or []:
        if record.type == "kubernetes:postgresql.cnpg.io/v1:Cluster":
            # the stack rule reads what the engine reports after the step: the outputs
            outputs = {
                **record.outputs,
                "metadata": {**record.outputs["metadata"], "annotations": {}},
            }
            record = dataclasses.replace(record, outputs=outputs, custom_timeouts={})
        records.append(record)
    messages = [v["message"] for v in _run(READINESS, records)]
    assert any("no readiness condition" in m for m in messages), messages
