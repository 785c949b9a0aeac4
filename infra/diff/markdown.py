"""The diff as a pull-request comment: a header with both commits, destructive changes to
protected or stateful resources first, one section per stack with details collapsed, policy
results, and truncation that stays under GitHub's comment limit while saying what was cut."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from infra.diff.compute import PropertyChange, ResourceChange, StackDiff, cost_change
from infra.diff.flat import flatten

if TYPE_CHECKING:
    from infra.diff.report import DiffReport

# GitHub rejects comments over 65,536 characters; keep room for the truncation notice.
COMMENT_LIMIT = 65_536
BUDGET = 60_000
MARKER = "<!-- platform-offline-diff -->"
_VALUE_WIDTH = 120


def _show(value: Any) -> str:
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace("|", "\\|").replace("\n", "⏎").replace("`", "'")
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _change_rows(changes: list[PropertyChange], replacing: list[str] | None = None) -> list[str]:
    replacing = replacing or []
    rows = ["| property | before | after |", "|---|---|---|"]
    for c in changes:
        mark = " **(forces replacement)**" if c.path in replacing else ""
        rows.append(f"| `{c.path}`{mark} | `{_show(c.before)}` | `{_show(c.after)}` |")
    return rows


def summary(diff: StackDiff) -> str:
    """The stack's one-line summary."""
    if diff.error:
        return f"⚠️ **{diff.stack}**: could not be planned: {diff.error}"
    state = " (new stack)" if diff.base_missing else " (stack removed)" if diff.head_missing else ""
    blocking = sum(1 for v in diff.violations if v["level"] == "mandatory")
    parts = [
        f"+{len(diff.added)} to add",
        f"~{len(diff.updated)} to change",
        f"+-{len(diff.replaced)} to replace",
    ]
    if diff.may_replace:
        parts.append(f"{len(diff.may_replace)} may be replaced")
    parts += [f"-{len(diff.removed)} to remove", f"{diff.unchanged} unchanged"]
    if diff.secrets_changed:
        parts.append(f"🔑 {len(diff.secrets_changed)} secret(s) changed")
    if blocking:
        parts.append(f"⛔ {blocking} mandatory violation(s)")
    parts.append(f"💰 est. {cost_change(diff)}")
    return f"**{diff.stack}**{state}: " + ", ".join(parts)


def _details(title: str, lines: list[str]) -> str:
    return "\n".join([f"<details><summary>{title}</summary>", "", *lines, "", "</details>"])


def _changed_block(change: ResourceChange) -> str:
    verb = "+- Replace" if change.replaced else "~ Change"
    lock = " 🔒 protected" if change.protect else ""
    title = (
        f"{verb} <code>{change.type}</code> <b>{change.name}</b>{lock} "
        f"({len(change.changes)} properties)"
    )
    return _details(title, _change_rows(change.changes, change.replace_paths))


def _added_block(resource: dict[str, Any]) -> str:
    rows = ["| input | value |", "|---|---|"]
    rows += [f"| `{p}` | `{_show(v)}` |" for p, v in flatten(resource.get("inputs", {})).items()]
    return _details(f"+ Add <code>{resource['type']}</code> <b>{resource['name']}</b>", rows)


def _policy_block(diff: StackDiff) -> str:
    if not (diff.violations or diff.fixed_violations):
        return "Policy: no violations."
    lines = ["| level | policy | resource | message |", "|---|---|---|---|"]
    new_keys = {id(v) for v in diff.new_violations}
    for v in sorted(diff.violations, key=lambda v: (v["level"] != "mandatory", v["policy"])):
        badge = "🆕 " if id(v) in new_keys else ""
        lines.append(
            f"| {badge}{v['level']} | `{v['policy']}` | {v['urn'].rsplit('::', 1)[-1]} | {_show(v['message'])} |"
        )
    lines += [
        f"| ✅ fixed | `{v['policy']}` | {v['urn'].rsplit('::', 1)[-1]} | {_show(v['message'])} |"
        for v in diff.fixed_violations
    ]
    return "\n".join(["**Policy**", "", *lines])


def stack_blocks(diff: StackDiff) -> list[str]:
    """The stack's section as independent blocks, most important first."""
    blocks = [f"### {summary(diff)}"]
    if diff.error:
        return blocks
    if diff.secrets_changed:
        keys = ", ".join(f"`{k}`" for k in diff.secrets_changed)
        blocks.append(f"🔑 Secret changed (values never shown): {keys}")
    blocks += [_changed_block(c) for c in diff.replaced]
    if diff.may_replace:
        lines = [
            f"- `{m.type}` **{m.name}**: `{m.path}` takes the id of {m.source}"
            for m in diff.may_replace
        ]
        blocks.append(_details(f"May be replaced ({len(diff.may_replace)})", lines))
    if diff.removed:
        lines = [f"- `{r['type']}` **{r['name']}**" for r in diff.removed]
        blocks.append(_details(f"- Remove ({len(diff.removed)})", lines))
    blocks += [_changed_block(c) for c in diff.updated]
    blocks += [_added_block(r) for r in diff.added]
    if diff.outputs:
        blocks.append(_details("Stack outputs", _change_rows(diff.outputs)))
    blocks.append(_policy_block(diff))
    return blocks


def _header(report: DiffReport) -> list[str]:
    head = f"`{report.head_commit[:7]}`" + (" **+ uncommitted changes**" if report.dirty else "")
    lines = [
        MARKER,
        f"## Offline plan diff: base `{report.base_ref}` `{report.base_commit[:7]}` → head {head}",
        "",
        "Planned without credentials under Pulumi's mocks: structural changes, with replacements "
        "from each provider's create-only properties; the real `pulumi preview` runs on "
        "same-repo pull requests. Secret values are never shown. 💰 is the estimated monthly "
        "cost: list prices of the SKUs in `infra/plan/prices.py` (each row dated, with its "
        "source), without storage, traffic, SKUs that have no row, discounts or taxes; "
        "`python -m infra plan --markdown OUT` lists what each stack leaves out.",
        "",
    ]
    hazards = [(d.stack, h) for d in report.stacks for h in d.hazards]
    if hazards:
        lines += ["### ⚠️ Destroys or may destroy protected or stateful resources", ""]
        lines += [
            f"- **{stack}**: `{h.type}` **{h.name}**: **{h.action}** ({h.reason})"
            for stack, h in hazards
        ]
        lines.append("")
    lines += [f"- {summary(d)}" for d in report.stacks]
    return [*lines, ""]


def render_markdown(report: DiffReport, budget: int = BUDGET) -> str:
    """The comment body; blocks that do not fit the budget are left out and counted."""
    body = "\n".join(_header(report))
    cut: dict[str, int] = {}
    for diff in report.stacks:
        for block in stack_blocks(diff):
            if len(body) + len(block) + 2 > budget:
                cut[diff.stack] = cut.get(diff.stack, 0) + 1
                continue
            body += "\n" + block + "\n"
    if cut:
        detail = ", ".join(f"{stack}: {count}" for stack, count in cut.items())
        body += (
            f"\n> ✂️ Truncated to stay under GitHub's {COMMENT_LIMIT:,}-character comment limit: "
            f"{sum(cut.values())} section(s) left out ({detail}). Run "
            f"`python -m infra diff --base {report.base_ref}` locally, or download the "
            "`offline-diff` artifact, for the full diff.\n"
        )
    return body
