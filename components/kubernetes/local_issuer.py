"""A self-signed certificate authority for clusters Let's Encrypt cannot reach (a laptop).

ACME needs a public DNS name and an HTTP-01 solver the internet can reach; a kind cluster has
neither. cert-manager's documented bootstrap instead: a ``selfSigned`` ClusterIssuer signs one
CA ``Certificate``, and a ``ca`` ClusterIssuer issues every Ingress certificate from it, so a
developer trusts one CA (``kubectl -n cert-manager get secret platform-local-ca``) rather than
one certificate per host (https://cert-manager.io/docs/configuration/selfsigned/#bootstrapping-ca-issuers).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from infra.naming import child

CERT_MANAGER_NAMESPACE = "cert-manager"
BOOTSTRAP_ISSUER = "selfsigned-bootstrap"
LOCAL_CA = "platform-local-ca"
# The CA outlives many laptop sessions; cert-manager renews it (and re-signs leaves) before expiry.
CA_DURATION = "8760h"


def self_signed_ca(name: str, opts: pulumi.ResourceOptions) -> str:
    """Declare the bootstrap issuer, the CA certificate and the CA issuer; returns the CA
    ClusterIssuer's name (what Ingresses request certificates from)."""
    bootstrap = k8s.apiextensions.CustomResource(
        child(name, BOOTSTRAP_ISSUER),
        api_version=api_versions.CERT_MANAGER,
        kind="ClusterIssuer",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=BOOTSTRAP_ISSUER),
        spec={"selfSigned": {}},
        opts=opts,
    )
    ca = k8s.apiextensions.CustomResource(
        child(name, f"{LOCAL_CA}-certificate"),
        api_version=api_versions.CERT_MANAGER,
        kind="Certificate",
        # a ClusterIssuer reads its CA secret from cert-manager's own namespace
        metadata=k8s.meta.v1.ObjectMetaArgs(name=LOCAL_CA, namespace=CERT_MANAGER_NAMESPACE),
        spec={
            "isCA": True,
            "commonName": "analytics-platform local CA",
            "secretName": LOCAL_CA,
            "duration": CA_DURATION,
            "privateKey": {"algorithm": "ECDSA", "size": 256},
            "issuerRef": {
                "name": BOOTSTRAP_ISSUER,
                "kind": "ClusterIssuer",
                "group": "cert-manager.io",
            },
        },
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[bootstrap])),
    )
    k8s.apiextensions.CustomResource(
        child(name, LOCAL_CA),
        api_version=api_versions.CERT_MANAGER,
        kind="ClusterIssuer",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=LOCAL_CA),
        spec={"ca": {"secretName": LOCAL_CA}},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[ca])),
    )
    return LOCAL_CA
