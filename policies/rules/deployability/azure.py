"""Azure's own API rules, checked on every plan (see the package docstring).

Names: every Azure resource name the program produces, against the naming table in
``policies/rules/facts/azure_names.py`` (length, characters, hyphen rules; each entry cites
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules). An
explicit name is checked as given; an auto-named resource as azure-native will name it: the
logical name plus 8 random hex digits for top-level resources, the logical name alone for
child resources (role assignments get a GUID).

Sizes: PostgreSQL Flexible Server storage sizes and backup retention; Azure Managed Redis SKUs
(``policies/rules/facts/azure_redis.py``) and its one database, named ``default``.

Disaster recovery and alarms: a geo-redundant Flexible Server's DR region (its
``disaster-recovery-region`` tag, from ``platform:disasterRecovery.region``) must be the pair
Azure copies the backups to (``policies/rules/facts/azure_regions.py``); an action group's short name is
at most 12 characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..base import deployable, dig, is_unknown, resource_rule, sequence, stack_rule, whole
from ..facts.azure_limits import AZURE_BACKUP_RETENTION_DAYS, AZURE_POSTGRES_STORAGE_GB
from ..facts.azure_names import (
    AUTONAME_SUFFIX,
    DOC,
    GUID_NAMED,
    NAME_RULES,
    SHORT_NAME_LIMIT,
)
from ..facts.azure_redis import AMR_DATABASE, AMR_SKUS
from ..facts.azure_regions import DR_REGION_TAG, PAIRED_REGION
from .aws import REACHABLE_SCHEMA, not_a_way_in


def planned_name(type_: str, logical: str, props: Mapping[str, Any]) -> str | None:
    """The physical name ``type_`` will get (None: unknown until deployment, or a GUID)."""
    rule = NAME_RULES[type_]
    given = dig(props, rule.key)
    if given is None:
        if type_ in GUID_NAMED:
            return None
        # the shape of azure-native's suffix: lowercase hex digits
        return logical + ("0" * AUTONAME_SUFFIX if rule.top_level else "")
    if not isinstance(given, str) or is_unknown(given):
        return None
    return given


def _names(args: ResourceValidationArgs, report: ReportViolation) -> None:
    rule = NAME_RULES.get(args.resource_type)
    if rule is None:
        return
    name = planned_name(args.resource_type, args.name, args.props)
    if name is None:
        return
    problems = rule.problems(name)
    if problems:
        report(
            f"{rule.key} {name!r}: {'; '.join(problems)} ({rule.section}, scope {rule.scope}; "
            f"{DOC})",
            None,
        )


def _postgres_sizes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    size = whole(dig(args.props, "storage", "storageSizeGB"))
    if size is not None and size not in AZURE_POSTGRES_STORAGE_GB:
        report(f"storage.storageSizeGB {size} is not a Premium SSD size", None)
    days = whole(dig(args.props, "backup", "backupRetentionDays"))
    low, high = AZURE_BACKUP_RETENTION_DAYS
    if days is not None and not low <= days <= high:
        report(f"backup.backupRetentionDays {days} is outside {low}-{high}", None)


def _geo_backup_pair(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if dig(args.props, "backup", "geoRedundantBackup") != "Enabled":
        return
    location = dig(args.props, "location")
    wanted = dig(args.props, "tags", DR_REGION_TAG)
    if not isinstance(location, str) or not isinstance(wanted, str):
        return
    pair = PAIRED_REGION.get(location.replace(" ", "").lower())
    if pair is None:
        report(
            f"location {location} has no documented pair in policies/rules/facts/azure_regions.py: "
            "geo-redundant backups would go nowhere the DR config names",
            None,
        )
    elif wanted.replace(" ", "").lower() != pair:
        report(
            f"disasterRecovery.region {wanted}: geo-redundant backups of a server in {location} "
            f"go to its pair {pair}; set platform:disasterRecovery.region to {pair}",
            None,
        )


def _action_group_short_name(args: ResourceValidationArgs, report: ReportViolation) -> None:
    short = dig(args.props, "groupShortName")
    if isinstance(short, str) and not 1 <= len(short) <= SHORT_NAME_LIMIT:
        report(f"groupShortName {short!r}: {len(short)} characters; allowed 1-12", None)


def _redis_sku(args: ResourceValidationArgs, report: ReportViolation) -> None:
    sku = dig(args.props, "sku", "name")
    if isinstance(sku, str) and sku not in AMR_SKUS:
        report(
            f"sku {sku!r} is not an Azure Managed Redis in-memory SKU (Balanced_B*, "
            "MemoryOptimized_M*, ComputeOptimized_X*); the Enterprise tiers retire with Azure "
            "Cache for Redis",
            None,
        )


def _redis_database(args: ResourceValidationArgs, report: ReportViolation) -> None:
    name = dig(args.props, "databaseName")
    if isinstance(name, str) and name != AMR_DATABASE:
        report(f"databaseName {name!r}: a cluster's one database must be named 'default'", None)


AKS = "azure-native:containerservice:ManagedCluster"
SUBNET = "azure-native:network:Subnet"
PUBLIC_IP = "azure-native:network:PublicIPAddress"


def _aks_reachable(args: StackValidationArgs, report: ReportViolation) -> None:
    """A public API server must admit a network a deploy can run in: not only documentation
    ranges, the VNet's own subnets, the pod range or the stack's own NAT address."""
    accept = bool(args.get_config().get("acceptDocumentationRanges"))
    own: list[str] = []
    for resource in args.resources:
        if resource.resource_type == SUBNET:
            prefix = dig(resource.props, "addressPrefix")
            own += [prefix] if isinstance(prefix, str) else []
        if resource.resource_type == PUBLIC_IP:
            address = dig(resource.props, "ipAddress")
            own += [f"{address}/32"] if isinstance(address, str) else []
    for cluster in (r for r in args.resources if r.resource_type == AKS):
        pods = dig(cluster.props, "networkProfile", "podCidr")
        ranges = own + ([pods] if isinstance(pods, str) else [])
        profile = dig(cluster.props, "apiServerAccessProfile", default={})
        if dig(profile, "enablePrivateCluster") is True:
            continue  # reached from the runner subnet inside the VNet (docs/azure.md)
        authorized = sequence(dig(profile, "authorizedIPRanges"))
        if not authorized:
            continue
        refused = [reason for cidr in authorized if (reason := not_a_way_in(cidr, ranges, accept))]
        if len(refused) == len(authorized):
            report(
                "the API server admits no network a deploy can run in: "
                + "; ".join(refused)
                + " (the NAT gateway's address counts only for runners inside the VNet)",
                cluster.urn,
            )


POLICIES = [
    deployable(
        stack_rule(
            "deploy-azure-aks-reachable",
            "A deploy that cannot reach its own API server fails halfway.",
            "List the networks pulumi up runs from in platform:cluster.authorizedNetworks or deployerNetworks (never a documentation range, the VNet's own subnets or the NAT address).",
            Severity.CRITICAL,
            _aks_reachable,
            config_schema=REACHABLE_SCHEMA,
        )
    ),
    deployable(
        resource_rule(
            "deploy-azure-geo-backup-pair",
            "Flexible Server copies geo-redundant backups to its region's pair only; a DR region "
            "that is not the pair holds no copy to restore from.",
            "Set platform:disasterRecovery.region to the pair of the stack's location "
            "(policies/rules/facts/azure_regions.py).",
            Severity.HIGH,
            _geo_backup_pair,
            types=["azure-native:dbforpostgresql:Server"],
        )
    ),
    deployable(
        resource_rule(
            "deploy-azure-action-group-short-name",
            "Azure rejects an action group whose short name is longer than 12 characters.",
            "Derive it with components/azure/alarms.py::short_name.",
            Severity.HIGH,
            _action_group_short_name,
            types=["azure-native:monitor:ActionGroup"],
        )
    ),
    deployable(
        resource_rule(
            "deploy-azure-resource-names",
            "Azure rejects a name outside its type's length and character rules.",
            "Derive names with policies/rules/facts/azure_names.py (fit, global_name, "
            "storage_account_name, registry_name), which always satisfy the table.",
            Severity.HIGH,
            _names,
            types=NAME_RULES,
        )
    ),
    deployable(
        resource_rule(
            "deploy-azure-postgres-storage-and-retention",
            "Flexible Server sells fixed Premium SSD sizes and keeps backups 7-35 days.",
            "Pick postgres.storageGb from the allowed sizes and backupRetentionDays in 7-35.",
            Severity.HIGH,
            _postgres_sizes,
            types=["azure-native:dbforpostgresql:Server"],
        )
    ),
    deployable(
        resource_rule(
            "deploy-azure-redis-sku",
            "Azure Managed Redis sells the Balanced, Memory Optimized and Compute Optimized SKUs; "
            "Azure Cache for Redis and its Enterprise tiers are retiring.",
            "Pick redis.nodeSize from the allowed Azure Managed Redis SKUs.",
            Severity.HIGH,
            _redis_sku,
            types=["azure-native:redisenterprise:RedisEnterprise"],
        )
    ),
    deployable(
        resource_rule(
            "deploy-azure-redis-database",
            "An Azure Managed Redis cluster holds exactly one database, named default.",
            "Name the database 'default'.",
            Severity.HIGH,
            _redis_database,
            types=["azure-native:redisenterprise:Database"],
        )
    ),
]
