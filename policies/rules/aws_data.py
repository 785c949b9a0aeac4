"""AWS data-service and key rules: RDS, MSK, ElastiCache and KMS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, Severity, StackValidationArgs

from .base import dig, equals, is_unknown, property_rule, stack_rule, truthy

RDS = "aws:rds/instance:Instance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
MSK = "aws:msk/cluster:Cluster"
ELASTICACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
KMS_KEY = "aws:kms/key:Key"
ECR_REPOSITORY = "aws:ecr/repository:Repository"

Props = Mapping[str, Any]


def _minimum_days(default: int) -> PolicyConfigSchema:
    return PolicyConfigSchema(
        properties={"minimumDays": {"type": "integer", "minimum": 0, "default": default}}
    )


# --- RDS ---------------------------------------------------------------------------------


def rds_storage_encrypted(props: Props, config: Props) -> bool | None:
    return truthy(props, "storageEncrypted")


def rds_not_public(props: Props, config: Props) -> bool | None:
    return equals(props, False, "publiclyAccessible", default=False)


def rds_multi_az(props: Props, config: Props) -> bool | None:
    return truthy(props, "multiAz")


def rds_backup_retention(props: Props, config: Props) -> bool | None:
    days = dig(props, "backupRetentionPeriod", default=0)
    return None if is_unknown(days) else days >= config.get("minimumDays", 7)


def rds_deletion_protection(props: Props, config: Props) -> bool | None:
    return truthy(props, "deletionProtection")


def rds_iam_auth(props: Props, config: Props) -> bool | None:
    return truthy(props, "iamDatabaseAuthenticationEnabled")


def check_rds_force_ssl(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every PostgreSQL instance uses a parameter group with rds.force_ssl=1."""
    for resource in args.resources:
        if resource.resource_type != RDS or dig(resource.props, "engine") != "postgres":
            continue
        groups = [
            dep for dep in resource.property_dependencies.get("parameterGroupName", [])
            if dep.resource_type == RDS_PARAMETER_GROUP
        ]  # fmt: skip
        forced = any(
            p.get("name") == "rds.force_ssl" and str(p.get("value")) == "1"
            for group in groups
            for p in dig(group.props, "parameters", default=[])
        )
        if not forced:
            report(
                f"{resource.name} does not use a parameter group with rds.force_ssl=1", resource.urn
            )


# --- MSK ---------------------------------------------------------------------------------


def msk_tls_only(props: Props, config: Props) -> bool | None:
    transit = dig(props, "encryptionInfo", "encryptionInTransit", default={})
    if is_unknown(transit):
        return None
    # the provider's defaults are TLS and in-cluster encryption when the block is absent
    return transit.get("clientBroker", "TLS") == "TLS" and transit.get("inCluster", True) is True


def msk_cmk(props: Props, config: Props) -> bool | None:
    value = dig(props, "encryptionInfo", "encryptionAtRestKmsKeyArn")
    return None if is_unknown(value) else bool(value)


def msk_broker_logging(props: Props, config: Props) -> bool | None:
    logs = dig(props, "loggingInfo", "brokerLogs", default={})
    return any(dig(logs, sink, "enabled") for sink in ("cloudwatchLogs", "firehose", "s3"))


def msk_authenticated(props: Props, config: Props) -> bool | None:
    auth = dig(props, "clientAuthentication", default={})
    sasl = dig(auth, "sasl", default={})
    has_auth = bool(dig(sasl, "iam") or dig(sasl, "scram") or dig(auth, "tls"))
    return has_auth and not dig(auth, "unauthenticated", default=False)


# --- ElastiCache -------------------------------------------------------------------------


def elasticache_transit_encryption(props: Props, config: Props) -> bool | None:
    enabled = truthy(props, "transitEncryptionEnabled")
    mode = dig(props, "transitEncryptionMode", default="required")
    return enabled and mode == "required" if enabled is not None else None


def elasticache_at_rest_encryption(props: Props, config: Props) -> bool | None:
    return truthy(props, "atRestEncryptionEnabled")


def elasticache_auth(props: Props, config: Props) -> bool | None:
    return bool(dig(props, "authToken") or dig(props, "userGroupIds"))


def elasticache_failover(props: Props, config: Props) -> bool | None:
    return truthy(props, "automaticFailoverEnabled")


def kms_rotation(props: Props, config: Props) -> bool | None:
    return truthy(props, "enableKeyRotation")


def ecr_immutable_tags(props: Props, config: Props) -> bool | None:
    # ECR's default is MUTABLE (pulumi_aws.ecr.Repository image_tag_mutability)
    return equals(props, "IMMUTABLE", "imageTagMutability", default="MUTABLE")


