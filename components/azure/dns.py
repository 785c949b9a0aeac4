"""Azure DNS for external-dns: a workload identity that may change one zone's records.

What external-dns's Azure tutorial grants a workload identity (docs/tutorials/azure.md at chart
external-dns-helm-chart-1.21.1, "Managed identity using Workload Identity"): ``DNS Zone
Contributor`` on the zone, and ``Reader`` on the zone's resource group (external-dns lists the
zones of that group). Its ``azure.json`` names the tenant, the zone's subscription and resource
group and ``useWorkloadIdentityExtension`` (no secret in it: the token comes from the
federated ServiceAccount).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi

from components.azure import roles
from components.azure.workload_identity import (
    USE_LABEL,
    AzureWorkloadIdentity,
    AzureWorkloadIdentityArgs,
)
from components.contracts import DnsContract


@dataclass(frozen=True, kw_only=True)
class AzureDnsWriterArgs:
    """Inputs of ``AzureDnsWriter``."""

    #: the public zone's DNS name
    zone: str
    #: the zone's resource id
    zone_id: str
    #: the zone's subscription (parsed from its id)
    zone_subscription_id: str
    #: the zone's resource group (parsed from its id; external-dns lists its zones)
    zone_resource_group: str
    #: Entra tenant of the identity
    tenant_id: pulumi.Input[str]
    #: the identity's resource group (the stack's)
    resource_group_name: pulumi.Input[str]
    #: the identity's region (the stack's)
    location: str
    #: the cluster's OIDC issuer (federated credential)
    oidc_issuer_url: pulumi.Input[str]
    #: namespace of external-dns's ServiceAccount
    namespace: str
    #: external-dns's ServiceAccount (the only subject the credential federates)
    service_account: str
    #: Azure tags on the identity
    tags: dict[str, str]


def azure_json(tenant_id: str, subscription_id: str, resource_group: str) -> str:
    """external-dns's provider configuration for workload identity."""
    return json.dumps(
        {
            "tenantId": tenant_id,
            "subscriptionId": subscription_id,
            "resourceGroup": resource_group,
            "useWorkloadIdentityExtension": True,
        },
        indent=2,
    )


class AzureDnsWriter(pulumi.ComponentResource):
    """The managed identity external-dns runs as, contributor of one DNS zone only."""

    def __init__(
        self, name: str, args: AzureDnsWriterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:DnsWriter", name, None, opts)
        self._args = args
        group_id = (
            f"/subscriptions/{args.zone_subscription_id}/resourceGroups/{args.zone_resource_group}"
        )
        self._identity = AzureWorkloadIdentity(
            name,
            AzureWorkloadIdentityArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                oidc_issuer_url=args.oidc_issuer_url,
                namespace=args.namespace,
                service_account=args.service_account,
                # the grants' role definitions, in the zone's subscription
                subscription_id=args.zone_subscription_id,
                grants=[(roles.DNS_ZONE_CONTRIBUTOR, args.zone_id), (roles.READER, group_id)],
                tags=args.tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"clientId": self._identity.client_id})

    def contract(self) -> DnsContract:
        """The cloud-neutral view external-dns is deployed from."""
        args = self._args
        return DnsContract(
            provider="azure",
            zone=args.zone,
            zone_id=args.zone_id,
            service_account_annotations=self._identity.annotations(),
            pod_labels=dict(USE_LABEL),
            azure_config=pulumi.Output.from_input(args.tenant_id).apply(
                lambda tenant: azure_json(
                    tenant, args.zone_subscription_id, args.zone_resource_group
                )
            ),
        )
