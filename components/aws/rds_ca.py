"""The Amazon RDS certificate bundle the Postgres contract hands to clients for verify-full.

``rds-global-bundle.pem`` is AWS's global bundle (every region's root and intermediate CAs),
published at https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem. It cannot be
downloaded at plan time (the plan runs offline), so it is committed: this copy was taken from
the public repository huggingface/chat-ui, file ``global-bundle.pem`` at commit
3dbeff3845073723ebbf61f7d9c95847f0d45c1c (2023-06-28), sha256
fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f; it holds 115 certificates,
including every ``Amazon RDS <region> Root CA RSA2048 G1`` (valid until 2061) that signs
instances using ``rds-ca-rsa2048-g1``. Regions launched after mid-2023 are missing: refresh the
file from the URL above before deploying to one (docs/aws.md, "TLS to PostgreSQL").
"""

from __future__ import annotations

from pathlib import Path

RDS_CA_IDENTIFIER = "rds-ca-rsa2048-g1"
"""The CA every instance's server certificate is issued from (``ca_cert_identifier``)."""

BUNDLE_PATH = Path(__file__).with_name("rds-global-bundle.pem")
RDS_CA_BUNDLE = BUNDLE_PATH.read_text(encoding="ascii")
"""PEM text of the bundle, the Postgres contract's ``ca_certificate``."""
