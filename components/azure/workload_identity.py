"""AKS workload identity: a user-assigned managed identity per workload, federated with exactly
one Kubernetes ServiceAccount through the cluster's OIDC issuer, plus the built-in data roles
the workload holds (each a role assignment scoped to one resource)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from components.azure import roles
from infra.naming import child
from policies.rules.facts.azure_names import fit

CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
# Pods opt in to token projection with this label (the mutating webhook looks for it).
USE_LABEL = {"azure.workload.identity/use": "true"}


@dataclass(frozen=True, kw_only=True)
class AzureWorkloadIdentityArgs:
    """Inputs of ``AzureWorkloadIdentity``."""

    #: resource group of the user-assigned identity
    resource_group_name: pulumi.Input[str]
    #: Azure region (location) of the identity
    location: str
    #: the cluster's OIDC issuer the federated credential trusts
    oidc_issuer_url: pulumi.Input[str]
    #: namespace of the Kubernetes ServiceAccount federated with the identity
    namespace: str
    #: the Kubernetes ServiceAccount federated (the app's name)
    service_account: str
    #: subscription id (role assignment names)
    subscription_id: pulumi.Input[str]
    #: (built-in role id, scope) granted to the identity
    grants: list[tuple[str, pulumi.Input[str]]]
    #: Azure tags on the identity
    tags: dict[str, str]


class AzureWorkloadIdentity(pulumi.ComponentResource):
    """A managed identity that one Kubernetes ServiceAccount may use."""

    client_id: pulumi.Output[str]
    """The identity's client id (the ServiceAccount annotation)."""
    principal_id: pulumi.Output[str]
    """The identity's object id (for role assignments)."""

    def __init__(
        self, name: str, args: AzureWorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:azure:WorkloadIdentity", name, None, opts)
        child_opts = pulumi.ResourceOptions(parent=self)
        identity = azure.managedidentity.UserAssignedIdentity(
            name,
            resource_name_=fit("azure-native:managedidentity:UserAssignedIdentity", name),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child_opts,
        )
        azure.managedidentity.FederatedIdentityCredential(
            child(name, "federation"),
            resource_group_name=args.resource_group_name,
            resource_name_=identity.name,
            issuer=args.oidc_issuer_url,
            subject=f"system:serviceaccount:{args.namespace}:{args.service_account}",
            audiences=["api://AzureADTokenExchange"],
            opts=child_opts,
        )
        for index, (role, scope) in enumerate(args.grants):
            roles.assign(
                child(name, f"grant-{index}"),
                role,
                identity.principal_id,
                "ServicePrincipal",
                scope,
                args.subscription_id,
                child_opts,
            )
        self.client_id = identity.client_id
        self.principal_id = identity.principal_id
        self.register_outputs({"clientId": self.client_id})

    def annotations(self) -> dict[str, pulumi.Output[str]]:
        """The ServiceAccount annotation that binds a pod to this identity."""
        return {CLIENT_ID_ANNOTATION: self.client_id}
