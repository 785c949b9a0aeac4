"""The Cluster's credentials and server CA, made by the program so the contract carries them.

- the app owner's credentials as a ``kubernetes.io/basic-auth`` Secret
  (``bootstrap.initdb.secret``), the password from pulumi-random, so the contract carries it
  without reading a Secret the operator writes later;
- a server TLS CA the program knows (so apps verify with ``verify-full``), handed to the
  operator with its key: the operator issues the server certificate from it and renews it
  before expiry, with no ``pulumi up`` needed.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_tls as tls

from components.kubernetes.cnpg.args import CnpgPostgresArgs
from infra.naming import child

# The server CA's lifetime; the server certificate it signs is the operator's (issued for 90
# days and renewed 7 days before expiry, docs/src/certificates.md at v1.30.0).
CA_VALIDITY_HOURS = 24 * 365 * 10


def server_ca_secret(args: CnpgPostgresArgs) -> str:
    """The Secret holding the server CA (``certificates.serverCASecret``)."""
    return f"{args.name}-server-ca"


def credentials_secret(args: CnpgPostgresArgs) -> str:
    """The Secret holding the owner's credentials (``bootstrap.initdb.secret``)."""
    return f"{args.name}-app-credentials"


def credentials(
    name: str, args: CnpgPostgresArgs, parent: pulumi.Resource, opts: pulumi.ResourceOptions
) -> tuple[pulumi.Output[str], k8s.core.v1.Secret]:
    """The owner's password, generated here and handed to ``bootstrap.initdb.secret``."""
    password = random.RandomPassword(
        child(name, "app-password"), length=32, special=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )  # fmt: skip
    secret = k8s.core.v1.Secret(
        child(name, "app-credentials"),
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=credentials_secret(args), namespace=args.namespace, labels=args.labels
        ),
        type="kubernetes.io/basic-auth",
        string_data={"username": args.spec.username, "password": password.result},
        opts=opts,
    )
    return pulumi.Output.secret(password.result), secret


def server_ca(
    name: str, args: CnpgPostgresArgs, parent: pulumi.Resource, opts: pulumi.ResourceOptions
) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
    """A server CA the program knows, so the contract can carry it.

    CloudNativePG would otherwise generate its CA into ``<name>-ca`` in the instances'
    namespace, which apps in another namespace cannot mount and the program could only read
    after the operator wrote it. The CA Secret carries ``ca.key`` and no
    ``serverTLSSecret`` is given, so the operator issues the server certificate from this
    CA and renews it before it expires (the API reference of ``certificates.serverTLSSecret``:
    "If not defined, ServerCASecret must provide also ``ca.key`` and a new secret will be
    created using the provided CA"). A certificate issued by ``pulumi up`` would instead
    expire unnoticed on a stack nobody redeploys. The operator also keeps managing the
    client (replication) certificates.
    """
    in_component = pulumi.ResourceOptions(parent=parent)
    ca_key = tls.PrivateKey(
        child(name, "ca-key"), algorithm="ECDSA", ecdsa_curve="P256", opts=in_component
    )
    ca = tls.SelfSignedCert(
        child(name, "ca"),
        private_key_pem=ca_key.private_key_pem,
        subject=tls.SelfSignedCertSubjectArgs(common_name=f"{args.name} postgres CA"),
        is_ca_certificate=True,
        validity_period_hours=CA_VALIDITY_HOURS,
        allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
        opts=in_component,
    )
    ca_secret = k8s.core.v1.Secret(
        child(name, "server-ca"),
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=server_ca_secret(args),
            namespace=args.namespace,
            labels={**args.labels, "cnpg.io/reload": "true"},
        ),
        type="Opaque",
        string_data={"ca.crt": ca.cert_pem, "ca.key": ca_key.private_key_pem},
        opts=opts,
    )
    return ca.cert_pem, [ca_secret]
