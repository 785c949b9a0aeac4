"""Set an app's image in a stack file, keeping its comments and layout (ruamel round trip).

The image is validated before anything is written: a reference with a tag or a digest, from
a registry (``host/path/name:tag`` or ``...@sha256:<64 hex>``), never ``latest``.
"""

from __future__ import annotations

import re
from pathlib import Path

from infra.gitops.errors import GitopsError

IMAGE = re.compile(
    r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$"
)


def set_image(path: Path, app: str, image: str) -> None:
    """``platform:apps.<app>.image = image`` in the stack file at ``path``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    if not IMAGE.fullmatch(image) or image.endswith(":latest"):
        raise GitopsError([
            f"--image {image!r}: a registry image with a tag or sha256 digest "
            "(e.g. registry.example.com/analytics/backend:1.8.3), never latest"
        ])  # fmt: skip
    if not path.is_file():
        raise GitopsError([f"{path.name}: no such stack file"])
    yaml = YAML()
    yaml.preserve_quotes = True
    document = yaml.load(path.read_text(encoding="utf-8"))
    config = document.setdefault("config", CommentedMap())
    apps = config.setdefault("platform:apps", CommentedMap())
    entry = apps.setdefault(app, CommentedMap())
    entry["image"] = image
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(document, stream)
