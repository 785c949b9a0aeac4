"""Plans of the base ref, made by that ref's own code in a temporary worktree, and cached.

A base plan depends only on the base commit's tree and on the environment that runs it (the
lock file of the installed environment, the Python version), so it is cached under
``.cache/offline-plans/<key>/`` with that key: a pull request's diff then plans only its head.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.diff.gitref import git, stack_names_at, subdir

CACHE_DIR = Path(".cache") / "offline-plans"


@dataclass
class BasePlans:
    """What the base produced: plans and error lines by stack, and the stacks it has."""

    commit: str
    stacks: set[str]
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    cached: bool = False


def cache_key(root: Path, commit: str) -> str:
    """Base tree + project directory + the planning environment's lock file + Python."""
    tree = git(["rev-parse", f"{commit}^{{tree}}"], root)
    lock = root / "uv.lock"
    lock_digest = hashlib.sha256(lock.read_bytes()).hexdigest() if lock.is_file() else "-"
    parts = [tree, subdir(root), lock_digest, sys.version]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _cache_read(directory: Path, names: set[str]) -> BasePlans | None:
    entries = {}
    for name in names:
        path = directory / f"{name}.json"
        if not path.is_file():
            return None
        entries[name] = json.loads(path.read_text(encoding="utf-8"))
    result = BasePlans(commit="", stacks=set(), cached=True)
    for name, entry in entries.items():
        if entry.get("plan") is not None:
            result.plans[name] = entry["plan"]
        if entry.get("errors"):
            result.errors[name] = entry["errors"]
    return result


def _cache_write(directory: Path, result: BasePlans, names: set[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        entry = {"plan": result.plans.get(name), "errors": result.errors.get(name, [])}
        (directory / f"{name}.json").write_text(json.dumps(entry), encoding="utf-8")


def _run_plan(
    root: Path, commit: str, names: set[str], all_stacks: bool
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Plan ``names`` at ``commit`` with that commit's code; plans and errors by stack."""
    with tempfile.TemporaryDirectory(prefix="platform-diff-") as scratch:
        tree = Path(scratch) / "base"
        git(["worktree", "add", "--detach", "--quiet", str(tree), commit], root)
        try:
            project = tree / subdir(root)
            out = Path(scratch) / "plans.json"
            target = ["--all"] if all_stacks else ["--stack", next(iter(names))]
            env = {**os.environ, "PYTHONPATH": str(project)}
            env.pop("PLATFORM_STACK_FILE", None)
            result = subprocess.run(
                [sys.executable, "-m", "infra", "plan", *target, "--json", str(out), "--quiet"],
                cwd=project, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)],
                cwd=root, capture_output=True, check=False,
            )  # fmt: skip
        document = json.loads(out.read_text()) if out.is_file() else None
    plans_list = document if isinstance(document, list) else [document] if document else []
    plans = {p["stack"]: p for p in plans_list if p}
    lines = [line.removeprefix("error: ") for line in result.stderr.splitlines()]
    errors: dict[str, list[str]] = {}
    for name in names - set(plans):
        own = [line for line in lines if f"Pulumi.{name}.yaml" in line]
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        errors[name] = own or [f"exit {result.returncode}: {tail[0]}"]
    return plans, errors


def plan_base(root: Path, commit: str, stack: str | None, use_cache: bool = True) -> BasePlans:
    """Plans of ``commit`` (every stack, or ``stack``), from the cache when it has them."""
    stacks = stack_names_at(root, commit)
    wanted = ({stack} & stacks) if stack else stacks
    if not wanted:
        return BasePlans(commit=commit, stacks=stacks)
    directory = root / CACHE_DIR / cache_key(root, commit)
    if use_cache and (cached := _cache_read(directory, wanted)) is not None:
        cached.commit, cached.stacks = commit, stacks
        return cached
    plans, errors = _run_plan(root, commit, wanted, all_stacks=stack is None)
    result = BasePlans(commit=commit, stacks=stacks, plans=plans, errors=errors)
    if use_cache:
        # a read-only checkout still diffs, just without the cache
        with contextlib.suppress(OSError):
            _cache_write(directory, result, wanted)
    return result
