"""``python -m infra crd-schemas [--mirror DIR]``: regenerate the vendored CRD schemas.

Reads ``policies/rules/facts/schemas/sources.json`` (which operator release each pinned chart
installs, and where its CRD files live), takes every CustomResourceDefinition in those files
from git at the recorded ref, and writes one JSON Schema per served version to
``schemas/<group>/<kind>-<version>.json`` plus ``schemas/index.json`` (apiVersion/kind -> file
and provenance). A chart bump is then: edit the source's ``ref``/``version``/``chart``, run
this, review the diff.

``--mirror DIR`` reads bare repositories laid out as ``DIR/<owner>+<name>/repo``; without it
each source is fetched shallowly (``git fetch --depth 1``) from GitHub into a temporary
directory.

The conversion (``to_json_schema``) follows how the API server treats a structural schema:
unknown fields of an object that declares ``properties`` are **pruned silently** (the object
is stored without them and the request succeeds), so a misspelt key would never be reported
by the cluster. The JSON Schema therefore closes such objects (``additionalProperties:
false``) unless the CRD keeps unknown fields (``x-kubernetes-preserve-unknown-fields``) or
declares ``additionalProperties`` itself. ``x-kubernetes-int-or-string`` becomes
``type: [integer, string]``, ``nullable`` adds ``null``; descriptions and the other
``x-kubernetes-*`` annotations (list/map types, CEL ``x-kubernetes-validations``, which only
the API server evaluates) are dropped to keep the files small, and so is the schema of
``status`` (the operator writes it, this program never does).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from policies.rules.facts.crd_schemas import (
    INDEX_FILE,
    SCHEMAS_DIR,
    SOURCES_FILE,
    SUPPORTED,
    schema_path,
)

# Annotations with no JSON Schema meaning (or only a documentation one).
_DROPPED = frozenset(
    {
        "description",
        "example",
        "externalDocs",
        "nullable",
        "x-kubernetes-embedded-resource",
        "x-kubernetes-int-or-string",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-list-type",
        "x-kubernetes-map-type",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-validations",
    }
)
_JUNCTORS = ("allOf", "anyOf", "oneOf")


def to_json_schema(node: Mapping[str, Any], *, structural: bool = True) -> dict[str, Any]:
    """One ``openAPIV3Schema`` node as JSON Schema (draft 7).

    ``structural`` is False inside ``allOf``/``anyOf``/``oneOf``/``not``: there the CRD only
    adds value validations over fields declared outside, so nothing is closed there.
    """
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED:
            continue
        if key == "properties":
            out[key] = {k: to_json_schema(v, structural=structural) for k, v in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = to_json_schema(value, structural=structural)
        elif key in _JUNCTORS:
            out[key] = [to_json_schema(v, structural=False) for v in value]
        elif key == "not":
            out[key] = to_json_schema(value, structural=False)
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        structural
        and "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    unsupported = set(out) - SUPPORTED
    if unsupported:
        # the plan's validator implements SUPPORTED only: extend it before vendoring this
        raise ValueError(f"CRD schema keywords the validator does not know: {sorted(unsupported)}")
    return out


def crd_schemas(
    crd: Mapping[str, Any],
) -> Iterator[tuple[str, str, bool, str, dict[str, Any]]]:
    """(apiVersion, kind, deprecated, scope, JSON Schema) per served version of ``crd``."""
    spec = crd["spec"]
    for version in spec["versions"]:
        schema = version.get("schema", {}).get("openAPIV3Schema")
        if not version.get("served") or schema is None:
            continue
        api_version = f"{spec['group']}/{version['name']}"
        schema = dict(schema)
        if "status" in schema.get("properties", {}):
            # written by the operator, never by this program: kept open, not vendored
            schema["properties"] = {**schema["properties"], "status": {"type": "object"}}
        yield (
            api_version,
            spec["names"]["kind"],
            bool(version.get("deprecated")),
            spec["scope"],
            to_json_schema(schema),
        )


class _Git:
    """Reads files at a ref of a GitHub repository: from a local mirror or a shallow fetch."""

    def __init__(self, mirror: Path | None, scratch: Path) -> None:
        self._mirror, self._scratch = mirror, scratch

    def _git_dir(self, repo: str, ref: str) -> Path:
        if self._mirror is not None:
            return self._mirror / repo.replace("/", "+") / "repo"
        git_dir = self._scratch / repo.replace("/", "+") / ref
        if not git_dir.exists():
            subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
            subprocess.run(
                [
                    "git",
                    f"--git-dir={git_dir}",
                    "fetch",
                    "-q",
                    "--depth",
                    "1",
                    f"https://github.com/{repo}",
                    ref,
                ],
                check=True,
            )
        return git_dir

    def show(self, repo: str, ref: str, path: str) -> str:
        git_dir = self._git_dir(repo, ref)
        target = ref if self._mirror is not None else "FETCH_HEAD"
        return subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{target}:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


class _Loader(yaml.SafeLoader):
    """Safe loading, plus YAML 1.1's ``=`` "value" tag (a plain ``=`` in an enum) as a string."""


_Loader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_yaml_str)


def _dump(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def regenerate(mirror: Path | None) -> list[Path]:
    """Rewrite every vendored schema and the index; returns the files written."""
    sources = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]
    index: dict[str, dict[str, Any]] = {}
    written: list[Path] = []
    for old in SCHEMAS_DIR.glob("*/*.json"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        git = _Git(mirror, Path(scratch))
        for source in sources:
            for path in source["paths"]:
                text = git.show(source["repo"], source["ref"], path)
                for crd in yaml.load_all(text, Loader=_Loader):
                    if not crd or crd.get("kind") != "CustomResourceDefinition":
                        continue
                    for api_version, kind, deprecated, scope, schema in crd_schemas(crd):
                        origin = (
                            f"{source['operator']} {source['version']} "
                            f"({source['chart']['name']} chart {source['chart']['version']}): "
                            f"github.com/{source['repo']} {source['ref']} {path}"
                        )
                        target = schema_path(api_version, kind)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_text(_dump({"$comment": origin, **schema}), encoding="utf-8")
                        written.append(target)
                        index[f"{api_version} {kind}"] = {
                            "file": str(target.relative_to(SCHEMAS_DIR)),
                            "scope": scope,
                            "deprecated": deprecated,
                            "operator": f"{source['operator']} {source['version']}",
                            "chart": f"{source['chart']['name']} {source['chart']['version']}",
                            "repo": source["repo"],
                            "ref": source["ref"],
                            "path": path,
                        }
    INDEX_FILE.write_text(_dump(dict(sorted(index.items()))), encoding="utf-8")
    return [*written, INDEX_FILE]


def main(argv: list[str]) -> int:
    mirror: Path | None = None
    if argv[:1] == ["--mirror"] and len(argv) == 2:
        mirror = Path(argv[1])
    elif argv:
        print("usage: python -m infra crd-schemas [--mirror DIR]", file=sys.stderr)
        return 2
    try:
        written = regenerate(mirror)
    except subprocess.CalledProcessError as exc:
        print(
            f"crd-schemas: {' '.join(exc.cmd)} failed: {exc.stderr or ''}".strip(), file=sys.stderr
        )
        return 2
    print(f"wrote {len(written)} files under {SCHEMAS_DIR}")
    return 0
