"""Region and size facts from maintained data (issue 26, part 5): a region or instance class
that does not exist is a config error naming the stack file and the key, and where the list
comes from (cfn-lint's per-region data for AWS; dated tables and pulumi-gcp for GCP/Azure)."""

from __future__ import annotations

import re

import pytest

from infra.plan.cli import plan_many
from policies.rules.facts import aws_offerings, azure_redis, azure_regions, gcp_offerings
from tests.conftest import ROOT
from tests.test_config import problems

CFN = re.escape(
    f"(per cfn-lint {aws_offerings.cfn_lint_version()} cfnlint/data/schemas/extensions/"
)


def test_an_unknown_aws_region_is_one_line_naming_the_list() -> None:
    (line,) = problems({}, **{"aws:region": "eu-west-9"})
    assert re.fullmatch(
        r"Pulumi\.dev\.yaml: aws:region: 'eu-west-9' is not an AWS region \(did you mean "
        rf"eu-west-\d\?\) {CFN}aws_ec2_instance/instancetype_enum\.json\)",
        line,
    ), line


@pytest.mark.parametrize(
    ("section", "key", "value", "what", "data"),
    [
        ("cluster", "nodeSize", "m6i.huge", "an EC2 instance type offered in eu-west-1",
         "aws_ec2_instance/instancetype_enum.json"),
        ("postgres", "instanceSize", "db.m6g.huge", "an RDS for PostgreSQL class offered in "
         "eu-west-1", "aws_rds_dbinstance/dbinstanceclass_enum.json"),
        ("redis", "nodeSize", "cache.r7g.huge", "an ElastiCache node type offered in eu-west-1",
         "aws_elasticache_cachecluster/cachenodetype_enum.json"),
    ],
)  # fmt: skip
def test_an_unknown_aws_class_is_one_line_naming_the_list(
    section: str, key: str, value: str, what: str, data: str
) -> None:
    (line,) = problems({section: {key: value}})
    assert line.startswith(f"Pulumi.dev.yaml: platform:{section}.{key}: {value!r} is not {what}"), (
        line
    )
    assert line.endswith(f"cfnlint/data/schemas/extensions/{data})"), line


def test_a_class_not_sold_in_the_region_is_refused() -> None:
    """Per region, not a global list: an RDS class sold in us-east-1 but not in eu-west-1."""
    elsewhere = aws_offerings.rds_classes("us-east-1") - aws_offerings.rds_classes("eu-west-1")
    instance = sorted(elsewhere)[0]
    (line,) = problems({"postgres": {"instanceSize": instance}})
    assert (
        f"platform:postgres.instanceSize: {instance!r} is not an RDS for PostgreSQL class "
        "offered in eu-west-1"
    ) in line, line


def test_msk_broker_sizes_come_from_a_dated_table() -> None:
    (line,) = problems({"kafka": {"brokerSize": "kafka.m6g.large"}})
    assert "platform:kafka.brokerSize: 'kafka.m6g.large' is not an MSK standard broker size" in line
    assert "broker-instance-sizes.html (Standard broker sizes; read 2026-12-02)" in line


GCP = {"platform:cloud": "gcp", "gcp:region": "europe-west1", "gcp:project": "p-1"}


@pytest.mark.parametrize(
    ("overrides", "scalars", "expected"),
    [
        ({}, {"gcp:region": "europe-west99"}, "gcp:region: 'europe-west99' is not a GCP region"),
        ({"cluster": {"nodeSize": "q9-standard-4"}}, {},
         "platform:cluster.nodeSize: 'q9-standard-4' is not a Compute Engine machine type (no machine "
         "family 'q9')"),
        ({"postgres": {"instanceSize": "db-huge-1"}}, {},
         "platform:postgres.instanceSize: 'db-huge-1' is not a Cloud SQL tier"),
        ({"redis": {"nodeSize": "REDIS_HUGE"}}, {},
         "platform:redis.nodeSize: 'REDIS_HUGE' is not a Memorystore for Redis Cluster node type"),
    ],
)  # fmt: skip
def test_gcp_region_and_sizes(overrides: dict[str, object], scalars: dict[str, str],
                              expected: str) -> None:  # fmt: skip
    raw = {**GCP, **scalars}
    raw.pop("aws:region", None)
    (line,) = problems(overrides, **raw)
    assert line.startswith(f"Pulumi.dev.yaml: {expected}"), line


def test_memorystore_node_types_are_read_from_pulumi_gcp() -> None:
    assert {"REDIS_SHARED_CORE_NANO", "REDIS_STANDARD_SMALL", "REDIS_HIGHMEM_MEDIUM"} <= set(
        gcp_offerings.memorystore_node_types()
    )


def test_an_unknown_azure_location_is_one_line() -> None:
    raw = {"platform:cloud": "azure", "azure-native:location": "westeurope2"}
    (line,) = problems({}, **raw)
    assert line.startswith(
        "Pulumi.dev.yaml: azure-native:location: 'westeurope2' is not an Azure region (did you "
        "mean westeurope?)"
    ), line
    # every region the DR pairing table names is a region
    assert set(azure_regions.PAIRED_REGION) <= set(azure_regions.REGIONS)


def test_azure_managed_redis_skus_are_names_pulumi_azure_native_knows() -> None:
    """The dated AMR table (memory, shards) names only SKUs of the SDK's ``SkuName`` enum, and
    every in-memory SKU of it (not the retiring Enterprise ones nor FlashOptimized): a provider
    upgrade that adds or drops one fails here, to refresh the table."""
    from pulumi_azure_native.redisenterprise import SkuName

    in_memory = {
        sku.value for sku in SkuName if sku.value.startswith(("Balanced_", "MemoryOptimized_",
                                                               "ComputeOptimized_"))
    }  # fmt: skip
    assert set(azure_redis.AMR_SKUS) == in_memory, set(azure_redis.AMR_SKUS) ^ in_memory
    (line,) = problems({"redis": {"nodeSize": "Enterprise_E10"}}, **{
        "platform:cloud": "azure", "azure-native:location": "westeurope"})  # fmt: skip
    assert "redis.nodeSize: 'Enterprise_E10' is not an Azure Managed Redis SKU" in line, line


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"aws:region": "eu-west-9"}, "Pulumi.dev.yaml: aws:region: 'eu-west-9' is not"),
        ({"platform:redis": '{"nodeSize": "cache.r7g.huge"}'},
         "Pulumi.dev.yaml: platform:redis.nodeSize: 'cache.r7g.huge' is not"),
    ],
)  # fmt: skip
def test_the_plan_exits_2_with_one_line(overrides: dict[str, str], expected: str) -> None:
    (outcome,) = plan_many([ROOT / "Pulumi.dev.yaml"], ROOT, workers=1, overrides=overrides)
    assert outcome.exit_code == 2
    (line,) = outcome.errors
    assert line.startswith(expected), line
