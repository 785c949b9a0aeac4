"""``platform:addons`` and ``platform:apps``: cluster add-ons and the application workloads."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from infra.config.base import StrictModel
from infra.config.common import Name, PositiveInt
from infra.config.operations import Email
from infra.config.quantities import cpu_millicores, memory_bytes
from policies.rules.facts.tags import SECRET_LOOKING_NAME


class AlertReceiver(StrictModel):
    """Where Alertmanager sends alerts: a Slack incoming webhook, a generic webhook or e-mail,
    for the severities it lists.

    ``url`` (and an e-mail receiver's ``password``) embeds a credential: set it with
    ``pulumi config set --secret --path``; the Kubernetes layer only ever handles it as a
    Pulumi secret.
    """

    name: Name = Field(description="receiver name in the Alertmanager config")
    kind: Literal["slack", "webhook", "email"] = Field(
        description="slack incoming webhook, generic webhook or e-mail"
    )
    # the offline plan sees a ``secure:`` value as its placeholder (infra/plan/stackfile.py)
    url: str | None = Field(
        default=None,
        pattern=r"^(https://\S+|offline-plan-secret-placeholder)$",
        description="webhook URL (slack, webhook; a credential: set it as a Pulumi secret)",
    )
    channel: str | None = Field(
        default=None,
        pattern=r"^[#@]?[a-z0-9._-]{1,80}$",
        description="Slack channel override (default: the webhook's own channel)",
    )
    to: Email | None = Field(default=None, description="e-mail: recipient address")
    sender: Email | None = Field(default=None, description="e-mail: From address")
    smarthost: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9.-]+:[0-9]{1,5}$",
        description="e-mail: SMTP server host:port (STARTTLS required)",
    )
    username: str | None = Field(
        default=None, min_length=1, description="e-mail: SMTP user (none: no authentication)"
    )
    password: str | None = Field(
        default=None,
        min_length=1,
        description="e-mail: SMTP password (a credential: set it as a Pulumi secret)",
    )
    severities: list[Literal["critical", "warning", "info"]] = Field(
        default_factory=lambda: ["critical", "warning"],
        min_length=1,
        description="alert severities this receiver gets (routing by the rules' severity label)",
    )

    @model_validator(mode="after")
    def _fields_of_kind(self) -> AlertReceiver:
        email_fields = {"to": self.to, "sender": self.sender, "smarthost": self.smarthost}
        if self.kind == "email":
            missing = [k for k, v in email_fields.items() if v is None]
            if missing:
                raise ValueError(f"kind email needs {', '.join(missing)}")
            if self.url is not None:
                raise ValueError("url is for slack and webhook receivers")
            if (self.username is None) != (self.password is None):
                raise ValueError("username and password go together")
            return self
        if self.url is None:
            raise ValueError(f"kind {self.kind} needs url")
        extra = [k for k, v in {**email_fields, "username": self.username,
                                "password": self.password}.items() if v is not None]  # fmt: skip
        if extra:
            raise ValueError(f"{', '.join(extra)}: only for kind email")
        return self


class AddonsConfig(StrictModel):
    """``platform:addons``: cluster add-ons installed as Helm releases."""

    gateway: bool = Field(
        description="install the Gateway API and Envoy Gateway (serves apps' hosts over HTTPS)"
    )
    cert_manager: bool = Field(description="install cert-manager (TLS certificates for hosts)")
    cert_manager_email: (
        Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None
    ) = Field(
        default=None,
        description="ACME account e-mail (certificate expiry notices; required with certManager "
        "on a cloud)",
    )
    kube_prometheus_stack: bool = Field(description="install Prometheus, Alertmanager, Grafana")
    prometheus_retention_days: int = Field(
        ge=1, le=365, description="days Prometheus keeps metrics (longer in prod)"
    )
    prometheus_storage_gb: int = Field(
        ge=1, le=4096, description="Prometheus volume size (GiB; grows with retention)"
    )
    metrics_server: bool = Field(description="install metrics-server (HPA needs it)")
    vertical_pod_autoscaler: bool = Field(description="install the VPA (request recommendations)")
    argo_cd: bool = Field(
        description="install Argo CD with no Applications (platform:delivery argocd installs it "
        "with them in any case)"
    )
    alert_receivers: list[AlertReceiver] = Field(
        default_factory=list,
        description="where Alertmanager sends alerts (prod: at least one)",
    )


class ImagesConfig(StrictModel):
    """``platform:images``: where the apps' images come from and how the nodes pull them."""

    registry: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9]([a-z0-9._/-]*[a-z0-9])?)?$",
        description="registry (and path) an app image without a registry host is pulled from "
        "(e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/analytics)",
    )
    pull_secret_name: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
        description="an existing kubernetes.io/dockerconfigjson Secret in the apps' namespace, "
        "named in every app pod's imagePullSecrets",
    )
    docker_config_json: str | None = Field(
        default=None,
        description="registry credentials as a .dockerconfigjson document (a credential: set it "
        "with pulumi config set --secret); the platform creates the pull Secret from it",
    )
    create_registry: bool = Field(
        default=True,
        description="cloud stacks create the apps' private image registry (AWS: one ECR "
        "repository per app, immutable tags, scan on push; GCP: an Artifact Registry Docker "
        "repository; Azure: a Container Registry the AKS kubelet pulls from with AcrPull) and "
        "export its URL as imageRegistry; ignored by platform:cloud local",
    )
    pushers: list[str] = Field(
        default_factory=list,
        description="the release identity (release.yml) allowed to push to the created registry: "
        "IAM role ARNs (AWS: an ECR push policy attached to the role), IAM members (GCP: "
        "roles/artifactregistry.writer on the repository), Entra object ids of service "
        "principals (Azure: AcrPush on the registry)",
    )
    keep_images: int = Field(
        default=30,
        ge=1,
        le=1000,
        description="images each app's repository keeps (older ones expire)",
    )

    @model_validator(mode="after")
    def _one_pull_secret(self) -> ImagesConfig:
        if self.pull_secret_name and self.docker_config_json:
            raise ValueError(
                "pullSecretName and dockerConfigJson both name pull credentials; set one"
            )
        return self


