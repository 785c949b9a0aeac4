"""The apps' image registry on GCP: one private Docker repository in Artifact Registry.

Tags are immutable (``dockerConfig.immutableTags``), images live at
``<location>-docker.pkg.dev/<project>/<repository>/<app>``, and a cleanup policy keeps the
newest ``keep_images`` versions of each image and deletes the rest once older than a day.
A repository has no public access unless an IAM binding grants ``allUsers``; the only binding
set here is ``roles/artifactregistry.writer`` for the release identity (``pushers``).
The GKE nodes pull with their service account's ``roles/artifactregistry.reader``
(``components.gcp.gke.NODE_ROLES``). Encryption: a customer-managed Cloud KMS key in the
repository's region (rotating every 90 days), which the project's Artifact Registry service agent
(``service-<number>@gcp-sa-artifactregistry``, created by ``ServiceIdentity``) may use with
``roles/cloudkms.cryptoKeyEncrypterDecrypter``, granted before the repository is created
(https://cloud.google.com/artifact-registry/docs/cmek). The key cannot change once the
repository exists (``kmsKeyName`` forces a new repository).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.gcp.apis import ARTIFACTREGISTRY, CLOUDKMS, ProjectApis
from components.gcp.gke import KEY_ROTATION
from components.gcp.kms import key_ring
from infra.naming import child

# Artifact Registry repository ids (cloud.google.com/artifact-registry/docs/repositories/
# create-repos): lowercase letters, digits and hyphens, starting with a letter and ending
# with a letter or digit, at most 63 characters.
REPOSITORY_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
#: a version not kept by the KEEP rule is deleted once older than this (cleanup policies:
#: cloud.google.com/artifact-registry/docs/repositories/cleanup-policy; durations in seconds)
DELETE_AFTER = "86400s"
#: pushes (and reads) images of a repository; no delete, no repository admin
WRITER_ROLE = "roles/artifactregistry.writer"


def check_repository_id(repository_id: str) -> str:
    """``repository_id`` if Artifact Registry accepts it, else ``ValueError``."""
    if not REPOSITORY_ID.match(repository_id):
        raise ValueError(
            f"{repository_id!r} is not an Artifact Registry repository id "
            "(1-63 of [a-z0-9-], starting with a letter, not ending with a hyphen)"
        )
    return repository_id


@dataclass(frozen=True, kw_only=True)
class GcpImageRegistryArgs:
    """Inputs of :class:`GcpImageRegistry`."""

    #: the GCP project
    project: str
    #: the stack's region (the repository's location)
    location: str
    #: repository id (<= 63 lowercase letters, digits and hyphens; starts with a letter)
    repository_id: str
    #: newest versions each package keeps (the cleanup policy deletes the rest)
    keep_images: int
    #: protect the repository (prod)
    protect: bool
    #: the stack's required labels
    labels: dict[str, str]
    #: the project's enabled APIs (Artifact Registry, Cloud KMS)
    apis: ProjectApis
    #: IAM members that push images (the release identity): roles/artifactregistry.writer
    pushers: list[str]


class GcpImageRegistry(pulumi.ComponentResource):
    """One private Docker repository with immutable tags and a cleanup policy."""

    def __init__(
        self, name: str, args: GcpImageRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:ImageRegistry", name, None, opts)
        repository_id = check_repository_id(args.repository_id)
        key, key_access = self._key(name, args)
        self.repository = gcp.artifactregistry.Repository(
            name,
            project=args.project,
            location=args.location,
            repository_id=repository_id,
            format="DOCKER",
            description="the platform apps' images",
            docker_config={"immutable_tags": True},
            kms_key_name=key.id,
            cleanup_policy_dry_run=False,
            cleanup_policies=[
                {
                    "id": "keep-recent",
                    "action": "KEEP",
                    "most_recent_versions": {"keep_count": args.keep_images},
                },
                {
                    "id": "delete-old",
                    "action": "DELETE",
                    "condition": {"tag_state": "ANY", "older_than": DELETE_AFTER},
                },
            ],
            labels=args.labels,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                depends_on=[*args.apis.needs(ARTIFACTREGISTRY), key_access],
            ),
        )
        for index, member in enumerate(args.pushers):
            gcp.artifactregistry.RepositoryIamMember(
                child(name, f"push-{index}"),
                project=args.project,
                location=args.location,
                repository=self.repository.name,
                role=WRITER_ROLE,
                member=member,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=args.apis.needs(ARTIFACTREGISTRY)
                ),
            )
        #: what the release workflow pushes to: ``<registry>/<app>:<tag>``
        self.url = f"{args.location}-docker.pkg.dev/{args.project}/{repository_id}"
        self.register_outputs({"url": self.url})

    def _key(
        self, name: str, args: GcpImageRegistryArgs
    ) -> tuple[gcp.kms.CryptoKey, gcp.kms.CryptoKeyIAMMember]:
        """The repository's key, and the Artifact Registry service agent's use of it."""
        kms = args.apis.needs(CLOUDKMS)
        ring = key_ring(name, args.project, args.location, args.protect, kms, self)
        key = gcp.kms.CryptoKey(
            child(name, "key"),
            name="images",  # unique within its ring
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=KEY_ROTATION,
            labels=args.labels,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=kms),
        )
        # the service agent exists only once created (https://cloud.google.com/iam/docs/
        # create-service-agents#create): ServiceIdentity creates it and returns its member
        agent = gcp.projects.ServiceIdentity(
            child(name, "agent"),
            project=args.project,
            service=ARTIFACTREGISTRY,
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.apis.needs(ARTIFACTREGISTRY)),
        )
        access = gcp.kms.CryptoKeyIAMMember(
            child(name, "key-agent"),
            crypto_key_id=key.id,
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member=agent.member,
            opts=pulumi.ResourceOptions(parent=self, depends_on=kms),
        )
        return key, access
