"""The cloud-neutral specs (components/specs.py) are built once from config, with every
environment difference taken from the profiles' traits, never from environment names in stacks/."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from infra.config.models import PlatformConfig
from stacks.specs import alarm_spec, kafka_spec, postgres_spec, redis_spec
from tests.test_config import build

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("dev", "staging", "prod")


def config_of(environment: str, overrides: dict[str, Any] | None = None) -> PlatformConfig:
    """An AWS stack of ``environment`` with prod's must-haves set (tests/test_config.py)."""
    return build(overrides or {}, **{"platform:environment": environment})


def environment_comparisons(path: Path) -> list[str]:
    """``file:line`` of every comparison involving ``.environment`` or an environment's name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if any(
            (isinstance(o, ast.Attribute) and o.attr == "environment")
            or (isinstance(o, ast.Constant) and o.value in ENVIRONMENTS)
            or (isinstance(o, ast.Name) and o.id == "environment")
            for o in operands
        ):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_stacks_compare_no_environment_names() -> None:
    found = [
        hit
        for path in sorted((ROOT / "stacks").glob("*.py"))
        for hit in environment_comparisons(path)
    ]
    assert found == [], (
        "environment differences belong in infra/config/profiles.py (EnvironmentTraits or the "
        f"profiles), not in the wiring: {found}"
    )


def test_the_environment_check_sees_a_comparison(tmp_path: Path) -> None:
    # the scan above must not pass for want of recognising the pattern it forbids
    probe = tmp_path / "probe.py"
    probe.write_text(
        'def f(config, environment):\n    return config.environment == "prod"\n'
        'def g(environment):\n    return environment != "dev"\n',
        encoding="utf-8",
    )
    assert environment_comparisons(probe) == ["probe.py:2", "probe.py:4"]


def test_prod_postgres_spec_is_protected_and_keeps_a_final_snapshot() -> None:
    spec = postgres_spec(config_of("prod"))
    assert spec.final_snapshot is True
    assert spec.deletion_protection is True  # the prod profile's postgres.deletionProtection
    assert spec.protect is True
    assert spec.geo_redundant_backup is True
    assert spec.dr_region == "eu-central-1"
    assert spec.backup_retention_days == 14
    assert spec.log_retention_days == 365  # the cluster's log retention in prod


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_non_prod_postgres_spec_is_disposable(environment: str) -> None:
    spec = postgres_spec(config_of(environment))
    assert (spec.final_snapshot, spec.deletion_protection, spec.protect) == (False, False, False)
    assert spec.geo_redundant_backup is False


def test_a_stack_override_reaches_the_spec_but_not_the_environment_traits() -> None:
    # staging asking for deletion protection gets it; the final snapshot stays prod's trait
    spec = postgres_spec(config_of("staging", {"postgres": {"deletionProtection": True}}))
    assert spec.deletion_protection is True
    assert spec.final_snapshot is False


def test_redis_deletion_protection_follows_protect() -> None:
    assert redis_spec(config_of("prod")).deletion_protection is True
    assert redis_spec(config_of("dev")).deletion_protection is False


def test_kafka_spec_keeps_prod_durability() -> None:
    spec = kafka_spec(config_of("prod"))
    assert (spec.replication_factor, spec.min_insync_replicas) == (3, 2)
    assert spec.protect is True
    assert {t.name: t.retention_hours for t in spec.topics} == {"events": 168, "events-dlq": 336}


def test_alarms_exist_only_where_the_profile_enables_them() -> None:
    assert alarm_spec(config_of("dev")) is None
    prod = alarm_spec(config_of("prod"))
    assert prod is not None
    assert (prod.cpu_percent, prod.evaluation_minutes) == (80, 5)
    assert prod.notification_emails == ["oncall@example.com"]


def test_traits_differ_where_prod_must_be_safe() -> None:
    dev, staging, prod = (config_of(e).traits for e in ENVIRONMENTS)
    assert prod.protect and prod.final_snapshot and prod.strict_zone_spread
    assert not (dev.protect or dev.final_snapshot or staging.final_snapshot)
    # staging has prod's shape (zones) at smaller sizes; dev is zonal
    assert staging.multi_zone and prod.multi_zone and not dev.multi_zone


def _dataclass_fields(path: Path) -> dict[str, dict[str, str]]:
    """Class -> {field: annotation source} for every class with annotated fields in ``path``."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            found[node.name] = {
                item.target.id: ast.unparse(item.annotation)
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    return found


def spec_takers() -> dict[str, tuple[str, list[str]]]:
    """``file:Args`` -> (the spec it takes, its fields that repeat one of that spec's fields)."""
    specs = _dataclass_fields(ROOT / "components" / "specs.py")
    takers = {}
    for path in sorted((ROOT / "components").rglob("*.py")):
        for cls, fields in _dataclass_fields(path).items():
            spec = fields.get("spec")
            if cls.endswith("Args") and spec in specs:
                repeated = sorted(f for f in fields if f != "spec" and f in specs[spec])
                takers[f"{path.relative_to(ROOT)}:{cls}"] = (spec, repeated)
    return takers


def test_every_engine_takes_its_spec_without_a_parallel_argument_list() -> None:
    """Managed or in-cluster, a data service's component takes the spec and no field of its
    own under a spec field's name: a new cloud-neutral input is one spec field, read by all."""
    takers = spec_takers()
    assert {(k.rpartition(":")[2], spec) for k, (spec, _) in takers.items()} >= {
        ("AwsPostgresArgs", "PostgresSpec"), ("GcpPostgresArgs", "PostgresSpec"),
        ("AzurePostgresArgs", "PostgresSpec"), ("CnpgPostgresArgs", "PostgresSpec"),
        ("AwsKafkaArgs", "KafkaSpec"), ("StrimziKafkaArgs", "KafkaSpec"),
        ("AwsRedisArgs", "RedisSpec"), ("ValkeyArgs", "RedisSpec"),
    }  # fmt: skip
    assert {k: repeated for k, (_, repeated) in takers.items() if repeated} == {}


def test_the_parallel_argument_check_sees_a_repeated_field(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("class XArgs:\n    spec: KafkaSpec\n    version: str\n", encoding="utf-8")
    fields = _dataclass_fields(probe)["XArgs"]
    kafka = _dataclass_fields(ROOT / "components" / "specs.py")["KafkaSpec"]
    assert sorted(f for f in fields if f != "spec" and f in kafka) == ["version"]


def test_topics_are_mapped_from_config_in_one_place() -> None:
    """``TopicSpec(...)`` is built in stacks/specs.py only (local's Strimzi reads KafkaSpec)."""
    builders = [
        path.name
        for path in sorted((ROOT / "stacks").glob("*.py"))
        if "TopicSpec(" in path.read_text(encoding="utf-8")
    ]
    assert builders == ["specs.py"]


def test_in_cluster_postgres_sizes_come_from_the_spec() -> None:
    spec = postgres_spec(config_of("prod", {"postgres": {"instances": 3, "podCpu": "2"}}))
    assert (spec.instances, spec.pod_cpu) == (3, "2")
    assert spec.synchronous_replicas == config_of("prod").postgres.synchronous_replicas
