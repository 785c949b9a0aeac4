"""Every field of every component ``*Args`` class, and of the cloud-neutral specs, carries a
one-line ``#:`` description.

Covers ``components/kubernetes``, ``components/aws``, ``components/gcp``, ``components/azure``
and ``components/specs.py`` (the ``*Spec`` classes and the placement/target classes the args
are made of). A field's description is the ``#:`` comment on the line above it (the convention
Sphinx and IDEs read as an attribute docstring).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("kubernetes", "aws", "gcp", "azure")
MODULES = [
    *(path for area in AREAS for path in sorted((ROOT / "components" / area).rglob("*.py"))),
    ROOT / "components" / "specs.py",
]
# Besides ``*Args``: the classes ``*Args`` are built from (``*Spec`` only in components/specs.py:
# elsewhere the name is taken by typed Helm values).
DOCUMENTED = re.compile(r"(Args|Placement|Watched|Targets)$")
SPECS = ROOT / "components" / "specs.py"


def args_fields(path: Path) -> list[tuple[str, str, str]]:
    """(class, field, the line above it) for every annotated field of every ``*Args`` class."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.ClassDef) and (
            DOCUMENTED.search(node.name) or (path == SPECS and node.name.endswith("Spec"))
        ):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    above = lines[item.lineno - 2].strip()
                    found.append((node.name, item.target.id, above))
    return found


FIELDS = [(str(p.relative_to(ROOT)), *f) for p in MODULES for f in args_fields(p)]


def test_the_args_classes_are_found() -> None:
    assert {c for _, c, _, _ in FIELDS} >= {
        "AddonsArgs", "WorkloadArgs", "NamespaceArgs",
        "AwsPostgresArgs", "AwsClusterArgs", "GcpRedisArgs", "AzureKafkaArgs", "AzureClusterArgs",
        "PostgresSpec", "KafkaSpec", "RedisSpec", "AlarmSpec", "PrivatePlacement",
        "ServicePlacement", "AlarmTargets", "GcpWatched", "AzureWatched",
        "CnpgPostgresArgs", "CnpgBackupArgs", "StrimziKafkaArgs", "ValkeyArgs",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("module", "cls", "name", "above"), FIELDS, ids=[f"{f[1]}.{f[2]}" for f in FIELDS]
)
def test_every_args_field_has_a_description(module: str, cls: str, name: str, above: str) -> None:
    assert above.startswith("#: ") and len(above) > 6, (
        f"{module}: {cls}.{name} needs a one-line `#: ...` description above it"
    )
