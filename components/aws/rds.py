"""AWS RDS for PostgreSQL: the Postgres contract on AWS.

Creates a subnet group over the private subnets, a security group admitting 5432 only from the
cluster's nodes, a parameter group that forces TLS and logs what an operator needs, a
customer-managed KMS key for storage and Performance Insights, the enhanced-monitoring role, a
pulumi-random master password (secret), and the instance: gp3 with storage autoscaling,
Multi-AZ outside dev, backups with PITR, IAM authentication, log exports, deletion protection
and a final snapshot (plus ``protect=True``) in prod.

Master password: pulumi-random rather than the RDS-managed (Secrets Manager) password, because
the Postgres contract hands the password to a Kubernetes Secret at deploy time; a rotating
RDS-managed secret would need an in-cluster secrets operator to stay in sync. Rotation is a
``pulumi up`` with a new ``keepers`` value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.rds_ca import RDS_CA_BUNDLE, RDS_CA_IDENTIFIER
from components.aws.rds_orderable import orderable_instance_class
from components.aws.shared import (
    AccountScope,
    PortRange,
    PrivatePlacement,
    key_policy,
    kms_key,
    log_group,
    managed_policy,
    service_role,
)
from components.contracts import PostgresContract
from components.specs import PostgresSpec
from infra.config.errors import CloudCheckError
from infra.naming import child
from policies.rules.facts.catalog import service

# Pinned minor versions per major: upgrades are deliberate. Each ``postgres.rds`` entry of the
# version catalog carries its ``minor`` (the newest in cfn-lint's RDS engine-version data when
# last checked); ``deploy-aws-engine-version`` checks RDS still offers it,
# ``deploy-version-support`` the major's end of standard support.
ENGINE_VERSIONS = {
    entry.version: str(entry.extra["minor"])
    for entry in service("postgres.rds").entries
    if "minor" in entry.extra
}


def offered_engine_version(version: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """``version`` once RDS reports it ``available`` (``rds.get_engine_version``, pulumi-aws
    ``aws:rds/getEngineVersion``), else a failed preview naming the key and the minors RDS
    offers as upgrades from it; the offline plan's mock answers from the version catalog as
    last checked."""
    found = aws.rds.get_engine_version_output(
        engine="postgres", version=version, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return pulumi.Output.all(found.status, found.valid_minor_targets).apply(
        lambda got: engine_offered_or_raise(version, got[0], got[1] or [])
    )


def engine_offered_or_raise(version: str, status: str, minors: Sequence[str]) -> str:
    """``version`` when RDS reports it ``available``; the error names the key and the newer
    minors RDS offers otherwise."""
    if status != "available":
        raise CloudCheckError(
            f"platform:postgres.version: RDS reports PostgreSQL {version} as {status} "
            f"(rds.get_engine_version; newer minors offered: {', '.join(minors) or 'none'}); "
            "update the minor in policies/rules/facts/catalog/postgres.toml [rds]"
        )
    return version


LOG_EXPORTS = ("postgresql", "upgrade")
PORT = 5432
BACKUP_WINDOW = "02:00-03:00"
MAINTENANCE_WINDOW = "sun:03:30-sun:04:30"


@dataclass(frozen=True, kw_only=True)
class AwsPostgresArgs:
    """Inputs of ``AwsPostgres``: the cloud-neutral spec placed in the VPC."""

    #: what to build (version, class, storage, backups, protection; see components/specs.py)
    spec: PostgresSpec
    #: private subnets and the cluster security group admitted on 5432
    placement: PrivatePlacement
    #: account/region the key policies name
    scope: AccountScope
    #: AWS tags on every resource
    tags: dict[str, str]


class AwsPostgres(pulumi.ComponentResource):
    """A private, encrypted RDS PostgreSQL instance."""

    address: pulumi.Output[str]
    """DNS name of the instance."""
    port: pulumi.Output[int]
    """TCP port."""
    password: pulumi.Output[str]
    """Master password (secret)."""
    instance: aws.rds.Instance
    """The instance resource (for wiring alarms or read replicas)."""

    def __init__(
        self, name: str, args: AwsPostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:Postgres", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        key = kms_key(
            child(name, "storage"),
            f"{name} storage, Performance Insights and exported logs",
            args.tags,
            self,
            args.spec.protect,
            key_policy(args.scope, log_groups=(f"/aws/rds/instance/{name}/*",)),
        )
        password = random.RandomPassword(
            child(name, "master"),
            length=32,
            special=True,
            # RDS rejects '/', '@', '"' and spaces in master passwords.
            override_special="!#$%&*()-_=+[]{}<>:?",
            opts=self._opts,
        )
        self.password = pulumi.Output.secret(password.result)
        self.instance = self._build_instance(key, password)
        self._ready: list[pulumi.Resource] = [self.instance]
        self.address = self.instance.address
        self.port = self.instance.port
        self.register_outputs(
            {"address": self.address, "port": self.port, "password": self.password}
        )

    def contract(self) -> PostgresContract:
        """The cloud-neutral view of this database."""
        return PostgresContract(
            ready=self._ready,
            host=self.address,
            port=self.port,
            database=pulumi.Output.from_input(self._args.spec.database_name),
            username=pulumi.Output.from_input(self._args.spec.username),
            password=self.password,
            ssl_mode="verify-full",
            # The server certificate chains to this bundle's root for RDS_CA_IDENTIFIER.
            ca_certificate=RDS_CA_BUNDLE,
        )

    def replicate_backups(
        self, provider: aws.Provider, scope: AccountScope, retention_days: int
    ) -> aws.rds.InstanceAutomatedBackupsReplication:
        """Copy the automated backups (snapshots and transaction logs) to ``scope.region``.

        The replication is managed from the destination region (RDS User Guide, "Replicating
        automated backups to another AWS Region": StartDBInstanceAutomatedBackupsReplication is
        called there), so both it and its key use ``provider`` for that region. The copy
        keeps point-in-time restore in the DR region, with transaction logs shipped about
        every five minutes.
        """
        args = self._args
        key = kms_key(
            child(self._name, "dr-backups"),
            f"{self._name} automated backups replicated to {scope.region}",
            args.tags,
            self,
            args.spec.protect,
            key_policy(scope),
            provider=provider,
        )
        return aws.rds.InstanceAutomatedBackupsReplication(
            child(self._name, "dr-backups"),
            source_db_instance_arn=self.instance.arn,
            kms_key_id=key.arn,
            retention_period=retention_days,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, protect=args.spec.protect),
        )

    def _parameter_group(self) -> aws.rds.ParameterGroup:
        preload = sorted(
            {"pg_stat_statements", *self._args.spec.extensions}
            & {"pg_stat_statements", "pg_cron", "auto_explain"}
        )
        parameters = {
            "rds.force_ssl": ("1", "immediate"),
            "log_min_duration_statement": ("1000", "immediate"),
            "log_connections": ("1", "immediate"),
            "log_disconnections": ("1", "immediate"),
            "log_lock_waits": ("1", "immediate"),
            "log_temp_files": ("0", "immediate"),
            "shared_preload_libraries": (",".join(preload), "pending-reboot"),
        }
        return aws.rds.ParameterGroup(
            self._name,
            family=f"postgres{self._args.spec.version}",
            description=f"{self._name}: TLS only, operational logging",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name=key, value=value, apply_method=method)
                for key, (value, method) in parameters.items()
            ],
            tags=self._args.tags,
            opts=self._opts,
        )

    def _build_instance(
        self, key: aws.kms.Key, password: random.RandomPassword
    ) -> aws.rds.Instance:
        args = self._args
        subnet_group = aws.rds.SubnetGroup(
            self._name,
            description=f"{self._name} private subnets",
            subnet_ids=args.placement.subnet_ids,
            tags=args.tags,
            opts=self._opts,
        )
        security_group = args.placement.security_group(
            child(self._name, "db"),
            "PostgreSQL from the cluster nodes only",
            [PortRange(PORT, PORT, "PostgreSQL from the cluster nodes")],
            args.tags,
            self,
        )
        monitoring_role = service_role(
            child(self._name, "monitoring"),
            {"Service": "monitoring.rds.amazonaws.com"},
            [managed_policy("service-role/AmazonRDSEnhancedMonitoringRole")],
            args.tags,
            self,
        )
        return aws.rds.Instance(
            self._name,
            # An explicit identifier: the log groups below are named after it.
            identifier=self._name,
            engine="postgres",
            # verified against what RDS offers (rds.get_engine_version) before the instance
            engine_version=offered_engine_version(ENGINE_VERSIONS[args.spec.version], self),
            # verified orderable with that minor (rds.get_orderable_db_instance)
            instance_class=orderable_instance_class(
                args.spec.instance_size,
                ENGINE_VERSIONS[args.spec.version],
                args.spec.high_availability,
                self,
            ),
            allocated_storage=args.spec.storage_gb,
            max_allocated_storage=args.spec.max_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=key.arn,
            db_name=args.spec.database_name,
            username=args.spec.username,
            password=password.result,
            port=PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group.id],
            publicly_accessible=False,
            multi_az=args.spec.high_availability,
            parameter_group_name=self._parameter_group().name,
            backup_retention_period=args.spec.backup_retention_days,
            backup_window=BACKUP_WINDOW,
            maintenance_window=MAINTENANCE_WINDOW,
            copy_tags_to_snapshot=True,
            delete_automated_backups=not args.spec.deletion_protection,
            deletion_protection=args.spec.deletion_protection,
            skip_final_snapshot=not args.spec.final_snapshot,
            final_snapshot_identifier=self._final_snapshot_identifier(
                {
                    # the instance's inputs that force its replacement (CloudFormation's
                    # create-only DBInstance properties, as pulumi-aws replaces on them)
                    "identifier": self._name,
                    "dbName": args.spec.database_name,
                    "username": args.spec.username,
                    "dbSubnetGroupName": subnet_group.name,
                    "kmsKeyId": key.arn,
                }
            ),
            iam_database_authentication_enabled=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=7,
            monitoring_interval=60,
            monitoring_role_arn=monitoring_role.arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            auto_minor_version_upgrade=False,
            allow_major_version_upgrade=False,
            ca_cert_identifier=RDS_CA_IDENTIFIER,
            apply_immediately=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.spec.protect,
                # storage autoscaling (max_allocated_storage) grows the volume: never shrink it
                ignore_changes=["allocatedStorage"],
                # Enhanced monitoring starts with the instance: the role must hold its policy.
                depends_on=[*monitoring_role.attachments, *self._log_groups(key)],
            ),
        )

    def _log_groups(self, key: aws.kms.Key) -> list[aws.cloudwatch.LogGroup]:
        """The groups RDS exports to, created first so they carry a retention.

        RDS creates ``/aws/rds/instance/<identifier>/<log>`` on first export, without retention,
        unless it exists already.
        """
        return [
            log_group(
                child(self._name, log),
                key,
                self._args.spec.log_retention_days,
                self._args.tags,
                self,
                f"/aws/rds/instance/{self._name}/{log}",
            )
            for log in LOG_EXPORTS
        ]

    def _final_snapshot_identifier(
        self, replaced_on: Mapping[str, pulumi.Input[str]]
    ) -> pulumi.Output[str] | None:
        """A snapshot name unique per instance lifetime.

        A fixed name collides with the snapshot the previous destroy left behind. The random
        suffix keeps ``replaced_on`` (the instance inputs that force a replacement): when one
        changes, the suffix is regenerated in the same update as the instance, so the
        replacement's final snapshot gets a new name.
        """
        if not self._args.spec.final_snapshot:
            return None
        suffix = random.RandomId(
            child(self._name, "final-snapshot"),
            byte_length=4,
            keepers=dict(replaced_on),
            opts=self._opts,
        )
        return suffix.hex.apply(lambda hex_id: f"{self._name}-final-{hex_id}")
