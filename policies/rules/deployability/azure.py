"""Azure's own API rules, checked on every plan (see the package docstring).

Names: every Azure resource name the program produces, against the naming table in
``components/azure/names.py`` (length, characters, hyphen rules; each entry cites
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules). An
explicit name is checked as given; an auto-named resource as azure-native will name it: the
logical name plus 8 random hex digits for top-level resources, the logical name alone for
child resources (role assignments get a GUID).

Sizes and zones: PostgreSQL Flexible Server storage sizes and backup retention, and a Premium
cache's zones against its nodes per shard.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from components.azure.names import AUTONAME_SUFFIX, DOC, GUID_NAMED, NAME_RULES
from infra.config.models import AZURE_BACKUP_RETENTION_DAYS, AZURE_POSTGRES_STORAGE_GB
from policies.rules.base import deployable, dig, is_unknown, resource_rule


def planned_name(type_: str, logical: str, props: dict[str, object]) -> str | None:
    """The physical name ``type_`` will get (None: unknown until deployment, or a GUID)."""
    rule = NAME_RULES[type_]
    given = props.get(rule.key)
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
    name = planned_name(args.resource_type, args.name, dict(args.props))
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
    size = dig(args.props, "storage", "storageSizeGB")
    if isinstance(size, int) and size not in AZURE_POSTGRES_STORAGE_GB:
        report(f"storage.storageSizeGB {size} is not a Premium SSD size", None)
    days = dig(args.props, "backup", "backupRetentionDays")
    low, high = AZURE_BACKUP_RETENTION_DAYS
    if isinstance(days, int) and not low <= days <= high:
        report(f"backup.backupRetentionDays {days} is outside {low}-{high}", None)


def _redis_zones(args: ResourceValidationArgs, report: ReportViolation) -> None:
    zones = args.props.get("zones")
    replicas = args.props.get("replicasPerPrimary")
    if isinstance(zones, list) and isinstance(replicas, int) and len(zones) > 1 + replicas:
        report(
            f"{len(zones)} zones for {1 + replicas} nodes per shard (1 primary + {replicas} "
            "replicas): a cache may not list more zones than nodes per shard",
            None,
        )


POLICIES = [
    deployable(
        resource_rule(
            "deploy-azure-resource-names",
            "Azure rejects a name outside its type's length and character rules.",
            "Derive names with components/azure/names.py (fit, global_name, "
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
