"""The vendored CRD schemas: find one per apiVersion/kind and validate a custom resource.

A ``CustomResource`` is an untyped dict to Pulumi and to the type checker, and the API server
prunes fields a structural schema does not declare without an error: a misspelt key in a
ServiceMonitor, a ClusterIssuer or a VPA is simply dropped on deploy. Every custom resource
the program renders is therefore checked against the JSON Schema of its CRD at the version
the pinned chart installs (``schemas/<group>/<kind>-<version>.json``, written by
``python -m infra crd-schemas`` from the sources in ``schemas/sources.json``; provenance per
schema in ``schemas/index.json``).

Schemas load lazily, only for the kinds a plan contains, and each is parsed once per process.
The validator is this module's own: the converted schemas use a small subset of JSON Schema
(``SUPPORTED``; the generator refuses any other keyword), and importing ``jsonschema`` would
cost the offline plan about 0.1 s. ``tests/test_crd_schemas.py`` checks it agrees with
``jsonschema``'s Draft 7 validator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

SCHEMAS_DIR = Path(__file__).parent / "schemas"
SOURCES_FILE = SCHEMAS_DIR / "sources.json"
INDEX_FILE = SCHEMAS_DIR / "index.json"

# The JSON Schema keywords the converted CRD schemas may use (``infra/crd_vendor.py`` checks).
SUPPORTED = frozenset(
    {
        "$comment", "type", "properties", "additionalProperties", "required", "items", "enum",
        "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
        "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not", "format", "default",
    }
)  # fmt: skip
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (
        not isinstance(v, bool)
        and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))
    ),
    "number": lambda v: not isinstance(v, bool) and isinstance(v, int | float),
}
Path_ = tuple[str | int, ...]
Error = tuple[Path_, Any, str]

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


# The SDK's Python-side components (v1 Chart, ConfigFile, ConfigGroup, Directory): not in its
# registry, since the engine never sees them as resources; their children have real types.
SDK_COMPONENTS = frozenset(
    {
        "kubernetes:helm.sh/v3:Chart",
        "kubernetes:yaml:ConfigFile",
        "kubernetes:yaml:ConfigGroup",
        "kubernetes:kustomize:Directory",
    }
)


def is_custom_resource_type(resource_type: str) -> bool:
    """True for ``kubernetes:<group>/<version>:<Kind>`` types the SDK does not declare."""
    return (
        resource_type.startswith("kubernetes:")
        and resource_type.count(":") == 2
        and resource_type not in SDK_COMPONENTS
        and resource_type not in sdk_types()
    )


@cache
def _schema(api_version: str, kind: str) -> dict[str, Any] | None:
    entry = index().get(f"{api_version} {kind}")
    if entry is None:
        return None
    return json.loads((SCHEMAS_DIR / entry["file"]).read_text(encoding="utf-8"))


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _valid(schema: dict[str, Any], value: Any) -> bool:
    return next(errors(schema, value), None) is None


def errors(schema: dict[str, Any], value: Any, path: Path_ = ()) -> Iterator[Error]:
    """(path, offending value, message) for each way ``value`` breaks ``schema`` (Draft 7
    semantics for the ``SUPPORTED`` keywords; messages worded as ``jsonschema``'s)."""
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](value) for t in allowed):
            yield path, value, f"{value!r} is not of type {', '.join(map(repr, allowed))}"
            return
    if "enum" in schema and value not in schema["enum"]:
        yield path, value, f"{value!r} is not one of {schema['enum']!r}"
    yield from _scalar_errors(schema, value, path)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield path, value, f"{value!r} should be non-empty"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield path, value, f"{value!r} is too long"
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(value):
                yield from errors(schema["items"], item, (*path, i))
    if isinstance(value, dict):
        yield from _object_errors(schema, value, path)
    yield from _junctor_errors(schema, value, path)


def _scalar_errors(schema: dict[str, Any], value: Any, path: Path_) -> Iterator[Error]:
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            yield path, value, f"{value!r} is too short"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield path, value, f"{value!r} is too long"
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            yield path, value, f"{value!r} does not match {schema['pattern']!r}"
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            yield path, value, f"{value!r} is less than the minimum of {schema['minimum']!r}"
        if "maximum" in schema and value > schema["maximum"]:
            yield path, value, f"{value!r} is greater than the maximum of {schema['maximum']!r}"


def _object_errors(schema: dict[str, Any], value: dict[str, Any], path: Path_) -> Iterator[Error]:
    if len(value) < schema.get("minProperties", 0):
        yield path, value, f"{value!r} should be non-empty"
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        yield path, value, f"{value!r} has too many properties"
    for key in schema.get("required", []):
        if key not in value:
            yield path, value, f"{key!r} is a required property"
    properties: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    unexpected = []
    for key, item in value.items():
        if key in properties:
            yield from errors(properties[key], item, (*path, key))
        elif extra is False:
            unexpected.append(key)
        elif isinstance(extra, dict):
            yield from errors(extra, item, (*path, key))
    if unexpected:
        names = ", ".join(map(repr, unexpected))
        verb = "was" if len(unexpected) == 1 else "were"
        yield path, value, f"Additional properties are not allowed ({names} {verb} unexpected)"


def _junctor_errors(schema: dict[str, Any], value: Any, path: Path_) -> Iterator[Error]:
    for branch in schema.get("allOf", []):
        yield from errors(branch, value, path)
    if "anyOf" in schema and not any(_valid(b, value) for b in schema["anyOf"]):
        yield path, value, f"{value!r} is not valid under any of the given schemas"
    if "oneOf" in schema:
        matching = sum(_valid(b, value) for b in schema["oneOf"])
        if matching == 0:
            yield path, value, f"{value!r} is not valid under any of the given schemas"
        elif matching > 1:
            yield path, value, f"{value!r} is valid under each of several given schemas"
    if "not" in schema and _valid(schema["not"], value):
        yield path, value, f"{value!r} should not be valid under {schema['not']!r}"


def _where(path: Path_) -> str:
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
    schema = _schema(api_version, kind)
    if schema is None:
        return [
            f"no vendored CRD schema for {api_version} {kind}: add its operator release to "
            "policies/rules/facts/schemas/sources.json and run `python -m infra crd-schemas`"
        ]
    return sorted(
        f"{_where(path)}: {message}"
        for path, value, message in errors(schema, document)
        if not unknown(value)
    )
