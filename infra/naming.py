"""Names and tags shared by every cloud.

Tags (AWS, Azure) and labels (GCP) carry the same keys and values; values are lowercase so that
GCP's label rules accept them unchanged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.config.models import PlatformConfig

REQUIRED_TAG_KEYS = ("project", "environment", "stack", "managed-by", "component")
# Setting names that suggest a secret: never allowed in a ConfigMap (config and policy agree).
SECRET_LOOKING_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I
)


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
