"""Azure's own API rules, checked on every plan (see the package docstring).

Names: every Azure resource name the program produces, against the naming table in
``policies/rules/facts/azure_names.py`` (length, characters, hyphen rules; each entry cites
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules). An
explicit name is checked as given; an auto-named resource as azure-native will name it: the
logical name plus 8 random hex digits for top-level resources, the logical name alone for
child resources (role assignments get a GUID).

Sizes and zones: PostgreSQL Flexible Server storage sizes and backup retention, and a Premium
cache's zones against its nodes per shard.

Disaster recovery and alarms: a geo-redundant Flexible Server's DR region (its
``disaster-recovery-region`` tag, from ``platform:disasterRecovery.region``) must be the pair
Azure copies the backups to (``policies/rules/facts/azure_regions.py``); an action group's short name is
at most 12 characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from ..base import deployable, dig, is_unknown, resource_rule, sequence, whole
from ..facts.azure_limits import AZURE_BACKUP_RETENTION_DAYS, AZURE_POSTGRES_STORAGE_GB
from ..facts.azure_names import (
    AUTONAME_SUFFIX,
    DOC,
    GUID_NAMED,
    NAME_RULES,
    SHORT_NAME_LIMIT,
)
from ..facts.azure_regions import DR_REGION_TAG, PAIRED_REGION


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


def _redis_zones(args: ResourceValidationArgs, report: ReportViolation) -> None:
    zones = sequence(dig(args.props, "zones"))
    replicas = whole(dig(args.props, "replicasPerPrimary"))
    if zones is not None and replicas is not None and len(zones) > 1 + replicas:
        report(
            f"{len(zones)} zones for {1 + replicas} nodes per shard (1 primary + {replicas} "
            "replicas): a cache may not list more zones than nodes per shard",
            None,
        )


POLICIES = [
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
            "storage_account_name), which always satisfy the table.",
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
            "deploy-azure-redis-zones",
            "A Premium cache spreads primary and replicas over zones; more zones than nodes "
            "per shard is rejected.",
            "List at most 1 + replicasPerPrimary zones.",
            Severity.HIGH,
            _redis_zones,
            types=["azure-native:redis:Redis"],
        )
    ),
]
