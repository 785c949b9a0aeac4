"""Reads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` the way the Pulumi CLI does, without it.

The result is the flat config map the language host would hand the program: namespaced keys,
strings for scalars, JSON for objects and lists. ``secure:`` values cannot be decrypted here,
so they become a fixed placeholder and their keys are marked secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "offline-plan-secret-placeholder"


class StackFileError(Exception):
    """A stack or project file cannot be read (missing, not YAML, wrong shape)."""


@dataclass(frozen=True)
class StackFile:
    """One stack's config as the program will see it."""

    project: str
    stack: str
    path: Path
    config: dict[str, str]
    secret_keys: list[str] = field(default_factory=list)


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``Pulumi.yaml``."""
    for directory in (start, *start.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    raise StackFileError(f"no Pulumi.yaml found at or above {start}")


def stack_name_from_path(path: Path) -> str:
    """``Pulumi.prod-gcp.yaml`` -> ``prod-gcp``."""
    name = path.name
    if not (name.startswith("Pulumi.") and name.endswith((".yaml", ".yml"))):
        raise StackFileError(f"{path}: stack files are named Pulumi.<stack>.yaml")
    return name.removeprefix("Pulumi.").rsplit(".", 1)[0]


def list_stack_files(root: Path) -> list[Path]:
    """Every ``Pulumi.<stack>.yaml`` beside ``Pulumi.yaml``, sorted."""
    return sorted(p for p in root.glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml")


def yaml_problem(name: str, error: yaml.YAMLError) -> str:
    """One line: ``file:line:column: not valid YAML: what`` (PyYAML's dump spans several lines
    and quotes the absolute path)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    detail = f"{what} ({context})" if context and context not in what else what
    return f"{where}: not valid YAML: {' '.join(detail.split())}"


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackFileError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise StackFileError(yaml_problem(path.name, exc)) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path}: expected a mapping at the top level")
    return document


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _namespaced(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _project_defaults(document: dict[str, Any], project: str) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for key, spec in (document.get("config") or {}).items():
        if key.startswith("pulumi:"):
            continue
        if isinstance(spec, dict) and ("value" in spec or "default" in spec):
            value = spec.get("value", spec.get("default"))
            if value is not None:
                defaults[_namespaced(key, project)] = value
        elif not isinstance(spec, dict):
            defaults[_namespaced(key, project)] = spec
    return defaults


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace every ``{secure: ...}`` (top level or nested) by the placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        stripped = {}
        for key, item in value.items():
            stripped[key], nested = _strip_secure(item)
            found = found or nested
        return stripped, found
    if isinstance(value, list):
        pairs = [_strip_secure(item) for item in value]
        return [item for item, _ in pairs], any(nested for _, nested in pairs)
    return value, False


def read_stack_file(path: Path, project_root: Path | None = None) -> StackFile:
    """Read ``path`` (a ``Pulumi.<stack>.yaml``) with the project's defaults under it."""
    root = project_root or find_project_root(path.resolve().parent)
    project_doc = _load_yaml(root / "Pulumi.yaml")
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise StackFileError(f"{root / 'Pulumi.yaml'}: missing project name")
    stack_doc = _load_yaml(path)
    raw_config = stack_doc.get("config") or {}
    if not isinstance(raw_config, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping")

    values = _project_defaults(project_doc, project)
    secret_keys: list[str] = []
    for key, value in raw_config.items():
        full_key = _namespaced(str(key), project)
        values[full_key], is_secret = _strip_secure(value)
        if is_secret:
            secret_keys.append(full_key)
    return StackFile(
        project=project,
        stack=stack_name_from_path(path),
        path=path,
        config={key: _encode(value) for key, value in values.items()},
        secret_keys=sorted(secret_keys),
    )
