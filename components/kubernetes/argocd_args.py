"""Inputs of ``ArgoCd`` (``components/kubernetes/argocd.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.kubernetes.argocd_notifications import NotifierView


@dataclass(frozen=True, kw_only=True)
class OidcArgs:
    """Single sign-on settings; ``client_secret`` is a Pulumi secret."""

    #: OIDC issuer URL
    issuer: str
    #: OIDC client id of Argo CD's app
    client_id: str
    #: OIDC client secret (a Pulumi secret)
    client_secret: pulumi.Input[str]
    #: ID-token claim holding the groups RBAC names
    groups_claim: str = "groups"


@dataclass(frozen=True, kw_only=True)
class RepoCredentialArgs:
    """A deploy key, or a GitHub App installation (keys are Pulumi secrets)."""

    #: read-only deploy key (a Pulumi secret)
    ssh_private_key: pulumi.Input[str] | None = None
    #: GitHub App id
    github_app_id: int | None = None
    #: GitHub App installation id
    github_app_installation_id: int | None = None
    #: GitHub App private key (a Pulumi secret)
    github_app_private_key: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class NotifierArgs:
    """An alert receiver as Argo CD notifies it; ``credential`` (webhook URL or SMTP
    password) is a Pulumi secret."""

    #: the receiver as the notification services see it
    view: NotifierView
    #: webhook URL or SMTP password (a Pulumi secret); None: no credential
    credential: pulumi.Input[str] | None


@dataclass(frozen=True, kw_only=True)
class SyncWindowArgs:
    """An ``allow`` window: the only time the environment's apps may be synced."""

    #: cron schedule of the window's start
    schedule: str
    #: how long the window stays open (e.g. 6h)
    duration: str
    #: IANA time zone of the schedule
    time_zone: str


@dataclass(frozen=True, kw_only=True)
class ArgoCdArgs:
    """Inputs of ``ArgoCd``."""

    #: the environment (the AppProject's name)
    environment: str
    #: run the components with replicas, Redis HA and PDBs
    highly_available: bool
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)
    #: Argo CD's external URL (SSO callback, links in notifications); None: none
    url: str | None = None
    #: single sign-on; None: the local admin user stays enabled
    oidc: OidcArgs | None = None
    #: SSO groups or users with the admin role (everyone else: read-only)
    admins: list[str] = field(default_factory=list)
    #: where the rendered apps are; None: Argo CD is installed with no project or Application
    repo_url: str | None = None
    #: branch or tag followed
    revision: str = "main"
    #: the apps' directory in the repository (one sub-directory per app)
    path: str = ""
    #: the apps' namespace (the project's only destination)
    app_namespace: str = ""
    #: the apps (one Application each)
    apps: list[str] = field(default_factory=list)
    #: sync automatically with prune and self-heal; otherwise by hand, inside ``sync_window``
    automatic_sync: bool = True
    #: when manual syncs are allowed (used when ``automatic_sync`` is off)
    sync_window: SyncWindowArgs | None = None
    #: private repository credentials; None: a public repository
    repo_credentials: RepoCredentialArgs | None = None
    #: who hears about failed syncs and degraded apps
    notifiers: list[NotifierArgs] = field(default_factory=list)
    #: namespace of Prometheus (scrapes the components); None: no ServiceMonitors
    monitoring_namespace: str | None = None
