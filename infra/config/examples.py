"""What counts as an example value: documentation ranges, domains, ids and the shipped samples.

The shipped stack files and the profile's defaults are written for an account that does not
exist. This module is the one list of such values; ``example_problems`` finds them in a stack's
effective config (the profile merged with the stack file) and names, per key, what to put
there instead. A stack file that says ``platform:example: true`` is a sample and may hold them
(the offline plan and the tests use those), but it is refused under the real engine
(``infra.config.loader``): ``python -m infra init`` writes a stack of the user's own values.

Sources: RFC 5737 (IPv4 documentation ranges), RFC 3849 (IPv6 documentation prefix), RFC 2606
and RFC 6761 (``example.com/.net/.org``, the ``.example`` and ``.invalid`` TLDs), the AWS docs'
sample account ids, the all-zero GUID the Azure docs use, and the values this repository ships.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from policies.rules.facts.examples import DOCUMENTATION_NETWORKS
from policies.rules.facts.examples import documentation_network as documentation_range

__all__ = ["DOCUMENTATION_NETWORKS", "example_problems", "example_reason", "hint"]

#: RFC 2606 second-level example domains (and every name under them)
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
#: RFC 2606 / RFC 6761 reserved TLDs that never resolve
EXAMPLE_TLDS = ("example", "invalid")
#: account, subscription and tenant ids the clouds' documentation uses
DOCUMENTATION_IDS: dict[str, str] = {
    "123456789012": "the AWS documentation's sample account id",
    "111122223333": "the AWS documentation's sample account id",
    "444455556666": "the AWS documentation's sample account id",
    "00000000-0000-0000-0000-000000000000": "the all-zero GUID of the Azure documentation",
}
#: principals, projects and images this repository ships as samples
SHIPPED_SAMPLES: dict[str, str] = {
    "6a1f3c2e-9b0d-4d8e-a5f1-2c3b4d5e6f70": "the shipped sample Entra group id",
    "analytics-platform-dev": "the shipped sample GCP project",
    "analytics-platform-staging": "the shipped sample GCP project",
    "analytics-platform-prod": "the shipped sample GCP project",
}
#: image repositories the profile names as samples (no one can pull them for you)
EXAMPLE_IMAGE_PREFIXES = ("ghcr.io/analytics-platform/",)
#: the registry the profile's relative images resolve against
EXAMPLE_REGISTRIES = ("ghcr.io/analytics-platform",)

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")
_HOSTISH = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[a-z0-9]([a-z0-9.-]*[a-z0-9])?)$", re.IGNORECASE)


def documentation_network(value: str) -> str | None:
    """Why ``value`` (an address or CIDR) is a documentation range, if it is one."""
    label = documentation_range(value)
    return f"{value} is a documentation range ({label})" if label else None


def example_domain(value: str) -> str | None:
    """Why ``value`` (a hostname or e-mail address) is under an example domain, if it is."""
    match = _HOSTISH.match(value.strip())
    if not match:
        return None
    host = match.group("host").lower().rstrip(".")
    for domain in EXAMPLE_DOMAINS:
        if host == domain or host.endswith(f".{domain}"):
            return f"{value} is under {domain}, a documentation domain (RFC 2606)"
    tld = host.rsplit(".", 1)[-1]
    if "." in host and tld in EXAMPLE_TLDS:
        return f"{value} is under .{tld}, a reserved TLD that never resolves (RFC 2606)"
    return None


def example_reason(value: str) -> str | None:
    """Why ``value`` is an example value, or None when it is not one."""
    text = value.strip()
    if not text:
        return None
    if reason := documentation_network(text):
        return reason
    if reason := example_domain(text):
        return reason
    for prefix in EXAMPLE_IMAGE_PREFIXES:
        if text.startswith(prefix):
            return f"{value} is a sample image of this repository ({prefix}*)"
    if text in EXAMPLE_REGISTRIES:
        return f"{value} is the sample registry of this repository"
    for token in _TOKEN.findall(text):
        for part in re.split(r"[:/]", token):
            if part in DOCUMENTATION_IDS:
                return f"{value} holds {part}, {DOCUMENTATION_IDS[part]}"
            if part in SHIPPED_SAMPLES:
                return f"{value} is {SHIPPED_SAMPLES[part]}"
    return None


# What to put there instead, by key (the first pattern that matches the key path wins).
_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"^platform:cluster\.authorizedNetworks",
        "the public CIDRs you run pulumi from "
        "(office, VPN egress, CI runners; `curl -s https://checkip.amazonaws.com` shows yours)",
    ),
    (
        r"^platform:cluster\.privateAccessCidrs",
        "the network of your deploy runner or VPN, routed into the VPC (not the nodes' own subnet)",
    ),
    (
        r"^platform:cluster\.(adminPrincipals|deployerPrincipals?|previewPrincipals)",
        "your own principals: AWS IAM role ARNs (`aws iam get-role --role-name R --query Role.Arn`), "
        "Entra object ids (`az ad group show -g G --query id`), Google members (`group:ops@your.domain`)",
    ),
    (
        r"^platform:addons\.certManagerEmail",
        "an address you read (Let's Encrypt refuses "
        "documentation domains and sends certificate expiry notices to it)",
    ),
    (r"^platform:alarms\.notificationEmails", "addresses your on-call reads"),
    (
        r"^platform:apps\.[^.]+\.host",
        "a hostname in a DNS zone you control (`python -m infra init --domain`)",
    ),
    (
        r"^platform:dns\.zone$",
        "a public DNS zone you control that holds the app hosts (`python -m infra init --dns-zone`)",
    ),
    (
        r"^platform:dns\.zoneId",
        "your zone's id (Route 53 hosted zone id, Cloud DNS zone name, Azure DNS zone resource id)",
    ),
    (
        r"^platform:apps\.[^.]+\.image",
        "your own image, pinned (or set platform:images.registry "
        "to the registry holding the apps' images)",
    ),
    (
        r"^platform:images\.registry",
        "the registry holding your apps' images (`python -m infra init --image-registry`)",
    ),
    (r"^gcp:project", "your GCP project id (`gcloud projects list`)"),
)


def hint(key: str) -> str:
    """What to put at ``key`` instead of an example value."""
    for pattern, text in _HINTS:
        if re.match(pattern, key):
            return text
    return "a value of your own account"


def leaves(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string under ``value`` as (key path, text): ``a.b[0].c``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def example_problems(
    document: dict[str, Any], provider_keys: dict[str, Any], stack_keys: set[str]
) -> list[str]:
    """One line per key of the effective config that holds an example value.

    ``document``: the ``platform:*`` sections (camelCase keys), profile merged with the stack;
    ``provider_keys``: the non-platform keys the program reads (``gcp:project``, ...);
    ``stack_keys``: the key paths the stack file itself sets (the others are the profile's).
    """
    found = [
        (path, text)
        for section, value in document.items()
        for path, text in leaves(value, f"platform:{section}")
    ]
    found += [(key, value) for key, value in provider_keys.items() if isinstance(value, str)]
    problems = []
    for path, text in found:
        reason = example_reason(text)
        if reason is None:
            continue
        origin = "" if path in stack_keys else " (the profile's default)"
        problems.append(f"{path}: {reason}{origin}; set it to {hint(path)}")
    return problems
