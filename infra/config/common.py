"""Scalar types shared by the config section models, the region key of each cloud, and what
messages need (key-path lookup, did-you-mean, the stack file's name): the loader, the rule
modules and the errors import these from here, never from each other."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from infra.registry import per_cloud, validate_cloud

#: a registered cloud's name (``infra.registry``: aws, gcp, azure, and "local": no cloud at all,
#: the current kubeconfig context of kind, k3d, minikube or Docker Desktop)
Cloud = Annotated[str, AfterValidator(validate_cloud)]
Environment = Literal["dev", "staging", "prod"]
#: the stack-file key of each cloud account's region (the laptop cluster has none)
REGION_KEYS: dict[str, str] = per_cloud(
    "infra.config.common.REGION_KEYS",
    {"aws": "aws:region", "gcp": "gcp:region", "azure": "azure-native:location"},
    coverage="account",
)

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")]


def number_as_version(value: object) -> object:
    """A version typed as a number, as Pulumi users type it, read as the string it stands for.

    ``pulumi config set --path platform:postgres.version 17`` stores the number 17, and YAML
    reads an unquoted ``7.1`` as a float: both mean the version written. A float that lost a
    trailing zero (YAML reads ``1.30`` as ``1.3``) cannot be told apart, so it stays a mistake
    whose message says to quote it.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if text.endswith(".0"):
            return text.removesuffix(".0")
        return text
    return value


def _minor_version(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(
            f"{value!r} is a number, and YAML drops a trailing zero (1.30 reads as 1.3): "
            'quote it, e.g. "1.33"'
        )
    return number_as_version(value)


#: a version the user may have typed as a number (``17``, ``7.1``)
Version = Annotated[str, BeforeValidator(number_as_version)]
KubernetesVersion = Annotated[
    str, StringConstraints(pattern=r"^1\.\d{2}$"), BeforeValidator(_minor_version)
]


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean X?)' when a close match exists, else ''."""
    import difflib  # only a config mistake needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


STACK_FILE_ENV = "PLATFORM_STACK_FILE"


def stack_file_name() -> str:
    """The file a user edits to fix a problem (the plan tool may point elsewhere)."""
    import os

    import pulumi

    return os.environ.get(STACK_FILE_ENV) or f"Pulumi.{pulumi.get_stack()}.yaml"


def config_value(config: BaseModel, path: str) -> object:
    """The value at ``section.camelKey`` (the key path users see in messages) of a stack config
    (any model whose sections are attributes: typed loosely so ``common`` imports no model)."""
    section, key = path.split(".")
    model = getattr(config, section)
    field = next(n for n, f in type(model).model_fields.items() if f.alias == key)
    return getattr(model, field)
