"""The plan's terminal summary (rich): resources by component and type, sizes and estimated
monthly cost, protected resources, what the internet reaches, outputs, policy.

Readable at 80 columns (CI logs): long cells fold onto the next line, never end in "…"."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from infra.plan.summary import not_priced, price_rows, summarize, top_component


def resource_counts(resources: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(top-level component, custom resource type) -> number of resources."""
    by_urn = {r["urn"]: r for r in resources}
    return Counter((top_component(r, by_urn), r["type"]) for r in resources if r["custom"])


def print_plan(console: Console, plan: dict[str, Any], environment: str) -> None:
    """Print one stack's plan."""
    resources = plan["resources"]
    custom = sum(1 for r in resources if r["custom"])
    console.rule(
        f"[bold]offline plan[/bold] stack [cyan]{plan['stack']}[/cyan] ({environment}): "
        f"{custom} resources, {len(resources) - custom} components"
    )
    # one row per component, its types beneath it at full width: no type name is cut at 80
    # columns (the longest, e.g. azure-native:containerservice:MaintenanceConfiguration, fit)
    table = Table(title="Resources by component", show_lines=False)
    table.add_column("component / type", overflow="fold")
    table.add_column("count", justify="right", no_wrap=True)
    previous = None
    for (component, type_), count in sorted(resource_counts(resources).items()):
        if component != previous:
            table.add_row(Text(component, style="bold"), "")
            previous = component
        table.add_row(Text(f"  {type_}"), str(count))
    console.print(table)

    print_summary(console, plan.get("summary") or summarize(plan))
    outputs = Table(title="Stack outputs")
    outputs.add_column("name", overflow="fold")
    outputs.add_column("value", overflow="fold")
    for name, value in sorted(plan["outputs"].items()):
        shown = value if isinstance(value, str) else json.dumps(value)
        outputs.add_row(name, Text(shown))
    console.print(outputs)
    print_violations(console, plan["policy"]["violations"], plan["stack"])


def _usd(amount: float) -> str:
    return f"${amount:,.2f}"


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """Sizes and estimated monthly cost per component, protected resources, exposure."""
    table = Table(title=f"Sizes and estimated monthly cost (USD, {summary['region']})")
    table.add_column("component", overflow="fold", ratio=2)
    table.add_column("main sizes", overflow="fold", ratio=3)
    table.add_column("est./month", justify="right", no_wrap=True)
    for component in summary["components"]:
        cost = _usd(component["monthly_usd"]) if component["cost"] else "-"
        if component["cost"] and component["not_priced"]:
            cost += " +?"
        table.add_row(component["component"], Text("\n".join(component["sizes"])), cost)
    if summary["components"]:
        console.print(table)
    console.print(
        f"[bold]Estimated total: {_usd(summary['monthly_usd'])}/month[/bold] "
        f"({escape(summary['estimate']['note'])})",
        soft_wrap=False,
    )
    missing = not_priced(summary)
    if missing:
        console.print(f"Not priced (no dated price row): {escape(', '.join(missing))}")
    if summary["estimate"]["leaves_out"]:
        console.print(f"Leaves out: {escape('; '.join(summary['estimate']['leaves_out']))}")
    rows = price_rows(summary)
    if rows:
        prices = Table(title="Price rows used (list price, date read, source)")
        for column, justify in (("sku", "left"), ("USD/h", "right"), ("read", "left"), ("source", "left")):  # fmt: skip
            prices.add_column(column, overflow="fold", justify=justify)  # pyright: ignore[reportArgumentType]
        for sku, usd, _unit, read, source in rows:
            prices.add_row(sku, f"{usd:g}", read, source)
        console.print(prices)
    protected = summary["protected"]
    console.print(
        f"Protected (pulumi protect): {len(protected)} resource(s)"
        + (
            f": {escape(', '.join(name.split(' ', 1)[1] for name in protected))}"
            if protected
            else ""
        )
    )
    if not summary["exposure"]:
        console.print("Exposed to the internet: nothing")
        return
    exposed = Table(title="Exposed to the internet")
    exposed.add_column("what", overflow="fold", ratio=3)
    exposed.add_column("from", overflow="fold", ratio=2)
    for entry in summary["exposure"]:
        exposed.add_row(entry["what"], entry["from"])
    console.print(exposed)


def print_violations(console: Console, violations: list[dict[str, str]], stack: str) -> None:
    """Print policy results of ``stack``: one row per violation, or a clean bill."""
    if not violations:
        console.print(f"[green]policy ({escape(stack)}): no violations[/green]")
        return
    # stack and level first, then the policy, resource and message stacked in one wide cell:
    # at 80 columns nothing is cut and every row still says which stack it belongs to
    table = Table(title=f"Policy violations: stack {escape(stack)}", show_lines=True)
    table.add_column("stack / level", no_wrap=True)
    table.add_column("policy / resource / message", overflow="fold")
    for v in sorted(violations, key=lambda v: (v["level"] != "mandatory", v["policy"], v["urn"])):
        style = "red" if v["level"] == "mandatory" else "yellow"
        detail = Text(v["policy"], style="bold")
        detail.append(f"\n{v['urn'].rsplit('::', 1)[-1]}\n", style="cyan")
        detail.append(v["message"])
        table.add_row(Text(f"{stack}\n", style="bold").append(v["level"], style=style), detail)
    console.print(table)
