"""GKE Workload Identity: a Google service account per workload, bound to exactly one
Kubernetes ServiceAccount, with the roles the workload needs (Kafka and Redis clients)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.naming import child

ANNOTATION = "iam.gke.io/gcp-service-account"
CLIENT_ROLES = ["roles/managedkafka.client", "roles/redis.dbConnectionUser"]


@dataclass(frozen=True)
class GcpWorkloadIdentityArgs:
    """Inputs of ``GcpWorkloadIdentity``."""

    project: str
    account_id: str
    workload_pool: str
    namespace: str
    service_account: str


class GcpWorkloadIdentity(pulumi.ComponentResource):
    """A Google service account that one Kubernetes ServiceAccount may impersonate."""

    email: pulumi.Output[str]
    """The Google service account's email."""

    def __init__(
        self, name: str, args: GcpWorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:WorkloadIdentity", name, None, opts)
        child_opts = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            name,
            project=args.project,
            account_id=args.account_id,
            display_name=f"workload {args.namespace}/{args.service_account}",
            opts=child_opts,
        )
        gcp.serviceaccount.IAMMember(
            child(name, "workload-identity"),
            service_account_id=account.name,
            role="roles/iam.workloadIdentityUser",
            member=f"serviceAccount:{args.workload_pool}[{args.namespace}/{args.service_account}]",
            opts=child_opts,
        )
        for role in CLIENT_ROLES:
            gcp.projects.IAMMember(
                child(name, role.rsplit("/", 1)[-1]),
                project=args.project,
                role=role,
                member=account.email.apply(lambda email: f"serviceAccount:{email}"),
                opts=child_opts,
            )
        self.email = account.email
        self.register_outputs({"email": self.email})

    def annotations(self) -> dict[str, pulumi.Output[str]]:
        """The ServiceAccount annotation that binds a pod to this identity."""
        return {ANNOTATION: self.email}
