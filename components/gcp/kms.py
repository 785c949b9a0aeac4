"""Cloud KMS key rings that survive a stack being destroyed and created again.

Cloud KMS never deletes key rings (or keys): a re-created stack cannot reuse the old name, so
each ring gets a random suffix (kept in state and protected with the ring) after a head cut to
fit the 63-character name limit.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components.gcp.names import NAME_LIMIT, resource_name
from infra.naming import child

# "-" + 6 hex characters of a 3-byte RandomId
_SUFFIX_LENGTH = 7


def key_ring(
    owner: str,
    project: str,
    region: str,
    protect: bool,
    depends_on: list[pulumi.Resource],
    parent: pulumi.Resource,
) -> gcp.kms.KeyRing:
    """The ring ``<owner>-keys-<random>`` in ``region``, waiting for ``depends_on`` (the KMS API)."""
    suffix = random.RandomId(
        child(owner, "keys"),
        byte_length=3,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    return gcp.kms.KeyRing(
        child(owner, "keys"),
        name=pulumi.Output.concat(
            resource_name(child(owner, "keys"), NAME_LIMIT - _SUFFIX_LENGTH), "-", suffix.hex
        ),
        project=project,
        location=region,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, depends_on=depends_on),
    )
