"""``python -m infra diff --base REF``: offline plans of a git ref and of the working tree,
compared per stack.

The base ref is checked out into a temporary ``git worktree`` and planned by its own code (a
subprocess running that tree's ``python -m infra plan``), so the diff shows what the change
does, not what today's code thinks of yesterday's config.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from infra.diff.compute import StackDiff, diff_plans
from infra.diff.markdown import render_markdown

EXIT_OK, EXIT_ERROR = 0, 2


class DiffError(Exception):
    """The diff cannot be computed (bad ref, not a git checkout, base cannot be planned)."""


def _git(args: list[str], cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout.strip()


def plan_ref(
    root: Path, ref: str, stack: str | None
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Plans of ``ref`` by stack name, and the error lines of stacks that failed to plan."""
    toplevel = Path(_git(["rev-parse", "--show-toplevel"], root))
    commit = _git(["rev-parse", "--verify", f"{ref}^{{commit}}"], root)
    with tempfile.TemporaryDirectory(prefix="platform-diff-") as scratch:
        tree = Path(scratch) / "base"
        _git(["worktree", "add", "--detach", "--quiet", str(tree), commit], root)
        try:
            project = tree / root.resolve().relative_to(toplevel.resolve())
            out = Path(scratch) / "plans.json"
            target = ["--stack", stack] if stack else ["--all"]
            env = {**os.environ, "PYTHONPATH": str(project)}
            env.pop("PLATFORM_STACK_FILE", None)
            result = subprocess.run(
                [sys.executable, "-m", "infra", "plan", *target, "--json", str(out), "--quiet"],
                cwd=project, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            if not out.is_file():
                if stack and not (project / f"Pulumi.{stack}.yaml").is_file():
                    return {}, []  # the stack is new in the working tree
                raise DiffError(
                    f"planning {ref} failed: {result.stderr.strip()[-2000:] or 'no output'}"
                )
            document = json.loads(out.read_text())
            plans = document if isinstance(document, list) else [document]
            return {p["stack"]: p for p in plans if p}, errors
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)],
                cwd=root,
                capture_output=True,
                check=False,
            )


def plan_working_tree(root: Path, stack: str | None) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Plans of the working tree by stack name, and error lines."""
    from infra.plan.cli import plan_many
    from infra.plan.stackfile import list_stack_files

    paths = [root / f"Pulumi.{stack}.yaml"] if stack else list_stack_files(root)
    paths = [p for p in paths if p.is_file()]
    if not paths:
        return {}, []
    outcomes = plan_many(paths, root)
    plans = {o.stack: o.plan for o in outcomes if o.plan is not None}
    return plans, [line for o in outcomes for line in o.errors]


def compute(root: Path, base_ref: str, stack: str | None) -> list[StackDiff]:
    """Per-stack diffs between ``base_ref`` and the working tree."""
    base, base_errors = plan_ref(root, base_ref, stack)
    head, head_errors = plan_working_tree(root, stack)
    names = sorted(set(base) | set(head) | ({stack} if stack else set()))
    diffs = []
    for name in names:
        if name not in head and any(f"Pulumi.{name}.yaml" in e for e in head_errors):
            failed = next(e for e in head_errors if f"Pulumi.{name}.yaml" in e)
            diffs.append(StackDiff(stack=name, error=failed.removeprefix("error: ")))
            continue
        if name not in base and any(f"Pulumi.{name}.yaml" in e for e in base_errors):
            diffs.append(diff_plans(name, None, head.get(name)))
            continue
        if name in base or name in head:
            diffs.append(diff_plans(name, base.get(name), head.get(name)))
    return diffs


def _print(console: Console, diffs: list[StackDiff]) -> None:
    for diff in diffs:
        if diff.error:
            console.print(f"[red]{escape(diff.stack)}: {escape(diff.error)}[/red]")
            continue
        console.rule(
            f"[bold]{escape(diff.stack)}[/bold]: +{len(diff.added)} ~{len(diff.changed)} "
            f"-{len(diff.removed)} ={diff.unchanged}"
        )
        for resource in diff.added:
            console.print(f"[green]+ {escape(resource['type'])} {escape(resource['name'])}[/green]")
        for resource in diff.removed:
            console.print(f"[red]- {escape(resource['type'])} {escape(resource['name'])}[/red]")
        for change in diff.changed:
            console.print(f"[yellow]~ {escape(change.type)} {escape(change.name)}[/yellow]")
            for prop in change.changes:
                console.print(
                    f"    {escape(prop.path)}: {escape(repr(prop.before))} → {escape(repr(prop.after))}"
                )
        for violation in diff.new_violations:
            console.print(
                f"[red]new {violation['level']} violation[/red] {escape(violation['policy'])}: {escape(violation['message'])}"
            )


def main(argv: list[str]) -> int:
    """Entry point of ``python -m infra diff``."""
    from infra.plan.stackfile import StackFileError, find_project_root

    parser = argparse.ArgumentParser(prog="python -m infra diff", description=__doc__)
    parser.add_argument(
        "--base", required=True, help="git ref to compare against (e.g. origin/main)"
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--stack", help="only this stack")
    target.add_argument("--all", action="store_true", help="every stack (the default)")
    parser.add_argument("--markdown", type=Path, metavar="OUT", help="write a PR comment body")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the diff as JSON")
    options = parser.parse_args(argv)
    errors = Console(stderr=True)
    try:
        root = find_project_root(Path.cwd())
        diffs = compute(root, options.base, options.stack)
    except (DiffError, StackFileError) as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_ERROR
    _print(Console(), diffs)
    if options.markdown:
        options.markdown.write_text(render_markdown(diffs, options.base), encoding="utf-8")
    if options.json:
        from dataclasses import asdict

        options.json.write_text(
            json.dumps([asdict(d) for d in diffs], indent=2, sort_keys=True), encoding="utf-8"
        )
    return EXIT_ERROR if any(d.error for d in diffs) else EXIT_OK
