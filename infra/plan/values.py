"""Turns property values as the engine sees them into plain JSON, redacting secrets.

Engine values carry markers: a secret is ``{SIG: SECRET_SIG, "value": v}``, a
resource reference is ``{SIG: RESOURCE_SIG, "urn": ...}``, an unknown is a sentinel string,
and every number is a float. ``plain(..., redact=True)`` is what reaches JSON and the terminal;
``redact=False`` is for policies, which must see real values, and stays in memory.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
REDACTED = "[secret]"
UNKNOWN_SHOWN = "[unknown]"


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A protobuf Struct as a Python dict, markers kept."""
    return json_format.MessageToDict(struct)


def plain(value: Any, *, redact: bool) -> Any:
    """``value`` without engine markers; secrets become ``[secret]`` when ``redact``."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return UNKNOWN_SHOWN if value == UNKNOWN else value
    if isinstance(value, list):
        return [plain(item, redact=redact) for item in value]
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return (
                _redacted(value.get("value")) if redact else plain(value.get("value"), redact=False)
            )
        if signature == RESOURCE_SIG:
            return value.get("urn", "")
        if signature == OUTPUT_SIG:
            if value.get("secret"):
                return (
                    _redacted(value.get("value"))
                    if redact
                    else plain(value.get("value"), redact=False)
                )
            return plain(value.get("value", UNKNOWN), redact=redact)
        if signature in ASSET_SIGS:
            return {k: v for k, v in value.items() if k != SIG_KEY}
        return {key: plain(item, redact=redact) for key, item in value.items()}
    return value


def _redacted(value: Any) -> Any:
    """A secret map keeps its keys (which say what is there) with every value hidden."""
    if isinstance(value, dict) and SIG_KEY not in value:
        return dict.fromkeys(value, REDACTED)
    return REDACTED


def marshalled(value: Any) -> Any:
    """``value`` as the engine marshals it for an analyzer (``KeepUnknowns``, ``KeepSecrets``,
    no ``KeepResources``): a resource reference becomes its id (its URN when it has none),
    an output value its secret, unknown or plain value."""
    if isinstance(value, list):
        return [marshalled(item) for item in value]
    if not isinstance(value, dict):
        return value
    signature = value.get(SIG_KEY)
    if signature == RESOURCE_SIG:
        return value.get("id") or value.get("urn", "")
    if signature == OUTPUT_SIG:
        inner = marshalled(value["value"]) if "value" in value else UNKNOWN
        return {SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
    if signature == SECRET_SIG:
        return {SIG_KEY: SECRET_SIG, "value": marshalled(value.get("value"))}
    return {key: marshalled(item) for key, item in value.items()}
