"""What AWS offers per region: regions, EC2/RDS/ElastiCache classes, MSK broker sizes.

The lists are cfn-lint's bundled per-region data (``cfnlint/data/schemas/extensions``: the
``instancetype_enum``, ``dbinstanceclass_enum`` and ``cachenodetype_enum`` files, "automatically
updated using aws api" at each cfn-lint release), read as files like ``facts.cfn`` does: the
pinned cfn-lint (``uv.lock``) is the date of the snapshot, and bumping it refreshes them. The
RDS orderable data (``db_instance_class.json``: which classes each engine version runs on) is
what the offline plan's ``rds.get_orderable_db_instance`` mock answers from. cfn-lint has no
MSK data: MSK's broker sizes are the table below, with its source and the day it was read.
Pure (no Pulumi import) so config validation and the policy pack can import it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import version
from typing import Any

from .cfn import extension

# Standard broker sizes MSK provisions (express.* brokers are a different cluster type).
MSK_BROKER_SIZES = (
    "kafka.t3.small",
    *(f"kafka.m5.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
                                "16xlarge", "24xlarge")),
    *(f"kafka.m7g.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
                                 "16xlarge")),
)  # fmt: skip
MSK_BROKER_SIZES_SOURCE = (
    "https://docs.aws.amazon.com/msk/latest/developerguide/broker-instance-sizes.html "
    "(Standard broker sizes; read 2026-12-02)"
)
_DATA = "cfnlint/data/schemas/extensions"


def cfn_lint_version() -> str:
    """The installed cfn-lint: the date stamp of every list read here."""
    return version("cfn-lint")


def source(name: str) -> str:
    """Where a list comes from, as a message names it."""
    return f"cfn-lint {cfn_lint_version()} {_DATA}/{name}"


EC2_TYPES = "aws_ec2_instance/instancetype_enum.json"
CACHE_NODE_TYPES = "aws_elasticache_cachecluster/cachenodetype_enum.json"
RDS_CLASSES = "aws_rds_dbinstance/dbinstanceclass_enum.json"
RDS_ORDERABLE = "aws_rds_dbinstance/db_instance_class.json"


@cache
def regions() -> tuple[str, ...]:
    """Every region cfn-lint has per-region data for (commercial, China, GovCloud)."""
    return tuple(sorted(k for k in extension(EC2_TYPES) if re.fullmatch(r"[a-z]+(-[a-z]+)+-\d", k)))


def ec2_instance_types(region: str) -> frozenset[str]:
    """EC2 instance types offered in ``region`` (empty: unknown region)."""
    return frozenset(extension(EC2_TYPES).get(region, {}).get("enum", ()))


def cache_node_types(region: str) -> frozenset[str]:
    """ElastiCache node types offered in ``region``."""
    return frozenset(extension(CACHE_NODE_TYPES).get(region, {}).get("enum", ()))


def _then_enum(rule: dict[str, Any]) -> list[str]:
    return rule["then"]["properties"]["DBInstanceClass"]["enum"]


@cache
def rds_classes(region: str, engine: str = "postgres") -> frozenset[str]:
    """DB instance classes of ``engine`` offered in ``region`` (any engine version)."""
    for rule in extension(RDS_CLASSES).get(region, {}).get("allOf", []):
        wanted = rule["if"]["properties"]
        # the rule for the engine without a license model (``LicenseModel: false``)
        licensed = isinstance(wanted.get("LicenseModel"), dict)
        if wanted.get("Engine", {}).get("const") == engine and not licensed:
            return frozenset(_then_enum(rule))
    return frozenset()


@cache
def rds_orderable(engine_version: str, engine: str = "postgres") -> frozenset[str]:
    """DB instance classes ``engine`` at ``engine_version`` (``16.13``) is orderable on, in
    any region (empty: cfn-lint does not know the version)."""
    for rule in extension(RDS_ORDERABLE)["allOf"]:
        wanted = rule["if"]["properties"]
        if wanted["Engine"].get("const") != engine:
            continue
        if re.fullmatch(wanted["EngineVersion"]["pattern"].strip("^$"), engine_version):
            return frozenset(_then_enum(rule))
    return frozenset()


def orderable(region: str, engine_version: str, engine: str = "postgres") -> list[str]:
    """Classes ``engine`` ``engine_version`` can be ordered on in ``region``, sorted."""
    return sorted(rds_classes(region, engine) & rds_orderable(engine_version, engine))