def has_registry_host(image: str) -> bool:
    """Whether ``image``'s first path component is a registry host (Docker's rule: it holds a
    dot or a port, or is ``localhost``)."""
    first, slash, _ = image.partition("/")
    return bool(slash) and ("." in first or ":" in first or first == "localhost")


def resolve_image(image: str, registry: str | None) -> str:
    """``image`` pulled from ``registry`` when it names no registry host of its own."""
    if registry is None or has_registry_host(image):
        return image
    return f"{registry}/{image}"


class Resources(StrictModel):
    """Container requests and limits (Kubernetes quantities)."""

    cpu_request: str = Field(description="CPU reserved per container (cores or m, e.g. 250m)")
    memory_request: str = Field(description="memory reserved per container (e.g. 512Mi)")
    cpu_limit: str = Field(description="CPU ceiling per container (throttled above)")
    memory_limit: str = Field(description="memory ceiling per container (OOM-killed above)")

    @field_validator("cpu_request", "cpu_limit")
    @classmethod
    def _cpu(cls, value: str) -> str:
        cpu_millicores(value)
        return value

    @field_validator("memory_request", "memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        memory_bytes(value)
        return value

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Resources:
        if cpu_millicores(self.cpu_request) > cpu_millicores(self.cpu_limit):
            raise ValueError(f"cpuRequest {self.cpu_request} exceeds cpuLimit {self.cpu_limit}")
        if memory_bytes(self.memory_request) > memory_bytes(self.memory_limit):
            raise ValueError(
                f"memoryRequest {self.memory_request} exceeds memoryLimit {self.memory_limit}"
            )
        return self


class AppConfig(StrictModel):
    """One application workload in ``platform:apps``."""

    kind: Literal["Deployment", "StatefulSet", "DaemonSet"] = Field(
        description="workload kind (StatefulSet for per-pod volumes, DaemonSet for one per node)"
    )
    image: str = Field(min_length=1, description="container image pinned by tag or digest")
    replicas: PositiveInt = Field(
        default=1, description="initial pods (more in prod; ignored by DaemonSets)"
    )
    port: int | None = Field(default=None, ge=1, le=65535, description="serving port (TCP)")
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Prometheus scrape port (TCP)"
    )
    host: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
        description="public hostname served over HTTPS through the Gateway (per environment)",
    )
    health_path: str = Field(default="/healthz", pattern=r"^/", description="liveness probe path")
    ready_path: str = Field(default="/readyz", pattern=r"^/", description="readiness probe path")
    resources: Resources = Field(description="container requests and limits")
    min_replicas: PositiveInt = Field(
        default=1, description="autoscaler minimum pods (prod: 3, one per zone)"
    )
    max_replicas: PositiveInt = Field(default=1, description="autoscaler maximum pods")
    migrations_command: list[str] | None = Field(
        default=None, description="command run as a Job before the rollout (schema migrations)"
    )
    storage_gb: int | None = Field(
        default=None, ge=1, description="per-pod volume (GiB; StatefulSet only)"
    )
    env: dict[str, str] = Field(
        default_factory=dict, description="plain environment variables (a ConfigMap; no secrets)"
    )
    uses: list[Literal["postgres", "kafka", "redis"]] = Field(
        default_factory=list,
        description="data services it connects to: it gets only their settings, credentials, egress",
    )
    calls: list[Name] = Field(
        default_factory=list,
        description="other apps it calls on their serving port (egress to their pods)",
    )

    @field_validator("image")
    @classmethod
    def _pinned_image(cls, value: str) -> str:
        if "@sha256:" in value:
            return value
        name, _, tag = value.rpartition(":")
        if not name or "/" in tag or not tag:
            raise ValueError(f"image {value!r} must be pinned by tag or digest")
        if tag == "latest":
            raise ValueError(f"image {value!r} uses 'latest'; pin a version tag or a digest")
        return value

    @field_validator("env")
    @classmethod
    def _no_secrets_in_env(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key):
                raise ValueError(f"{key!r} is not an environment variable name (A-Z, 0-9, _)")
            if SECRET_LOOKING_NAME.search(key):
                raise ValueError(
                    f"{key!r} looks like a secret; env goes into a ConfigMap, so secrets are "
                    "never allowed here (credentials come from the data-service contracts)"
                )
        return value

    @model_validator(mode="after")
    def _replicas(self) -> AppConfig:
        if self.port is not None and self.port == self.metrics_port:
            raise ValueError(f"port {self.port} collides with metricsPort {self.metrics_port}")
        if self.host and self.port is None:
            raise ValueError("host needs a port to route to")
        if self.kind == "DaemonSet":
            if self.storage_gb is not None:
                raise ValueError("storageGb needs a StatefulSet (volumeClaimTemplates)")
            return self
        if self.storage_gb is not None and self.kind != "StatefulSet":
            raise ValueError("storageGb needs a StatefulSet (volumeClaimTemplates)")
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"minReplicas {self.min_replicas} is above maxReplicas {self.max_replicas}"
            )
        if not self.min_replicas <= self.replicas <= self.max_replicas:
            raise ValueError(
                f"replicas must satisfy minReplicas <= replicas <= maxReplicas "
                f"(got {self.min_replicas} <= {self.replicas} <= {self.max_replicas})"
            )
        return self
