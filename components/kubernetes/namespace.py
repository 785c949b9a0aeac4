"""A namespace with Pod Security Admission labels, a ResourceQuota and a LimitRange.

PSA ``enforce`` makes the API server reject pods below the namespace's level (``restricted``
for the application); the quota caps what the namespace may claim and the LimitRange gives
every container that forgets them requests and limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from infra.naming import child

PodSecurityLevel = Literal["restricted", "baseline", "privileged"]
PSA_VERSION = "latest"


@dataclass(frozen=True, kw_only=True)
class NamespaceArgs:
    """Inputs of ``PlatformNamespace``; quantities are Kubernetes quantity strings."""

    #: namespace name
    name: str
    #: Pod Security Admission level enforced, audited and warned
    pod_security: PodSecurityLevel
    #: ResourceQuota hard limits (Kubernetes quantities)
    quota: dict[str, str]
    #: LimitRange default requests for containers that set none
    default_request: dict[str, str]
    #: LimitRange default limits for containers that set none
    default_limit: dict[str, str]
    #: labels on the namespace (besides the PSA ones)
    labels: dict[str, str]


def pod_security_labels(level: PodSecurityLevel) -> dict[str, str]:
    """Enforce, audit and warn at ``level``."""
    labels = {}
    for mode in ("enforce", "audit", "warn"):
        labels[f"pod-security.kubernetes.io/{mode}"] = level
        labels[f"pod-security.kubernetes.io/{mode}-version"] = PSA_VERSION
    return labels


class PlatformNamespace(pulumi.ComponentResource):
    """A namespace with its guardrails."""

    name: pulumi.Output[str]
    """The namespace's name."""

    def __init__(
        self, name: str, args: NamespaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:Namespace", name, None, opts)
        child_opts = pulumi.ResourceOptions(parent=self)
        namespace = k8s.core.v1.Namespace(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.name,
                labels={
                    **args.labels,
                    **pod_security_labels(args.pod_security),
                    "kubernetes.io/metadata.name": args.name,
                },
            ),
            opts=child_opts,
        )
        self.name = namespace.metadata.apply(lambda m: m.name or args.name)
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        k8s.core.v1.ResourceQuota(
            child(name, "quota"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="quota", namespace=args.name, labels=args.labels
            ),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(hard=args.quota),
            opts=in_namespace,
        )
        k8s.core.v1.LimitRange(
            child(name, "limits"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="defaults", namespace=args.name, labels=args.labels
            ),
            spec=k8s.core.v1.LimitRangeSpecArgs(
                limits=[
                    k8s.core.v1.LimitRangeItemArgs(
                        type="Container",
                        default=args.default_limit,
                        default_request=args.default_request,
                    )
                ]
            ),
            opts=in_namespace,
        )
        self.register_outputs({"name": self.name})
