"""Scalar types shared by the config section models, and key-path lookup for messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StringConstraints

if TYPE_CHECKING:
    from infra.config.models import PlatformConfig

# "local": no cloud at all, the current kubeconfig context (kind, k3d, minikube, Docker Desktop)
Cloud = Literal["aws", "gcp", "azure", "local"]
Environment = Literal["dev", "staging", "prod"]

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")]
KubernetesVersion = Annotated[str, StringConstraints(pattern=r"^1\.\d{2}$")]


def config_value(config: PlatformConfig, path: str) -> object:
    """The value at ``section.camelKey`` (the key path users see in messages)."""
    section, key = path.split(".")
    model = getattr(config, section)
    field = next(n for n, f in type(model).model_fields.items() if f.alias == key)
    return getattr(model, field)
