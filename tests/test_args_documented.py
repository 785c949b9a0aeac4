"""Every field of the Kubernetes layer's ``*Args`` classes carries a one-line ``#:`` description.

The cloud components' ``*Args`` are documented by their own areas; this covers
``components/kubernetes``. A field's description is the ``#:`` comment on the line above it
(the convention Sphinx and IDEs read as an attribute docstring).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted((ROOT / "components" / "kubernetes").glob("*.py"))


def args_fields(path: Path) -> list[tuple[str, str, str]]:
    """(class, field, the line above it) for every annotated field of every ``*Args`` class."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.ClassDef) and node.name.endswith("Args"):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    above = lines[item.lineno - 2].strip()
                    found.append((node.name, item.target.id, above))
    return found


FIELDS = [(p.name, *f) for p in MODULES for f in args_fields(p)]


def test_the_kubernetes_args_classes_are_found() -> None:
    assert {c for _, c, _, _ in FIELDS} >= {"AddonsArgs", "WorkloadArgs", "NamespaceArgs"}


@pytest.mark.parametrize(
    ("module", "cls", "name", "above"), FIELDS, ids=[f"{f[1]}.{f[2]}" for f in FIELDS]
)
def test_every_args_field_has_a_description(module: str, cls: str, name: str, above: str) -> None:
    assert above.startswith("#: ") and len(above) > 6, (
        f"components/kubernetes/{module}: {cls}.{name} needs a one-line `#: ...` description above it"
    )
