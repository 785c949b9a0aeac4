"""What GCP offers: regions, Compute Engine machine families, Cloud SQL tiers, Memorystore nodes.

No package ships GCP's per-region lists the way cfn-lint ships AWS's, so:

- Memorystore for Redis Cluster node types are read from pulumi-gcp's own ``redis/cluster.py``
  (the provider documents the values the API accepts), so they move with the pinned provider.
- Regions, machine families and Cloud SQL's predefined tiers are dated tables below, each with
  its source and the day it was compiled; refresh them from that source. Cloud SQL custom tiers
  (``db-custom-<vCPUs>-<MiB>``) follow the documented rule ``custom_tier_problem`` checks.

The offline plan's ``sql.get_tiers`` mock answers from ``CLOUD_SQL_TIERS``. Pure (no Pulumi
import) so config validation can import it.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

REGIONS_SOURCE = (
    "https://cloud.google.com/compute/docs/regions-zones (compiled 2026-12-02; the Cloud SQL "
    "region list of https://cloud.google.com/sql/docs/postgres/instance-settings is a subset)"
)
REGIONS = (
    "africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2",
    "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
    "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1",
    "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3",
    "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10",
    "europe-west12", "me-central1", "me-central2", "me-west1", "northamerica-northeast1",
    "northamerica-northeast2", "northamerica-south1", "southamerica-east1",
    "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
    "us-west1", "us-west2", "us-west3", "us-west4",
)  # fmt: skip
MACHINE_FAMILIES_SOURCE = (
    "https://cloud.google.com/compute/docs/machine-resource (machine families; compiled 2026-12-02)"
)
# The family is a machine type's first dash-separated part (n2-standard-4 -> n2).
MACHINE_FAMILIES = (
    "a2", "a3", "a4", "c2", "c2d", "c3", "c3d", "c4", "c4a", "c4d", "e2", "f1", "g1", "g2",
    "h3", "m1", "m2", "m3", "m4", "n1", "n2", "n2d", "n4", "t2a", "t2d", "z3",
)  # fmt: skip
CLOUD_SQL_TIERS_SOURCE = (
    "https://cloud.google.com/sql/docs/postgres/instance-settings (machine types: shared-core "
    "tiers; custom tiers follow the vCPU/memory rule; compiled 2026-12-02)"
)
# Predefined tiers Cloud SQL for PostgreSQL offers, with their memory in MiB (shared core).
CLOUD_SQL_TIERS: dict[str, int] = {"db-f1-micro": 614, "db-g1-small": 1700}
_CUSTOM_TIER = re.compile(r"db-custom-(\d+)-(\d+)")


def custom_tier_problem(tier: str) -> str | None:
    """Why ``db-custom-<vCPUs>-<MiB>`` is not a tier Cloud SQL creates (None: it is): 1 or an
    even number of vCPUs up to 96, 0.9 to 6.5 GiB per vCPU, a multiple of 256 MiB, at least
    3840 MiB (instance-settings, "Machine type")."""
    match = _CUSTOM_TIER.fullmatch(tier)
    if match is None:
        return f"{tier} is not db-custom-<vCPUs>-<MiB>"
    vcpus, mib = int(match.group(1)), int(match.group(2))
    if not (vcpus == 1 or (vcpus % 2 == 0 and 2 <= vcpus <= 96)):
        return f"{tier}: {vcpus} vCPUs (1 or an even number up to 96)"
    if mib % 256 or mib < 3840 or not 0.9 * 1024 * vcpus <= mib <= 6.5 * 1024 * vcpus:
        return f"{tier}: {mib} MiB (a multiple of 256, at least 3840, 0.9 to 6.5 GiB per vCPU)"
    return None


def tier_offered(tier: str, listed: set[str] | frozenset[str]) -> bool:
    """Whether Cloud SQL creates ``tier``: one ``sql.get_tiers`` lists, or a valid custom tier."""
    return tier in listed or custom_tier_problem(tier) is None


@cache
def memorystore_node_types() -> tuple[str, ...]:
    """Memorystore for Redis Cluster node types as pulumi-gcp documents them (``node_type``)."""
    spec = importlib.util.find_spec("pulumi_gcp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pulumi-gcp is not installed")
    text = (Path(next(iter(spec.submodule_search_locations))) / "redis" / "cluster.py").read_text(
        encoding="utf-8"
    )
    match = re.search(r"\] node_type: [^:]*?Possible values are: ((?:`\w+`(?:, )?)+)", text)
    if match is None:
        raise RuntimeError("pulumi-gcp's redis/cluster.py no longer documents node_type values")
    return tuple(re.findall(r"`(\w+)`", match.group(1)))
