"""Azure Database for PostgreSQL Flexible Server: the Postgres contract on Azure.

Creates the server (version pinned) in the delegated subnet with the private DNS zone and no
public access, zone-redundant HA in prod, backup retention per profile with geo-redundant
backups in prod (copied by Azure to the region's pair; the server's ``disaster-recovery-region``
tag records the DR region the config names, and a deployability rule checks it is that pair),
storage auto-grow, a custom maintenance window; server parameters that require
TLS and allow TimescaleDB (the service's time-series store, which this cloud offers) and
pg_stat_statements (also preloaded); the application database; a pulumi-random admin password
(secret); and ``protect=True`` in prod.

Ordering: parameters are written one at a time, the database after the last of them (Flexible
Server serializes server updates). ``shared_preload_libraries`` is a static parameter: it takes
effect only after a server restart, which ARM offers as an action, not a resource. The component
reads the parameter back after writing it (``getConfiguration``, every run) and, while Azure
reports ``isConfigPendingRestart``, fails the update with the exact restart command (see
docs/azure.md): a loud, one-time step instead of an unannounced database restart in a deploy.
The contract's host is the server's own ``fullyQualifiedDomainName``
(``<server>.postgres.database.azure.com``): with VNet integration it is a CNAME into the linked
private DNS zone (``private.postgres.database.azure.com``), so it resolves to the private address
inside the VNet, and it is the name the server's certificate carries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
import pulumi_random as random

from components.azure.network import ServicePlacement
from components.contracts import PostgresContract
from components.specs import PostgresSpec
from infra.naming import child
from policies.rules.facts.azure_names import global_name
from policies.rules.facts.azure_regions import DR_REGION_TAG

PORT = 5432
PRELOADED = ("timescaledb", "pg_stat_statements", "pg_cron")
SERVER = "azure-native:dbforpostgresql:Server"


@dataclass(frozen=True, kw_only=True)
class AzurePostgresArgs:
    """Inputs of ``AzurePostgres``: the cloud-neutral spec in its delegated subnet."""

    #: what to build (version, SKU, storage, backups, HA, DR region; components/specs.py)
    spec: PostgresSpec
    #: resource group, region, name seed, delegated subnet and the postgres private DNS zone
    placement: ServicePlacement
    #: Azure tags on the server (plus the DR-region tag with geo-redundant backup)
    tags: dict[str, str]


def restart_command(resource_group: str, server: str) -> str:
    """The Azure CLI command that applies pending static parameters."""
    return f"az postgres flexible-server restart --resource-group {resource_group} --name {server}"


def restart_problem(pending: bool, resource_group: str, server: str) -> str | None:
    """The error a deploy reports while a static parameter waits for a restart."""
    if not pending:
        return None
    return (
        f"PostgreSQL server {server}: shared_preload_libraries changes wait for a restart; run "
        f"`{restart_command(resource_group, server)}` then `pulumi up` again"
    )


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
    restart_command: pulumi.Output[str]
    """The command that applies pending static parameters (a stack output)."""
    spec: PostgresSpec
    """What was built (the alarms read the SKU)."""

    def __init__(
        self, name: str, args: AzurePostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:Postgres", name, None, opts)
        self._name = name
        self._args = args
        self.spec = args.spec
        self._opts = pulumi.ResourceOptions(parent=self)
        password = random.RandomPassword(
            child(name, "admin"), length=32, special=False, opts=self._opts
        )
        self.password = pulumi.Output.secret(password.result)
        server = self._build_server(password)
        self._ready: list[pulumi.Resource] = [server]
        last = self._build_parameters(server)
        azure.dbforpostgresql.Database(
            child(name, "db"),
            resource_group_name=args.placement.resource_group_name,
            server_name=server.name,
            database_name=args.spec.database_name,
            charset="UTF8",
            collation="en_US.utf8",
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect, depends_on=[last]),
        )
        self.restart_command = self._check_restart(server, last)
        self.host = server.fully_qualified_domain_name
        self.server_id = server.id
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

    def _build_server(self, password: random.RandomPassword) -> azure.dbforpostgresql.Server:
        args = self._args
        return azure.dbforpostgresql.Server(
            self._name,
            server_name=pulumi.Output.from_input(args.placement.name_seed).apply(
                lambda seed: global_name(SERVER, self._name, seed)
            ),
            resource_group_name=args.placement.resource_group_name,
            location=args.placement.location,
            version=args.spec.version,
            sku=azure.dbforpostgresql.SkuArgs(
                name=args.spec.instance_size, tier=sku_tier(args.spec.instance_size)
            ),
            administrator_login=args.spec.username,
            administrator_login_password=password.result,
            storage=azure.dbforpostgresql.StorageArgs(
                storage_size_gb=args.spec.storage_gb, auto_grow="Enabled"
            ),
            backup=azure.dbforpostgresql.BackupArgs(
                backup_retention_days=args.spec.backup_retention_days,
                geo_redundant_backup="Enabled" if args.spec.geo_redundant_backup else "Disabled",
            ),
            high_availability=azure.dbforpostgresql.HighAvailabilityArgs(
                mode="ZoneRedundant" if args.spec.high_availability else "Disabled"
            ),
            network=azure.dbforpostgresql.NetworkArgs(
                delegated_subnet_resource_id=args.placement.subnet_id,
                private_dns_zone_arm_resource_id=args.placement.dns_zone_id,
                public_network_access="Disabled",
            ),
            maintenance_window=azure.dbforpostgresql.MaintenanceWindowArgs(
                custom_window="Enabled", day_of_week=0, start_hour=3, start_minute=0
            ),
            tags=self._tags(),
            # storage auto-grow resizes the disk; the next deploy must not ask to shrink it
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.spec.protect, ignore_changes=["storage.storageSizeGB"]
            ),
        )

    def _tags(self) -> dict[str, str]:
        args = self._args
        if args.spec.geo_redundant_backup and args.spec.dr_region:
            return {**args.tags, DR_REGION_TAG: args.spec.dr_region}
        return args.tags

    def _check_restart(
        self, server: azure.dbforpostgresql.Server, last: pulumi.Resource
    ) -> pulumi.Output[str]:
        """Read ``shared_preload_libraries`` back; a pending restart fails the update loudly."""
        group = pulumi.Output.from_input(self._args.placement.resource_group_name)
        current = azure.dbforpostgresql.get_configuration_output(
            resource_group_name=group,
            server_name=server.name,
            configuration_name="shared_preload_libraries",
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[last]),
        )

        def report(values: list[object]) -> str:
            pending, resource_group, name = bool(values[0]), str(values[1]), str(values[2])
            problem = restart_problem(pending, resource_group, name)
            if problem:
                pulumi.log.error(problem, resource=self)
            return restart_command(resource_group, name)

        return pulumi.Output.all(current.is_config_pending_restart, group, server.name).apply(
            report
        )

    def _build_parameters(self, server: azure.dbforpostgresql.Server) -> pulumi.Resource:
        extensions = sorted({*self._args.spec.extensions, "timescaledb", "pg_stat_statements"})
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
                resource_group_name=self._args.placement.resource_group_name,
                server_name=server.name,
                configuration_name=parameter,
                value=value,
                source="user-override",
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous[-1:]),
            )
            previous.append(configuration)
        return previous[-1]
