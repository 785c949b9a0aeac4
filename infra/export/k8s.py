"""Writes a plan's Kubernetes objects as the manifests scanners read (one file per namespace).

The offline plan's renderer already rebuilds each object from its inputs and redacts Secrets;
the export reuses it so that what is scanned is exactly what ``--render`` shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.plan.render import kubernetes_objects, render


def write_manifests(resources: list[dict[str, Any]], directory: Path) -> int:
    """Render the objects under ``directory``; returns how many objects there are."""
    render(resources, directory)
    return len(kubernetes_objects(resources))
