"""A namespace with its guardrails and its traffic allow-list, for add-ons and data services.

Every platform namespace outside the app's gets the same shape: Pod Security Admission level,
a quota, container defaults, a default deny for both directions (DNS open) and one allow-list
naming who may come in and where its pods may go.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.kubernetes.namespace import NamespaceArgs, PlatformNamespace, PodSecurityLevel
from components.kubernetes.network_policy import Allow, default_deny, namespace_allow_list
from infra.naming import child


@dataclass(frozen=True)
class AddonNamespace:
    """How a namespace is guarded: PSA level, quota, and its traffic allow-list."""

    pod_security: PodSecurityLevel
    cpu: str
    memory: str
    ingress: list[Allow]
    egress: list[Allow]


def guarded_namespace(
    name: str,
    namespace: str,
    spec: AddonNamespace,
    labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> PlatformNamespace:
    """``namespace`` with PSA, quota, defaults, default deny and ``spec``'s allow-list."""
    guarded = PlatformNamespace(
        child(name, namespace),
        NamespaceArgs(
            name=namespace,
            pod_security=spec.pod_security,
            quota={
                "requests.cpu": spec.cpu,
                "requests.memory": spec.memory,
                "limits.memory": spec.memory,
                "pods": "100",
                "persistentvolumeclaims": "10",
            },
            default_request={"cpu": "50m", "memory": "64Mi"},
            default_limit={"memory": "256Mi"},
            labels=labels,
        ),
        opts,
    )
    in_namespace = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[guarded]))
    default_deny(child(name, namespace), namespace, in_namespace)
    namespace_allow_list(child(name, namespace), namespace, spec.ingress, spec.egress, in_namespace)
    return guarded
