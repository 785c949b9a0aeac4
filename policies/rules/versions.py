"""Version support ending soon: an advisory warning before ``deploy-version-support`` fails.

Within ``catalog.WARNING_DAYS`` (90) of a pin's end of standard support (or of the day a
rolling pin must be re-checked), the plan warns, naming the key to change and the newest
supported value (``policies/rules/deployability/versions.py`` finds the pins).
"""

from __future__ import annotations

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, Severity

from .base import resource_rule
from .deployability.versions import TODAY_SCHEMA, verdicts


def _support_ending(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for verdict in verdicts(args):
        if verdict.status == "ending":
            report(verdict.message, None)


POLICIES: list[Policy] = [
    resource_rule(
        "version-support-ending",
        "A version within 90 days of its end of support must be upgraded before the provider refuses it.",
        "Change the key named in the message before the date, to the newest supported value it names.",
        Severity.MEDIUM, _support_ending, config_schema=TODAY_SCHEMA,
    ),
]  # fmt: skip
