"""Argo CD notifications on failed syncs and degraded apps, sent to the alert receivers.

The receivers are the ones Alertmanager routes to (``platform:addons.alertReceivers``): a Slack
incoming webhook and a generic webhook become Argo CD ``webhook`` services (a JSON POST; Slack's
incoming webhooks take ``{"text": ...}``), an e-mail receiver an ``email`` service. Credentials
(webhook URLs, SMTP passwords) live only in the ``argocd-notifications-secret`` Secret and are
referenced from the ConfigMap as ``$key``. The AppProject subscribes every receiver to both
triggers (``notifications.argoproj.io/subscribe.<trigger>.<service>`` annotations), so every
Application of the environment is covered. (Argo CD docs, operator-manual/notifications:
services/webhook, services/email, triggers, subscriptions.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

NOTIFICATIONS_SECRET = "argocd-notifications-secret"
TRIGGERS = {
    "on-sync-failed": (
        "app-sync-failed",
        "Application syncing has failed",
        "app.status.operationState != nil and app.status.operationState.phase in "
        "['Error', 'Failed']",
    ),
    "on-health-degraded": (
        "app-health-degraded",
        "Application has degraded",
        "app.status.health.status == 'Degraded'",
    ),
}
_MESSAGES = {
    "app-sync-failed": "Argo CD: sync of {{.app.metadata.name}} failed at "
    "{{.app.status.operationState.finishedAt}}: {{.app.status.operationState.message}}",
    "app-health-degraded": "Argo CD: {{.app.metadata.name}} is degraded "
    "({{.app.status.health.message}})",
}


@dataclass(frozen=True)
class NotifierView:
    """What a notification service needs of a receiver (the credential stays a secret key)."""

    name: str
    kind: str
    to: str | None = None
    smarthost: str | None = None
    sender: str | None = None
    username: str | None = None

    @property
    def secret_key(self) -> str:
        """Key of the receiver's credential in the notifications Secret."""
        return f"{self.name}-{'password' if self.kind == 'email' else 'url'}"


def services(receivers: list[NotifierView]) -> dict[str, str]:
    """``service.<type>.<name>`` entries of ``argocd-notifications-cm``."""
    entries: dict[str, str] = {}
    for r in receivers:
        if r.kind == "email":
            host, _, port = (r.smarthost or "").rpartition(":")
            email: dict[str, object] = {"host": host, "port": int(port), "from": r.sender}
            if r.username:
                email |= {"username": r.username, "password": f"${r.secret_key}"}
            entries[f"service.email.{r.name}"] = yaml.safe_dump(email, sort_keys=True)
        else:
            webhook = {
                "url": f"${r.secret_key}",
                "headers": [{"name": "Content-Type", "value": "application/json"}],
            }
            entries[f"service.webhook.{r.name}"] = yaml.safe_dump(webhook, sort_keys=True)
    return entries


def _body(receiver: NotifierView, message: str) -> str:
    if receiver.kind == "slack":
        return json.dumps({"text": message})
    return json.dumps({"app": "{{.app.metadata.name}}", "message": message})


def templates(receivers: list[NotifierView]) -> dict[str, str]:
    """``template.<name>`` entries: the message, plus a POST body per webhook service."""
    out: dict[str, str] = {}
    for template, message in _MESSAGES.items():
        document: dict[str, object] = {
            "message": message,
            "email": {"subject": f"[argocd] {template} {{{{.app.metadata.name}}}}"},
        }
        webhooks = {
            r.name: {"method": "POST", "body": _body(r, message)}
            for r in receivers
            if r.kind != "email"
        }
        if webhooks:
            document["webhook"] = webhooks
        out[f"template.{template}"] = yaml.safe_dump(document, sort_keys=True)
    return out


def triggers() -> dict[str, str]:
    """``trigger.<name>`` entries: failed syncs and degraded health."""
    return {
        f"trigger.{name}": yaml.safe_dump(
            [{"description": description, "send": [template], "when": when}], sort_keys=True
        )
        for name, (template, description, when) in TRIGGERS.items()
    }


def subscriptions(receivers: list[NotifierView]) -> dict[str, str]:
    """AppProject annotations subscribing every receiver to every trigger (a webhook
    service's recipient is empty; an e-mail service's is the address)."""
    return {
        f"notifications.argoproj.io/subscribe.{trigger}.{r.name}": r.to or ""
        for trigger in TRIGGERS
        for r in receivers
    }
