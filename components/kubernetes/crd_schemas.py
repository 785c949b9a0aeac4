"""The vendored CRD schemas: find one per apiVersion/kind and validate a custom resource.

A ``CustomResource`` is an untyped dict to Pulumi and to the type checker, and the API server
prunes fields a structural schema does not declare without an error: a misspelt key in a
ServiceMonitor, a ClusterIssuer or a VPA is simply dropped on deploy. Every custom resource
the program renders is therefore checked against the JSON Schema of its CRD at the version
the pinned chart installs (``schemas/<group>/<kind>-<version>.json``, written by
``python -m infra crd-schemas`` from the sources in ``schemas/sources.json``; provenance per
schema in ``schemas/index.json``).

Schemas load lazily, only for the kinds a plan contains, and each validator is built once per
process. ``jsonschema`` itself is imported on first use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMAS_DIR = Path(__file__).parent / "schemas"
SOURCES_FILE = SCHEMAS_DIR / "sources.json"
INDEX_FILE = SCHEMAS_DIR / "index.json"

_REGISTRY = re.compile(r'resource_modules="""(.*?)"""', re.DOTALL)


def schema_path(api_version: str, kind: str) -> Path:
    """Where the schema of ``apiVersion``/``kind`` is vendored (``<group>/<kind>-<version>``)."""
    group, _, version = api_version.rpartition("/")
    return SCHEMAS_DIR / group / f"{kind.lower()}-{version}.json"


@cache
def index() -> dict[str, dict[str, Any]]:
    """``"<apiVersion> <Kind>"`` -> file, scope and provenance of every vendored schema."""
    return json.loads(INDEX_FILE.read_text(encoding="utf-8"))


@cache
def sdk_types() -> frozenset[str]:
    """Every resource type ``pulumi_kubernetes`` declares (built-in kinds, Helm, YAML), read
    from the SDK's own type registry without importing it. Any other ``kubernetes:`` type is a
    custom resource."""
    spec = find_spec("pulumi_kubernetes")
    assert spec is not None and spec.origin is not None, "pulumi_kubernetes is not installed"
    match = _REGISTRY.search(Path(spec.origin).read_text(encoding="utf-8"))
    assert match is not None, "pulumi_kubernetes/__init__.py has no resource_modules registry"
    return frozenset(t for module in json.loads(match.group(1)) for t in module["classes"])


def is_custom_resource_type(resource_type: str) -> bool:
    """True for ``kubernetes:<group>/<version>:<Kind>`` types the SDK does not declare."""
    return (
        resource_type.startswith("kubernetes:")
        and resource_type.count(":") == 2
        and resource_type not in sdk_types()
    )


@cache
def _validator(api_version: str, kind: str) -> Validator | None:
    entry = index().get(f"{api_version} {kind}")
    if entry is None:
        return None
    import jsonschema

    schema = json.loads((SCHEMAS_DIR / entry["file"]).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def _where(path: Any) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text or "(root)"


def problems(
    document: dict[str, Any], unknown: Callable[[Any], bool] = lambda _: False
) -> list[str]:
    """Why ``document`` (a custom resource's apiVersion/kind/metadata/spec) would not be
    stored as written: no vendored schema for its kind, or the schema's errors. Errors on a
    value ``unknown`` says is only known at deploy time are not reported."""
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return ["apiVersion and kind must be known strings"]
    validator = _validator(api_version, kind)
    if validator is None:
        return [
            f"no vendored CRD schema for {api_version} {kind}: add its operator release to "
            "components/kubernetes/schemas/sources.json and run `python -m infra crd-schemas`"
        ]
    return sorted(
        f"{_where(error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
        if not unknown(error.instance)
    )