POLICIES = [
    property_rule(
        "aws-rds-storage-encrypted", "Unencrypted database storage and snapshots leak data at rest.",
        "Set storage_encrypted=True with a customer-managed kms_key_id.", Severity.HIGH,
        [RDS], rds_storage_encrypted, "RDS storage is not encrypted",
    ),
    property_rule(
        "aws-rds-not-publicly-accessible", "A database with a public address is one leaked password from a breach.",
        "Set publicly_accessible=False and reach it from inside the VPC.", Severity.CRITICAL,
        [RDS], rds_not_public, "RDS instance is publicly accessible",
    ),
    property_rule(
        "aws-rds-multi-az", "A single-AZ database goes down with its zone.",
        "Set multi_az=True (platform:postgres.highAvailability).", Severity.HIGH,
        [RDS], rds_multi_az, "RDS instance is not Multi-AZ",
    ),
    property_rule(
        "aws-rds-backup-retention", "Point-in-time recovery reaches back only as far as backups are kept.",
        "Raise backup_retention_period (platform:postgres.backupRetentionDays).", Severity.HIGH,
        [RDS], rds_backup_retention, "RDS backup retention is below {minimumDays} days",
        config_schema=_minimum_days(7),
    ),
    property_rule(
        "aws-rds-deletion-protection", "One mistaken delete must not drop the production database.",
        "Set deletion_protection=True (platform:postgres.deletionProtection).", Severity.HIGH,
        [RDS], rds_deletion_protection, "RDS deletion protection is off",
    ),
    property_rule(
        "aws-rds-iam-auth", "IAM authentication lets access be granted and revoked without shared passwords.",
        "Set iam_database_authentication_enabled=True.", Severity.MEDIUM,
        [RDS], rds_iam_auth, "RDS IAM database authentication is off",
    ),
    stack_rule(
        "aws-rds-force-ssl", "Without rds.force_ssl clients may connect in plain text.",
        "Attach a parameter group with rds.force_ssl=1 (AwsPostgres does).", Severity.HIGH,
        check_rds_force_ssl,
    ),
    property_rule(
        "aws-msk-tls-only", "Kafka traffic carries the service's events; it must never cross the network in clear.",
        "Set encryption_in_transit client_broker='TLS' and in_cluster=True.", Severity.HIGH,
        [MSK], msk_tls_only, "MSK allows plaintext client or in-cluster traffic",
    ),
    property_rule(
        "aws-msk-at-rest-cmk", "A customer-managed key keeps control (and audit) of who can read broker disks.",
        "Set encryption_info.encryption_at_rest_kms_key_arn to a CMK.", Severity.MEDIUM,
        [MSK], msk_cmk, "MSK encrypts at rest with the AWS-managed key, not a CMK",
    ),
    property_rule(
        "aws-msk-broker-logging", "Broker logs are needed to investigate client and replication failures.",
        "Enable logging_info.broker_logs to CloudWatch, Firehose or S3.", Severity.LOW,
        [MSK], msk_broker_logging, "MSK broker logs are not delivered anywhere",
    ),
    property_rule(
        "aws-msk-authenticated-clients", "Unauthenticated Kafka access lets any pod read and write every topic.",
        "Enable SASL/IAM (or SCRAM, or mTLS) and set unauthenticated=False.", Severity.CRITICAL,
        [MSK], msk_authenticated, "MSK accepts unauthenticated clients",
    ),
    property_rule(
        "aws-elasticache-transit-encryption", "Cache contents and AUTH tokens must not cross the network in clear.",
        "Set transit_encryption_enabled=True and transit_encryption_mode='required'.", Severity.HIGH,
        [ELASTICACHE], elasticache_transit_encryption, "ElastiCache does not require TLS",
    ),
    property_rule(
        "aws-elasticache-at-rest-encryption", "Snapshots and swap must be encrypted.",
        "Set at_rest_encryption_enabled=True with a kms_key_id.", Severity.MEDIUM,
        [ELASTICACHE], elasticache_at_rest_encryption, "ElastiCache is not encrypted at rest",
    ),
    property_rule(
        "aws-elasticache-auth", "Without AUTH any workload that can reach the port can read the cache.",
        "Set auth_token (secret) or user_group_ids.", Severity.HIGH,
        [ELASTICACHE], elasticache_auth, "ElastiCache has neither an AUTH token nor RBAC user groups",
    ),
    property_rule(
        "aws-elasticache-automatic-failover", "Without failover a primary failure is an outage until a human acts.",
        "Give each shard a replica and set automatic_failover_enabled=True.", Severity.HIGH,
        [ELASTICACHE], elasticache_failover, "ElastiCache automatic failover is off",
    ),
    property_rule(
        "aws-kms-key-rotation", "Rotating key material limits what one leaked key version exposes.",
        "Set enable_key_rotation=True.", Severity.MEDIUM,
        [KMS_KEY], kms_rotation, "KMS key rotation is off",
    ),
    property_rule(
        "aws-ecr-immutable-tags", "A mutable tag lets a push replace what a released tag runs.",
        "Set image_tag_mutability='IMMUTABLE'.", Severity.MEDIUM,
        [ECR_REPOSITORY], ecr_immutable_tags, "ECR repository tags are mutable",
    ),
]  # fmt: skip
