"""``platform:delivery`` and ``platform:argocd``: who applies the apps' workloads.

``delivery: pulumi`` (the default): ``pulumi up`` creates everything, the apps included.
``delivery: argocd``: Pulumi still owns the platform (cluster, data services, add-ons,
namespaces, the apps' ServiceAccounts, settings ConfigMaps and credentials Secrets from the
contracts) and installs Argo CD, which applies the apps' workloads from the manifests this
program renders into the repository (``python -m infra gitops render``; docs/delivery.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from infra.config.base import StrictModel

Delivery = Literal["pulumi", "argocd"]
DELIVERIES: tuple[Delivery, ...] = ("pulumi", "argocd")
# (not infra.config.common's: that module takes part in the config modules' import circle)
PositiveInt = Annotated[int, Field(gt=0)]


class RepoCredentials(StrictModel):
    """How Argo CD reads a private repository: a deploy key, or a GitHub App installation.

    The keys are credentials: set them with ``pulumi config set --secret --path``; the platform
    writes them only into a Kubernetes Secret labelled as an Argo CD repository.
    """

    ssh_private_key: str | None = Field(
        default=None,
        min_length=1,
        description="read-only deploy key (OpenSSH private key; a credential: set it as a "
        "Pulumi secret); the repository URL is then git@host:owner/repo.git",
    )
    github_app_id: PositiveInt | None = Field(default=None, description="GitHub App id")
    github_app_installation_id: PositiveInt | None = Field(
        default=None, description="GitHub App installation id (the organization's)"
    )
    github_app_private_key: str | None = Field(
        default=None,
        min_length=1,
        description="GitHub App private key (PEM; a credential: set it as a Pulumi secret)",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> RepoCredentials:
        app = (self.github_app_id, self.github_app_installation_id, self.github_app_private_key)
        if self.ssh_private_key is not None and any(v is not None for v in app):
            raise ValueError("set sshPrivateKey or the githubApp* keys, not both")
        if self.ssh_private_key is None and not all(v is not None for v in app):
            raise ValueError(
                "set sshPrivateKey, or all of githubAppId, githubAppInstallationId and "
                "githubAppPrivateKey"
            )
        return self


class OidcConfig(StrictModel):
    """Single sign-on for Argo CD's UI and CLI through an OIDC provider (Entra ID, Google,
    Okta, GitHub through Dex elsewhere, ...). With it the local ``admin`` user is disabled."""

    issuer: str = Field(pattern=r"^https://\S+$", description="OIDC issuer URL (https)")
    client_id: str = Field(min_length=1, description="OIDC client id of Argo CD's app")
    client_secret: str = Field(
        min_length=1, description="OIDC client secret (a credential: set it as a Pulumi secret)"
    )
    groups_claim: str = Field(
        default="groups",
        min_length=1,
        description="ID-token claim holding the user's groups (what admins name)",
    )


class SyncWindow(StrictModel):
    """When prod's Applications may be synced (an Argo CD ``allow`` window, manual sync only)."""

    schedule: str = Field(
        default="0 9 * * 1-4",
        pattern=r"^\S+ \S+ \S+ \S+ \S+$",
        description="cron schedule of the window's start (five fields)",
    )
    duration: str = Field(
        default="6h", pattern=r"^[1-9][0-9]*[hm]$", description="how long the window stays open"
    )
    time_zone: str = Field(default="UTC", min_length=1, description="IANA time zone of schedule")


class ArgoCdConfig(StrictModel):
    """``platform:argocd``: the GitOps side of ``platform:delivery: argocd``."""

    repo_url: str | None = Field(
        default=None,
        pattern=r"^(https://\S+|git@[\w.-]+:\S+|ssh://\S+)$",
        description="git repository Argo CD reads the rendered apps from (required with "
        "delivery argocd)",
    )
    revision: str = Field(
        default="main", min_length=1, description="branch (or tag) Argo CD follows"
    )
    path: str = Field(
        default="deploy",
        pattern=r"^[a-z0-9][a-z0-9._/-]*$",
        description="directory of the rendered apps in the repository (<path>/<stack>/<app>)",
    )
    url: str | None = Field(
        default=None,
        pattern=r"^https://\S+$",
        description="Argo CD's external URL (SSO callback, links in notifications)",
    )
    oidc: OidcConfig | None = Field(
        default=None, description="single sign-on; without it the admin user stays enabled"
    )
    admins: list[str] = Field(
        default_factory=list,
        description="SSO groups (or users) given Argo CD's admin role; everyone else reads only",
    )
    repo_credentials: RepoCredentials | None = Field(
        default=None, description="credentials for a private repository (none: a public one)"
    )
    sync_window: SyncWindow = Field(
        default_factory=SyncWindow,
        description="when prod's Applications may be synced (by hand; prod never auto-syncs)",
    )

    @model_validator(mode="after")
    def _admins_need_sso(self) -> ArgoCdConfig:
        if self.admins and self.oidc is None:
            raise ValueError("admins: name SSO groups, so oidc is required with them")
        if self.oidc is not None and self.url is None:
            raise ValueError("oidc: needs url (the provider redirects to <url>/auth/callback)")
        return self
