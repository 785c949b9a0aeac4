"""RDS PostgreSQL minor versions against cfn-lint's RDS data: offered, or no longer accepted.

``engine_version.json`` lists the versions RDS offers, ``engine_version_deprecated.json`` those
it no longer accepts. End-of-support dates of every pinned version (EKS, RDS majors, MSK,
ElastiCache) are the version catalog's (``policies/rules/facts/catalog``), checked by
``deploy-version-support``.
"""

from __future__ import annotations

from typing import Any

CONFIG_KEY = "platform:postgres.version (minor: policies/rules/facts/catalog/postgres.toml [rds])"


def rds_problem(version: str) -> str | None:
    """Why RDS refuses PostgreSQL ``version`` (cfn-lint RDS data), with the key to change."""
    problem = _rds_postgres_problem(version)
    return f"{problem}; change {CONFIG_KEY}" if problem else None


def _rds_data(name: str) -> dict[str, Any]:
    # Read as a file: importing cfn-lint costs seconds (sympy, samtranslator).
    from ..facts.cfn import extension

    return extension(f"aws_rds_dbinstance/{name}.json")


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
