"""Zones, pinned in config (``network.availabilityZones``), never looked up at deploy time.

A zone is create-only on every subnet, cluster and node pool. Picking "the first N available
zones" at each ``pulumi up`` (AWS ``getAvailabilityZones``, GCP zones ``UP``) moves them the day
one zone is impaired or a new one opens: every subnet in zone ``i`` onwards would be replaced.
So the stack file names its zones, and the default (for a stack that does not) comes from the
tables below, which are maintained by hand: append to a region's list, never reorder it, or
the stacks relying on the default would move.

AWS zones are zone *ids* (``euw1-az1``): a zone name (``eu-west-1a``) maps to a different
physical zone in each account, a zone id to the same one everywhere
(https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html). Ids where EKS
cannot place a cluster's subnets are left out: use1-az3, usw1-az2, cac1-az3 ("Amazon EKS VPC and
subnet requirements", https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html).
GCP zones are zone names (https://cloud.google.com/compute/docs/regions-zones). Azure zones are
the logical numbers 1..``network.zones`` of the subscription and need no pinning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from infra.registry import per_cloud

KEY = "network.availabilityZones"

# AWS zone ids per region, EKS-supported only, in the order a default picks them.
AWS_ZONE_IDS: dict[str, tuple[str, ...]] = {
    "us-east-1": ("use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"),
    "us-east-2": ("use2-az1", "use2-az2", "use2-az3"),
    "us-west-1": ("usw1-az1", "usw1-az3"),
    "us-west-2": ("usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"),
    "ca-central-1": ("cac1-az1", "cac1-az2", "cac1-az4"),
    "eu-west-1": ("euw1-az1", "euw1-az2", "euw1-az3"),
    "eu-west-2": ("euw2-az1", "euw2-az2", "euw2-az3"),
    "eu-west-3": ("euw3-az1", "euw3-az2", "euw3-az3"),
    "eu-central-1": ("euc1-az1", "euc1-az2", "euc1-az3"),
    "eu-north-1": ("eun1-az1", "eun1-az2", "eun1-az3"),
    "ap-south-1": ("aps1-az1", "aps1-az2", "aps1-az3"),
    "ap-southeast-1": ("apse1-az1", "apse1-az2", "apse1-az3"),
    "ap-southeast-2": ("apse2-az1", "apse2-az2", "apse2-az3"),
    "ap-northeast-1": ("apne1-az1", "apne1-az2", "apne1-az4"),
}
# Zone ids EKS refuses for a cluster's subnets (network-reqs, above).
EKS_UNSUPPORTED_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")

# GCP zone names per region, in the order a default picks them.
GCP_ZONES: dict[str, tuple[str, ...]] = {
    "us-central1": ("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"),
    "us-east1": ("us-east1-b", "us-east1-c", "us-east1-d"),
    "us-east4": ("us-east4-a", "us-east4-b", "us-east4-c"),
    "us-west1": ("us-west1-a", "us-west1-b", "us-west1-c"),
    "europe-west1": ("europe-west1-b", "europe-west1-c", "europe-west1-d"),
    "europe-west2": ("europe-west2-a", "europe-west2-b", "europe-west2-c"),
    "europe-west3": ("europe-west3-a", "europe-west3-b", "europe-west3-c"),
    "europe-west4": ("europe-west4-a", "europe-west4-b", "europe-west4-c"),
    "europe-north1": ("europe-north1-a", "europe-north1-b", "europe-north1-c"),
    "asia-southeast1": ("asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"),
    "asia-northeast1": ("asia-northeast1-a", "asia-northeast1-b", "asia-northeast1-c"),
}

_AWS_ZONE_ID = re.compile(r"^([a-z]+\d+)-az\d+$")
_AWS_REGION = re.compile(r"^([a-z]+)-([a-z]+)-(\d+)$")


def _aws_prefix(region: str) -> str | None:
    """The zone-id prefix of an AWS region: eu-west-1 -> euw1, ap-southeast-2 -> apse2."""
    match = _AWS_REGION.match(region)
    if not match:
        return None
    area, direction, number = match.groups()
    # the compass part is abbreviated to its initials: southeast -> se, north -> n
    initials = "".join(word[0] for word in re.findall(r"north|south|east|west|central", direction))
    return f"{area}{initials}{number}"


#: the clouds whose zones are checked and defaulted here (the others: the provider picks them)
ZONE_TABLES: dict[str, dict[str, tuple[str, ...]]] = per_cloud(
    "infra.config.zones.ZONE_TABLES", {"aws": AWS_ZONE_IDS, "gcp": GCP_ZONES}, coverage="some"
)


def _table(cloud: str) -> dict[str, tuple[str, ...]] | None:
    return ZONE_TABLES.get(cloud)


def default_zones(cloud: str, region: str | None, count: int) -> list[str]:
    """The first ``count`` zones of ``region``'s table; empty when the table cannot say."""
    known = (_table(cloud) or {}).get(region or "", ())
    return list(known[:count]) if len(known) >= count else []


