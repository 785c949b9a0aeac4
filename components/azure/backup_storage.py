"""Blob storage for the in-cluster Postgres' backups (base backups + WAL), and the user-assigned
identity the CloudNativePG Cluster's ServiceAccount is federated with to write them.

The account accepts Entra ID only (shared keys, and so SAS tokens, are off: no static secret
exists to leak), HTTPS with TLS 1.2+, no public blob access, zone-redundant (ZRS) copies and
encryption at rest (Azure Storage encrypts every account; Microsoft-managed keys). Blob
versioning and soft delete keep what barman deletes recoverable for a window, and a lifecycle
policy deletes old versions after it: barman-cloud's ``retentionPolicy`` deletes base backups
and WAL beyond the recovery window itself, so current blobs have no age-based deletion. The
writer gets Storage Blob Data Contributor on the container only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.azure import roles
from components.azure.storage import hardened_storage_account
from components.azure.workload_identity import AzureWorkloadIdentity, AzureWorkloadIdentityArgs
from components.specs import BackupStoreSpec
from infra.naming import child

CONTAINER = "postgres-backups"


@dataclass(frozen=True, kw_only=True)
class AzureBackupStorageArgs:
    """Inputs of ``AzureBackupStorage``."""

    #: the stack's resource group
    resource_group_name: pulumi.Input[str]
    #: Azure region
    location: str
    #: seed of the globally unique account name (subscription/stack)
    name_seed: pulumi.Input[str]
    #: retention, writer and protection: the same on every cloud
    spec: BackupStoreSpec
    #: the cluster's OIDC issuer (workload identity federation)
    oidc_issuer_url: pulumi.Input[str]
    #: subscription of the role assignment
    subscription_id: pulumi.Input[str]
    #: tags on every resource
    tags: dict[str, str]


class AzureBackupStorage(pulumi.ComponentResource):
    """The backup storage account and container, and the writer's workload identity."""

    destination: pulumi.Output[str]
    """``https://<account>.blob.core.windows.net/<container>/`` (barman's destination)."""
    identity: AzureWorkloadIdentity
    """The identity federated with the Cluster's ServiceAccount."""

    def __init__(
        self, name: str, args: AzureBackupStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:BackupStorage", name, None, opts)
        parent = pulumi.ResourceOptions(parent=self)
        account = hardened_storage_account(
            name, args.name_seed, args.resource_group_name, args.location, args.tags,
            pulumi.ResourceOptions(parent=self, protect=args.spec.protect), entra_only=True,
        )  # fmt: skip
        retention = azure.storage.DeleteRetentionPolicyArgs(
            enabled=True, days=args.spec.noncurrent_days
        )
        azure.storage.BlobServiceProperties(
            child(name, "blob-service"),
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy=retention,
            container_delete_retention_policy=retention,
            opts=parent,
        )
        container = azure.storage.BlobContainer(
            child(name, "container"),
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            container_name=CONTAINER,
            public_access=azure.storage.PublicAccess.NONE,
            opts=pulumi.ResourceOptions(parent=self, protect=args.spec.protect),
        )
        azure.storage.ManagementPolicy(
            child(name, "lifecycle"),
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            management_policy_name="default",
            policy=azure.storage.ManagementPolicySchemaArgs(
                rules=[
                    azure.storage.ManagementPolicyRuleArgs(
                        name="expire-old-versions",
                        type="Lifecycle",
                        enabled=True,
                        definition=azure.storage.ManagementPolicyDefinitionArgs(
                            filters=azure.storage.ManagementPolicyFilterArgs(
                                blob_types=["blockBlob"]
                            ),
                            actions=azure.storage.ManagementPolicyActionArgs(
                                version=azure.storage.ManagementPolicyVersionArgs(
                                    delete=azure.storage.DateAfterCreationArgs(
                                        days_after_creation_greater_than=args.spec.noncurrent_days
                                    )
                                )
                            ),
                        ),
                    )
                ]
            ),
            opts=parent,
        )
        self.identity = AzureWorkloadIdentity(
            child(name, "writer"),
            AzureWorkloadIdentityArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                oidc_issuer_url=args.oidc_issuer_url,
                namespace=args.spec.namespace,
                service_account=args.spec.service_account,
                subscription_id=args.subscription_id,
                grants=[(roles.STORAGE_BLOB_DATA_CONTRIBUTOR, container.id)],
                tags=args.tags,
            ),
            parent,
        )
        self.destination = pulumi.Output.concat(
            "https://", account.name, ".blob.core.windows.net/", CONTAINER, "/"
        )
        self.register_outputs({"destination": self.destination})
