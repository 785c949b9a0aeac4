"""Names and tags shared by every cloud.

Tags (AWS, Azure) and labels (GCP) carry the same keys and values; values are lowercase so that
GCP's label rules accept them unchanged.

The tag keys themselves are the policy pack's facts (``policies/rules/facts/tags.py``): the pack
is published alone and requires them.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from policies.rules.facts.tags import REQUIRED_TAG_KEYS, SECRET_LOOKING_NAME

if TYPE_CHECKING:
    from infra.config.models import PlatformConfig

__all__ = ["REQUIRED_TAG_KEYS", "SECRET_LOOKING_NAME", "tags"]


def tags(config: PlatformConfig, component: str) -> dict[str, str]:
    """Tags for one component's resources; every key in ``REQUIRED_TAG_KEYS`` is present."""
    return {
        "project": "platform",
        "environment": config.environment,
        "stack": config.stack.lower(),
        "managed-by": "pulumi",
        "component": component,
    }


def child(name: str, suffix: str) -> str:
    """Logical name of a child resource: the component's name plus a suffix."""
    return f"{name}-{suffix}"


# Namespace of the application workloads (the Kubernetes layer creates it; cloud identities
# trust service accounts in it).
APP_NAMESPACE = "analytics"


def bounded(name: str, limit: int, *, hash_length: int = 8) -> str:
    """``name`` if it has at most ``limit`` characters, else its head plus a stable hash.

    The hash is of the whole name, so two long names that share their head stay distinct
    (a plain ``name[:limit]`` would make them collide). The head loses trailing hyphens so the
    result never has ``--`` before the hash.
    """
    if len(name) <= limit:
        return name
    suffix = hashlib.sha256(name.encode()).hexdigest()[:hash_length]
    head = name[: limit - hash_length - 1].rstrip("-_.")
    return f"{head}-{suffix}"
