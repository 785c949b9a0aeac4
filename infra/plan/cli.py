"""``python -m infra plan``: the offline plan of one stack or all of them.

Exit codes: 0 ok, 1 mandatory policy violations, 2 bad config or program error. Each stack is
planned in its own process when several are asked for (``--all``), in parallel.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_POLICY, EXIT_ERROR = 0, 1, 2


@dataclass
class Outcome:
    """What planning one stack produced, small enough to cross a process boundary."""

    stack: str
    environment: str = ""
    #: a sample stack (``platform:example: true``)
    sample: bool = False
    plan: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    # The engine's records of the plan (``PlanResult.records``), kept only when asked for.
    records: list[Any] | None = None

    @property
    def exit_code(self) -> int:
        if self.errors or self.plan is None:
            return EXIT_ERROR
        if any(v["level"] == "mandatory" for v in self.plan["policy"]["violations"]):
            return EXIT_POLICY
        return EXIT_OK


def plan_stack_file(
    path: Path,
    project_root: Path,
    *,
    keep_records: bool = False,
    overrides: dict[str, str] | None = None,
) -> Outcome:
    """Plan one stack file in this process; never raises for a user or program error.
    ``overrides``: config values (as the stack file would encode them) replacing the file's
    (``python -m infra gitops render`` plans a GitOps stack as if Pulumi delivered its apps)."""
    from infra.config.errors import ConfigError
    from infra.plan.runner import PlanError, run_program
    from infra.plan.stackfile import StackFileError, read_stack_file, stack_name_from_path

    try:
        stack_name = stack_name_from_path(path)
    except StackFileError as exc:
        return Outcome(stack=path.name, errors=[str(exc)])
    try:
        stack_file = read_stack_file(path, project_root)
        if overrides:
            stack_file = replace(stack_file, config={**stack_file.config, **overrides})
        result = run_program(stack_file, project_root)
    except StackFileError as exc:
        return Outcome(stack=stack_name, errors=[str(exc)])
    except ConfigError as exc:
        return Outcome(stack=stack_name, errors=exc.lines())
    except PlanError as exc:
        return Outcome(stack=stack_name, errors=[f"{path.name}: {line}" for line in exc.lines])
    except Exception as exc:  # a bug in the program: say where, traceback only on request
        lines = [f"{path.name}: program error: {type(exc).__name__}: {exc}"]
        if os.environ.get("PLATFORM_DEBUG"):
            lines.append(traceback.format_exc())
        return Outcome(stack=stack_name, errors=lines)
    return Outcome(
        stack=stack_name,
        environment=result.environment,
        sample=result.sample,
        plan=result.to_json(),
        records=result.records if keep_records else None,
    )


def _clouds_of(paths: list[Path]) -> set[str]:
    """The ``platform:cloud`` values of the stack files (unreadable files are skipped)."""
    import yaml

    clouds = set()
    for path in paths:
        try:
            config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
        except (OSError, yaml.YAMLError, AttributeError):
            continue
        cloud = config.get("platform:cloud") if isinstance(config, dict) else None
        if isinstance(cloud, str):
            clouds.add(cloud)
    return clouds


def _plan_in_child(args: tuple[str, str, bool, dict[str, str] | None]) -> Outcome:
    return plan_stack_file(Path(args[0]), Path(args[1]), keep_records=args[2], overrides=args[3])


def plan_many(
    paths: list[Path],
    project_root: Path,
    workers: int | None = None,
    *,
    keep_records: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
    overrides: dict[str, str] | None = None,
) -> list[Outcome]:
    """Plan each stack file in a fresh process (``set_mocks`` keeps a process's first root
    Stack), ``workers`` at a time; ``on_done`` hears of each stack as it finishes."""
    import multiprocessing

    forking = sys.platform == "linux"
    if forking:
        # Imported once here so that forked children start with them loaded: with several
        # stacks, or one stack at a time from a long-lived process (the diff, the tests).
        from infra.plan.preload import preload

        preload(_clouds_of(paths))
    count = workers or min(len(paths), os.cpu_count() or 1)
    context = multiprocessing.get_context("fork" if forking else "spawn")
    jobs = [(str(p), str(project_root), keep_records, overrides) for p in paths]
    outcomes: dict[str, Outcome] = {}
    with context.Pool(count, maxtasksperchild=1) as pool:
        for job, outcome in zip(jobs, pool.imap(_plan_in_child, jobs, chunksize=1), strict=True):
            outcomes[job[0]] = outcome
            if on_done is not None:
                on_done(outcome)
    return [outcomes[job[0]] for job in jobs]


def with_progress(
    description: str, total: int, work: Callable[[Callable[[Outcome], None]], Any]
) -> Any:
    """Run ``work(advance)`` under a progress bar on a terminal; silent in CI logs (not a TTY)
    and for a single stack (which then never imports rich when it prints nothing)."""
    if total < 2 or not _console(True).is_terminal:
        return work(lambda _outcome: None)
    console = _console(True)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)

        def advance(outcome: Outcome) -> None:
            progress.update(task, advance=1, description=f"{description} (done: {outcome.stack})")

        return work(advance)


def announce(path: Path, what: str) -> None:
    """Say on stderr which file or directory was written (stdout stays the plan)."""
    from rich.markup import escape

    _console(True).print(
        f"wrote {escape(what)}: {escape(str(path))}", highlight=False, soft_wrap=True
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra plan", description=__doc__)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--stack", help="stack name: plans Pulumi.<NAME>.yaml (default: dev)")
    target.add_argument("--config-file", type=Path, help="plan this stack file")
    target.add_argument("--all", action="store_true", help="plan every Pulumi.*.yaml")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the plan as JSON")
    parser.add_argument(
        "--render", type=Path, metavar="DIR", help="write Kubernetes objects as YAML"
    )
    parser.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="write what security scanners read (DIR/<stack> with --all)",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="OUT",
        help="write each stack's sizes, estimated cost, protection and exposure as markdown",
    )
    parser.add_argument("--quiet", action="store_true", help="print only errors and violations")
    parser.add_argument("--workers", type=int, help="parallel processes for --all")
    return parser


def _targets(options: argparse.Namespace, root: Path) -> list[Path]:
    from infra.plan.stackfile import list_stack_files

    if options.all:
        return list_stack_files(root)
    if options.config_file:
        return [options.config_file.resolve()]
    return [root / f"Pulumi.{options.stack or 'dev'}.yaml"]


@cache
def _console(stderr: bool) -> Console:
    """A rich console, imported on first use: a quiet, clean plan prints nothing."""
    from rich.console import Console

    # emoji=False: ":cloud:" in "platform:cloud: ..." must not become an emoji in error lines
    return Console(stderr=stderr, emoji=False)


def _error(message: str) -> None:
    from rich.markup import escape

    _console(True).print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def main(argv: list[str]) -> int:
    """Entry point of ``python -m infra plan``; returns the exit code."""
    from infra.plan.stackfile import StackFileError, find_project_root
    from policies.rules.facts.catalog import CatalogError, today

    options = _parser().parse_args(argv)
    try:
        root = find_project_root(Path.cwd())
        today()  # a malformed PLATFORM_TODAY is bad config, before any stack is planned
    except (StackFileError, CatalogError) as exc:
        _error(str(exc))
        return EXIT_ERROR
    targets = _targets(options, root)
    if options.all and not targets:
        _error("no Pulumi.<stack>.yaml files found")
        return EXIT_ERROR
    if len(targets) == 1 and not options.all:
        outcomes = [plan_stack_file(targets[0], root)]
    else:
        outcomes = with_progress(
            f"planning {len(targets)} stacks",
            len(targets),
            lambda advance: plan_many(targets, root, options.workers, on_done=advance),
        )

    exit_code = max((o.exit_code for o in outcomes), default=EXIT_OK)
    exports = len(outcomes) if options.export else 0
    ok = with_progress(
        "exporting",
        exports,
        lambda advance: [
            _report(path, outcome, root, options, advance)
            for path, outcome in zip(targets, outcomes, strict=True)
        ],
    )
    if not all(ok):
        exit_code = EXIT_ERROR

    plans = [o.plan for o in outcomes if o.plan is not None]
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        document: Any = plans if options.all else (plans[0] if plans else None)
        options.json.write_text(
            json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        announce(options.json, f"plan JSON of {len(plans)} stack(s)")
    if options.markdown:
        from infra.plan.summary import summary_markdown

        options.markdown.parent.mkdir(parents=True, exist_ok=True)
        body = "\n".join(summary_markdown(plan["stack"], plan["summary"]) for plan in plans)
        options.markdown.write_text(body, encoding="utf-8")
        announce(options.markdown, f"markdown summary of {len(plans)} stack(s)")
    return exit_code


def _report(
    path: Path,
    outcome: Outcome,
    root: Path,
    options: argparse.Namespace,
    advance: Callable[[Outcome], None],
) -> bool:
    """Print one stack's result and write its files; False when an export failed."""
    try:
        if outcome.errors:
            for line in outcome.errors:
                _error(line)
            return True
        assert outcome.plan is not None
        if not options.quiet or outcome.plan["policy"]["violations"]:
            _print_outcome(outcome, quiet=options.quiet)
        if options.render:
            from infra.plan.render import render

            directory = options.render / outcome.stack if options.all else options.render
            written = render(outcome.plan["resources"], directory)
            announce(directory, f"{len(written)} manifest file(s) of {outcome.stack}")
        return not options.export or _export(outcome, path, root, options)
    finally:
        advance(outcome)


def _print_outcome(outcome: Outcome, *, quiet: bool) -> None:
    """The plan's summary, or under ``--quiet`` only its violations (rich, imported here)."""
    from infra.plan.report import print_plan, print_violations

    assert outcome.plan is not None
    if quiet:
        print_violations(_console(False), outcome.plan["policy"]["violations"], outcome.stack)
    else:
        print_plan(_console(False), outcome.plan, outcome.environment)


def _export(outcome: Outcome, path: Path, root: Path, options: argparse.Namespace) -> bool:
    """Write the stack's scanner exports (``infra.export``); False after printing why not."""
    from infra.export import ExportError, export_plan
    from infra.plan.stackfile import read_stack_file

    assert outcome.plan is not None
    directory = options.export / outcome.stack if options.all else options.export
    try:
        exported = export_plan(outcome.plan, read_stack_file(path, root), directory)
    except ExportError as exc:
        _error(str(exc))
        return False
    announce(directory, f"{len(exported.files)} scanner export file(s) of {outcome.stack}")
    return True
