"""The diff on the terminal: replacements first, then what may be replaced, removals, updates
and additions (with their inputs), per stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from infra.diff.compute import StackDiff, cost_change
from infra.diff.flat import flatten

LEGEND = (
    "legend: +N to add, ~N to change in place, +-N to replace, ?N may be replaced (they take "
    "the id of a replaced resource), -N to remove, =N unchanged; est.: estimated monthly cost "
    "(list prices, see python -m infra plan)"
)

if TYPE_CHECKING:
    from infra.diff.report import DiffReport


def _stack(console: Console, diff: StackDiff) -> None:
    if diff.error:
        console.print(f"[red]{escape(diff.stack)}: {escape(diff.error)}[/red]")
        return
    console.rule(
        f"[bold]{escape(diff.stack)}[/bold]: +{len(diff.added)} ~{len(diff.updated)} "
        f"+-{len(diff.replaced)} ?{len(diff.may_replace)} -{len(diff.removed)} ={diff.unchanged}"
    )
    console.print(f"est. {escape(cost_change(diff))}", highlight=False)
    for hazard in diff.hazards:
        console.print(
            f"[bold red]! {hazard.action}: {escape(hazard.type)} {escape(hazard.name)} "
            f"({escape(hazard.reason)})[/bold red]"
        )
    for key in diff.secrets_changed:
        console.print(f"[magenta]secret changed: {escape(key)}[/magenta]")
    for change in diff.replaced + diff.updated:
        verb, colour = ("+-", "red") if change.replaced else ("~", "yellow")
        console.print(f"[{colour}]{verb} {escape(change.type)} {escape(change.name)}[/{colour}]")
        for prop in change.changes:
            mark = " (forces replacement)" if prop.path in change.replace_paths else ""
            console.print(
                f"    {escape(prop.path)}: {escape(repr(prop.before))} → {escape(repr(prop.after))}{mark}"
            )
    for maybe in diff.may_replace:
        console.print(
            f"[red]? may be replaced {escape(maybe.type)} {escape(maybe.name)}[/red] "
            f"({escape(maybe.path)} takes the id of {escape(maybe.source)})"
        )
    for resource in diff.removed:
        console.print(f"[red]- {escape(resource['type'])} {escape(resource['name'])}[/red]")
    for resource in diff.added:
        console.print(f"[green]+ {escape(resource['type'])} {escape(resource['name'])}[/green]")
        for path, value in flatten(resource.get("inputs", {})).items():
            console.print(f"    {escape(path)}: {escape(repr(value))}")
    for violation in diff.new_violations:
        console.print(
            f"[red]new {violation['level']} violation[/red] {escape(violation['policy'])}: "
            f"{escape(violation['message'])}"
        )


def print_report(console: Console, report: DiffReport) -> None:
    """Header with both commits, then each stack."""
    dirty = " + uncommitted changes" if report.dirty else ""
    console.print(
        f"base {escape(report.base_ref)} {report.base_commit[:7]} → head "
        f"{report.head_commit[:7]}{dirty}",
        highlight=False,
    )
    console.print(LEGEND, style="dim", highlight=False)
    for diff in report.stacks:
        _stack(console, diff)
