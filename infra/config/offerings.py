"""Whether the stack's region and instance classes exist: facts from maintained data.

The instance-family rules (``cloud_rules``) check a value's shape; these check that the value
exists, each against the list named in the message (and in docs/config.md, "What is checked
against maintained data"):

- AWS: the region, the EKS node type, the RDS class (PostgreSQL) and the ElastiCache node type
  in that region, from cfn-lint's bundled per-region data; MSK broker sizes from a dated table
  (``policies/rules/facts/aws_offerings.py``).
- GCP: the region, the machine family of the node type and the Cloud SQL tier's form (dated
  tables), the Memorystore node type (pulumi-gcp's own documentation of the field)
  (``policies/rules/facts/gcp_offerings.py``).
- Azure: the location (a dated table, ``policies/rules/facts/azure_regions.py``); VM and
  Flexible Server sizes are checked by shape only (no maintained list ships offline; the
  weekly workflow asks Azure, docs/config.md says why).

Whether a class runs the pinned engine version in the region is the cloud's answer at preview
(``rds.get_orderable_db_instance``, ``sql.get_tiers``), not a config rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from infra.config.common import did_you_mean
from infra.registry import per_cloud
from policies.rules.facts import aws_offerings, azure_regions, gcp_offerings

if TYPE_CHECKING:
    from infra.config.platform import PlatformFields


def _unknown(key: str, value: str, what: str, known: Collection[str], source: str) -> str:
    hint = did_you_mean(value, sorted(known))
    return f"{key}: {value!r} is not {what}{hint} (per {source})"


def offering_problems(config: PlatformFields) -> list[str]:
    """What the stack names that its cloud does not have (one line per key; an unknown region
    is the one line, since nothing else can be checked in it)."""
    check = OFFERINGS.get(config.cloud)
    return check(config) if check else []


def _aws_problems(config: PlatformFields) -> list[str]:
    region = config.region
    regions = aws_offerings.regions()
    if region not in regions:
        source = aws_offerings.source(aws_offerings.EC2_TYPES)
        return [_unknown("aws:region", region, "an AWS region", regions, source)]
    problems = []
    where = f"offered in {region}"
    checks = [
        ("cluster.nodeSize", config.cluster.node_size, "an EC2 instance type " + where,
         aws_offerings.ec2_instance_types(region), aws_offerings.source(aws_offerings.EC2_TYPES)),
        ("redis.nodeSize", config.redis.node_size, "an ElastiCache node type " + where,
         aws_offerings.cache_node_types(region),
         aws_offerings.source(aws_offerings.CACHE_NODE_TYPES)),
        ("kafka.brokerSize", config.kafka.broker_size, "an MSK standard broker size",
         aws_offerings.MSK_BROKER_SIZES, aws_offerings.MSK_BROKER_SIZES_SOURCE),
    ]  # fmt: skip
    if config.postgres.engine == "managed":
        checks.append(
            ("postgres.instanceSize", config.postgres.instance_size,
             "an RDS for PostgreSQL class " + where, aws_offerings.rds_classes(region),
             aws_offerings.source(aws_offerings.RDS_CLASSES))
        )  # fmt: skip
    for key, value, what, known, source in checks:
        if value not in known:
            problems.append(_unknown(key, value, what, known, source))
    return problems


_CUSTOM_TIER_FORM = re.compile(r"db-custom-\d+-\d+")


def _gcp_problems(config: PlatformFields) -> list[str]:
    region = config.region
    if region not in gcp_offerings.REGIONS:
        return [_unknown("gcp:region", region, "a GCP region", gcp_offerings.REGIONS,
                         gcp_offerings.REGIONS_SOURCE)]  # fmt: skip
    problems = []
    family = config.cluster.node_size.split("-", 1)[0]
    if family not in gcp_offerings.MACHINE_FAMILIES:
        problems.append(
            _unknown("cluster.nodeSize", config.cluster.node_size,
                     f"a Compute Engine machine type (no machine family {family!r})",
                     [f"{f}-standard-4" for f in gcp_offerings.MACHINE_FAMILIES],
                     gcp_offerings.MACHINE_FAMILIES_SOURCE)
        )  # fmt: skip
    tier = config.postgres.instance_size
    managed = config.postgres.engine == "managed"
    if (
        managed
        and tier not in gcp_offerings.CLOUD_SQL_TIERS
        and not _CUSTOM_TIER_FORM.fullmatch(tier)
    ):
        problems.append(
            _unknown("postgres.instanceSize", tier,
                     "a Cloud SQL tier (db-custom-<vCPUs>-<MiB> or a shared-core tier)",
                     gcp_offerings.CLOUD_SQL_TIERS, gcp_offerings.CLOUD_SQL_TIERS_SOURCE)
        )  # fmt: skip
    node_types = gcp_offerings.memorystore_node_types()
    if config.redis.node_size not in node_types:
        problems.append(
            _unknown("redis.nodeSize", config.redis.node_size,
                     "a Memorystore for Redis Cluster node type", node_types,
                     "pulumi-gcp redis.Cluster node_type")
        )  # fmt: skip
    return problems


def _azure_problems(config: PlatformFields) -> list[str]:
    if config.region in azure_regions.REGIONS:
        return []
    return [_unknown("azure-native:location", config.region, "an Azure region",
                     azure_regions.REGIONS, azure_regions.REGIONS_SOURCE)]  # fmt: skip


#: the clouds whose regions and classes are checked against maintained data (the others: by
#: the cloud at preview)
OFFERINGS: dict[str, Callable[[PlatformFields], list[str]]] = per_cloud(
    "infra.config.offerings.OFFERINGS",
    {"aws": _aws_problems, "gcp": _gcp_problems, "azure": _azure_problems},
    coverage="some",
)
