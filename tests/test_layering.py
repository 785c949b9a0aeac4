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


MAX_LINES = 400


def module_sizes() -> dict[str, int]:
    """Lines of every program module (infra/, components/, stacks/, policies/)."""
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in ("infra", "components", "stacks", "policies")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "venv" not in path.relative_to(ROOT).parts
    }


def test_no_program_module_is_over_400_lines() -> None:
    sizes = module_sizes()
    assert len(sizes) > 200 and "infra/config/models.py" in sizes  # the walk sees the program
    over = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert over == {}


def _exports(path: Path) -> list[str]:
    """The functions of ``path`` that call ``pulumi.export`` (``<module>`` at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "pulumi"
        and any(alias.name == "export" for alias in node.names)
        for node in ast.walk(tree)
    )
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        for item in ast.iter_child_nodes(node):
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(item, item.name)
                continue
            if isinstance(item, ast.Call):
                func = item.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "export"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "pulumi"
                ) or (bare and isinstance(func, ast.Name) and func.id == "export"):
                    found.append(function)
            visit(item, function)

    visit(tree, "<module>")
    return found


def test_only_the_platform_exports_functions_export_stack_outputs() -> None:
    """Every stack output is exported by ``export_outputs`` or an ``export_*`` sibling in
    stacks/platform.py: one place to read what a stack outputs."""
    callers = {
        f"{path.relative_to(ROOT)}:{function}"
        for package in ("infra", "components", "stacks", "policies")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "venv" not in path.relative_to(ROOT).parts
        for function in _exports(path)
    }
    assert "stacks/platform.py:export_outputs" in callers  # the finder sees them
    others = {c for c in callers if not c.startswith(("stacks/platform.py:export_",
                                                      "stacks/platform.py:_export_"))}  # fmt: skip
    assert others == set()


def test_the_export_finder_sees_every_form(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import pulumi\nfrom pulumi import export\npulumi.export('a', 1)\n"
        "def f():\n    if True:\n        export('b', 2)\n"
    )
    assert _exports(module) == ["<module>", "f"]


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


PACKAGES = ("infra", "components", "stacks", "policies")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, counting imports inside functions and under
    ``TYPE_CHECKING`` too (a lazy import that dodges a circle is still a circle)."""
    files = {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "venv" not in path.relative_to(ROOT).parts
    }
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                while name and name not in files:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    targets.add(name)
        graph[module] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_circles() -> None:
    assert circles(import_graph()) == []


def test_the_circle_finder_sees_a_lazy_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [{"a", "b", "c"}]
    project = import_graph()
    # relative imports resolve (the policy pack's) and lazy ones count
    assert "policies.rules.base" in project["policies.rules.kubernetes"]
    assert "infra.plan.cli" in project["infra.diff.cli"]
