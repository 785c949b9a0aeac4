"""GCP Cloud SQL for PostgreSQL: the Postgres contract on GCP.

Creates the instance on private IP only (through Private Service Access, no public IPv4), TLS
enforced (``ssl_mode ENCRYPTED_ONLY``), REGIONAL availability in staging and prod, backups with
point-in-time recovery and transaction-log retention, disk autoresize up to a limit, a
maintenance window, Query Insights, logging flags, and deletion protection (Pulumi-side and
API-side) plus ``protect=True`` in prod; then the database and a user whose password comes from
pulumi-random (secret). TimescaleDB is not offered on Cloud SQL: the config rejects it.

Disaster recovery (when the stack names a DR region, required in prod): automated backups are
stored in the DR region (``backup_configuration.location``) and a cross-region read replica
streams the WAL to the DR region. Backups alone run once a day, and the transaction logs used
for point-in-time recovery stay with the primary's region, so a lost region would lose up to a
day; the replica's asynchronous replication keeps the DR copy seconds behind (its
``replica_lag`` is alarmed, components/gcp/alarms.py), which is what meets RPO < 1 h. Recovery
is promoting the replica (docs/gcp.md).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components.contracts import PostgresContract
from components.gcp.apis import SQLADMIN, ProjectApis
from components.gcp.cloudsql_tiers import offered_tier
from components.gcp.names import resource_name
from components.specs import PostgresSpec
from infra.naming import child

PORT = 5432
# https://cloud.google.com/sql/docs/postgres/instance-settings: the instance ID holds lowercase
# letters, digits and hyphens, starts with a letter, and "project-id:instance-id" is at most
# 98 characters; 63 keeps it an RFC 1035 label (it is also a DNS name in the connection name).
INSTANCE_NAME_LIMIT = 63
RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
# Cloud SQL keeps at most 7 days of transaction logs on the Enterprise edition.
MAX_LOG_RETENTION_DAYS = 7
# CIS Google Cloud benchmark 6.2 flags set explicitly where they cost little: checkpoints and
# schema changes (DDL) logged, failing statements logged at ERROR, and no statement logged for
# its duration (-1: slow statements' text may hold personal data; Query Insights, enabled below,
# records latency per normalised query instead)
# (cloud.google.com/sql/docs/postgres/flags lists each as supported).
FLAGS = {
    "log_checkpoints": "on",
    "log_statement": "ddl",
    "log_min_error_statement": "error",
    "log_min_duration_statement": "-1",
    "log_connections": "on",
    "log_disconnections": "on",
    "log_lock_waits": "on",
    "log_temp_files": "0",
}


# Cloud SQL grows the disk under disk_autoresize; the program never sets it back.
DISK_SIZE_PATH = "settings.diskSize"


@dataclass(frozen=True, kw_only=True)
class GcpPostgresArgs:
    """Inputs of ``GcpPostgres``: the cloud-neutral spec placed on the VPC's private services."""

    #: what to build (version, tier, storage, backups, protection, DR region; components/specs.py)
    spec: PostgresSpec
    #: GCP project id
    project: str
    #: region of the primary instance
    region: str
    #: VPC the instance gets its private IP in
    network_id: pulumi.Input[str]
    #: the Private Service Access connection; the instance waits for it
    private_services: pulumi.Resource
    #: GCP labels on the instance
    labels: dict[str, str]
    #: the project's API enablement (the instance waits for sqladmin)
    apis: ProjectApis
    #: non-RFC 1918 ranges clients connect from (GKE pods: 100.64.0.0/14 by default)
    client_cidrs: list[str]


