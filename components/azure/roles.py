"""Azure built-in role assignments the stack makes, by role definition id.

Ids are fixed across tenants: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

# Kubernetes cluster-admin through Azure RBAC for Kubernetes authorization (containers section)
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
# Read-only Kubernetes access through Azure RBAC, no Secrets (containers section): previews
AKS_RBAC_READER = "7f6c6a51-bcf8-42ba-9220-52d62157d7db"
# Join subnets / manage the VNet's load balancer attachments (networking section); AKS needs it
# on a bring-your-own VNet for its control-plane identity.
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
# Send / receive on Event Hubs with an Entra token (analytics section)
EVENT_HUBS_DATA_SENDER = "2b629674-e913-4c01-ae53-ef4638d8f975"
EVENT_HUBS_DATA_RECEIVER = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"
# Manage a public DNS zone's record sets, not who may access it (networking section): external-dns
DNS_ZONE_CONTRIBUTOR = "befefa01-2a29-4197-83a8-272ff33ce314"
# Read everything in a scope, change nothing (general section): external-dns lists the zones of
# the zone's resource group
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
# Read, write and delete blobs with an Entra token (storage section); the Postgres backups
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
# Pull / push (and pull) images of a container registry (containers section): the AKS kubelet
# pulls, the release identity pushes
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"


def assign(
    name: str,
    role: str,
    principal_id: pulumi.Input[str],
    principal_type: str,
    scope: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> azure.authorization.RoleAssignment:
    """Grant built-in ``role`` to ``principal_id`` on ``scope`` (name: a GUID azure-native picks)."""
    definition = pulumi.Output.from_input(subscription_id).apply(
        lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    )
    return azure.authorization.RoleAssignment(
        name,
        principal_id=principal_id,
        # ARM checks the type against the principal; the SDK's default ("User") is wrong for
        # managed identities and CI service principals.
        principal_type=principal_type,
        role_definition_id=definition,
        scope=scope,
        opts=opts,
    )
