"""CloudFormation's ``createOnlyProperties`` from the schemas bundled with cfn-lint.

cfn-lint ships AWS's published resource provider schemas (one JSON file per type, indexed per
region by ``cfnlint/data/schemas/providers/<region>.py``). They are read as files: importing
cfn-lint's schema manager costs seconds, the two files a type needs cost milliseconds.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

_REGION_MODULE = "us_east_1"  # the superset region cfn-lint itself falls back to


@cache
def schemas_dir() -> Path:
    """cfn-lint's ``data/schemas`` directory, found without importing cfn-lint."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed: it is a runtime dependency of the diff")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@cache
def extension(name: str) -> dict[str, Any]:
    """One of cfn-lint's ``data/schemas/extensions`` files (``<type>/<file>.json``): the
    per-region enums and the RDS engine and class data."""
    return json.loads((schemas_dir() / "extensions" / name).read_text(encoding="utf-8"))


@cache
def _type_index() -> dict[str, str]:
    """CloudFormation type name -> schema file hash, from the region module's ``types``."""
    source = (schemas_dir() / "providers" / f"{_REGION_MODULE}.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "types":
            assert node.value is not None
            return ast.literal_eval(node.value)
    raise RuntimeError("cfn-lint's provider index has no 'types' table")


@cache
def resource_schema(cfn_type: str) -> dict[str, Any]:
    """The resource provider schema of ``cfn_type`` as cfn-lint ships it (empty: unknown type).

    The same document ``cfnlint.schema.PROVIDER_SCHEMA_MANAGER.get_resource_schema`` returns
    for us-east-1, read as a file.
    """
    schema_hash = _type_index().get(cfn_type)
    if schema_hash is None:
        return {}
    return json.loads((schemas_dir() / "resources" / f"{schema_hash}.json").read_text("utf-8"))


@cache
def create_only(cfn_type: str) -> tuple[tuple[str, ...], ...]:
    """The create-only properties of ``cfn_type`` as segment tuples (``("BrokerNodeGroupInfo",
    "ClientSubnets")``); empty when the type has none or cfn-lint does not know it."""
    pointers = resource_schema(cfn_type).get("createOnlyProperties") or []
    return tuple(
        tuple(p.removeprefix("/properties/").split("/"))
        for p in pointers
        if p.startswith("/properties/")
    )
