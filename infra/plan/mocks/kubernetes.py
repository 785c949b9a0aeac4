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


SERVICE = "kubernetes:core/v1:Service"


def _load_balancer(context: MockContext) -> dict[str, Any]:
    """A LoadBalancer Service's status as each cloud fills it: an NLB's DNS name on AWS, an
    address (TEST-NET-3, a documentation range) on GCP and Azure."""
    if context.cloud == "aws":
        name = f"k8s-envoygat-{digest(context.stack, 'nlb', length=10)}"
        ingress = {"hostname": f"{name}.elb.{context.region}.amazonaws.com"}
    else:
        ingress = {"ip": f"203.0.113.{int(digest(context.stack, 'lb', length=2), 16) % 254 + 1}"}
    return {"loadBalancer": {"ingress": [ingress]}}


def fallback(args: Any, context: MockContext) -> dict[str, Any]:
    """Any Kubernetes object: a uid and the name the API server would keep; a Service the
    program reads (an existing one: it has an id) also its load-balancer status."""
    if args.typ == HELM_RELEASE:
        return _release(args, context)
    if args.typ == SERVICE and args.resource_id:
        namespace, _, name = str(args.resource_id).rpartition("/")
        return {
            "metadata": {"name": name, "namespace": namespace or "default"},
            "status": _load_balancer(context),
        }
    metadata = dict(args.inputs.get("metadata") or {})
    metadata.setdefault("name", args.name)
    metadata["uid"] = digest(context.stack, args.typ, args.name, length=32)
    return {"metadata": metadata}
