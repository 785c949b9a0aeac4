"""GCP names and ids derived from stack-dependent logical names, valid for any stack name.

GCP resource names follow RFC 1035 (``[a-z]([-a-z0-9]*[a-z0-9])?``) with per-service length
limits (63 for most, 40 for GKE clusters and node pools), and service-account ids are 6-30
characters. Logical names embed the stack name, which may be long or hold other characters:
these helpers lowercase, replace what GCP refuses, and cut overlong names with a hash of the
whole name (so two stacks never collide). The deployability rules in
``policies/rules/deployability/gcp.py`` check the results.
"""

from __future__ import annotations

import re

from infra.naming import bounded

# https://cloud.google.com/compute/docs/naming-resources: 1-63 chars, RFC 1035.
NAME_LIMIT = 63
# https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters
# (cluster name: at most 40 characters); node pools are named under the same rule.
GKE_NAME_LIMIT = 40
# https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/create:
# accountId must be 6-30 characters, [a-z]([-a-z0-9]*[a-z0-9]).
ACCOUNT_ID_MIN, ACCOUNT_ID_MAX = 6, 30


def _rfc1035(name: str) -> str:
    """Lowercase, other characters as single hyphens, starting with a letter, no trailing '-'."""
    cleaned = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", name.lower())).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"x-{cleaned}".rstrip("-")
    return cleaned


def resource_name(logical: str, limit: int = NAME_LIMIT) -> str:
    """A valid RFC 1035 name of at most ``limit`` characters derived from ``logical``."""
    return bounded(_rfc1035(logical), limit).rstrip("-")


def bucket_name(base: str, project: str, limit: int = NAME_LIMIT) -> str:
    """A globally unique Cloud Storage bucket name: ``base`` (cut with a hash when long)
    followed by the whole ``project`` id, at most ``limit`` characters.

    Bucket names share one global namespace (3-63 characters,
    https://cloud.google.com/storage/docs/buckets#naming): the project id, which is itself
    globally unique, is kept whole so two projects never collide, and the stack part is what
    gets shortened.
    """
    room = limit - len(project) - 1
    return f"{bounded(_rfc1035(base), room).rstrip('-')}-{project}"


def account_id(base: str) -> str:
    """A valid, unique service-account id (6-30 characters) derived from ``base``."""
    cleaned = _rfc1035(base)
    if len(cleaned) < ACCOUNT_ID_MIN:
        cleaned = f"{cleaned}-sa-id"
    return bounded(cleaned, ACCOUNT_ID_MAX)
