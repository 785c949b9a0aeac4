"""The apps' image registry on GCP: one private Docker repository in Artifact Registry.

Tags are immutable (``dockerConfig.immutableTags``), images live at
``<location>-docker.pkg.dev/<project>/<repository>/<app>``, and a cleanup policy keeps the
newest ``keep_images`` versions of each image and deletes the rest once older than a day.
A repository has no public access unless an IAM binding grants ``allUsers``; none is set here.
The GKE nodes pull with their service account's ``roles/artifactregistry.reader``
(``components.gcp.gke.NODE_ROLES``). Encryption: Google-managed keys (no CMEK yet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

# Artifact Registry repository ids (cloud.google.com/artifact-registry/docs/repositories/
# create-repos): lowercase letters, digits and hyphens, starting with a letter and ending
# with a letter or digit, at most 63 characters.
REPOSITORY_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
#: a version not kept by the KEEP rule is deleted once older than this (cleanup policies:
#: cloud.google.com/artifact-registry/docs/repositories/cleanup-policy; durations in seconds)
DELETE_AFTER = "86400s"


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
    #: what must exist first (the Artifact Registry API)
    depends_on: list[pulumi.Resource]


class GcpImageRegistry(pulumi.ComponentResource):
    """One private Docker repository with immutable tags and a cleanup policy."""

    def __init__(
        self, name: str, args: GcpImageRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:ImageRegistry", name, None, opts)
        repository_id = check_repository_id(args.repository_id)
        self.repository = gcp.artifactregistry.Repository(
            name,
            project=args.project,
            location=args.location,
            repository_id=repository_id,
            format="DOCKER",
            description="the platform apps' images",
            docker_config={"immutable_tags": True},
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
                parent=self, protect=args.protect, depends_on=args.depends_on
            ),
        )
        #: what the release workflow pushes to: ``<registry>/<app>:<tag>``
        self.url = f"{args.location}-docker.pkg.dev/{args.project}/{repository_id}"
        self.register_outputs({"url": self.url})
