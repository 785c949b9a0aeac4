"""``python -m infra backend bootstrap``: the Pulumi state backend every ``pulumi up`` needs.

On AWS (boto3) it converges, idempotently, on:

- a customer-managed KMS key with yearly automatic rotation for the bucket (``alias/<name>-state``)
  and another for Pulumi's secrets provider (``alias/<name>-secrets``): reading state objects and
  decrypting stack secrets are separate grants;
- an S3 bucket ``<name>``: BucketOwnerEnforced (ACLs off), all four public-access blocks,
  versioning (every checkpoint is recoverable), SSE-KMS with the state key and an S3 Bucket Key,
  and a bucket policy denying any request not made over TLS (``aws:SecureTransport`` false).

Each step reads the current setting first and writes only what differs, so a second run changes
nothing and says so. GCP and Azure SDKs are not installed here: for those clouds the command
prints the documented ``gcloud``/``az`` steps (``infra.ops.backend_cli_steps``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from infra.ops.common import OpsError, error_code

TLS_ONLY_SID = "DenyInsecureTransport"

# S3 bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
# 3-63 chars, lowercase letters, digits, hyphens (dots are allowed by S3 but break TLS
# certificate matching of virtual-hosted URLs, so they are refused here), letter/digit at both ends.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")


def check_bucket_name(name: str) -> None:
    """Raise ``OpsError`` naming the rule ``name`` breaks."""
    if not _BUCKET_NAME.match(name):
        raise OpsError(
            f"--name {name!r}: an S3 bucket name is 3-63 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit (no dots: they break TLS host matching)"
        )
    if name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES):
        raise OpsError(f"--name {name!r}: uses a prefix or suffix S3 reserves")


@dataclass
class BootstrapResult:
    """What a run did, and the lines that point Pulumi at the backend."""

    bucket: str
    region: str
    secrets_alias: str
    changes: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def login_line(self) -> str:
        # The region in the URL spares every user from exporting AWS_REGION for the backend.
        return f"pulumi login 's3://{self.bucket}?region={self.region}'"

    @property
    def secrets_provider(self) -> str:
        return f"awskms://{self.secrets_alias}?region={self.region}"

    def instruction_lines(self) -> list[str]:
        """The lines to copy: log in, then create (or move) stacks onto the KMS provider."""
        return [
            self.login_line,
            f'pulumi stack init <stack> --secrets-provider "{self.secrets_provider}"',
            f'pulumi stack change-secrets-provider "{self.secrets_provider}"  # existing stacks',
        ]


class AwsBackend:
    """Converges one region's state bucket and keys; ``clients`` are boto3 ``s3`` and ``kms``."""

    def __init__(self, s3: Any, kms: Any, region: str, name: str) -> None:
        self._s3 = s3
        self._kms = kms
        self._region = region
        self._name = name
        self._result = BootstrapResult(
            bucket=name, region=region, secrets_alias=f"alias/{name}-secrets"
        )

    def bootstrap(self) -> BootstrapResult:
        state_key = self._key(f"alias/{self._name}-state", "S3 bucket encryption")
        self._key(self._result.secrets_alias, "Pulumi secrets provider")
        self._bucket()
        self._ownership()
        self._public_access_block()
        self._versioning()
        self._encryption(state_key)
        self._tls_only_policy()
        return self._result

    def _note(self, changed: bool, what: str) -> None:
        (self._result.changes if changed else self._result.unchanged).append(what)

    # KMS ----------------------------------------------------------------------------------

    def _key(self, alias: str, purpose: str) -> str:
        """The ARN of the key behind ``alias``, created with rotation if absent."""
        try:
            metadata = self._kms.describe_key(KeyId=alias)["KeyMetadata"]
        except ClientError as exc:
            if error_code(exc) != "NotFoundException":
                raise
            metadata = self._kms.create_key(
                Description=f"{self._name}: {purpose}",
                KeyUsage="ENCRYPT_DECRYPT",
                KeySpec="SYMMETRIC_DEFAULT",
                Tags=[{"TagKey": "purpose", "TagValue": "pulumi-state-backend"}],
            )["KeyMetadata"]
            self._kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
            self._note(True, f"KMS key {alias}: created")
        else:
            if metadata.get("KeyState") != "Enabled":
                raise OpsError(
                    f"KMS key {alias} is {metadata.get('KeyState')}: cancel its deletion or "
                    "enable it (`aws kms cancel-key-deletion` / `aws kms enable-key`) and rerun"
                )
            self._note(False, f"KMS key {alias}: exists")
        key_id = metadata["KeyId"]
        if self._kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled"):
            self._note(False, f"KMS key {alias}: rotation already on")
        else:
            self._kms.enable_key_rotation(KeyId=key_id)
            self._note(True, f"KMS key {alias}: automatic rotation enabled")
        return str(metadata["Arn"])

    # S3 -----------------------------------------------------------------------------------

    def _bucket(self) -> None:
        bucket = self._name
        try:
            self._s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            code = error_code(exc)
            if code in ("403", "Forbidden", "AccessDenied"):
                raise OpsError(
                    f"bucket {bucket} exists but belongs to another account (or you may not "
                    "read it): pick another --name"
                ) from None
            if code not in ("404", "NoSuchBucket", "NotFound"):
                raise
            self._create_bucket()
            self._note(True, f"bucket s3://{bucket}: created in {self._region}")
            return
        location = self._s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
        # us-east-1 reports no constraint (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
        if (location or "us-east-1") != self._region:
            raise OpsError(
                f"bucket {bucket} exists in {location or 'us-east-1'}, not {self._region}: "
                "use that --region or another --name"
            )
        self._note(False, f"bucket s3://{bucket}: exists")

    def _create_bucket(self) -> None:
        args: dict[str, Any] = {"Bucket": self._name, "ObjectOwnership": "BucketOwnerEnforced"}
        # CreateBucket in us-east-1 must not name a location constraint.
        if self._region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        self._s3.create_bucket(**args)

    def _ownership(self) -> None:
        try:
            rules = self._s3.get_bucket_ownership_controls(Bucket=self._name)["OwnershipControls"][
                "Rules"
            ]
        except ClientError as exc:
            if error_code(exc) != "OwnershipControlsNotFoundError":
                raise
            rules = []
        wanted = [{"ObjectOwnership": "BucketOwnerEnforced"}]
        if rules == wanted:
            self._note(False, "object ownership: already BucketOwnerEnforced (ACLs off)")
            return
        self._s3.put_bucket_ownership_controls(
            Bucket=self._name, OwnershipControls={"Rules": wanted}
        )
        self._note(True, "object ownership: set to BucketOwnerEnforced (ACLs off)")

    def _public_access_block(self) -> None:
        wanted = {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        try:
            current = self._s3.get_public_access_block(Bucket=self._name)[
                "PublicAccessBlockConfiguration"
            ]
        except ClientError as exc:
            if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
                raise
            current = {}
        if all(current.get(key) is True for key in wanted):
            self._note(False, "public access block: already all four on")
            return
        self._s3.put_public_access_block(Bucket=self._name, PublicAccessBlockConfiguration=wanted)
        self._note(True, "public access block: all four on")

    def _versioning(self) -> None:
        if self._s3.get_bucket_versioning(Bucket=self._name).get("Status") == "Enabled":
            self._note(False, "versioning: already enabled")
            return
        self._s3.put_bucket_versioning(
            Bucket=self._name, VersioningConfiguration={"Status": "Enabled"}
        )
        self._note(True, "versioning: enabled")

    def _encryption(self, key_arn: str) -> None:
        wanted = {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": key_arn,
            },
            # A bucket key cuts KMS requests (and cost) per object write.
            "BucketKeyEnabled": True,
        }
        try:
            rules = self._s3.get_bucket_encryption(Bucket=self._name)[
                "ServerSideEncryptionConfiguration"
            ]["Rules"]
        except ClientError as exc:
            if error_code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
                raise
            rules = []
        if rules and _same_encryption(rules[0], wanted):
            self._note(False, "default encryption: already SSE-KMS with the state key")
            return
        self._s3.put_bucket_encryption(
            Bucket=self._name, ServerSideEncryptionConfiguration={"Rules": [wanted]}
        )
        self._note(True, "default encryption: SSE-KMS with the state key")

    def _tls_only_policy(self) -> None:
        statement = {
            "Sid": TLS_ONLY_SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{self._name}", f"arn:aws:s3:::{self._name}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        try:
            policy = json.loads(self._s3.get_bucket_policy(Bucket=self._name)["Policy"])
        except ClientError as exc:
            if error_code(exc) != "NoSuchBucketPolicy":
                raise
            policy = {"Version": "2012-10-17", "Statement": []}
        others = [s for s in policy.get("Statement", []) if s.get("Sid") != TLS_ONLY_SID]
        if statement in policy.get("Statement", []):
            self._note(False, "bucket policy: already denies non-TLS requests")
            return
        # Statements others added are kept: only ours is (re)written.
        policy["Statement"] = [*others, statement]
        self._s3.put_bucket_policy(Bucket=self._name, Policy=json.dumps(policy))
        self._note(True, "bucket policy: denies non-TLS requests")


def _same_encryption(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    default = current.get("ApplyServerSideEncryptionByDefault", {})
    return (
        default.get("SSEAlgorithm") == "aws:kms"
        and default.get("KMSMasterKeyID")
        == wanted["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
        and current.get("BucketKeyEnabled") is True
    )


def bootstrap_aws(region: str, name: str) -> BootstrapResult:
    """Converge the backend in ``region`` with the default credential chain."""
    import boto3

    check_bucket_name(name)
    session = boto3.Session(region_name=region)
    return AwsBackend(session.client("s3"), session.client("kms"), region, name).bootstrap()
