"""The one error of ``python -m infra gitops``: a user mistake or a stack that does not plan."""

from __future__ import annotations


class GitopsError(Exception):
    """One line per problem; the command exits 2."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
