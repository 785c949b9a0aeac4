"""Rotated ``secure:`` config values, found without decrypting anything.

The plan redacts secrets, so two plans of a stack whose secret was rotated are identical. The
stack files still differ: each ``secure:`` value is ciphertext. Comparing a digest of the
ciphertext on both sides says "secret changed" for a key while neither the plaintext nor the
ciphertext ever reaches the output.
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml


def _secure_leaves(value: Any, path: str) -> dict[str, str]:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return {path: hashlib.sha256(str(value["secure"]).encode()).hexdigest()}
        leaves: dict[str, str] = {}
        for key, item in value.items():
            leaves.update(_secure_leaves(item, f"{path}.{key}"))
        return leaves
    if isinstance(value, list):
        leaves = {}
        for index, item in enumerate(value):
            leaves.update(_secure_leaves(item, f"{path}[{index}]"))
        return leaves
    return {}


def secure_digests(stack_file_text: str | None) -> dict[str, str]:
    """Config key path -> digest of its ciphertext, for every ``secure:`` value."""
    if not stack_file_text:
        return {}
    try:
        document = yaml.safe_load(stack_file_text) or {}
    except yaml.YAMLError:
        return {}
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return {}
    digests: dict[str, str] = {}
    for key, value in config.items():
        digests.update(_secure_leaves(value, str(key)))
    return digests


def changed_secrets(base_text: str | None, head_text: str | None) -> list[str]:
    """Keys whose ``secure:`` value was rotated, added or removed between the two files."""
    before, after = secure_digests(base_text), secure_digests(head_text)
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
