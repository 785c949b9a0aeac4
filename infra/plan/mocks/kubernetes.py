"""Mocked outputs of pulumi-kubernetes resources: metadata filled in as the API server would."""

from __future__ import annotations

from typing import Any

from infra.plan.mocks.common import MockContext, digest

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def _release(args: Any, context: MockContext) -> dict[str, Any]:
    return {
        "status": {
            "name": args.inputs.get("name", args.name),
            "namespace": args.inputs.get("namespace", "default"),
            "version": args.inputs.get("version", ""),
            "status": "deployed",
            "revision": 1,
        }
    }


def fallback(args: Any, context: MockContext) -> dict[str, Any]:
    """Any Kubernetes object: a uid and the name the API server would keep."""
    if args.typ == HELM_RELEASE:
        return _release(args, context)
    metadata = dict(args.inputs.get("metadata") or {})
    metadata.setdefault("name", args.name)
    metadata["uid"] = digest(context.stack, args.typ, args.name, length=32)
    return {"metadata": metadata}
