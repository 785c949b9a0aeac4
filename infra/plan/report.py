"""The plan's terminal summary (rich): resources by component and type, outputs, policy."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def _top_component(resource: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> str:
    current = resource
    while current["parent"] in by_urn:
        current = by_urn[current["parent"]]
    if current is resource and resource["custom"]:
        return "(stack)"
    return f"{current['name']} ({current['type']})"


def resource_counts(resources: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(top-level component, custom resource type) -> number of resources."""
    by_urn = {r["urn"]: r for r in resources}
    return Counter((_top_component(r, by_urn), r["type"]) for r in resources if r["custom"])


def print_plan(console: Console, plan: dict[str, Any], environment: str) -> None:
    """Print one stack's plan."""
    resources = plan["resources"]
    custom = sum(1 for r in resources if r["custom"])
    console.rule(
        f"[bold]offline plan[/bold] stack [cyan]{plan['stack']}[/cyan] ({environment}): "
        f"{custom} resources, {len(resources) - custom} components"
    )
    table = Table(title="Resources by component", show_lines=False)
    table.add_column("component")
    table.add_column("type")
    table.add_column("count", justify="right")
    previous = None
    for (component, type_), count in sorted(resource_counts(resources).items()):
        table.add_row(component if component != previous else "", type_, str(count))
        previous = component
    console.print(table)

    outputs = Table(title="Stack outputs")
    outputs.add_column("name")
    outputs.add_column("value", overflow="fold")
    for name, value in sorted(plan["outputs"].items()):
        shown = value if isinstance(value, str) else json.dumps(value)
        outputs.add_row(name, Text(shown))
    console.print(outputs)
    print_violations(console, plan["policy"]["violations"])


def print_violations(console: Console, violations: list[dict[str, str]]) -> None:
    """Print policy results: one row per violation, or a clean bill."""
    if not violations:
        console.print("[green]policy: no violations[/green]")
        return
    table = Table(title="Policy violations")
    for column in ("level", "policy", "resource", "message"):
        table.add_column(column, overflow="fold")
    for v in sorted(violations, key=lambda v: (v["level"] != "mandatory", v["policy"], v["urn"])):
        style = "red" if v["level"] == "mandatory" else "yellow"
        table.add_row(
            f"[{style}]{v['level']}[/{style}]",
            v["policy"],
            v["urn"].rsplit("::", 1)[-1],
            v["message"],
        )
    console.print(table)
