"""Reads a bridged provider's Python SDK to learn the shape of each resource input.

A Pulumi input of a Terraform-bridged provider is either a plain value, a map (``tags``), or a
nested block, which Pulumi flattens to one object when Terraform allows at most one and which
Terraform's plan always writes as a list of objects. The SDK's ``*Args`` classes say which: each
property getter carries its Pulumi name (``_pulumi_name``) and a type annotation naming a
``Mapping`` or a nested ``*Args`` class. Reading them keeps the export honest: an input the SDK
does not declare is an error, not a guess.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

_ARGS_CLASS = re.compile(r"ForwardRef\('(\w+Args)'\)")


class SchemaError(Exception):
    """The SDK does not declare an input the plan holds, or a type the plan uses."""


@dataclass(frozen=True)
class Field:
    """One input property: its Python (snake_case) name and what kind of value it holds."""

    python_name: str
    kind: str  # "value", "map", "block" (one object) or "blocks" (a list of objects)
    block: type | None = None


def args_class(pulumi_type: str) -> type:
    """The SDK's resource ``*Args`` class of a type token such as ``aws:rds/instance:Instance``."""
    package, module_path, resource = pulumi_type.split(":")
    module = module_path.split("/")[0]
    python_package = "pulumi_" + package.replace("-", "_")
    name = python_package if module == "index" else f"{python_package}.{module}"
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise SchemaError(f"{pulumi_type}: no SDK module {name}") from exc
    # ``<Resource>InitArgs`` when an input type already took the name ``<Resource>Args``.
    for candidate in (f"{resource}InitArgs", f"{resource}Args"):
        if hasattr(module, candidate):
            return getattr(module, candidate)
    raise SchemaError(f"{pulumi_type}: no {resource}Args in {name}")


@cache
def fields(cls: type) -> dict[str, Field]:
    """The input properties of an ``*Args`` class, by Pulumi (camelCase) name."""
    module = importlib.import_module(cls.__module__)
    found: dict[str, Field] = {}
    for python_name, member in inspect.getmembers(cls, lambda m: isinstance(m, property)):
        getter = member.fget
        pulumi_name = getattr(getter, "_pulumi_name", None)
        if not pulumi_name:
            continue
        annotation = str(getter.__annotations__.get("return", ""))
        found[pulumi_name] = _field(python_name.rstrip("_"), annotation, module)
    return found


def _field(python_name: str, annotation: str, module: Any) -> Field:
    if annotation.startswith(("typing.Union[typing.Mapping", "typing.Mapping")) or (
        "Mapping[str" in annotation and "Args'" not in annotation
    ):
        return Field(python_name, "map")
    match = _ARGS_CLASS.search(annotation)
    if match is None:
        return Field(python_name, "value")
    block = getattr(module, match.group(1), None)
    if block is None:
        block = getattr(importlib.import_module(module.__name__.rsplit(".", 1)[0]), match.group(1))
    many = "Sequence[" in annotation.split(match.group(0))[0]
    return Field(python_name, "blocks" if many else "block", block)