def zone_problems(cloud: str, region: str, count: int, listed: Sequence[str] | None) -> list[str]:
    """What is wrong with a stack's zones (``listed``: ``network.availabilityZones``, ``count``:
    ``network.zones``); empty when ``pinned_zones`` can answer."""
    table = _table(cloud)
    if table is None:
        if listed is not None:
            return [f"{KEY}: only used on aws and gcp ({cloud}: zones are 1..network.zones); remove it"]  # fmt: skip
        return []
    if listed is None:
        if default_zones(cloud, region, count):
            return []
        known = table.get(region, ())
        what = "no zone table" if not known else f"{len(known)} zones in the table"
        return [f"{KEY}: required for {region} ({what}, network.zones is {count}); "
                "list the region's zones"]  # fmt: skip
    problems = []
    if len(listed) != count:
        problems.append(f"{KEY}: {len(listed)} zones listed, network.zones is {count}")
    if len(set(listed)) != len(listed):
        problems.append(f"{KEY}: a zone is listed twice ({', '.join(listed)})")
    check = _aws_zone_problem if cloud == "aws" else _gcp_zone_problem
    problems += [f"{KEY}: {p}" for zone in listed if (p := check(zone, region))]
    return problems


def _aws_zone_problem(zone: str, region: str) -> str | None:
    known = AWS_ZONE_IDS.get(region)
    if zone in EKS_UNSUPPORTED_ZONE_IDS:
        return f"{zone} cannot hold EKS subnets (Amazon EKS network requirements); allowed: {', '.join(known or ())}"  # fmt: skip
    if known is not None and zone not in known:
        return f"{zone} is not a zone id of {region}; allowed: {', '.join(known)}"
    match = _AWS_ZONE_ID.match(zone)
    prefix = _aws_prefix(region)
    if not match or match.group(1) != prefix:
        example = f"{prefix}-az1" if prefix else "euw1-az1"
        return f"{zone} is not a zone id of {region} (ids look like {example})"
    return None


def _gcp_zone_problem(zone: str, region: str) -> str | None:
    known = GCP_ZONES.get(region)
    if known is not None and zone not in known:
        return f"{zone} is not a zone of {region}; allowed: {', '.join(known)}"
    if not re.fullmatch(rf"{re.escape(region)}-[a-z]", zone):
        return f"{zone} is not a zone of {region} (zones look like {region}-b)"
    return None


def pinned_zones(cloud: str, region: str, count: int, listed: Sequence[str] | None) -> list[str]:
    """A stack's zones: ``listed`` (``network.availabilityZones``), else the first ``count`` of
    the region's table. AWS: zone ids; GCP: zone names; Azure: "1".."N". Config validation
    (``zone_problems``) guarantees an answer."""
    if listed is not None:
        return list(listed)
    if _table(cloud) is None:
        return [str(zone) for zone in range(1, count + 1)]
    return default_zones(cloud, region, count)
