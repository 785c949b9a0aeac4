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
    from infra.config.platform import PlatformFields

__all__ = ["REQUIRED_TAG_KEYS", "SECRET_LOOKING_NAME", "kubernetes_labels", "tags"]

# Kubernetes labels the program sets: only the recommended ``app.kubernetes.io/`` keys
# (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/), which the
# Kubernetes project owns and reserves for exactly this use. A private prefix would have to be a
# DNS name the project controls (the old ``platform.example.com/`` was a documentation domain);
# the instance label (the stack, e.g. ``prod-azure``) already tells environments apart.
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
INSTANCE_LABEL = "app.kubernetes.io/instance"


def tags(config: PlatformFields, component: str) -> dict[str, str]:
    """Tags for one component's resources; every key in ``REQUIRED_TAG_KEYS`` is present."""
    return {
        "project": "platform",
        "environment": config.environment,
        "stack": config.stack.lower(),
        "managed-by": "pulumi",
        "component": component,
    }


def kubernetes_labels(config: PlatformFields) -> dict[str, str]:
    """Labels on every Kubernetes object the program creates."""
    return {
        PART_OF_LABEL: "analytics-platform",
        MANAGED_BY_LABEL: "pulumi",
        INSTANCE_LABEL: config.stack.lower(),
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
