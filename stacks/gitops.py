"""Argo CD on the cluster: installed with ``platform:addons.argoCd`` or
``platform:delivery: argocd``; with the latter it also gets the environment's project and one
Application per app, reading ``<argocd.path>/<stack>/<app>`` of the repository (the manifests
``python -m infra gitops render`` writes)."""

from __future__ import annotations

import pulumi

from components.kubernetes.addons import ClusterAddons
from components.kubernetes.argocd import ArgoCd
from components.kubernetes.argocd_args import (
    ArgoCdArgs,
    NotifierArgs,
    OidcArgs,
    RepoCredentialArgs,
    SyncWindowArgs,
)
from components.kubernetes.argocd_notifications import NotifierView
from infra.config.models import PlatformConfig
from infra.naming import APP_NAMESPACE, kubernetes_labels


def _notifiers(config: PlatformConfig) -> list[NotifierArgs]:
    return [
        NotifierArgs(
            view=NotifierView(r.name, r.kind, r.to, r.smarthost, r.sender, r.username),
            credential=pulumi.Output.secret(credential)
            if (credential := r.url or r.password)
            else None,
        )
        for r in config.addons.alert_receivers
    ]


def _repo_credentials(config: PlatformConfig) -> RepoCredentialArgs | None:
    creds = config.argocd.repo_credentials
    if creds is None:
        return None
    secret = pulumi.Output.secret
    return RepoCredentialArgs(
        ssh_private_key=secret(creds.ssh_private_key) if creds.ssh_private_key else None,
        github_app_id=creds.github_app_id,
        github_app_installation_id=creds.github_app_installation_id,
        github_app_private_key=secret(creds.github_app_private_key)
        if creds.github_app_private_key
        else None,
    )


def declare(
    config: PlatformConfig, addons: ClusterAddons, on_cluster: pulumi.ResourceOptions
) -> ArgoCd | None:
    """Argo CD (and, with delivery argocd, its project and Applications), or None."""
    gitops = config.delivery == "argocd"
    if not (gitops or config.addons.argo_cd):
        return None
    argocd, oidc, window = config.argocd, config.argocd.oidc, config.argocd.sync_window
    return ArgoCd(
        f"{config.name_prefix}-argocd",
        ArgoCdArgs(
            environment=config.environment,
            highly_available=config.traits.multi_zone,
            labels=kubernetes_labels(config),
            url=argocd.url,
            oidc=OidcArgs(
                issuer=oidc.issuer, client_id=oidc.client_id,
                client_secret=pulumi.Output.secret(oidc.client_secret),
                groups_claim=oidc.groups_claim,
            ) if oidc else None,
            admins=list(argocd.admins),
            repo_url=argocd.repo_url if gitops else None,
            revision=argocd.revision,
            path=f"{argocd.path}/{config.stack}",
            app_namespace=APP_NAMESPACE,
            apps=sorted(config.apps),
            automatic_sync=config.traits.automatic_sync,
            sync_window=SyncWindowArgs(
                schedule=window.schedule, duration=window.duration, time_zone=window.time_zone
            ),
            repo_credentials=_repo_credentials(config),
            notifiers=_notifiers(config),
            monitoring_namespace=addons.monitoring_namespace,
        ),
        pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[addons])),
    )  # fmt: skip
