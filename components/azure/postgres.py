"""Azure Database for PostgreSQL Flexible Server: the Postgres contract on Azure.

Creates the server (version pinned) in the delegated subnet with the private DNS zone and no
public access, zone-redundant HA in prod, backup retention per profile with geo-redundant
backups in prod, storage auto-grow, a custom maintenance window; server parameters that require
TLS and allow TimescaleDB (the service's time-series store, which this cloud offers) and
pg_stat_statements (also preloaded); the application database; a pulumi-random admin password
(secret); and ``protect=True`` in prod.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
import pulumi_random as random

from components.contracts import PostgresContract
from infra.naming import child

PORT = 5432
PRELOADED = ("timescaledb", "pg_stat_statements", "pg_cron")


@dataclass(frozen=True)
class AzurePostgresArgs:
    """Inputs of ``AzurePostgres``."""

    resource_group_name: pulumi.Input[str]
    location: str
    version: str
    sku: str
    storage_gb: int
    backup_retention_days: int
    high_availability: bool
    geo_redundant_backup: bool
    database_name: str
    username: str
    extensions: list[str]
    delegated_subnet_id: pulumi.Input[str]
    private_dns_zone_id: pulumi.Input[str]
    protect: bool
    tags: dict[str, str]


def sku_tier(sku: str) -> str:
    """Flexible Server tier of a SKU: B-series are Burstable, E-series MemoryOptimized."""
    family = sku.removeprefix("Standard_")
    if family.startswith("B"):
        return "Burstable"
    return "MemoryOptimized" if family.startswith("E") else "GeneralPurpose"


class AzurePostgres(pulumi.ComponentResource):
    """A private Flexible Server with TimescaleDB allowed."""

    host: pulumi.Output[str]
    """The server's FQDN (resolves privately through the linked DNS zone)."""
    password: pulumi.Output[str]
    """The admin password (secret)."""

    def __init__(
        self, name: str, args: AzurePostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Postgres", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        password = random.RandomPassword(
            child(name, "admin"), length=32, special=False, opts=self._opts
        )
        self.password = pulumi.Output.secret(password.result)
        server = self._build_server(password)
        self._build_parameters(server)
        azure.dbforpostgresql.Database(
            child(name, "db"),
            resource_group_name=args.resource_group_name,
            server_name=server.name,
            database_name=args.database_name,
            charset="UTF8",
            collation="en_US.utf8",
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.host = server.fully_qualified_domain_name
        self.register_outputs({"host": self.host, "password": self.password})

    def contract(self) -> PostgresContract:
        """The cloud-neutral view of this database."""
        return PostgresContract(
            host=self.host,
            port=pulumi.Output.from_input(PORT),
            database=pulumi.Output.from_input(self._args.database_name),
            username=pulumi.Output.from_input(self._args.username),
            password=self.password,
            ssl_mode="require",
        )

    def _build_server(self, password: random.RandomPassword) -> azure.dbforpostgresql.Server:
        args = self._args
        return azure.dbforpostgresql.Server(
            self._name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            version=args.version,
            sku=azure.dbforpostgresql.SkuArgs(name=args.sku, tier=sku_tier(args.sku)),
            administrator_login=args.username,
            administrator_login_password=password.result,
            storage=azure.dbforpostgresql.StorageArgs(
                storage_size_gb=args.storage_gb, auto_grow="Enabled"
            ),
            backup=azure.dbforpostgresql.BackupArgs(
                backup_retention_days=args.backup_retention_days,
                geo_redundant_backup="Enabled" if args.geo_redundant_backup else "Disabled",
            ),
            high_availability=azure.dbforpostgresql.HighAvailabilityArgs(
                mode="ZoneRedundant" if args.high_availability else "Disabled"
            ),
            network=azure.dbforpostgresql.NetworkArgs(
                delegated_subnet_resource_id=args.delegated_subnet_id,
                private_dns_zone_arm_resource_id=args.private_dns_zone_id,
                public_network_access="Disabled",
            ),
            maintenance_window=azure.dbforpostgresql.MaintenanceWindowArgs(
                custom_window="Enabled", day_of_week=0, start_hour=3, start_minute=0
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

    def _build_parameters(self, server: azure.dbforpostgresql.Server) -> None:
        extensions = sorted({*self._args.extensions, "timescaledb", "pg_stat_statements"})
        preload = [e for e in PRELOADED if e in extensions]
        parameters = {
            "require_secure_transport": "on",
            "ssl_min_protocol_version": "TLSv1.2",
            "azure.extensions": ",".join(e.upper() for e in extensions),
            "shared_preload_libraries": ",".join(preload),
            "log_min_duration_statement": "1000",
            "log_connections": "on",
            "log_disconnections": "on",
        }
        previous: list[pulumi.Resource] = []
        for parameter, value in parameters.items():
            # Flexible Server applies one parameter change at a time: chain them.
            configuration = azure.dbforpostgresql.Configuration(
                child(self._name, parameter.replace(".", "-").replace("_", "-")),
                resource_group_name=self._args.resource_group_name,
                server_name=server.name,
                configuration_name=parameter,
                value=value,
                source="user-override",
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous[-1:]),
            )
            previous.append(configuration)
