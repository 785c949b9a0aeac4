"""Cloud Storage bucket for the in-cluster Postgres' backups (base backups + WAL), and the
Google service account the CloudNativePG Cluster's ServiceAccount impersonates to write them.

Uniform bucket-level access (no object ACLs), public access prevention enforced, CMEK with a
key of its own (rotated every 90 days, like the cluster's), versioning, and a lifecycle that deletes non-current versions
after a window: barman-cloud's ``retentionPolicy`` deletes base backups and WAL beyond the
recovery window itself, so live objects have no age-based deletion (it could remove the only
base backup a WAL chain still needs). The writer gets ``roles/storage.objectAdmin`` on this
bucket only (no project role).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.gcp.apis import CLOUDKMS, STORAGE, ProjectApis
from components.gcp.gke import KEY_ROTATION
from components.gcp.kms import key_ring
from components.gcp.workload_identity import GcpWorkloadIdentity, GcpWorkloadIdentityArgs
from components.specs import BackupStoreSpec
from infra.naming import child

# What barman-cloud does on the bucket: list, read, write and delete objects.
WRITER_ROLE = "roles/storage.objectAdmin"


@dataclass(frozen=True, kw_only=True)
class GcpBackupBucketArgs:
    """Inputs of ``GcpBackupBucket``."""

    #: GCP project id
    project: str
    #: the bucket's region (the DR region where there is one, else the cluster's)
    region: str
    #: bucket name (globally unique, 3-63 characters, lowercase)
    bucket_name: str
    #: retention, writer and protection: the same on every cloud
    spec: BackupStoreSpec
    #: the cluster's Workload Identity pool
    workload_pool: pulumi.Input[str]
    #: the project's enabled APIs (Cloud Storage, Cloud KMS, IAM)
    apis: ProjectApis
    #: labels on the bucket and key
    labels: dict[str, str]


class GcpBackupBucket(pulumi.ComponentResource):
    """The backup bucket, its CMEK key and the writer's Workload Identity."""

    bucket_name: pulumi.Output[str]
    """The bucket's name (``gs://<name>/`` is barman's destination)."""
    identity: GcpWorkloadIdentity
    """The Google service account bound to the Cluster's ServiceAccount."""
    _key_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: GcpBackupBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:BackupBucket", name, None, opts)
        self._name = name
        self._args = args
        key_grant = self._key()
        bucket = gcp.storage.Bucket(
            name,
            name=args.bucket_name,
            project=args.project,
            location=args.region,
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcp.storage.BucketVersioningArgs(enabled=True),
            encryption=gcp.storage.BucketEncryptionArgs(default_kms_key_name=self._key_id),
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        days_since_noncurrent_time=args.spec.noncurrent_days, with_state="ARCHIVED"
                    ),
                ),
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(
                        type="AbortIncompleteMultipartUpload"
                    ),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(age=7),
                ),
            ],
            force_destroy=False,
            labels=args.labels,
            # the storage agent must hold the key before the bucket names it as its default
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.spec.protect,
                depends_on=[key_grant, *args.apis.needs(STORAGE)],
            ),
        )
        self.identity = GcpWorkloadIdentity(
            child(name, "writer"),
            GcpWorkloadIdentityArgs(
                project=args.project,
                account_id=child(name, "writer"),
                workload_pool=args.workload_pool,
                namespace=args.spec.namespace,
                service_account=args.spec.service_account,
                apis=args.apis,
                project_roles=[],
            ),
            pulumi.ResourceOptions(parent=self),
        )
        gcp.storage.BucketIAMMember(
            child(name, "writer"),
            bucket=bucket.name,
            role=WRITER_ROLE,
            member=self.identity.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = bucket.name
        self.register_outputs({"bucketName": self.bucket_name})

    def _key(self) -> gcp.kms.CryptoKeyIAMMember:
        """A key ring and key for the bucket, usable by the project's Cloud Storage agent."""
        args = self._args
        kms = args.apis.needs(CLOUDKMS)
        ring = key_ring(self._name, args.project, args.region, args.spec.protect, kms, self)
        key = gcp.kms.CryptoKey(
            child(self._name, "key"),
            name="postgres-backups",
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=KEY_ROTATION,
            labels=args.labels,
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect, depends_on=kms),
        )
        self._key_id = key.id
        # the Cloud Storage service agent is created on first use; this lookup creates it
        # (https://cloud.google.com/storage/docs/getting-service-agent)
        agent = gcp.storage.get_project_service_account_output(
            project=args.project,
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=args.apis.needs(STORAGE)),
        )
        return gcp.kms.CryptoKeyIAMMember(
            child(self._name, "key-storage-agent"),
            crypto_key_id=key.id,
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member=agent.email_address.apply(lambda email: f"serviceAccount:{email}"),
            opts=pulumi.ResourceOptions(parent=self),
        )
