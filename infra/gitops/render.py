"""The apps' manifests for Argo CD, rendered by the same code that Pulumi delivers them with.

A stack with ``platform:delivery: argocd`` is planned offline as if it said ``pulumi``: the
program's ``Workload`` components then declare every object of every app, exactly as
``pulumi up`` would create them. The objects under those components, except the ones Pulumi
keeps under either delivery (``PULUMI_OWNED_KINDS``: the ServiceAccount, which carries the
cloud identity), are written to ``<argocd.path>/<stack>/<app>/<kind>-<name>.yaml``, plus what
only Argo CD needs:

- ``app.kubernetes.io/managed-by: argocd`` instead of ``pulumi``;
- sync waves: the NetworkPolicies first (-2; the namespace denies everything else), then the
  migrations Job (-1; Argo CD waits until it has completed, its health, before the next wave),
  then the rest (0: the pod controller, Services, routes, HPA, VPA, PDB, monitors).

Values the cloud assigns are not in these objects: the ServiceAccount (its role annotation)
stays with Pulumi, and the settings ConfigMap and credentials Secret the pods read are Pulumi's
(``AppSettings``), named by fixed names. The data services' ports in the NetworkPolicies are
the services' fixed ports (the offline plan answers them as the clouds do).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from infra.plan.render import kubernetes_objects

WORKLOAD_TYPE = "platform:kubernetes:Workload"
PULUMI_OWNED_KINDS = frozenset({"ServiceAccount"})
MANAGED_BY = "app.kubernetes.io/managed-by"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_WAVES = {"NetworkPolicy": "-2", "Job": "-1"}
AS_PULUMI = {"platform:delivery": "pulumi"}
HEADER = (
    "# Rendered by `python -m infra gitops render --stack {stack}` from the program's Workload\n"
    "# components (components/kubernetes/workload.py): do not edit, re-render\n"
    "# (tests/test_gitops.py fails while this file is stale). docs/delivery.md\n"
)


def urn_type(urn: str) -> str:
    """The resource type in a URN (the last of its type chain)."""
    return urn.split("::")[2].split("$")[-1]


def urn_name(urn: str) -> str:
    """The logical name in a URN."""
    return urn.split("::", 3)[3]


def is_gitops_stack(config: dict[str, str]) -> bool:
    """Whether a stack file's config says ``platform:delivery: argocd``."""
    return config.get("platform:delivery") == "argocd"


def package_path(config: dict[str, str]) -> str:
    """``platform:argocd.path`` (default ``deploy``): where the stacks' packages live."""
    raw = config.get("platform:argocd")
    section = json.loads(raw) if raw else {}
    path = section.get("path") if isinstance(section, dict) else None
    return path if isinstance(path, str) else "deploy"


def _argocd_labels(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("argocd" if k == MANAGED_BY and v == "pulumi" else _argocd_labels(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_argocd_labels(v) for v in value]
    return value


def for_argocd(manifest: dict[str, Any]) -> dict[str, Any]:
    """``manifest`` as Argo CD applies it: its label says so, and its sync wave."""
    out: dict[str, Any] = _argocd_labels(manifest)
    wave = SYNC_WAVES.get(out["kind"])
    if wave is not None:
        metadata = out["metadata"]
        metadata["annotations"] = {**(metadata.get("annotations") or {}), SYNC_WAVE: wave}
    return out


def app_objects(plan: dict[str, Any], prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Per app, the manifests Argo CD owns of a plan made with ``delivery: pulumi``
    (``prefix``: the stack's resource-name prefix, ``platform-<stack>-``)."""
    by_app: dict[str, list[dict[str, Any]]] = {}
    for resource in plan["resources"]:
        parent = resource.get("parent")
        if not parent or urn_type(parent) != WORKLOAD_TYPE:
            continue
        for manifest in kubernetes_objects([resource]):
            if manifest["kind"] in PULUMI_OWNED_KINDS:
                continue
            app = urn_name(parent).removeprefix(prefix)
            by_app.setdefault(app, []).append(for_argocd(manifest))
    return by_app


def file_name(manifest: dict[str, Any]) -> str:
    """``<kind>-<name>.yaml``, lower case."""
    return f"{manifest['kind'].lower()}-{manifest['metadata']['name']}.yaml"


def files(stack: str, by_app: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Relative path (``<app>/<file>``) -> content, one object per file."""
    out: dict[str, str] = {}
    for app, manifests in sorted(by_app.items()):
        for manifest in manifests:
            text = yaml.safe_dump(manifest, sort_keys=True, default_flow_style=False)
            out[f"{app}/{file_name(manifest)}"] = HEADER.format(stack=stack) + text
    return out


def write(directory: Path, rendered: dict[str, str]) -> list[Path]:
    """Replace ``directory`` (one stack's package) with ``rendered``; returns the files."""
    if directory.exists():
        for old in sorted(directory.rglob("*.yaml")):
            old.unlink()
    written = []
    for relative, text in sorted(rendered.items()):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for empty in sorted(directory.rglob("*"), reverse=True):
        if empty.is_dir() and not any(empty.iterdir()):
            empty.rmdir()
    return written


def read(directory: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every committed manifest of one stack's package, with its relative path."""
    for path in sorted(directory.rglob("*.yaml")):
        yield str(path.relative_to(directory)), yaml.safe_load(path.read_text(encoding="utf-8"))
