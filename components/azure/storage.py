"""The platform's hardened Azure storage account, wherever one is needed.

The in-cluster Postgres' backups (and any later user) want the same baseline: a valid, stable
global name from the stack's seed, zone-redundant StorageV2, TLS 1.2 over HTTPS only and no
anonymous blob access. ``entra_only`` also turns shared keys off (callers that authenticate
with Entra ID tokens; Azure Managed Redis persists to its own managed disk and needs none).
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from policies.rules.facts.azure_names import storage_account_name


def hardened_storage_account(
    name: str,
    name_seed: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
    *,
    entra_only: bool,
) -> azure.storage.StorageAccount:
    """A ZRS StorageV2 account named from ``name`` and ``name_seed``."""
    return azure.storage.StorageAccount(
        name,
        account_name=pulumi.Output.from_input(name_seed).apply(
            lambda seed: storage_account_name(name, seed)
        ),
        resource_group_name=resource_group_name,
        location=location,
        kind="StorageV2",
        sku=azure.storage.SkuArgs(name="Standard_ZRS"),
        minimum_tls_version="TLS1_2",
        enable_https_traffic_only=True,
        allow_blob_public_access=False,
        # None leaves the setting out of the request (the service default: keys allowed)
        allow_shared_key_access=False if entra_only else None,
        default_to_o_auth_authentication=True if entra_only else None,
        tags=tags,
        opts=opts,
    )
