"""Writes every Kubernetes object of a plan as YAML, one file per namespace.

Objects are rebuilt from the recorded inputs (the engine already uses the API's camelCase
field names). Secret ``data``/``stringData`` values are redacted: rendered files are for review
and schema validation, never a way to read a secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infra.plan.values import REDACTED

NOT_OBJECTS = ("pulumi:providers:kubernetes", "kubernetes:helm.sh/v3:Release")
_TOP_LEVEL_SKIP = {"metadata", "apiVersion", "kind"}


def kubernetes_objects(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Manifests of the plan's Kubernetes objects (Helm releases excluded), in plan order."""
    objects = []
    for resource in resources:
        kind_type = resource["type"]
        if not kind_type.startswith("kubernetes:") or kind_type in NOT_OBJECTS:
            continue
        inputs = resource["inputs"]
        if "apiVersion" not in inputs or "kind" not in inputs:
            continue
        manifest: dict[str, Any] = {
            "apiVersion": inputs["apiVersion"],
            "kind": inputs["kind"],
            "metadata": inputs.get("metadata") or {"name": resource["name"]},
        }
        for key, value in inputs.items():
            if key not in _TOP_LEVEL_SKIP:
                manifest[key] = value
        if manifest["kind"] == "Secret":
            for field in ("data", "stringData"):
                if isinstance(manifest.get(field), dict):
                    manifest[field] = dict.fromkeys(manifest[field], REDACTED)
        objects.append(manifest)
    return objects


def helm_releases(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Helm releases (chart, version, namespace, values) for review beside the objects."""
    return [r["inputs"] for r in resources if r["type"] == "kubernetes:helm.sh/v3:Release"]


def render(resources: list[dict[str, Any]], directory: Path) -> list[Path]:
    """Write ``<namespace>.yaml`` files (``_cluster.yaml`` for cluster-scoped objects)."""
    directory.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[dict[str, Any]]] = {}
    for manifest in kubernetes_objects(resources):
        namespace = manifest["metadata"].get("namespace") or "_cluster"
        by_file.setdefault(f"{namespace}.yaml", []).append(manifest)
    releases = helm_releases(resources)
    if releases:
        by_file["_helm-releases.yaml"] = releases
    written = []
    for filename, documents in sorted(by_file.items()):
        path = directory / filename
        path.write_text(yaml.safe_dump_all(documents, sort_keys=True), encoding="utf-8")
        written.append(path)
    return written
