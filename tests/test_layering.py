"""The ground (``infra/``) never imports ``stacks/``; infra/config stays in small modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_infra_never_imports_stacks() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "stacks"
        )
        for path in sorted((ROOT / "infra").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_config_module_is_over_400_lines() -> None:
    sizes = {
        p.name: len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "infra" / "config").glob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_stacks_profiles_still_re_exports_the_profiles() -> None:
    from infra.config import profiles
    from stacks import profiles as old

    assert old.profile is profiles.profile and old.deep_merge is profiles.deep_merge


def test_every_args_and_spec_dataclass_is_keyword_only() -> None:
    """``*Args``/``*Spec`` dataclasses take keywords only: two adjacent fields of one type
    (two OIDC values, two names) cannot be swapped by position without a type error."""
    offenders = []
    for folder in ("components", "stacks", "infra", "policies"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ClassDef) or not node.name.endswith(("Args", "Spec")):
                    continue
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if getattr(target, "id", None) != "dataclass":
                        continue
                    keywords = decorator.keywords if isinstance(decorator, ast.Call) else []
                    if not any(k.arg == "kw_only" for k in keywords):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert offenders == []
