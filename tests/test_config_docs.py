"""docs/config.md is generated from the models and stays current; every config field is described."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config.models import PlatformConfig
from infra.config.reference import iter_fields, keys_section

ROOT = Path(__file__).resolve().parent.parent


def test_config_doc_is_current() -> None:
    assert keys_section() in (ROOT / "docs" / "config.md").read_text(encoding="utf-8"), (
        "docs/config.md is stale: regenerate the key tables with `python -m infra config-docs`"
    )


FIELDS = list(iter_fields(PlatformConfig))


@pytest.mark.parametrize(("path", "field", "owner"), FIELDS, ids=[f[0] for f in FIELDS])
def test_every_config_field_has_a_one_line_description(path, field, owner) -> None:
    description = field.description or ""
    assert description.strip(), f"{owner.__name__}.{path} has no description="
    assert "\n" not in description, f"{path}: the description must be one line"


def test_the_reference_covers_nested_keys_and_per_cloud_defaults() -> None:
    section = keys_section()
    # nested models (list items, per-app maps) get their own rows
    assert "| `kafka.topics[].partitions` |" in section
    assert "| `apps.<name>.resources.cpuLimit` |" in section
    # a size that differs by cloud is shown per cloud, and a floor is shown next to its key
    row = next(line for line in section.splitlines() if line.startswith("| `cluster.nodeSize`"))
    assert "aws: m6i.xlarge; gcp: n2-standard-4; azure: Standard_D8s_v5" in row
    row = next(line for line in section.splitlines() if line.startswith("| `kafka.brokers`"))
    assert "prod ≥ 3" in row
