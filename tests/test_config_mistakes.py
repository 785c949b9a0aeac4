"""Stack-file mistakes a new user makes: each exits 2 with one line naming the file, the key
and what to do, without a traceback; versions typed as numbers are read as Pulumi stores them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config import ConfigError, build_platform_config
from infra.config.credentials import credential_shape
from infra.plan.cli import EXIT_ERROR
from infra.plan.stackfile import StackFileError, read_stack_file
from tests.conftest import ROOT, run_cli

DEV = {
    "platform:example": "true",  # the sample values below are documentation ranges
    "platform:cloud": "aws",
    "platform:environment": "dev",
    "aws:region": "eu-west-1",
    "platform:cluster": json.dumps({"authorizedNetworks": ["203.0.113.0/24"]}),
}
SLACK = "https://hooks.slack.com/services/T0000000/B0000000/abcdefghijklmnopqrstuvwx"


def _build(raw: dict[str, Any], secret: frozenset[str] = frozenset()):
    return build_platform_config({**DEV, **raw}, "dev", "Pulumi.dev.yaml", secret.__contains__)


def _lines(raw: dict[str, Any], secret: frozenset[str] = frozenset()) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _build(raw, secret)
    return info.value.lines()


def test_versions_typed_as_numbers_are_the_versions_they_stand_for() -> None:
    # `pulumi config set --path platform:postgres.version 17` stores the number 17
    config = _build(
        {
            "platform:postgres": json.dumps({"version": 17}),
            "platform:redis": json.dumps({"version": 7.1}),
            "platform:kafka": json.dumps({"version": "3.8.x"}),
        }
    )
    assert (config.postgres.version, config.redis.version) == ("17", "7.1")


def test_a_number_version_that_is_not_allowed_still_names_what_is() -> None:
    [line] = _lines({"platform:postgres": json.dumps({"version": 14})})
    assert line.startswith("Pulumi.dev.yaml: platform:postgres.version:")
    assert "14 is not in the version catalog" in line and "allowed: 15, 16, 17" in line


def test_a_kubernetes_version_read_as_a_float_says_to_quote_it() -> None:
    cluster = {"authorizedNetworks": ["203.0.113.0/24"], "kubernetesVersion": 1.3}
    [line] = _lines({"platform:cluster": json.dumps(cluster)})
    assert "platform:cluster.kubernetesVersion" in line and "quote it" in line


@pytest.mark.parametrize(
    ("key", "value", "what"),
    [
        ("platform:addons", {"alertReceivers": [{"name": "one", "kind": "slack", "url": SLACK}]},
         "a Slack webhook URL"),
        ("aws:secretKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "a secretKey value"),
        ("aws:accessKey", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("platform:addons", {"alertReceivers": [
            {"name": "one", "kind": "webhook", "url": "https://alerts.example/hook?token=abc123"}]},
         "a URL with a token in it"),
        ("platform:apps", {"backend": {"env": {"GITHUB": "ghp_" + "a" * 36}}}, "a GitHub token"),
    ],
)  # fmt: skip
def test_credentials_in_plain_text_name_the_command_that_encrypts_them(
    key: str, value: Any, what: str
) -> None:
    raw = {key: value if isinstance(value, str) else json.dumps(value)}
    lines = [line for line in _lines(raw) if "plain text" in line]
    assert len(lines) == 1, lines
    assert what in lines[0] and "pulumi config set --secret" in lines[0]
    secret = value if isinstance(value, str) else SLACK
    assert secret not in lines[0], "the credential itself is never printed"


def test_secure_values_and_plain_urls_are_not_credentials() -> None:
    receivers = [
        {"name": "one", "kind": "webhook", "url": "offline-plan-secret-placeholder"},
        {"name": "two", "kind": "webhook", "url": "https://alerts.example/hook"},
    ]
    _build({"platform:addons": json.dumps({"alertReceivers": receivers})})
    # a key the CLI decrypted as a whole is skipped: its plain and secret parts look alike
    decrypted = [{"name": "one", "kind": "slack", "url": SLACK}]
    _build(
        {"platform:addons": json.dumps({"alertReceivers": decrypted})},
        frozenset({"platform:addons"}),
    )
    assert credential_shape("url", "https://example.com/docs") is None
    assert credential_shape("password", "hunter2") == "a password value"


def test_invalid_yaml_is_one_line_with_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: platform\nruntime: python\n")
    stack = tmp_path / "Pulumi.bad.yaml"
    stack.write_text("config:\n  aws:region: eu-west-1\n   platform:cloud: aws\n")
    with pytest.raises(StackFileError) as info:
        read_stack_file(stack, tmp_path)
    message = str(info.value)
    assert message == "Pulumi.bad.yaml:3:18: not valid YAML: mapping values are not allowed here"
    assert str(tmp_path) not in message and "\n" not in message


def test_each_mistake_exits_2_with_one_line_from_the_cli(tmp_path: Path) -> None:
    """End to end, as a user meets them: a plain-text webhook, then broken YAML."""
    config = {
        "platform:example": True, "platform:cloud": "aws", "platform:environment": "dev",
        "aws:region": "eu-west-1", "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
        "platform:addons": {"alertReceivers": [{"name": "oncall", "kind": "slack", "url": SLACK}]},
    }  # fmt: skip
    webhook = tmp_path / "Pulumi.webhook.yaml"
    webhook.write_text(yaml.safe_dump({"config": config}))
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  platform:cloud: aws\n  platform:cluster: {a: [1, 2}\n")
    for path, expected in (
        (webhook, "pulumi config set --secret --path 'platform:addons.alertReceivers[0].url'"),
        (broken, "Pulumi.broken.yaml:3:30: not valid YAML:"),
    ):
        result = run_cli("plan", "--config-file", str(path), cwd=ROOT)
        assert result.returncode == EXIT_ERROR, result.stdout
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0], result.stderr
        assert lines[0].startswith(f"error: {path.name}")
        assert "Traceback" not in result.stderr and str(tmp_path) not in result.stderr
