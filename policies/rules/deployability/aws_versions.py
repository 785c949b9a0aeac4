"""End of support of every AWS engine version the program can pin: one table, each with source.

A version past its date is refused for new resources (or lands in paid extended support): the
plan fails (``deploy-aws-engine-version``). Within ``WARNING_DAYS`` of it the plan warns
(``aws-version-support-ending``). Each message names the config key to change. A pinned
version missing from the table fails too: add it here with its source first.

RDS minor versions are also checked against cfn-lint's RDS data (``engine_version.json``:
versions RDS offers; ``engine_version_deprecated.json``: versions it no longer accepts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

WARNING_DAYS = 90

_EKS = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (via endoflife.date/amazon-eks)"
_RDS_MAJOR = "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html"
_RDS_MINOR_2026 = (
    "AWS Health notice 'RDS for PostgreSQL minor versions ... end of standard support on "
    "May 31, 2026' (no new instances from 2026-05-01)"
)
_MSK = "https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html"
_ELASTICACHE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html"


@dataclass(frozen=True)
class SupportWindow:
    """One version's end of standard support (None: AWS has announced none)."""

    service: str
    version: str
    end_of_support: date | None
    source: str


def _minors(major: int, first: int, last: int) -> list[str]:
    return [f"{major}.{minor}" for minor in range(first, last + 1)]


SUPPORT_WINDOWS: list[SupportWindow] = [
    SupportWindow("eks", "1.32", date(2026, 3, 23), _EKS),
    SupportWindow("eks", "1.33", date(2026, 7, 29), _EKS),
    SupportWindow("eks", "1.34", date(2026, 12, 2), _EKS),
    SupportWindow("eks", "1.35", date(2027, 3, 27), _EKS),
    # RDS for PostgreSQL majors: end of standard support.
    SupportWindow("postgres", "15", date(2028, 2, 29), _RDS_MAJOR),
    SupportWindow("postgres", "16", date(2029, 2, 28), _RDS_MAJOR),
    SupportWindow("postgres", "17", date(2030, 2, 28), _RDS_MAJOR),
    # RDS for PostgreSQL minors retired together on 2026-05-31.
    *(
        SupportWindow("postgres", version, date(2026, 5, 31), _RDS_MINOR_2026)
        for version in [*_minors(15, 9, 12), *_minors(16, 5, 8), *_minors(17, 1, 4)]
    ),
    SupportWindow("kafka", "3.5.1", date(2025, 10, 23), _MSK),
    SupportWindow("kafka", "3.6.0", date(2026, 6, 1), _MSK),
    SupportWindow("kafka", "3.7.x", None, _MSK),
    SupportWindow("kafka", "3.8.x", None, _MSK + " (marked Recommended)"),
    SupportWindow("kafka", "3.9.x", None, _MSK),
    SupportWindow("kafka", "4.0.x", None, _MSK),
    SupportWindow("redis", "7.1", None, _ELASTICACHE),
    SupportWindow("redis", "7.0", None, _ELASTICACHE),
    SupportWindow("redis", "6.2", None, _ELASTICACHE),
]

CONFIG_KEYS = {
    "eks": "platform:cluster.kubernetesVersion",
    "postgres": "platform:postgres.version (minor pinned in components/aws/rds.py)",
    "kafka": "platform:kafka.version",
    "redis": "platform:redis.version",
}


def windows_for(service: str, version: str) -> list[SupportWindow]:
    """Entries that apply to ``version``: its own, and for Postgres its major's."""
    candidates = {version}
    if service == "postgres":
        candidates.add(version.split(".", 1)[0])
    return [w for w in SUPPORT_WINDOWS if w.service == service and w.version in candidates]


@dataclass(frozen=True)
class Verdict:
    """What the table says about one version on one day."""

    status: str  # "ok", "ending" (within WARNING_DAYS), "ended" or "unknown"
    message: str


def verdict(service: str, version: str, today: date) -> Verdict:
    """Whether ``version`` of ``service`` is supported on ``today``, and what to change."""
    key = CONFIG_KEYS[service]
    if service == "postgres":
        rds = _rds_postgres_problem(version)
        if rds:
            return Verdict("ended", f"{rds}; change {key}")
    windows = windows_for(service, version)
    if not windows:
        return Verdict(
            "unknown",
            f"{service} {version} is not in the version table "
            f"(policies/rules/deployability/aws_versions.py); add it with its source, or change {key}",
        )
    dated = [w for w in windows if w.end_of_support is not None]
    if not dated:
        return Verdict("ok", f"{service} {version}: no end of support announced")
    first = min(dated, key=lambda w: w.end_of_support or date.max)
    end = first.end_of_support or date.max
    if end <= today:
        return Verdict(
            "ended",
            f"{service} {version} reached end of standard support on {end} ({first.source}); "
            f"change {key}",
        )
    if (end - today).days <= WARNING_DAYS:
        return Verdict(
            "ending",
            f"{service} {version} reaches end of standard support on {end} "
            f"({(end - today).days} days; {first.source}); plan the upgrade of {key}",
        )
    return Verdict("ok", f"{service} {version} supported until {end}")


@cache
def _rds_data(name: str) -> dict[str, Any]:
    # Found without importing cfn-lint, which costs seconds (sympy, samtranslator).
    from ..facts.cfn import schemas_dir

    path = schemas_dir() / "extensions" / "aws_rds_dbinstance" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def rds_postgres_versions(name: str) -> frozenset[str]:
    """Postgres engine versions in cfn-lint's RDS data file ``name`` (offered / deprecated)."""
    for branch in _rds_data(name).get("allOf", []):
        condition = branch.get("if", {}).get("properties", {})
        if condition.get("Engine", {}).get("const") != "postgres":
            continue
        listed = condition.get("EngineVersion", {}).get("enum") or (
            branch.get("then", {}).get("properties", {}).get("EngineVersion", {}).get("enum")
        )
        return frozenset(str(v) for v in listed or [])
    return frozenset()


def _rds_postgres_problem(version: str) -> str | None:
    if version in rds_postgres_versions("engine_version_deprecated"):
        return f"RDS deprecated PostgreSQL {version} (cfn-lint RDS data)"
    offered = rds_postgres_versions("engine_version")
    if offered and version not in offered:
        return f"RDS does not offer PostgreSQL {version} (cfn-lint RDS data)"
    return None
