"""Engine values to plain JSON: markers removed, secrets redacted, numbers restored."""

from __future__ import annotations

from infra.plan.values import REDACTED, SECRET_SIG, SIG_KEY, UNKNOWN, plain

SECRET = {SIG_KEY: SECRET_SIG, "value": "hunter2"}


def test_secrets_are_redacted_at_any_depth() -> None:
    value = {"a": SECRET, "b": [1.0, {"c": SECRET}], "d": 2.5}
    assert plain(value, redact=True) == {"a": REDACTED, "b": [1, {"c": REDACTED}], "d": 2.5}
    assert "hunter2" not in repr(plain(value, redact=True))


def test_unredacted_view_unwraps_for_policies() -> None:
    assert plain({"a": SECRET}, redact=False) == {"a": "hunter2"}


def test_unknowns_and_resource_references() -> None:
    ref = {SIG_KEY: "5cf8f73096256a8f31e491e813e4eb8e", "urn": "urn:pulumi:s::p::t::n", "id": "x"}
    assert plain([UNKNOWN, ref], redact=True) == ["[unknown]", "urn:pulumi:s::p::t::n"]


def test_a_secret_map_keeps_its_keys_only() -> None:
    value = {SIG_KEY: SECRET_SIG, "value": {"DATABASE_URL": "postgres://u:p@h/db"}}
    assert plain(value, redact=True) == {"DATABASE_URL": REDACTED}
