"""Alertmanager's routing tree: alerts go to receivers by their ``severity`` label.

Every platform rule carries ``severity`` (``critical``, ``warning`` or ``info``;
``components/kubernetes/alert_rules.py``); each configured receiver (Slack incoming webhook,
generic webhook or e-mail) lists the severities it takes (default ``critical`` and ``warning``),
so e-mail can be kept for pages while chat gets everything. ``Watchdog``/``InfoInhibitor`` and
alerts no receiver takes go to ``null``; a firing ``critical`` alert silences the ``warning`` of
the same name in the same namespace. ``tests/test_observability.py`` runs ``amtool
check-config`` on the rendered document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["critical", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")
# Alerts that exist to prove the pipeline works, or only inhibit others: never paged on.
SILENT_ALERTS = ("Watchdog", "InfoInhibitor")
# How often a still-firing alert is re-sent, per severity (critical nags more).
REPEAT_INTERVAL: dict[Severity, str] = {"critical": "1h", "warning": "4h", "info": "24h"}


@dataclass(frozen=True)
class ReceiverView:
    """What routing needs of a receiver; ``secret`` is its resolved credential (webhook URL or
    SMTP password), only ever rendered into the Alertmanager config Secret."""

    name: str
    kind: Literal["slack", "webhook", "email"]
    secret: str
    channel: str | None = None
    to: str | None = None
    smarthost: str | None = None
    sender: str | None = None
    username: str | None = None
    severities: Sequence[Severity] = ("critical", "warning")


def receiver_config(receiver: ReceiverView) -> dict[str, object]:
    """One ``receivers[]`` entry of Alertmanager's configuration."""
    if receiver.kind == "slack":
        slack: dict[str, object] = {"api_url": receiver.secret, "send_resolved": True}
        if receiver.channel:
            slack["channel"] = receiver.channel
        return {"name": receiver.name, "slack_configs": [slack]}
    if receiver.kind == "email":
        email: dict[str, object] = {
            "to": receiver.to,
            "from": receiver.sender,
            "smarthost": receiver.smarthost,
            "require_tls": True,
            "send_resolved": True,
        }
        if receiver.username:
            email |= {"auth_username": receiver.username, "auth_password": receiver.secret}
        return {"name": receiver.name, "email_configs": [email]}
    return {
        "name": receiver.name,
        "webhook_configs": [{"url": receiver.secret, "send_resolved": True}],
    }


def _severity_routes(receiver: ReceiverView) -> list[dict[str, object]]:
    return [
        {
            "receiver": receiver.name,
            "matchers": [f'severity="{severity}"'],
            "repeat_interval": REPEAT_INTERVAL[severity],
            "continue": True,
        }
        for severity in SEVERITIES
        if severity in receiver.severities
    ]


def routing_document(receivers: Sequence[ReceiverView]) -> dict[str, Any]:
    """Alertmanager's whole configuration for ``receivers``."""
    silent = {"matchers": [f'alertname=~"{"|".join(SILENT_ALERTS)}"'], "receiver": "null"}
    return {
        "route": {
            "receiver": "null",
            "group_by": ["alertname", "namespace"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": REPEAT_INTERVAL["warning"],
            "routes": [silent, *(route for r in receivers for route in _severity_routes(r))],
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["alertname", "namespace"],
            }
        ],
        "receivers": [{"name": "null"}, *(receiver_config(r) for r in receivers)],
    }
