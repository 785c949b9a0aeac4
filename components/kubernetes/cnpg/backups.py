"""Continuous WAL archiving and base backups to object storage, and the daily schedule.

Backups use the in-tree ``spec.backup.barmanObjectStore``: deprecated since 1.26 in favour of the
Barman Cloud plugin but functional at 1.30 (docs/src/appendixes/backup_barmanobjectstore.md at
v1.30.0). The plugin needs cert-manager, a second chart and its ``ObjectStore`` CRD; the pinned
image already carries barman-cli-cloud. docs/postgres.md records the migration path.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from components.kubernetes.cnpg.args import BackupCredentials, CnpgBackupArgs, CnpgPostgresArgs
from infra.naming import child

# Daily base backup at 03:00 UTC (CNPG schedules have a seconds field).
BACKUP_SCHEDULE = "0 0 3 * * *"
# What the barman-cloud tools authenticate with: the identity the pod's ServiceAccount is bound to.
_CREDENTIALS: dict[BackupCredentials, dict[str, object]] = {
    "aws-iam-role": {"s3Credentials": {"inheritFromIAMRole": True}},
    "gke-workload-identity": {"googleCredentials": {"gkeEnvironment": True}},
    # DefaultAzureCredential reads the federated token the AKS webhook mounts
    # (inheritFromAzureAD would ask IMDS for a node identity instead)
    "azure-workload-identity": {"azureCredentials": {"useDefaultAzureCredentials": True}},
}


def backup_spec(backup: CnpgBackupArgs, retention_days: int) -> dict[str, object]:
    """The Cluster's ``spec.backup``: barman-cloud to ``backup``'s destination, kept
    ``retention_days`` (the recovery window)."""
    return {
        "retentionPolicy": f"{retention_days}d",
        "barmanObjectStore": {
            "destinationPath": backup.destination_path,
            **_CREDENTIALS[backup.credentials],
            "wal": {"compression": "gzip", "maxParallel": 4},
            "data": {"compression": "gzip", "jobs": 2},
        },
    }


def scheduled_backup(name: str, args: CnpgPostgresArgs, opts: pulumi.ResourceOptions) -> None:
    """A daily base backup of the Cluster, the first one at once."""
    k8s.apiextensions.CustomResource(
        child(name, "daily-backup"),
        api_version=api_versions.CLOUDNATIVE_PG,
        kind="ScheduledBackup",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=f"{args.name}-daily", namespace=args.namespace, labels=args.labels
        ),
        spec={
            "schedule": BACKUP_SCHEDULE,
            "cluster": {"name": args.name},
            "method": "barmanObjectStore",
            # the first base backup at once: PITR needs one before any WAL is useful
            "immediate": True,
            "backupOwnerReference": "self",
        },
        opts=opts,
    )
