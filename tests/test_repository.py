"""The repository stands alone: its code and docs cite only its own documents."""

from __future__ import annotations

import os
import re
from pathlib import Path

SKIPPED_DIRS = {".venv", ".bootstrap", ".git", "__pycache__", ".cache", ".pytest_cache"}
OUTSIDE_DESIGN_DOC = re.compile(r"DESIGN(\.md| §)")


def _project_files(root: Path) -> list[Path]:
    """Text files of the project, not descending into SKIPPED_DIRS (.venv alone is ~50k files)."""
    files = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS]
        files += [
            Path(directory, name)
            for name in names
            if Path(name).suffix in {".py", ".md", ".yaml", ".yml", ".json"}
        ]
    return files


def test_no_file_cites_a_design_document_outside_the_repository(root: Path) -> None:
    offenders = [
        str(path.relative_to(root))
        for path in _project_files(root)
        if path.name != "test_repository.py" and OUTSIDE_DESIGN_DOC.search(path.read_text())
    ]
    assert offenders == [], f"cite docs/architecture.md instead: {offenders}"


def test_architecture_doc_links_exist(root: Path) -> None:
    text = (root / "docs" / "architecture.md").read_text()
    for doc in re.findall(r"`(docs/[a-z-]+\.md)`", text):
        assert (root / doc).is_file(), doc


def test_the_project_files_exist_and_the_readme_links_them(root: Path) -> None:
    readme = (root / "README.md").read_text()
    for name in ("LICENSE", "CHANGELOG.md", "CONTRIBUTING.md", "docs/performance.md"):
        assert (root / name).is_file(), name
        assert f"]({name})" in readme, f"README.md does not link {name}"
    assert "Apache License" in (root / "LICENSE").read_text()
    assert "## [Unreleased]" in (root / "CHANGELOG.md").read_text()
    contributing = (root / "CONTRIBUTING.md").read_text()
    for section in ("## Set up", "## Test", "## Add a cloud", "## Release"):
        assert section in contributing, section
    for example in ("minimal", "dev-budget", "prod-dr"):
        assert f"(examples/Pulumi.{example}.yaml)" in readme
    architecture = (root / "docs" / "architecture.md").read_text()
    assert "```mermaid\nflowchart" in architecture
    # the benchmark history lives in docs/performance.md, not in what a new user reads first
    assert "Measured 24 Nov 2026" not in readme
    assert "Measured 24 Nov 2026" in (root / "docs" / "performance.md").read_text()
