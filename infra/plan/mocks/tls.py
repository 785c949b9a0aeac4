"""Mocked outputs of pulumi-tls resources: stand-in PEM blocks, stable per stack and resource.

The offline plan never generates keys; these only have to look like what the provider returns
(private keys are secrets) so that manifests built from them render and can be compared.
"""

from __future__ import annotations

from typing import Any

from infra.plan.mocks.common import MockContext, OutputFn, digest, secret


def _pem(kind: str, context: MockContext, name: str) -> str:
    return f"-----BEGIN {kind}-----\nOFFLINE-PLAN-{digest(context.stack, name, length=32)}\n-----END {kind}-----\n"


def _private_key(args: Any, context: MockContext) -> dict[str, Any]:
    return {
        "privateKeyPem": secret(_pem("PRIVATE KEY", context, args.name)),
        "publicKeyPem": _pem("PUBLIC KEY", context, args.name),
    }


def _certificate(args: Any, context: MockContext) -> dict[str, Any]:
    return {"certPem": _pem("CERTIFICATE", context, args.name)}


RESOURCES: dict[str, OutputFn] = {
    "tls:index/privateKey:PrivateKey": _private_key,
    "tls:index/selfSignedCert:SelfSignedCert": _certificate,
    "tls:index/locallySignedCert:LocallySignedCert": _certificate,
    "tls:index/certRequest:CertRequest": lambda a, c: {
        "certRequestPem": _pem("CERTIFICATE REQUEST", c, a.name)
    },
}
