"""How each cloud spells a principal, and the checks of the principals a stack names.

``cluster.*Principals`` (AWS IAM ARNs; GCP IAM members and Entra ID object ids are checked in
``cloud_rules``) and ``images.pushers`` (the release identity, granted push on the registry a
cloud stack creates). Kept apart from ``cloud_rules`` (the managed services' limits), which
imports these.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.config.platform import PlatformFields

IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
IAM_MEMBER = re.compile(r"^(user|group|serviceAccount|domain|principal|principalSet):\S+$")
IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
ENTRA_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def aws_principal_problems(config: PlatformFields) -> list[str]:
    """IAM ARNs of the cluster's admins, previewers and deployer (a deployer required in prod)."""
    problems: list[str] = []
    for principal in config.cluster.admin_principals:
        if not IAM_ROLE_ARN.match(principal):
            problems.append(
                f"cluster.adminPrincipals: {principal!r} is not an IAM role ARN "
                "(arn:aws:iam::<account>:role/<name>)"
            )
    for principal in config.cluster.preview_principals:
        if not IAM_PRINCIPAL_ARN.match(principal):
            problems.append(
                f"cluster.previewPrincipals: {principal!r} is not an IAM role or user ARN "
                "(arn:aws:iam::<account>:role/<path/name>)"
            )
    deployer = config.cluster.deployer_principal
    if deployer is None and config.environment == "prod":
        problems.append(
            "cluster.deployerPrincipal: required in prod: the IAM role ARN (with its path) "
            "that runs pulumi up, so the cluster-admin access entry never follows whoever "
            "happens to run it (preview and apply as different roles would replace it)"
        )
    if deployer is not None and not IAM_PRINCIPAL_ARN.match(deployer):
        problems.append(
            f"cluster.deployerPrincipal: {deployer!r} is not an IAM role or user ARN "
            "(arn:aws:iam::<account>:role/<path/name>; not an sts:assumed-role ARN)"
        )
    return problems


def pusher_problems(config: PlatformFields) -> list[str]:
    """``images.pushers`` name the release identity as the stack's cloud spells a principal,
    and only where the stack creates the registry they are granted on."""
    pushers = config.images.pushers
    if pushers and (config.cloud == "local" or not config.images.create_registry):
        return [
            "images.pushers: granted on the registry a cloud stack creates "
            "(images.createRegistry); remove them or create the registry"
        ]
    forms = {
        "aws": (IAM_ROLE_ARN, "an IAM role ARN (arn:aws:iam::<account>:role/<path/name>)"),
        "gcp": (IAM_MEMBER, "an IAM member (serviceAccount:NAME@PROJECT.iam.gserviceaccount.com)"),
        "azure": (ENTRA_UUID, "an Entra ID object id of a service principal (a UUID)"),
    }
    pattern, form = forms.get(config.cloud, (None, ""))
    if pattern is None:
        return []
    return [f"images.pushers: {p!r} is not {form}" for p in pushers if not pattern.match(p)]
