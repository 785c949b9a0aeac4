"""``python -m infra diff --base REF``: offline plans of a git ref and of the working tree,
compared per stack.

The base ref is checked out into a temporary ``git worktree`` and planned by its own code (a
subprocess running that tree's ``python -m infra plan``), so the diff shows what the change
does, not what today's code thinks of yesterday's config. Base plans are cached by the base
tree and lock file (``.cache/offline-plans/``), so a second diff against the same base plans
only the working tree.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from infra.diff.base import plan_base
from infra.diff.compute import StackDiff, diff_plans
from infra.diff.console import print_report
from infra.diff.gitref import DiffError, commit_of, file_at, head_state
from infra.diff.markdown import render_markdown
from infra.diff.report import DiffReport
from infra.diff.secrets import changed_secrets

if TYPE_CHECKING:
    from infra.plan.cli import Outcome

EXIT_OK, EXIT_ERROR = 0, 2


def plan_working_tree(
    root: Path, names: set[str], on_done: Callable[[Outcome], None] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Plans of the working tree's ``names`` and the error lines of those that failed."""
    from infra.plan.cli import plan_many

    paths = [root / f"Pulumi.{name}.yaml" for name in sorted(names)]
    if not paths:
        return {}, {}
    outcomes = plan_many(paths, root, on_done=on_done)
    plans = {o.stack: o.plan for o in outcomes if o.plan is not None}
    return plans, {o.stack: o.errors for o in outcomes if o.errors}


def _head_stacks(root: Path) -> set[str]:
    from infra.plan.stackfile import list_stack_files, stack_name_from_path

    return {stack_name_from_path(path) for path in list_stack_files(root)}


def _stack_diff(
    root: Path,
    commit: str,
    name: str,
    base: dict[str, dict[str, Any]],
    head: dict[str, dict[str, Any]],
) -> StackDiff:
    """One stack's diff, with the ``secure:`` values rotated between the two stack files."""
    diff = diff_plans(name, base.get(name), head.get(name))
    head_file = root / f"Pulumi.{name}.yaml"
    head_text = head_file.read_text(encoding="utf-8") if head_file.is_file() else None
    base_text = file_at(root, commit, head_file.name)
    diff.secrets_changed = changed_secrets(base_text, head_text)
    return diff


def compute(
    root: Path,
    base_ref: str,
    stack: str | None,
    use_cache: bool = True,
    say: Callable[[str], None] = lambda _message: None,
) -> DiffReport:
    """Per-stack diffs between ``base_ref`` and the working tree; ``say`` hears the progress."""
    commit = commit_of(root, base_ref)
    head_commit, dirty = head_state(root)
    head_names = _head_stacks(root)
    say(f"planning the base {base_ref} ({commit[:7]}) with its own code")
    base = plan_base(root, commit, stack, use_cache)
    if stack and stack not in head_names | base.stacks:
        raise DiffError(
            f"--stack {stack}: no Pulumi.{stack}.yaml in the working tree or at {base_ref}; "
            f"stacks: {', '.join(sorted(head_names | base.stacks))}"
        )
    names = {stack} if stack else head_names | base.stacks
    todo = names & head_names
    done: list[str] = []

    def planned(outcome: Outcome) -> None:
        done.append(outcome.stack)
        say(f"planning the working tree: {len(done)}/{len(todo)} stacks (done: {outcome.stack})")

    say(f"planning the working tree: 0/{len(todo)} stacks")
    head, head_errors = plan_working_tree(root, todo, planned)
    report = DiffReport(base_ref, commit, head_commit, dirty)
    for name in sorted(names):
        if name in head_errors:
            report.stacks.append(StackDiff(stack=name, error="; ".join(head_errors[name])))
        elif name in base.stacks and name not in base.plans:
            failure = "; ".join(base.errors.get(name, ["no plan"]))
            error = f"the base ({base_ref} {commit[:7]}) failed to plan: {failure}"
            report.stacks.append(StackDiff(stack=name, error=error))
        else:
            report.stacks.append(_stack_diff(root, commit, name, base.plans, head))
    return report


@contextmanager
def _status(console: Console) -> Iterator[Callable[[str], None]]:
    """A spinner with what is being planned on a terminal; nothing in CI logs (not a TTY)."""
    if not console.is_terminal:
        yield lambda _message: None
        return
    with console.status("planning") as status:
        yield lambda message: status.update(escape(message))


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
    parser.add_argument("--no-cache", action="store_true", help="plan the base even if cached")
    options = parser.parse_args(argv)
    errors = Console(stderr=True, emoji=False)
    try:
        root = find_project_root(Path.cwd())
        with _status(errors) as say:
            report = compute(
                root, options.base, options.stack, use_cache=not options.no_cache, say=say
            )
    except (DiffError, StackFileError) as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_ERROR
    print_report(Console(emoji=False), report)
    if options.markdown:
        options.markdown.write_text(render_markdown(report), encoding="utf-8")
        errors.print(f"wrote the PR comment: {escape(str(options.markdown))}", highlight=False)
    if options.json:
        options.json.write_text(
            json.dumps(asdict(report), indent=2, sort_keys=True), encoding="utf-8"
        )
        errors.print(f"wrote the diff JSON: {escape(str(options.json))}", highlight=False)
    return EXIT_ERROR if any(d.error for d in report.stacks) else EXIT_OK
