"""The state backend on GCP and Azure as documented CLI steps (their SDKs are not installed here).

``google-cloud-storage``/``google-cloud-kms`` and the Azure SDK are not dependencies of this
project, so ``backend bootstrap --cloud gcp|azure`` prints the ``gcloud``/``az`` commands that
build the same thing as the AWS path (versioned private bucket/container, TLS only, a KMS/Key
Vault key for Pulumi secrets) and says it did not run them.

Flags: ``gcloud storage buckets create`` / ``update``, ``gcloud kms keys create``
(https://cloud.google.com/sdk/gcloud/reference/kms/keys/create: a rotation period needs a next
rotation time), ``az storage account create``; URLs: Pulumi's ``gs://``/``azblob://`` backends
and ``gcpkms://``/``azurekeyvault://`` secrets providers (pulumi stack init --help).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from infra.ops.common import OpsError

# Storage account names: 3-24 lowercase letters and digits
# (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
_STORAGE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
# GCS bucket names (no dots, same reason as S3): 3-63 lowercase letters, digits, - and _.
_GCS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
CONTAINER = "pulumi-state"


def gcp_steps(
    project: str | None, region: str, name: str, now: datetime | None = None
) -> list[str]:
    """Commands for a CMEK-encrypted, versioned, private GCS bucket and a secrets key."""
    if not project:
        raise OpsError("--cloud gcp needs --project PROJECT_ID (the project that holds the state)")
    if not _GCS_BUCKET.match(name):
        raise OpsError(
            f"--name {name!r}: a GCS bucket name is 3-63 lowercase letters, digits, '-' or '_' "
            "(no dots), starting and ending with a letter or digit"
        )
    next_rotation = ((now or datetime.now(UTC)) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ring = f"projects/{project}/locations/{region}/keyRings/{name}"
    key_flags = (
        f"--keyring={name} --location={region} --project={project} --purpose=encryption "
        f"--rotation-period=90d --next-rotation-time={next_rotation}"
    )
    return [
        f"gcloud kms keyrings create {name} --location={region} --project={project}",
        f"gcloud kms keys create state {key_flags}",
        f"gcloud kms keys create secrets {key_flags}",
        # The Cloud Storage service agent must be able to use the key before the bucket names it.
        f"gcloud storage service-agent --project={project} --authorize-cmek={ring}/cryptoKeys/state",
        f"gcloud storage buckets create gs://{name} --project={project} --location={region} "
        f"--uniform-bucket-level-access --public-access-prevention "
        f"--default-encryption-key={ring}/cryptoKeys/state",
        f"gcloud storage buckets update gs://{name} --versioning",
        f"pulumi login gs://{name}",
        f'pulumi stack init <stack> --secrets-provider "gcpkms://{ring}/cryptoKeys/secrets"',
    ]


def azure_steps(resource_group: str | None, region: str, name: str) -> list[str]:
    """Commands for a versioned, Entra-ID-only storage container and a Key Vault key."""
    if not _STORAGE_ACCOUNT.match(name):
        raise OpsError(
            f"--name {name!r}: an Azure storage account name is 3-24 lowercase letters and digits"
        )
    group = resource_group or f"{name}-rg"
    vault = f"{name}-kv"[:24]
    return [
        f"az group create --name {group} --location {region}",
        # Shared keys off: every request is authorised with Entra ID; HTTPS and TLS 1.2 only.
        f"az storage account create --name {name} --resource-group {group} --location {region} "
        "--sku Standard_ZRS --kind StorageV2 --https-only true --min-tls-version TLS1_2 "
        "--allow-blob-public-access false --allow-shared-key-access false",
        f"az storage account blob-service-properties update --account-name {name} "
        f"--resource-group {group} --enable-versioning true --enable-delete-retention true "
        "--delete-retention-days 30",
        f"az storage container create --name {CONTAINER} --account-name {name} --auth-mode login",
        f"az keyvault create --name {vault} --resource-group {group} --location {region} "
        "--enable-rbac-authorization true --enable-purge-protection true",
        f"az keyvault key create --vault-name {vault} --name pulumi-secrets --kty RSA --size 3072",
        # Shared keys and vault access policies are off: whoever runs Pulumi needs data-plane roles.
        f"az role assignment create --assignee <deployer-object-id> --role 'Storage Blob Data "
        f"Contributor' --scope $(az storage account show --name {name} --resource-group {group} "
        "--query id --output tsv)",
        f"az role assignment create --assignee <deployer-object-id> --role 'Key Vault Crypto User' "
        f"--scope $(az keyvault show --name {vault} --query id --output tsv)",
        f"pulumi login 'azblob://{CONTAINER}?storage_account={name}'",
        f'pulumi stack init <stack> --secrets-provider "azurekeyvault://{vault}.vault.azure.net/keys/pulumi-secrets"',
    ]
