"""The apps' image registry on AWS: one private ECR repository per app.

Tags are immutable (a released tag always names the same digest), every push is scanned,
images are encrypted with KMS (the account's ``aws/ecr`` key: the stack has no key of its
own for images) and a lifecycle policy keeps the last ``keep_images`` images. The EKS nodes
pull with their role's ``AmazonEC2ContainerRegistryReadOnly`` (``components.aws.eks``); ECR
repositories are private to the account unless a repository policy says otherwise, and none
is set here. The release identity (``pushers``, IAM role ARNs) gets a managed policy that may
log in to ECR and push to these repositories only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# ECR repository names (CreateRepository API reference): 2-256 characters,
# (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*
REPOSITORY_NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def check_repository_name(name: str) -> str:
    """``name`` if ECR accepts it as a repository name, else ``ValueError``."""
    if not 2 <= len(name) <= 256 or not REPOSITORY_NAME.match(name):
        raise ValueError(f"{name!r} is not an ECR repository name (2-256 of [a-z0-9._-/])")
    return name


#: what pushing an image by digest takes on a repository (ECR user guide, "Pushing a Docker
#: image": the layer upload, PutImage, and BatchGetImage to read the manifest back)
PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
]


def push_policy(repository_arns: list[str]) -> str:
    """An IAM policy: log in to ECR (an account-wide action, resource ``*``), push to
    ``repository_arns`` only."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Login", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
             "Resource": "*"},
            {"Sid": "Push", "Effect": "Allow", "Action": PUSH_ACTIONS,
             "Resource": sorted(repository_arns)},
        ],
    })  # fmt: skip


def role_name(role_arn: str) -> str:
    """The role's name in ``role_arn`` (``arn:aws:iam::<account>:role/<path/><name>``)."""
    return role_arn.rsplit("/", 1)[1]


def lifecycle_policy(keep_images: int) -> str:
    """ECR lifecycle policy: expire all but the newest ``keep_images`` images.

    Rule syntax: docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
    """
    return json.dumps({
        "rules": [{
            "rulePriority": 1,
            "description": f"keep the last {keep_images} images",
            "selection": {
                "tagStatus": "any",
                "countType": "imageCountMoreThan",
                "countNumber": keep_images,
            },
            "action": {"type": "expire"},
        }]
    })  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class AwsImageRegistryArgs:
    """Inputs of :class:`AwsImageRegistry`."""

    #: path of the registry in the account (the repositories are ``<path>/<app>``)
    path: str
    #: the apps, one repository each
    apps: list[str]
    #: the AWS account id (the registry URL's host)
    account_id: str
    #: the stack's region (the registry URL's host)
    region: str
    #: images each repository keeps (older ones expire by the lifecycle policy)
    keep_images: int
    #: protect the repositories (prod)
    protect: bool
    #: the stack's required tags
    tags: dict[str, str]
    #: IAM role ARNs that push images (the release identity)
    pushers: list[str]


class AwsImageRegistry(pulumi.ComponentResource):
    """One private, immutable, scanned ECR repository per app."""

    def __init__(
        self, name: str, args: AwsImageRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:aws:ImageRegistry", name, None, opts)
        #: what the release workflow pushes to: ``<registry>/<app>:<tag>``
        self.url = f"{args.account_id}.dkr.ecr.{args.region}.amazonaws.com/{args.path}"
        self.repositories: dict[str, aws.ecr.Repository] = {}
        for app in args.apps:
            repository = aws.ecr.Repository(
                f"{name}-{app}",
                name=check_repository_name(f"{args.path}/{app}"),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS"}],
                force_delete=not args.protect,
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            aws.ecr.LifecyclePolicy(
                f"{name}-{app}",
                repository=repository.name,
                policy=lifecycle_policy(args.keep_images),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.repositories[app] = repository
        if args.pushers:
            self._grant_push(name, args)
        self.register_outputs({"url": self.url})

    def _grant_push(self, name: str, args: AwsImageRegistryArgs) -> None:
        arns = [repository.arn for repository in self.repositories.values()]
        policy = aws.iam.Policy(
            f"{name}-push",
            description="push the platform apps' images (release.yml)",
            policy=pulumi.Output.all(*arns).apply(push_policy),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        for index, role_arn in enumerate(args.pushers):
            aws.iam.RolePolicyAttachment(
                f"{name}-push-{index}",
                role=role_name(role_arn),
                policy_arn=policy.arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