class GcpPostgres(pulumi.ComponentResource):
    """A private, TLS-only Cloud SQL PostgreSQL instance with a database and a user."""

    host: pulumi.Output[str]
    """The instance's private IP address."""
    password: pulumi.Output[str]
    """The application user's password (secret)."""
    instance_name: pulumi.Output[str]
    """The primary instance's name (the ``database_id`` of its metrics is project:name)."""
    replica_name: pulumi.Output[str] | None
    """The cross-region read replica's name (None without a DR region)."""
    spec: PostgresSpec
    """What was built (the alarms read the tier)."""

    def __init__(
        self, name: str, args: GcpPostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Postgres", name, None, opts)
        self._name = name
        self._args = args
        self.spec = args.spec
        sqladmin = args.apis.needs(SQLADMIN)
        self._opts = pulumi.ResourceOptions(parent=self)
        instance = self._build_instance()
        self._ready: list[pulumi.Resource] = [instance]
        self.instance_name = instance.name
        replica = self._build_replica(instance) if args.spec.dr_region else None
        self.replica_name = replica.name if replica else None
        gcp.sql.Database(
            child(name, "db"),
            project=args.project,
            instance=instance.name,
            name=args.spec.database_name,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.spec.protect, depends_on=sqladmin
            ),
        )
        password = random.RandomPassword(
            child(name, "user"), length=32, special=False, opts=self._opts
        )
        gcp.sql.User(
            child(name, "user"),
            project=args.project,
            instance=instance.name,
            name=args.spec.username,
            password=password.result,
            # Deleting the user fails while it owns objects in the database; abandon it on
            # destroy (the instance's deletion removes it), as the provider documents.
            deletion_policy="ABANDON",
            opts=pulumi.ResourceOptions(parent=self, depends_on=sqladmin),
        )
        self.host = instance.private_ip_address
        self.password = pulumi.Output.secret(password.result)
        self.register_outputs({"host": self.host, "password": self.password})

    def contract(self) -> PostgresContract:
        """The cloud-neutral view of this database."""
        return PostgresContract(
            ready=self._ready,
            host=self.host,
            port=pulumi.Output.from_input(PORT),
            database=pulumi.Output.from_input(self._args.spec.database_name),
            username=pulumi.Output.from_input(self._args.spec.username),
            password=self.password,
            ssl_mode="require",
        )

    def _build_instance(self) -> gcp.sql.DatabaseInstance:
        args = self._args
        return gcp.sql.DatabaseInstance(
            self._name,
            name=resource_name(self._name, INSTANCE_NAME_LIMIT),
            project=args.project,
            region=args.region,
            database_version=f"POSTGRES_{args.spec.version}",
            deletion_protection=args.spec.deletion_protection,
            settings=gcp.sql.DatabaseInstanceSettingsArgs(
                # verified against the tiers Cloud SQL offers there (sql.get_tiers)
                tier=offered_tier(args.spec.instance_size, args.region, args.project, self),
                edition="ENTERPRISE",
                availability_type="REGIONAL" if args.spec.high_availability else "ZONAL",
                disk_type="PD_SSD",
                disk_size=args.spec.storage_gb,
                disk_autoresize=True,
                disk_autoresize_limit=args.spec.max_storage_gb,
                deletion_protection_enabled=args.spec.deletion_protection,
                ip_configuration=self._ip_configuration(args),
                backup_configuration=gcp.sql.DatabaseInstanceSettingsBackupConfigurationArgs(
                    enabled=True,
                    point_in_time_recovery_enabled=True,
                    start_time="02:00",
                    # The region backups are stored in (default: a multi-region near the
                    # instance, which a regional outage of the stack's region may share).
                    location=args.spec.dr_region,
                    transaction_log_retention_days=min(
                        args.spec.backup_retention_days, MAX_LOG_RETENTION_DAYS
                    ),
                    backup_retention_settings=gcp.sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs(
                        retained_backups=args.spec.backup_retention_days, retention_unit="COUNT"
                    ),
                ),
                maintenance_window=gcp.sql.DatabaseInstanceSettingsMaintenanceWindowArgs(
                    day=7, hour=3, update_track="stable"
                ),
                insights_config=gcp.sql.DatabaseInstanceSettingsInsightsConfigArgs(
                    query_insights_enabled=True,
                    record_application_tags=True,
                    record_client_address=False,
                    query_string_length=1024,
                ),
                database_flags=_database_flags(),
                user_labels=args.labels,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.spec.protect,
                depends_on=[args.private_services, *args.apis.needs(SQLADMIN)],
                # disk_autoresize grows the disk (the SDK's own advice: ignore disk_size)
                ignore_changes=[DISK_SIZE_PATH],
            ),
        )

    def _build_replica(self, primary: gcp.sql.DatabaseInstance) -> gcp.sql.DatabaseInstance:
        """A read replica in the DR region, on the same (global) VPC and private services range.

        A Cloud SQL read replica takes no backups or PITR of its own (the API rejects a backup
        configuration on a replica); after promotion it becomes a primary and gets them.
        https://cloud.google.com/sql/docs/postgres/replication/cross-region-replicas
        """
        args = self._args
        assert args.spec.dr_region is not None
        name = child(self._name, "dr")
        return gcp.sql.DatabaseInstance(
            name,
            name=resource_name(name, INSTANCE_NAME_LIMIT),
            project=args.project,
            region=args.spec.dr_region,
            database_version=f"POSTGRES_{args.spec.version}",
            master_instance_name=primary.name,
            deletion_protection=args.spec.deletion_protection,
            settings=gcp.sql.DatabaseInstanceSettingsArgs(
                # the replica's region must offer the tier too (sql.get_tiers)
                tier=offered_tier(args.spec.instance_size, args.spec.dr_region, args.project, self),
                edition="ENTERPRISE",
                availability_type="ZONAL",
                disk_type="PD_SSD",
                disk_size=args.spec.storage_gb,
                disk_autoresize=True,
                disk_autoresize_limit=args.spec.max_storage_gb,
                deletion_protection_enabled=args.spec.deletion_protection,
                ip_configuration=self._ip_configuration(args),
                database_flags=_database_flags(),
                user_labels=args.labels,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.spec.protect,
                depends_on=[args.private_services, *args.apis.needs(SQLADMIN)],
                # disk_autoresize grows the disk (the SDK's own advice: ignore disk_size)
                ignore_changes=[DISK_SIZE_PATH],
            ),
        )

    def _ip_configuration(
        self, args: GcpPostgresArgs
    ) -> gcp.sql.DatabaseInstanceSettingsIpConfigurationArgs:
        """Private IP only, TLS only: the same on the primary and its DR replica."""
        return gcp.sql.DatabaseInstanceSettingsIpConfigurationArgs(
            ipv4_enabled=False,
            private_network=args.network_id,
            ssl_mode="ENCRYPTED_ONLY",
            enable_private_path_for_google_cloud_services=True,
            authorized_networks=self._authorized_networks(),
        )

    def _authorized_networks(
        self,
    ) -> list[gcp.sql.DatabaseInstanceSettingsIpConfigurationAuthorizedNetworkArgs]:
        """Client ranges outside RFC 1918 (GKE pod ranges) that may connect over private IP.

        Private IP accepts RFC 1918 sources by default; any other source range must be listed
        as an authorized network, or its connections are refused
        (https://cloud.google.com/sql/docs/postgres/authorize-networks). Pods keep their own
        address towards Cloud SQL (GKE does not masquerade traffic to RFC 1918 or 100.64.0.0/10
        destinations), so the pod range is what Cloud SQL sees.
        """
        return [
            gcp.sql.DatabaseInstanceSettingsIpConfigurationAuthorizedNetworkArgs(
                name=f"clients-{index}", value=cidr
            )
            for index, cidr in enumerate(self._args.client_cidrs)
            if not _rfc1918(cidr)
        ]


def _rfc1918(cidr: str) -> bool:
    network = ipaddress.IPv4Network(cidr)
    return any(network.subnet_of(private) for private in RFC1918)


def _database_flags() -> list[gcp.sql.DatabaseInstanceSettingsDatabaseFlagArgs]:
    """``FLAGS`` as Cloud SQL settings: the primary and its DR replica run the same ones."""
    return [
        gcp.sql.DatabaseInstanceSettingsDatabaseFlagArgs(name=flag, value=value)
        for flag, value in FLAGS.items()
    ]
