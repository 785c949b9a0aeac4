"""The git facts a diff needs: commits, trees, files at a ref, and whether the tree is dirty."""

from __future__ import annotations

import subprocess
from pathlib import Path


class DiffError(Exception):
    """The diff cannot be computed (bad ref, not a git checkout, unknown stack)."""


def git(args: list[str], cwd: Path) -> str:
    """``git args`` in ``cwd``; its stdout, or ``DiffError`` with git's own message."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout.strip()


def commit_of(root: Path, ref: str) -> str:
    return git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root) or _unknown(ref)


def _unknown(ref: str) -> str:
    raise DiffError(f"git ref {ref!r} does not name a commit")


def subdir(root: Path) -> str:
    """The project's directory inside the repository ('' at the top)."""
    return git(["rev-parse", "--show-prefix"], root).rstrip("/")


def stack_names_at(root: Path, commit: str) -> set[str]:
    """Stacks (``Pulumi.<name>.yaml``) in the project directory at ``commit``."""
    prefix = subdir(root)
    listing = git(["ls-tree", "--name-only", commit, f"{prefix}/" if prefix else "."], root)
    names = set()
    for path in listing.splitlines():
        file = path.rsplit("/", 1)[-1]
        if file.startswith("Pulumi.") and file.endswith(".yaml") and file != "Pulumi.yaml":
            names.add(file.removeprefix("Pulumi.").removesuffix(".yaml"))
    return names


def file_at(root: Path, commit: str, name: str) -> str | None:
    """The text of the project file ``name`` at ``commit`` (``None`` if absent)."""
    prefix = subdir(root)
    spec = f"{commit}:{prefix + '/' if prefix else ''}{name}"
    result = subprocess.run(
        ["git", "show", spec], cwd=root, capture_output=True, text=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def head_state(root: Path) -> tuple[str, bool]:
    """The working tree's commit and whether it has changes not committed (untracked included)."""
    commit = git(["rev-parse", "HEAD"], root)
    dirty = bool(git(["status", "--porcelain", "--", "."], root))
    return commit, dirty
