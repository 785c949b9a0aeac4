"""The one exception a user mistake in stack config turns into.

It subclasses ``pulumi.RunError`` so that under the real CLI Pulumi prints the message without a
Python traceback; the offline plan catches it, prints one line per problem and exits 2.
"""

from __future__ import annotations

import pulumi

from infra.config.common import stack_file_name


class ConfigError(pulumi.RunError):
    """Stack config is invalid: one human-readable line per problem."""

    def __init__(self, stack_file: str, problems: list[str]) -> None:
        self.stack_file = stack_file
        self.problems = problems
        lines = [f"{stack_file}: {problem}" for problem in problems]
        super().__init__("invalid stack config:\n" + "\n".join(lines))

    def lines(self) -> list[str]:
        """Each problem prefixed with the stack file it is in."""
        return [f"{self.stack_file}: {problem}" for problem in self.problems]


class CloudCheckError(ConfigError):
    """The cloud, asked during preview, does not offer what the stack pins (a version, an
    instance class): one line naming the key to change and what the cloud offers.

    A ``pulumi.RunError`` (through ``ConfigError``), not a ``ValueError``: the engine wraps a
    ``ValueError`` raised in an ``apply`` in one "While processing ..." line per resource and
    input it flows through; this one reaches the user as the one line it says.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(stack_file_name(), [problem])
        self.args = (f"{self.stack_file}: {problem}",)
