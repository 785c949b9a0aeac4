"""AWS version support ending soon: an advisory warning before the deployability rule fails.

``deploy-aws-engine-version`` fails a plan once a pinned version is past its end of standard
support; this rule warns within ``WARNING_DAYS`` (90) of that date, naming the config key.
"""

from __future__ import annotations

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, Severity

from .base import resource_rule
from .deployability.aws import TODAY_SCHEMA, VERSIONED, today_of, version_status


def _support_ending(args: ResourceValidationArgs, report: ReportViolation) -> None:
    status = version_status(args.resource_type, args.props, today_of(args.get_config()))
    if status is not None and status.status == "ending":
        report(status.message, None)


POLICIES: list[Policy] = [
    resource_rule(
        "aws-version-support-ending",
        "A version within 90 days of end of support must be upgraded before AWS refuses it.",
        "Upgrade the config key named in the message before the date.", Severity.MEDIUM,
        _support_ending, types=list(VERSIONED), config_schema=TODAY_SCHEMA,
    ),
]  # fmt: skip
