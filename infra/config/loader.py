"""Reads ``platform:*`` (and the provider keys we need) from Pulumi config and validates it.

This is the only module that touches ``pulumi.Config``. It runs the same way under ``pulumi up``
and under the offline plan (which feeds the stack file through ``set_all_config``), so both see
exactly the same errors. Profile defaults from ``infra.config.profiles`` are merged under the stack's
overrides before validation, and every problem is reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast, get_args

import pulumi
from pydantic import BaseModel, ValidationError

from infra.config.common import REGION_KEYS, did_you_mean, stack_file_name
from infra.config.credentials import plaintext_credentials
from infra.config.delivery import DELIVERIES
from infra.config.errors import ConfigError
from infra.config.examples import example_problems, leaves
from infra.config.models import SECTION_MODELS, Environment, PlatformConfig
from infra.config.profiles import deep_merge, profile
from infra.config.workloads import resolve_image
from infra.registry import clouds, per_cloud

NAMESPACE = "platform"
SCALAR_KEYS = ("cloud", "environment", "example", "delivery")
EXAMPLE_KEY = f"{NAMESPACE}:example"
# Keys outside ``platform:`` whose values are the user's own (checked for example values).
PROVIDER_VALUE_KEYS = ("gcp:project",)
INIT_HINT = (
    "run `python -m infra init --stack NAME --cloud CLOUD --environment ENV --region REGION` "
    "to write a stack of your own values (README: Your first deploy)"
)
OBJECT_KEYS = (*SECTION_MODELS, "apps")
KNOWN_KEYS = (*SCALAR_KEYS, *OBJECT_KEYS)
# Clouds with no region: the "region" is a fixed label (the stack still exports one).
REGIONLESS: dict[str, str] = per_cloud(
    "infra.config.loader.REGIONLESS", {"local": "local"}, coverage="laptop"
)
# Environments a laptop cluster accepts (a cloud account: all three).
CLOUD_ENVIRONMENTS: dict[str, tuple[str, ...]] = per_cloud(
    "infra.config.loader.CLOUD_ENVIRONMENTS", {"local": ("dev",)}, coverage="laptop"
)
KUBE_CONTEXT_KEY = "kubernetes:context"


def _all_config() -> dict[str, Any]:
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


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


def example_flag(raw: dict[str, Any], problems: list[str]) -> bool:
    """``platform:example`` as a bool (config scalars arrive as strings)."""
    value = raw.get(EXAMPLE_KEY)
    if value in (None, False, "false"):
        return False
    if value in (True, "true"):
        return True
    problems.append(f"{EXAMPLE_KEY}: {value!r}; allowed: true, false")
    return False


def _resolve_images(document: dict[str, Any]) -> None:
    """Apps' images that name no registry host come from ``images.registry``."""
    registry = (document.get("images") or {}).get("registry")
    for app in (document.get("apps") or {}).values():
        if isinstance(app, dict) and isinstance(app.get("image"), str):
            app["image"] = resolve_image(app["image"], registry)


def build_platform_config(
    raw: dict[str, Any],
    stack: str,
    stack_file: str,
    is_secret: Callable[[str], bool] = lambda key: False,
) -> PlatformConfig:
    """Validate a flat Pulumi config map (``{"platform:cloud": "aws", ...}``); ``is_secret``
    tells which keys the CLI decrypted (their plain text cannot be checked for credentials).

    Unless the stack says ``platform:example: true``, every example value in the effective
    config (the stack's own or the profile's default) is a problem (``infra.config.examples``).
    """
    problems = plaintext_credentials(raw, is_secret) + _unknown_key_problems(list(raw))
    example = example_flag(raw, problems)
    cloud = _choice(raw.get(f"{NAMESPACE}:cloud"), "cloud", clouds(), problems)
    environment = _choice(
        raw.get(f"{NAMESPACE}:environment"), "environment", get_args(Environment), problems
    )
    overrides = {
        key: _read_object(raw.get(f"{NAMESPACE}:{key}"), key, problems) for key in OBJECT_KEYS
    }
    region = _region(raw, cloud, problems)
    delivery = _choice(
        raw.get(f"{NAMESPACE}:delivery") or "pulumi", "delivery", DELIVERIES, problems
    )
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
    base = profile(cast(Environment, environment), cloud)
    document: dict[str, Any] = deep_merge(base, overrides)
    if not example:
        stack_keys = {
            path
            for key, value in overrides.items()
            for path, _ in leaves(value, f"{NAMESPACE}:{key}")
        } | set(PROVIDER_VALUE_KEYS)
        provider_values = {key: raw.get(key) for key in PROVIDER_VALUE_KEYS}
        problems += example_problems(document, provider_values, stack_keys)
    _resolve_images(document)
    document.update(
        cloud=cloud, environment=environment, stack=stack, region=region,
        project=raw.get("gcp:project"), kube_context=raw.get(KUBE_CONTEXT_KEY), example=example,
        delivery=delivery or "pulumi",
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


def under_mocks() -> bool:
    """Whether the program runs under Pulumi's mock runtime (the offline plan, unit tests)
    rather than the engine of ``pulumi preview``/``up`` (``is_dry_run`` cannot tell them apart:
    a preview is a dry run in both)."""
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.settings import get_monitor

    return isinstance(get_monitor(), MockMonitor)


def load_platform_config() -> PlatformConfig:
    """Read and validate this stack's config; raises ``ConfigError`` on any mistake.

    A sample stack (``platform:example: true``) plans offline but never reaches a real engine.
    """
    from pulumi.runtime.config import is_config_secret

    raw = _all_config()
    if example_flag(raw, []) and not under_mocks():
        raise ConfigError(
            stack_file_name(),
            [
                f"{EXAMPLE_KEY}: true marks a sample stack (documentation ranges, example.com, "
                f"sample principals and images) that cannot deploy to a real account; {INIT_HINT}"
            ],
        )
    return build_platform_config(raw, pulumi.get_stack(), stack_file_name(), is_config_secret)
