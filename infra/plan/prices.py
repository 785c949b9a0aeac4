"""The dated list prices the plan's cost estimate uses: one row per cloud, region and SKU.

Every row says where its price was read and when. A price is never derived or guessed: a SKU
the program uses that has no row here is reported as *not priced* by the estimate, never as
free. ``region`` ``*`` is a price the source gives for every region (a control-plane fee).

Rows marked as a transcription were read from a public repository that transcribes the
cloud's own price list (its file names the vendor page and the date it was generated); the
cloud's own pages could not be read from here. Refresh a row by reading the vendor page named
in its ``note``, then update ``usd``, ``source`` and ``read``.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730  # the clouds' own monthly convention (24 x 365 / 12)


@dataclass(frozen=True)
class PriceRow:
    """One list price: USD per ``unit`` for ``sku`` in ``region`` of ``cloud``."""

    cloud: str
    region: str
    sku: str
    unit: str
    usd: float
    source: str
    read: str  # ISO date the source was read
    note: str


_BURN = "https://github.com/tanrikuluozlem/burn/blob"
_AWS_EC2 = (
    f"{_BURN}/0a1a18d105f0e88d5d6a8cd4486567864b26d795/internal/pricing/data/aws.yaml",
    "on-demand Linux; transcription of https://aws.amazon.com/ec2/pricing/on-demand/ "
    "generated 2026-05-04",
)
_GCP_GCE = (
    f"{_BURN}/7c9a92320fe81f712804a90646b1fe9a7d19a674/internal/pricing/data/gcp.yaml",
    "on-demand; transcription of https://cloud.google.com/compute/vm-instance-pricing "
    "updated 2026-04-20",
)
_AZURE_VM = (
    f"{_BURN}/003505430b9a3956cef439519ddaeeab917ce965/internal/pricing/data/azure.yaml",
    "pay-as-you-go Linux; transcription of "
    "https://azure.microsoft.com/pricing/details/virtual-machines/linux/ generated 2026-05-25",
)
_READ = "2026-12-02"


def _rows(cloud: str, region: str, source: tuple[str, str], prices: dict[str, float]):
    return [
        PriceRow(cloud, region, sku, "hour", usd, source[0], _READ, source[1])
        for sku, usd in prices.items()
    ]


PRICES: tuple[PriceRow, ...] = (
    PriceRow(
        "aws", "*", "eks-control-plane", "hour", 0.10,
        "https://cloudburn.io/blog/amazon-eks-pricing", _READ,
        "EKS cluster fee in standard support, per cluster-hour (extended support costs more), "
        "as the page quotes the official EKS pricing page of March 2026",
    ),
    *_rows("aws", "eu-west-1", _AWS_EC2, {"t3.large": 0.0912, "m6i.large": 0.107, "m6i.xlarge": 0.214}),
    *_rows("gcp", "europe-west1", _GCP_GCE, {"e2-standard-2": 0.0738, "e2-standard-4": 0.1476, "n2-standard-4": 0.2136}),
    *_rows("azure", "westeurope", _AZURE_VM, {"Standard_D2s_v5": 0.115, "Standard_D4s_v5": 0.23, "Standard_D8s_v5": 0.46}),
)  # fmt: skip

_INDEX = {(row.cloud, row.region, row.sku): row for row in PRICES}


def price(cloud: str, region: str, sku: str) -> PriceRow | None:
    """The row for ``sku`` in ``region`` (or one valid in every region), if there is one."""
    return _INDEX.get((cloud, region, sku)) or _INDEX.get((cloud, "*", sku))
