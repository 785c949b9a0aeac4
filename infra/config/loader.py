"""Reads ``platform:*`` (and the provider keys we need) from Pulumi config and validates it.

This is the only module that touches ``pulumi.Config``. It runs the same way under ``pulumi up``
and under the offline plan (which feeds the stack file through ``set_all_config``), so both see
exactly the same errors. Profile defaults from ``infra.config.profiles`` are merged under the stack's
overrides before validation, and every problem is reported at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, cast, get_args

import pulumi
from pydantic import BaseModel, ValidationError

from infra.config.credentials import plaintext_credentials
from infra.config.errors import ConfigError
from infra.config.models import SECTION_MODELS, Cloud, Environment, PlatformConfig
from infra.config.profiles import deep_merge, profile

NAMESPACE = "platform"
SCALAR_KEYS = ("cloud", "environment")
OBJECT_KEYS = (*SECTION_MODELS, "apps")
KNOWN_KEYS = (*SCALAR_KEYS, *OBJECT_KEYS)
REGION_KEYS: dict[str, str] = {
    "aws": "aws:region",
    "gcp": "gcp:region",
    "azure": "azure-native:location",
}
# Clouds with no region: the "region" is a fixed label (the stack still exports one).
REGIONLESS: dict[str, str] = {"local": "local"}
# Environments a cloud accepts (the others: all three).
CLOUD_ENVIRONMENTS: dict[str, tuple[str, ...]] = {"local": ("dev",)}
KUBE_CONTEXT_KEY = "kubernetes:context"
STACK_FILE_ENV = "PLATFORM_STACK_FILE"


def stack_file_name() -> str:
    """The file a user edits to fix a problem (the plan tool may point elsewhere)."""
    return os.environ.get(STACK_FILE_ENV) or f"Pulumi.{pulumi.get_stack()}.yaml"


def _all_config() -> dict[str, Any]:
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean X?)' when a close match exists, else ''."""
    import difflib  # only a config mistake needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _unknown_key_problems(keys: list[str]) -> list[str]:
    problems = []
    known = [f"{NAMESPACE}:{k}" for k in KNOWN_KEYS]
    for key in sorted(keys):
        if key.startswith(f"{NAMESPACE}:") and key not in known:
            problems.append(
                f"{key}: unknown key{did_you_mean(key, known)}; allowed: {', '.join(known)}"
            )
    return problems


