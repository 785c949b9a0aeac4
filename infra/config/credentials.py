"""Credentials in plain text in a stack file: refused, with the command that encrypts them.

A stack file is committed, so a webhook URL, token, key or password written into it in plain
text is a leaked credential. Every stack config value is checked, whatever its key, against the
shapes credentials have (webhook URLs that carry their secret, tokens with a known prefix,
private keys, URLs with a password or a token parameter), and keys whose name says they hold a
secret (``password``, ``token``, ``apiKey``, ...) must not hold plain text at all. The value is
never printed: the message names the key and the ``pulumi config set --secret`` line.

Under the offline plan, ``secure:`` values arrive as a placeholder, so the plain text around
them is still checked; under the real CLI a key holding any ``secure:`` value arrives decrypted
as a whole and cannot be told apart, so it is skipped (the offline plan in CI checks it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from policies.rules.facts.tags import SECRET_LOOKING_NAME

# What ``infra.plan.stackfile`` puts where a ``secure:`` value was.
SECURE_PLACEHOLDER = "offline-plan-secret-placeholder"

# (what it is, how it looks): the first match names the problem.
CREDENTIAL_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Slack webhook URL", re.compile(r"https://hooks\.slack(-gov)?\.com/\S+")),
    ("a Discord webhook URL", re.compile(r"https://(\w+\.)?discord(app)?\.com/api/webhooks/\S+")),
    ("a Microsoft Teams webhook URL", re.compile(r"https://[\w.-]+\.webhook\.office\.com/\S+")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe secret key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I)),
    (
        "a URL with a token in it",
        re.compile(
            r"https?://\S+[?&](token|access_token|api_?key|key|sig|signature|secret|password)=[^&\s]+",
            re.I,
        ),
    ),
)


def credential_shape(name: str, value: str) -> str | None:
    """What credential ``value`` (held under a key called ``name``) looks like, or None."""
    if not value or value == SECURE_PLACEHOLDER:
        return None
    for what, shape in CREDENTIAL_SHAPES:
        if shape.search(value):
            return what
    if SECRET_LOOKING_NAME.search(name.replace("-", "_")):
        return f"a {name} value"
    return None


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(key path, key name, string) for every string in ``value``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves_named(item, f"{path}.{key}", str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, path.rsplit(".", 1)[-1].split("[", 1)[0].split(":")[-1], value


def _leaves_named(value: Any, path: str, name: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, str):
        yield path, name, value
    else:
        yield from _leaves(value, path)


def _parsed(raw: Any) -> Any:
    if isinstance(raw, str) and raw[:1] in "{[":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def plaintext_credentials(raw: Mapping[str, Any], is_secret: Callable[[str], bool]) -> list[str]:
    """One problem line per credential-shaped plain-text value in the flat config ``raw``."""
    problems = []
    for key in sorted(raw):
        if key.startswith("pulumi:"):
            continue
        text = raw[key]
        if is_secret(key) and SECURE_PLACEHOLDER not in str(text):
            continue  # decrypted by the CLI: plain and secret parts cannot be told apart
        for path, name, value in _leaves(_parsed(text), key):
            what = credential_shape(name, value)
            if what is None:
                continue
            command = (
                f"pulumi config set --secret '{path}' <value>"
                if path == key
                else f"pulumi config set --secret --path '{path}' <value>"
            )
            problems.append(
                f"{path}: {what} in plain text (a committed credential); store it encrypted: "
                f"{command}"
            )
    return problems
