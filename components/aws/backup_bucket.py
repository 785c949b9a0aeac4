"""S3 bucket for the in-cluster Postgres' backups (base backups + WAL), and the IRSA role that
writes them.

Private (public access block, owner-enforced objects), SSE-KMS with the stack's own customer
key (bucket keys on), versioned, TLS-only bucket policy, and a lifecycle that expires old
versions: barman-cloud's ``retentionPolicy`` deletes base backups and WAL beyond the recovery
window itself, so current objects carry no age-based expiry (it could delete the only base
backup a WAL chain still needs); what barman deletes stays recoverable as a non-current version
for one more window. The role trusts exactly the CloudNativePG Cluster's ServiceAccount.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.shared import AccountScope, key_policy, kms_key
from components.aws.workload_identity import AwsWorkloadRole, AwsWorkloadRoleArgs
from components.specs import BackupStoreSpec
from infra.naming import child

# Multipart uploads barman abandons (a killed pod) stop costing after this.
ABORT_MULTIPART_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class AwsBackupBucketArgs:
    """Inputs of ``AwsBackupBucket``."""

    #: bucket name (globally unique, 3-63 lowercase characters)
    bucket_name: str
    #: retention, writer and protection: the same on every cloud
    spec: BackupStoreSpec
    #: the cluster's IAM OIDC provider and issuer (IRSA)
    oidc_provider_arn: pulumi.Input[str]
    #: the cluster's OIDC issuer host (the trust policy's condition keys)
    oidc_issuer: pulumi.Input[str]
    #: account, partition and region the key policy names
    scope: AccountScope
    #: tags on every resource
    tags: dict[str, str]


def bucket_access_statements(bucket_arn: str, key_arn: str) -> list[dict[str, object]]:
    """What barman-cloud needs: list the bucket, read/write/delete objects, use the key."""
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": [bucket_arn],
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": [f"{bucket_arn}/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [key_arn],
        },
    ]


def tls_only_policy(bucket_arn: str) -> str:
    """Deny every request that is not over TLS (AWS Security Hub S3.5)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


class AwsBackupBucket(pulumi.ComponentResource):
    """The backup bucket, its key and the writer's IRSA role."""

    bucket_name: pulumi.Output[str]
    """The bucket's name (``s3://<name>/`` is barman's destination)."""
    role: AwsWorkloadRole
    """The IRSA role of the Cluster's ServiceAccount."""

    def __init__(
        self, name: str, args: AwsBackupBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:BackupBucket", name, None, opts)
        parent = pulumi.ResourceOptions(parent=self)
        key = kms_key(
            child(name, "key"), "Postgres backups (CloudNativePG)", args.tags, self,
            args.spec.protect, key_policy(args.scope),
        )  # fmt: skip
        bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect),
        )
        aws.s3.BucketPublicAccessBlock(
            child(name, "public-access"),
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=parent,
        )
        aws.s3.BucketOwnershipControls(
            child(name, "ownership"),
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=parent,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            child(name, "encryption"),
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=key.arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=parent,
        )
        versioning = aws.s3.BucketVersioning(
            child(name, "versioning"),
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=parent,
        )
        aws.s3.BucketLifecycleConfiguration(
            child(name, "lifecycle"),
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-old-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.spec.noncurrent_days
                    ),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        expired_object_delete_marker=True
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=ABORT_MULTIPART_DAYS
                    ),
                )
            ],
            # S3 rejects a lifecycle with version rules until versioning is on
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )  # fmt: skip
        aws.s3.BucketPolicy(
            child(name, "tls-only"),
            bucket=bucket.id,
            policy=bucket.arn.apply(tls_only_policy),
            opts=parent,
        )
        self.role = AwsWorkloadRole(
            child(name, "writer"),
            AwsWorkloadRoleArgs(
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer=args.oidc_issuer,
                namespace=args.spec.namespace,
                service_account=args.spec.service_account,
                policy_statements=pulumi.Output.all(bucket.arn, key.arn).apply(
                    lambda arns: bucket_access_statements(arns[0], arns[1])
                ),
                tags=args.tags,
            ),
            parent,
        )
        self.bucket_name = bucket.bucket
        self.register_outputs({"bucketName": self.bucket_name})