def _read_object(raw: Any, key: str, problems: list[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            problems.append(f"{NAMESPACE}:{key}: must be an object (key: value pairs), got {raw!r}")
            return {}
    if not isinstance(value, dict):
        problems.append(f"{NAMESPACE}:{key}: must be an object (key: value pairs), got {value!r}")
        return {}
    return value


def _choice(raw: Any, key: str, allowed: tuple[str, ...], problems: list[str]) -> str | None:
    if raw in allowed:
        return raw
    shown = "missing" if raw is None else repr(raw)
    hint = did_you_mean(raw, allowed) if isinstance(raw, str) else ""
    problems.append(f"{NAMESPACE}:{key}: {shown}{hint}; allowed: {', '.join(allowed)}")
    return None


def _model_for(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model whose field set applies at ``loc`` (for listing allowed keys)."""
    model: type[BaseModel] | None = PlatformConfig
    position = 0
    while position < len(loc) and model is not None:
        part = loc[position]
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if part not in fields:
            return model
        annotation = fields[str(part)].annotation
        position += 1
        nested = [a for a in (annotation, *get_args(annotation)) if _is_model(a)]
        if nested:
            model = cast(type[BaseModel], nested[0])
            # skip a list index or dict key under a list/dict of models
            collection_key = part == "apps" or (
                position < len(loc) and isinstance(loc[position], int)
            )
            if position < len(loc) and collection_key:
                position += 1
            continue
        return model
    return model


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _format_loc(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def format_validation_error(error: ValidationError) -> list[str]:
    """One line per problem, each naming the key path and what is allowed."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            parent = _model_for(loc[:-1])
            allowed = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
            key = str(loc[-1])
            problems.append(
                f"{NAMESPACE}:{_format_loc(loc)}: unknown key{did_you_mean(key, allowed)}; "
                f"allowed: {', '.join(allowed)}"
            )
            continue
        if item["type"] == "missing":
            problems.append(f"{NAMESPACE}:{_format_loc(loc)}: required key is missing")
            continue
        if not loc:
            problems += [_qualify(line) for line in message.splitlines()]
            continue
        got = item.get("input")
        shown = (
            item["type"] != "value_error" and not isinstance(got, dict | list) and got is not None
        )
        suffix = f" (got {got!r})" if shown else ""
        problems.append(f"{NAMESPACE}:{_format_loc(loc)}: {message}{suffix}")
    return problems


def _qualify(line: str) -> str:
    """Cross-field messages name ``section.key``; provider keys (``gcp:project``) stay as-is."""
    return (
        line
        if line.startswith(tuple(f"{k.split(':')[0]}:" for k in REGION_KEYS.values()))
        else f"{NAMESPACE}:{line}"
    )


def build_platform_config(
    raw: dict[str, Any],
    stack: str,
    stack_file: str,
    is_secret: Callable[[str], bool] = lambda key: False,
) -> PlatformConfig:
    """Validate a flat Pulumi config map (``{"platform:cloud": "aws", ...}``); ``is_secret``
    tells which keys the CLI decrypted (their plain text cannot be checked for credentials)."""
    problems = plaintext_credentials(raw, is_secret) + _unknown_key_problems(list(raw))
    cloud = _choice(raw.get(f"{NAMESPACE}:cloud"), "cloud", get_args(Cloud), problems)
    environment = _choice(
        raw.get(f"{NAMESPACE}:environment"), "environment", get_args(Environment), problems
    )
    overrides = {
        key: _read_object(raw.get(f"{NAMESPACE}:{key}"), key, problems) for key in OBJECT_KEYS
    }
    region = _region(raw, cloud, problems)
    allowed_environments = CLOUD_ENVIRONMENTS.get(cloud or "")
    if environment and allowed_environments and environment not in allowed_environments:
        problems.append(
            f"{NAMESPACE}:environment: {environment} is not available with platform:cloud "
            f"{cloud} (a laptop cluster has no zones or cloud backups); allowed: "
            f"{', '.join(allowed_environments)}"
        )
        environment = None
    if cloud is None or environment is None or not region:
        raise ConfigError(stack_file, problems)

    # _choice only returns members of the Literal types
    base = profile(cast(Environment, environment), cast(Cloud, cloud))
    document: dict[str, Any] = deep_merge(base, overrides)
    document.update(
        cloud=cloud, environment=environment, stack=stack, region=region,
        project=raw.get("gcp:project"), kube_context=raw.get(KUBE_CONTEXT_KEY),
    )  # fmt: skip
    try:
        config = PlatformConfig.model_validate(document, by_alias=True)
    except ValidationError as exc:
        raise ConfigError(stack_file, problems + format_validation_error(exc)) from None
    if problems:
        raise ConfigError(stack_file, problems)
    return config


def _region(raw: dict[str, Any], cloud: str | None, problems: list[str]) -> str | None:
    """The stack's region key, or the fixed label of a cloud that has none (``local``)."""
    if cloud is None:
        return None
    if cloud in REGIONLESS:
        stray = sorted(key for key in REGION_KEYS.values() if raw.get(key))
        if stray:
            problems.append(
                f"{stray[0]}: not used when platform:cloud is {cloud} (it deploys onto the "
                f"current kubeconfig context; pick one with {KUBE_CONTEXT_KEY}); remove it"
            )
        return REGIONLESS[cloud]
    region = raw.get(REGION_KEYS[cloud])
    if not region:
        problems.append(f"{REGION_KEYS[cloud]}: required when platform:cloud is {cloud}")
    return region


def load_platform_config() -> PlatformConfig:
    """Read and validate this stack's config; raises ``ConfigError`` on any mistake."""
    from pulumi.runtime.config import is_config_secret

    return build_platform_config(
        _all_config(), pulumi.get_stack(), stack_file_name(), is_config_secret
    )
