"""Writes one stack's exports into a directory: the cloud's format plus rendered manifests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.export.arm import ArmTemplate, is_azure
from infra.export.k8s import write_manifests
from infra.export.outputs import mock_context
from infra.export.sdk import SchemaError
from infra.export.terraform_plan import TerraformPlan, is_bridged
from infra.plan.mocks import PlanMocks
from infra.plan.stackfile import StackFile

TERRAFORM_FILE = "tfplan.json"
ARM_FILE = "arm.json"
MANIFESTS_DIR = "k8s"


class ExportError(Exception):
    """The plan holds something the export formats cannot express (an unmapped type)."""


@dataclass(frozen=True)
class Exported:
    """What was written for one stack, with the counts a scan should find again."""

    files: list[Path]
    cloud_resources: int
    kubernetes_objects: int


def export_plan(plan: dict[str, Any], stack_file: StackFile, directory: Path) -> Exported:
    """Write ``plan``'s exports under ``directory``; raises ``ExportError`` for unmapped types."""
    directory.mkdir(parents=True, exist_ok=True)
    resources = plan["resources"]
    mocks = PlanMocks(mock_context(stack_file))
    files: list[Path] = []
    cloud = 0
    try:
        if any(is_bridged(r) for r in resources):
            terraform = TerraformPlan(resources, mocks)
            files.append(_write_json(directory / TERRAFORM_FILE, terraform.document()))
            cloud += terraform.resource_count
        if any(is_azure(r) for r in resources):
            template = ArmTemplate(resources, mocks)
            files.append(_write_json(directory / ARM_FILE, template.document()))
            cloud += template.resource_count
    except SchemaError as exc:
        raise ExportError(f"{stack_file.path.name}: {exc}") from exc
    objects = write_manifests(resources, directory / MANIFESTS_DIR)
    objects += _write_gitops_package(stack_file, directory / MANIFESTS_DIR)
    files.append(directory / MANIFESTS_DIR)
    return Exported(files=files, cloud_resources=cloud, kubernetes_objects=objects)


def _write_gitops_package(stack_file: StackFile, directory: Path) -> int:
    """A stack delivered by Argo CD: the apps it applies from the repository (not in the
    plan) are scanned too, as ``argocd-apps.yaml``; returns how many objects."""
    import yaml

    from infra.gitops.render import is_gitops_stack, package_path, read

    if not is_gitops_stack(stack_file.config):
        return 0
    package = stack_file.path.parent / package_path(stack_file.config) / stack_file.stack
    manifests = [manifest for _, manifest in read(package)]
    if manifests:
        (directory / "argocd-apps.yaml").write_text(
            yaml.safe_dump_all(manifests, sort_keys=True), encoding="utf-8"
        )
    return len(manifests)


def _write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
