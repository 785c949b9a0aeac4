"""Mocked outputs of pulumi-random resources (results are secrets where the provider says so)."""

from __future__ import annotations

from typing import Any

from infra.plan.mocks.common import MockContext, OutputFn, digest, secret


def _password(args: Any, context: MockContext) -> dict[str, Any]:
    length = int(args.inputs.get("length", 32))
    value = (digest(context.stack, args.name, length=64) * 4)[:length]
    return {"result": secret(value), "bcryptHash": secret(f"$2a$10${value}")}


def _random_id(args: Any, context: MockContext) -> dict[str, Any]:
    hex_value = digest(context.stack, args.name, length=int(args.inputs.get("byteLength", 4)) * 2)
    return {
        "hex": hex_value,
        "dec": str(int(hex_value, 16)),
        "b64Url": hex_value,
        "b64Std": hex_value,
    }


RESOURCES: dict[str, OutputFn] = {
    "random:index/randomPassword:RandomPassword": _password,
    "random:index/randomString:RandomString": lambda a, c: {
        "result": _password(a, c)["result"]["value"]
    },
    "random:index/randomId:RandomId": _random_id,
}
