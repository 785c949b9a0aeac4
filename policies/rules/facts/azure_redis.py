"""Azure Managed Redis (``Microsoft.Cache/redisEnterprise``): the SKUs it sells and the fixed
facts of its endpoint, shared by the config rules, the component and the policy pack.

Azure Cache for Redis (``Microsoft.Cache/redis``, Basic/Standard/Premium) is retiring: new
tenants cannot create those caches since 2026-04-01, and Azure Managed Redis is its successor
(https://learn.microsoft.com/azure/redis/migrate/migrate-overview). This module is pure (no
Pulumi import) so the pack can import it.
"""

from __future__ import annotations

# In-memory SKUs of Azure Managed Redis: name -> (memory GB, primary shards). Memory and the
# vCPU/primary-shard split per size are the tables "Tiers and SKUs at a glance" and "Sharding
# configuration" of https://learn.microsoft.com/azure/redis/architecture (read 2026-12-02);
# the names are the ``SkuName`` enum of pulumi-azure-native 3.29.0 (REST API 2025-07-01).
# Sizes above 120 GB are in public preview; the Enterprise_* / EnterpriseFlash_* SKUs belong to
# the retiring Azure Cache for Redis Enterprise tiers and FlashOptimized_* keeps data on NVMe,
# so neither is offered here.
AMR_SKUS: dict[str, tuple[float, int]] = {
    "Balanced_B0": (0.5, 1), "Balanced_B1": (1, 1), "Balanced_B3": (3, 2),
    "Balanced_B5": (6, 2), "Balanced_B10": (12, 2), "Balanced_B20": (24, 6),
    "Balanced_B50": (60, 12), "Balanced_B100": (120, 24), "Balanced_B150": (180, 48),
    "Balanced_B250": (240, 48), "Balanced_B350": (360, 96), "Balanced_B500": (480, 96),
    "Balanced_B700": (720, 192), "Balanced_B1000": (960, 192),
    "MemoryOptimized_M10": (12, 2), "MemoryOptimized_M20": (24, 2),
    "MemoryOptimized_M50": (60, 6), "MemoryOptimized_M100": (120, 12),
    "MemoryOptimized_M150": (180, 24), "MemoryOptimized_M250": (240, 24),
    "MemoryOptimized_M350": (360, 48), "MemoryOptimized_M500": (480, 48),
    "MemoryOptimized_M700": (720, 96), "MemoryOptimized_M1000": (960, 192),
    "MemoryOptimized_M1500": (1440, 192), "MemoryOptimized_M2000": (1920, 192),
    "ComputeOptimized_X3": (3, 2), "ComputeOptimized_X5": (6, 2),
    "ComputeOptimized_X10": (12, 6), "ComputeOptimized_X20": (24, 12),
    "ComputeOptimized_X50": (60, 24), "ComputeOptimized_X100": (120, 48),
    "ComputeOptimized_X150": (180, 96), "ComputeOptimized_X250": (240, 96),
    "ComputeOptimized_X350": (360, 192), "ComputeOptimized_X500": (480, 192),
    "ComputeOptimized_X700": (720, 384),
}  # fmt: skip

# Clients connect with TLS to ``<name>.<region>.redis.azure.net`` on port 10000 and resolve it
# through the private endpoint's zone (https://learn.microsoft.com/azure/redis/private-link,
# "Private DNS zone value"); the private link group id is ``redisEnterprise``.
AMR_PORT = 10000
AMR_DNS_ZONE = "privatelink.redis.azure.net"
AMR_PRIVATE_LINK_GROUP = "redisEnterprise"
# A cluster holds exactly one database, and it is named "default".
AMR_DATABASE = "default"
# The only access policy a database offers to Entra identities (the SDK's accessPolicyName
# doc: 'Only "default" policy is supported for now').
AMR_ACCESS_POLICY = "default"


def primary_shards(sku: str) -> int | None:
    """How many primary shards ``sku`` runs (None: not an Azure Managed Redis SKU)."""
    found = AMR_SKUS.get(sku)
    return found[1] if found else None
