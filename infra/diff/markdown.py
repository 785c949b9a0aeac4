"""The diff as a pull-request comment: one section per stack, details collapsed, policy
results, and truncation that stays under GitHub's comment limit while saying what was cut."""

from __future__ import annotations

import json
from typing import Any

from infra.diff.compute import PropertyChange, StackDiff

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


def _change_rows(changes: list[PropertyChange]) -> list[str]:
    rows = ["| property | before | after |", "|---|---|---|"]
    rows += [f"| `{c.path}` | `{_show(c.before)}` | `{_show(c.after)}` |" for c in changes]
    return rows


def _summary(diff: StackDiff) -> str:
    if diff.error:
        return f"⚠️ **{diff.stack}**: could not be planned: {diff.error}"
    state = " (new stack)" if diff.base_missing else " (stack removed)" if diff.head_missing else ""
    blocking = sum(1 for v in diff.violations if v["level"] == "mandatory")
    policy = f", ⛔ {blocking} mandatory violation(s)" if blocking else ""
    return (
        f"**{diff.stack}**{state}: +{len(diff.added)} to add, ~{len(diff.changed)} to change, "
        f"-{len(diff.removed)} to remove, {diff.unchanged} unchanged{policy}"
    )


def _stack_blocks(diff: StackDiff) -> list[str]:
    """The stack's section as independent blocks, most important first."""
    blocks = [f"### {_summary(diff)}"]
    if diff.error:
        return blocks
    for title, resources in (("Added", diff.added), ("Removed", diff.removed)):
        if resources:
            lines = [f"<details><summary>{title} ({len(resources)})</summary>", ""]
            lines += [f"- `{r['type']}` **{r['name']}**" for r in resources]
            blocks.append("\n".join([*lines, "", "</details>"]))
    for change in diff.changed:
        lines = [
            f"<details><summary>Changed <code>{change.type}</code> <b>{change.name}</b> "
            f"({len(change.changes)} properties)</summary>",
            "",
            *_change_rows(change.changes),
            "",
            "</details>",
        ]
        blocks.append("\n".join(lines))
    if diff.outputs:
        blocks.append(
            "\n".join(
                [
                    "<details><summary>Stack outputs</summary>",
                    "",
                    *_change_rows(diff.outputs),
                    "",
                    "</details>",
                ]
            )
        )
    if diff.violations or diff.fixed_violations:
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
        blocks.append("\n".join(["**Policy**", "", *lines]))
    else:
        blocks.append("Policy: no violations.")
    return blocks


def render_markdown(diffs: list[StackDiff], base_ref: str, budget: int = BUDGET) -> str:
    """The comment body; blocks that do not fit the budget are left out and counted."""
    header = [
        MARKER,
        f"## Offline plan diff against `{base_ref}`",
        "",
        "Planned without credentials under Pulumi's mocks: structural changes only; the real "
        "`pulumi preview` runs on same-repo pull requests. Secret values are never shown.",
        "",
        *(f"- {_summary(d)}" for d in diffs),
        "",
    ]
    body = "\n".join(header)
    cut: dict[str, int] = {}
    for diff in diffs:
        for block in _stack_blocks(diff):
            if len(body) + len(block) + 2 > budget:
                cut[diff.stack] = cut.get(diff.stack, 0) + 1
                continue
            body += "\n" + block + "\n"
    if cut:
        detail = ", ".join(f"{stack}: {count}" for stack, count in cut.items())
        body += (
            f"\n> ✂️ Truncated to stay under GitHub's {COMMENT_LIMIT:,}-character comment limit: "
            f"{sum(cut.values())} section(s) left out ({detail}). Run "
            f"`python -m infra diff --base {base_ref}` locally, or download the `offline-diff` "
            "artifact, for the full diff.\n"
        )
    return body
