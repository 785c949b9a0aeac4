"""The identities and key of ``GcpCluster``: node service account, viewers, secrets key.

A base class of ``GcpCluster`` (``gke.py``), split from it so each module stays small. Creates the
nodes' least-privilege service account and its project roles, Kubernetes Engine Viewer for the
preview identities, and the KMS key that envelope-encrypts Kubernetes secrets (90-day rotation)
with GKE's service agent allowed to use it.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.gcp.apis import CLOUDKMS, CLOUDRESOURCEMANAGER, CONTAINER, IAM
from components.gcp.gke_args import GcpClusterArgs
from components.gcp.kms import key_ring
from components.gcp.names import account_id
from infra.naming import child

# https://cloud.google.com/kubernetes-engine/docs/how-to/iam#predefined: read-only access to
# clusters and the Kubernetes objects in them (the preview identity's refresh needs no more)
VIEWER_ROLE = "roles/container.viewer"

NODE_ROLES = ["roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"]
KEY_ROTATION = "7776000s"  # 90 days
SECRETS_KEY = "gke-secrets"


class GcpClusterIdentity(pulumi.ComponentResource):
    """Identity and key builders of ``GcpCluster`` (whose ``__init__`` sets the fields)."""

    _name: str
    _args: GcpClusterArgs
    _node_roles: list[gcp.projects.IAMMember]
    _key_access: gcp.kms.CryptoKeyIAMMember

    def _build_viewers(self) -> None:
        """Read-only Kubernetes access for the preview identity (Kubernetes Engine Viewer:
        get/list on the project's clusters and their objects, no Secrets data)."""
        for index, member in enumerate(self._args.viewer_members):
            gcp.projects.IAMMember(
                child(self._name, f"viewer-{index}"),
                project=self._args.project,
                role=VIEWER_ROLE,
                member=member,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=self._args.apis.needs(CLOUDRESOURCEMANAGER)
                ),
            )

    def _build_node_service_account(self) -> gcp.serviceaccount.Account:
        """The nodes' account and its project roles; the pool waits for the roles
        (``self._node_roles``): nodes that start before their grants cannot pull images or
        write logs, and the pool's create times out on unhealthy nodes."""
        account = gcp.serviceaccount.Account(
            child(self._name, "nodes"),
            project=self._args.project,
            account_id=account_id(child(self._name, "nodes")),
            display_name=f"{self._name} GKE nodes (least privilege)"[:100],
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._args.apis.needs(IAM)),
        )
        self._node_roles = [
            gcp.projects.IAMMember(
                child(self._name, f"nodes-{role.rsplit('.', 1)[-1]}"),
                project=self._args.project,
                role=role,
                member=account.email.apply(lambda email: f"serviceAccount:{email}"),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=self._args.apis.needs(CLOUDRESOURCEMANAGER)
                ),
            )
            for role in NODE_ROLES
        ]
        return account

    def _build_secrets_key(self) -> gcp.kms.CryptoKey:
        kms = self._args.apis.needs(CLOUDKMS)
        args = self._args
        ring = key_ring(self._name, args.project, args.region, args.protect, kms, self)
        key = gcp.kms.CryptoKey(
            child(self._name, "secrets"),
            name=SECRETS_KEY,  # unique within its ring
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=KEY_ROTATION,
            labels=self._args.labels,
            opts=pulumi.ResourceOptions(parent=self, protect=self._args.protect, depends_on=kms),
        )
        # GKE's service agent wraps and unwraps the data keys with it. Enabling the container
        # API does not create the agent (service-<number>@container-engine-robot) at once:
        # granting it before it exists fails with "service account does not exist".
        # ServiceIdentity creates it and returns its member
        # (https://cloud.google.com/iam/docs/create-service-agents#create).
        agent = gcp.projects.ServiceIdentity(
            child(self._name, "gke-agent"),
            project=args.project,
            service=CONTAINER,
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.apis.needs(CONTAINER)),
        )
        self._key_access = gcp.kms.CryptoKeyIAMMember(
            child(self._name, "secrets-gke-agent"),
            crypto_key_id=key.id,
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member=agent.member,
            opts=pulumi.ResourceOptions(parent=self, depends_on=kms),
        )
        return key
