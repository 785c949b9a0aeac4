"""The apps' image registry on Azure: one Azure Container Registry, pulled by the AKS kubelet.

Only Entra ID gets in: the admin user (a shared username/password) is off and anonymous pull is
off; the kubelet identity AKS created for the nodes holds ``AcrPull`` on the registry, and the
release identity (``platform:images.pushers``) ``AcrPush``. The name is globally unique (it is
the login server, ``<name>.azurecr.io``): ``cr`` + the stack's alphanumerics + a hash of the
subscription and stack (``policies/rules/facts/azure_names.py::registry_name``; 5-50
alphanumerics, https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerregistry).

Premium (prod): zone redundant, a private endpoint in the endpoints subnet (its records in the
``privatelink.azurecr.io`` zone, so the nodes pull over the VNet), untagged manifests purged
after ``UNTAGGED_RETENTION_DAYS`` (the retention policy is Premium-only). Where the cluster is
private its public network access is off (and with it the export of images, which ACR allows to
disable only then); where the cluster has a public side the registry admits only the authorized
networks (a network rule set, also Premium-only). Standard (dev, staging) has no network rules
nor private endpoints: public, authenticated with Entra ID only.

Tags are not immutable: ACR locks images per repository or tag (``az acr repository update
--write-enabled false``), a data-plane setting the ARM API does not offer; release.yml pushes
each commit's tag once and deploys by digest (docs/delivery.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.azure import roles
from components.azure.network import ServicePlacement, private_endpoint
from infra.naming import child
from policies.rules.facts.azure_names import registry_name

#: days an untagged manifest (a tag moved away from it) is kept before it is purged (Premium)
UNTAGGED_RETENTION_DAYS = 7
#: the private endpoint's target sub-resource of a registry
REGISTRY_GROUP = "registry"


@dataclass(frozen=True, kw_only=True)
class AzureImageRegistryArgs:
    """Inputs of :class:`AzureImageRegistry`."""

    #: resource group, region, name seed, the endpoints subnet and the registry's DNS zone
    placement: ServicePlacement
    #: Premium (zone redundancy, private endpoint, network rules, retention); else Standard
    premium: bool
    #: public network access off (the cluster is private); Premium only
    private: bool
    #: CIDRs admitted when a Premium registry keeps a public side
    allowed_ip_ranges: list[str]
    #: object id of the AKS kubelet identity (AcrPull)
    kubelet_object_id: pulumi.Input[str]
    #: (principal object id, principal type) granted AcrPush: the release identity
    pushers: list[tuple[str, str]]
    #: subscription id (role definition ids)
    subscription_id: pulumi.Input[str]
    #: protect the registry (prod)
    protect: bool
    #: the stack's required tags
    tags: dict[str, str]


def _network_rules(args: AzureImageRegistryArgs) -> azure.containerregistry.NetworkRuleSetArgs:
    """Deny everything but the allowed ranges (a public Premium registry)."""
    return azure.containerregistry.NetworkRuleSetArgs(
        default_action="Deny",
        ip_rules=[
            azure.containerregistry.IPRuleArgs(i_p_address_or_range=cidr, action="Allow")
            for cidr in args.allowed_ip_ranges
        ],
    )


def _policies(args: AzureImageRegistryArgs) -> azure.containerregistry.PoliciesArgs | None:
    """Premium: purge untagged manifests; no export where the registry is private."""
    if not args.premium:
        return None
    return azure.containerregistry.PoliciesArgs(
        retention_policy=azure.containerregistry.RetentionPolicyArgs(
            days=UNTAGGED_RETENTION_DAYS, status="enabled"
        ),
        export_policy=azure.containerregistry.ExportPolicyArgs(
            status="disabled" if args.private else "enabled"
        ),
    )


class AzureImageRegistry(pulumi.ComponentResource):
    """One container registry, Entra ID only, private where the cluster is."""

    login_server: pulumi.Output[str]
    """``<name>.azurecr.io``: what the release workflow pushes to (``<login server>/<app>``)."""

    def __init__(
        self, name: str, args: AzureImageRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:ImageRegistry", name, None, opts)
        if args.private and not args.premium:
            raise ValueError("a private registry needs Premium (private endpoints)")
        child_opts = pulumi.ResourceOptions(parent=self)
        placement = args.placement
        registry = azure.containerregistry.Registry(
            name,
            registry_name=pulumi.Output.from_input(placement.name_seed).apply(
                lambda seed: registry_name(name, seed)
            ),
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            sku=azure.containerregistry.SkuArgs(name="Premium" if args.premium else "Standard"),
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access="Disabled" if args.private else "Enabled",
            network_rule_set=(_network_rules(args) if args.premium and not args.private else None),
            network_rule_bypass_options="None",
            zone_redundancy="Enabled" if args.premium else "Disabled",
            policies=_policies(args),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        if args.premium:
            private_endpoint(
                child(name, "pe"),
                placement.resource_group_name,
                placement.location,
                placement.subnet_id,
                registry.id,
                REGISTRY_GROUP,
                placement.dns_zone_id,
                args.tags,
                self,
            )
        grants: dict[str, tuple[str, pulumi.Input[str], str]] = {
            "pull": (roles.ACR_PULL, args.kubelet_object_id, "ServicePrincipal"),
            **{
                f"push-{index}": (roles.ACR_PUSH, principal, kind)
                for index, (principal, kind) in enumerate(args.pushers)
            },
        }
        for suffix, (role, principal, kind) in grants.items():
            roles.assign(
                child(name, suffix),
                role,
                principal,
                kind,
                registry.id,
                args.subscription_id,
                child_opts,
            )
        self.login_server = registry.login_server
        self.register_outputs({"loginServer": self.login_server})
