"""GKE Workload Identity: a Google service account per workload, bound to exactly one
Kubernetes ServiceAccount, with the roles the workload needs (Kafka and Redis clients)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.gcp.apis import CLOUDRESOURCEMANAGER, IAM, ProjectApis
from components.gcp.names import account_id
from infra.naming import child

ANNOTATION = "iam.gke.io/gcp-service-account"
CLIENT_ROLES = ["roles/managedkafka.client", "roles/redis.dbConnectionUser"]


@dataclass(frozen=True, kw_only=True)
class GcpWorkloadIdentityArgs:
    """Inputs of ``GcpWorkloadIdentity``."""

    #: GCP project id
    project: str
    #: base of the Google service account's id; ``account_id`` makes it a valid, unique id
    account_id: str
    #: the cluster's Workload Identity pool output: bindings wait for the cluster that creates it
    workload_pool: pulumi.Input[str]
    #: namespace of the Kubernetes ServiceAccount bound to the Google service account
    namespace: str
    #: the Kubernetes ServiceAccount bound (the app's name)
    service_account: str
    #: the project's API enablement (IAM waits for it)
    apis: ProjectApis
    #: project-level roles of the Google service account (apps: Kafka and Redis clients; [] for a workload granted on its resources instead)
    project_roles: list[str] = field(default_factory=lambda: list(CLIENT_ROLES))


class GcpWorkloadIdentity(pulumi.ComponentResource):
    """A Google service account that one Kubernetes ServiceAccount may impersonate."""

    email: pulumi.Output[str]
    """The Google service account's email."""

    def __init__(
        self, name: str, args: GcpWorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:WorkloadIdentity", name, None, opts)
        iam_opts = pulumi.ResourceOptions(parent=self, depends_on=args.apis.needs(IAM))
        account = gcp.serviceaccount.Account(
            name,
            project=args.project,
            account_id=account_id(args.account_id),
            display_name=f"workload {args.namespace}/{args.service_account}"[:100],
            opts=iam_opts,
        )
        gcp.serviceaccount.IAMMember(
            child(name, "workload-identity"),
            service_account_id=account.name,
            role="roles/iam.workloadIdentityUser",
            member=pulumi.Output.concat(
                "serviceAccount:",
                args.workload_pool,
                f"[{args.namespace}/{args.service_account}]",
            ),
            opts=iam_opts,
        )
        for role in args.project_roles:
            gcp.projects.IAMMember(
                child(name, role.rsplit("/", 1)[-1]),
                project=args.project,
                role=role,
                member=account.email.apply(lambda email: f"serviceAccount:{email}"),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=args.apis.needs(CLOUDRESOURCEMANAGER)
                ),
            )
        self.email = account.email
        self.register_outputs({"email": self.email})

    def annotations(self) -> dict[str, pulumi.Output[str]]:
        """The ServiceAccount annotation that binds a pod to this identity."""
        return {ANNOTATION: self.email}
