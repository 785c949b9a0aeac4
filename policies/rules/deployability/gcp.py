"""GCP's own API rules, checked on every plan (see the package docstring)."""

from __future__ import annotations

from pulumi_policy import Policy

POLICIES: list[Policy] = []
