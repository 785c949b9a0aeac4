"""What ``python -m infra diff`` reports: every stack's diff with the two sides it compares
(the terminal, Markdown and JSON renderings all read this)."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.diff.compute import StackDiff


@dataclass
class DiffReport:
    """Every stack's diff, with the two sides it compares."""

    base_ref: str
    base_commit: str
    head_commit: str
    dirty: bool
    stacks: list[StackDiff] = field(default_factory=list)
