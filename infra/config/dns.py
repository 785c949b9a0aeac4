"""``platform:dns``: the public DNS zone external-dns writes the apps' records into (opt-in).

Without ``zone`` nothing writes DNS: the stack outputs the Gateway's load-balancer address and
the records to create by hand (``dnsRecords``). With it, external-dns (``stacks/dns.py``)
creates one record per app host in that zone, under the stack's own TXT ownership, through the
cloud's workload identity: Route 53 (AWS), Cloud DNS (GCP) or Azure DNS (Azure).

``zoneId`` says which zone when the name alone is not enough, in each cloud's own terms: the
Route 53 hosted zone id (optional: looked up by name, public zones only), the Cloud DNS
managed zone's name (optional: looked up by DNS name in the stack's project), or the Azure DNS
zone's resource id (required: Azure looks zones up by resource group).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from infra.config.base import StrictModel
from infra.registry import per_cloud

# RFC 1123 labels (letters, digits, inner hyphens; 63 characters at most), at least two of
# them, lower case (external-dns and the clouds compare names in lower case), no trailing dot.
DNS_NAME = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


def _dns_name(value: str) -> str:
    if len(value) > 253 or not re.match(DNS_NAME, value):
        raise ValueError(
            f"{value!r} is not a DNS name: lower-case labels of letters, digits and inner "
            "hyphens (63 characters at most), two or more, joined by dots, no trailing dot "
            "(e.g. apps.your.domain)"
        )
    return value


DnsName = Annotated[str, AfterValidator(_dns_name)]

# What ``zoneId`` looks like on each cloud.
ZONE_ID_PATTERNS: dict[str, tuple[str, str]] = {
    # Route 53 hosted zone ids: "Z" and upper-case letters/digits (API reference, HostedZone.Id)
    "aws": (r"^Z[A-Z0-9]{1,31}$", "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    # Cloud DNS managed zone names: 1-63 of [a-z0-9-], starting with a letter
    "gcp": (
        r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$",
        "the Cloud DNS managed zone's name (`gcloud dns managed-zones list`)",
    ),
    "azure": (
        r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
        r"dnszones/[^/]+$",
        "the Azure DNS zone's resource id (`az network dns zone show -g RG -n ZONE --query id`)",
    ),
}
per_cloud("infra.config.dns.ZONE_ID_PATTERNS", ZONE_ID_PATTERNS, coverage="account")


class DnsConfig(StrictModel):
    """The public DNS zone the apps' hosts live in, kept by external-dns (opt-in)."""

    zone: DnsName | None = Field(
        default=None,
        description="public DNS zone external-dns keeps the app hosts' records in "
        "(e.g. apps.your.domain; unset: no external-dns, create the dnsRecords output by hand)",
    )
    zone_id: str | None = Field(
        default=None,
        min_length=1,
        description="which zone: aws hosted zone id (default: looked up by name), gcp managed "
        "zone name (default: looked up by DNS name), azure zone resource id (required)",
    )
    policy: Literal["sync", "upsert-only"] = Field(
        default="sync",
        description="sync: also delete the records of removed hosts (only those this stack "
        "owns by TXT record); upsert-only: never delete",
    )


def in_zone(host: str, zone: str) -> bool:
    """``host`` is the zone's apex or a name under it."""
    return host == zone or host.endswith(f".{zone}")


def azure_zone_parts(zone_id: str) -> tuple[str, str, str]:
    """(subscription id, resource group, zone name) of an Azure DNS zone resource id."""
    match = re.match(
        r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Network/"
        r"dnszones/([^/]+)$",
        zone_id,
        flags=re.IGNORECASE,
    )
    if match is None:
        raise ValueError(f"not an Azure DNS zone resource id: {zone_id}")
    return match.group(1), match.group(2), match.group(3)


def dns_problems(cloud: str, dns: DnsConfig, hosts: dict[str, str], gateway: bool) -> list[str]:
    """What is wrong with ``platform:dns`` for this cloud, the app hosts and the add-ons."""
    if dns.zone is None:
        return (
            ["dns.zoneId: set dns.zone too (the zone's DNS name), or remove dns.zoneId"]
            if dns.zone_id
            else []
        )
    if cloud == "local":
        return [
            "dns.zone: not available with platform:cloud local (*.localhost needs no records); "
            "remove platform:dns"
        ]
    problems: list[str] = []
    if not gateway:
        problems.append(
            "dns.zone: external-dns reads the hosts from the Gateway's routes; turn "
            "addons.gateway on or remove dns.zone"
        )
    pattern, what = ZONE_ID_PATTERNS[cloud]
    if dns.zone_id is None and cloud == "azure":
        problems.append(f"dns.zoneId: required on azure: {what}")
    elif dns.zone_id is not None and not re.match(
        pattern, dns.zone_id, flags=re.IGNORECASE if cloud == "azure" else 0
    ):
        problems.append(f"dns.zoneId: {dns.zone_id!r} is not {what}")
    elif cloud == "azure" and dns.zone_id is not None:
        zone_name = azure_zone_parts(dns.zone_id)[2]
        if zone_name.lower() != dns.zone:
            problems.append(
                f"dns.zoneId: names zone {zone_name}, not dns.zone {dns.zone}; "
                "give the id of that zone"
            )
    problems += [
        f"apps.{app}.host: {host} is not in dns.zone {dns.zone} (external-dns writes only "
        "there); use a host under the zone, or a zone that holds every host"
        for app, host in sorted(hosts.items())
        if not in_zone(host, dns.zone)
    ]
    return problems
