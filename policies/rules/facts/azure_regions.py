"""Azure region pairs: where a geo-redundant backup goes, so the DR region config can be checked.

Azure Database for PostgreSQL Flexible Server copies geo-redundant backups to the *paired*
region of the server's region; nobody picks the target
(https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore,
"Geo-redundant backup and restore"). ``platform:disasterRecovery.region`` must therefore name
that pair, or the runbook would restore into a region that holds no copy. The table is the
documented pairs (https://learn.microsoft.com/azure/reliability/cross-region-replication-azure,
"Azure paired regions"); a region missing here is one without a documented pair (or not added
yet: add it with that source). Pure (no Pulumi import) so the policy pack can import it.
"""

from __future__ import annotations

# (region, its pair), paired both ways.
_PAIRS = [
    ("eastus", "westus"), ("eastus2", "centralus"), ("northcentralus", "southcentralus"),
    ("westus2", "westcentralus"), ("canadacentral", "canadaeast"),
    ("northeurope", "westeurope"), ("uksouth", "ukwest"), ("francecentral", "francesouth"),
    ("germanywestcentral", "germanynorth"), ("switzerlandnorth", "switzerlandwest"),
    ("norwayeast", "norwaywest"), ("swedencentral", "swedensouth"),
    ("australiaeast", "australiasoutheast"), ("japaneast", "japanwest"),
    ("koreacentral", "koreasouth"), ("eastasia", "southeastasia"),
    ("centralindia", "southindia"),
]  # fmt: skip
# One-way pairs: the doc pairs these regions with one whose own pair is another region.
ONE_WAY = {"westus3": "eastus", "brazilsouth": "southcentralus"}
PAIRED_REGION: dict[str, str] = {
    **{first: second for first, second in _PAIRS},
    **{second: first for first, second in _PAIRS},
    **ONE_WAY,
}
"""Region -> the region its geo-redundant copies go to."""
DR_REGION_TAG = "disaster-recovery-region"
"""Tag on a geo-redundant Flexible Server naming the config's DR region (checked against the pair)."""

REGIONS_SOURCE = (
    "https://learn.microsoft.com/azure/reliability/regions-list (public regions by "
    "programmatic name, as `az account list-locations` names them; compiled 2026-12-02)"
)
REGIONS = (
    "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast",
    "austriaeast", "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral",
    "canadaeast", "centralindia", "centralus", "chilecentral", "eastasia", "eastus", "eastus2",
    "francecentral", "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral",
    "israelcentral", "italynorth", "japaneast", "japanwest", "jioindiacentral", "jioindiawest",
    "koreacentral", "koreasouth", "malaysiawest", "mexicocentral", "newzealandnorth",
    "northcentralus", "northeurope", "norwayeast", "norwaywest", "polandcentral",
    "qatarcentral", "southafricanorth", "southafricawest", "southcentralus", "southeastasia",
    "southindia", "spaincentral", "swedencentral", "swedensouth", "switzerlandnorth",
    "switzerlandwest", "uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus",
    "westeurope", "westindia", "westus", "westus2", "westus3",
)  # fmt: skip
"""Azure's public regions (``azure-native:location``); a region opened since is added with
the source above."""
