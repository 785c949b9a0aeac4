"""Typed models for every ``platform:*`` stack config key.

The models are the single source of truth for what a stack file may say. They are strict:
unknown keys are rejected, types are not coerced silently, and the cross-field rules (CIDR
layout, zone counts, prod floors, cloud-specific limits) live here as validators so that every
mistake is reported before a single resource is declared.

Keys are camelCase in YAML (as Pulumi's own config keys are); Python code uses snake_case.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from infra.config.base import StrictModel
from infra.config.operations import AlarmsConfig, DisasterRecoveryConfig
from infra.config.quantities import cpu_millicores, memory_bytes
from infra.naming import SECRET_LOOKING_NAME

Cloud = Literal["aws", "gcp", "azure"]
Environment = Literal["dev", "staging", "prod"]

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")]
KubernetesVersion = Annotated[str, StringConstraints(pattern=r"^1\.\d{2}$")]

# CloudWatch Logs accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip


class NetworkConfig(StrictModel):
    """``platform:network``: address plan and egress shape."""

    cidr: ipaddress.IPv4Network = Field(description="VPC/VNet address space")
    zones: int = Field(ge=1, le=6, description="availability zones to spread over")
    nat_gateways: Literal["single", "perZone"] = Field(description="NAT gateway layout")
    private_subnet_prefix: int = Field(ge=16, le=28, description="prefix length of private subnets")
    public_subnet_prefix: int = Field(ge=16, le=28, description="prefix length of public subnets")
    pod_cidr: ipaddress.IPv4Network = Field(description="pod range (GKE secondary, AKS overlay)")
    service_cidr: ipaddress.IPv4Network = Field(description="Kubernetes service range")
    private_services_cidr: ipaddress.IPv4Network = Field(
        description="range peered to managed services (GCP Private Service Access: Cloud SQL)"
    )
    flow_log_retention_days: int = Field(description="flow log retention (days)")

    @field_validator("cidr", "pod_cidr", "service_cidr", "private_services_cidr", mode="before")
    @classmethod
    def _parse_network(cls, value: object) -> ipaddress.IPv4Network:
        if not isinstance(value, str):
            raise ValueError("must be an IPv4 CIDR string such as 10.0.0.0/16")
        try:
            return ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid IPv4 CIDR block ({exc})") from None

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention_allowed(cls, value: int) -> int:
        if value not in CLOUDWATCH_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)
            raise ValueError(f"{value} is not a retention period; allowed: {allowed}")
        return value

    @model_validator(mode="after")
    def _address_plan_fits(self) -> NetworkConfig:
        ranges = [
            ("cidr", self.cidr),
            ("podCidr", self.pod_cidr),
            ("serviceCidr", self.service_cidr),
            ("privateServicesCidr", self.private_services_cidr),
        ]
        for index, (key, net) in enumerate(ranges):
            for other_key, other in ranges[:index]:
                if net.overlaps(other):
                    raise ValueError(f"{key} {net} overlaps {other_key} {other}")
        for key, prefix in (
            ("privateSubnetPrefix", self.private_subnet_prefix),
            ("publicSubnetPrefix", self.public_subnet_prefix),
        ):
            if prefix <= self.cidr.prefixlen:
                raise ValueError(
                    f"{key} /{prefix} must be longer than the cidr's /{self.cidr.prefixlen}"
                )
        needed = self.zones * (
            2 ** (32 - self.private_subnet_prefix) + 2 ** (32 - self.public_subnet_prefix)
        )
        if needed > self.cidr.num_addresses:
            raise ValueError(
                f"{self.zones} private /{self.private_subnet_prefix} and public "
                f"/{self.public_subnet_prefix} subnets need {needed} addresses; "
                f"cidr {self.cidr} has {self.cidr.num_addresses}"
            )
        return self

    def private_subnets(self) -> list[ipaddress.IPv4Network]:
        """One private subnet per zone, carved from the start of the VPC range."""
        return list(self.cidr.subnets(new_prefix=self.private_subnet_prefix))[: self.zones]

    def public_subnets(self) -> list[ipaddress.IPv4Network]:
        """One public subnet per zone, carved from the end of the VPC range (never overlaps)."""
        candidates = list(self.cidr.subnets(new_prefix=self.public_subnet_prefix))
        return list(reversed(candidates[-self.zones :]))


class ClusterConfig(StrictModel):
    """``platform:cluster``: the Kubernetes cluster and its node pool."""

    kubernetes_version: KubernetesVersion
    node_size: str = Field(min_length=1, description="instance/machine type of the nodes")
    node_min: PositiveInt
    node_max: PositiveInt
    node_desired: PositiveInt
    node_disk_gb: int = Field(ge=20, le=16384)
    public_endpoint: bool = Field(description="expose the API server endpoint publicly")
    authorized_networks: list[ipaddress.IPv4Network] = Field(
        description="CIDRs allowed to reach a public API endpoint"
    )
    admin_principals: list[str] = Field(description="IAM roles / groups granted cluster admin")
    log_retention_days: int = Field(description="control-plane log retention (days)")
    # AWS: who runs ``pulumi up`` and how it reaches a private API endpoint (docs/aws.md).
    deployer_principal: str | None = Field(
        default=None,
        description="AWS: IAM role/user ARN running pulumi up (default: the caller identity)",
    )
    private_access_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=list,
        description="AWS: networks allowed to the private API endpoint on 443 (in-VPC runner)",
    )
    # Azure only: who runs `pulumi up` and how kubelogin authenticates (docs/azure.md).
    deployer_principals: list[str] = Field(
        default_factory=list,
        description="Azure: Entra object ids granted AKS RBAC Cluster Admin (default: the caller)",
    )
    deployer_principal_type: Literal["User", "Group", "ServicePrincipal"] | None = Field(
        default=None, description="Azure: principal type of deployerPrincipals (default: detected)"
    )
    kubelogin_mode: Literal["auto", "azurecli", "workloadidentity"] = Field(
        default="auto", description="Azure: kubelogin login mode of the kubeconfig"
    )

    @field_validator("authorized_networks", "private_access_cidrs", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> list[ipaddress.IPv4Network]:
        if not isinstance(value, list):
            raise ValueError("must be a list of IPv4 CIDR strings")
        networks = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"{item!r} is not a CIDR string")
            try:
                networks.append(ipaddress.IPv4Network(item, strict=True))
            except ValueError as exc:
                raise ValueError(f"{item!r} is not a valid IPv4 CIDR block ({exc})") from None
        return networks

    @model_validator(mode="after")
    def _sizes_consistent(self) -> ClusterConfig:
        if not self.node_min <= self.node_desired <= self.node_max:
            raise ValueError(
                f"node counts must satisfy nodeMin <= nodeDesired <= nodeMax "
                f"(got {self.node_min} <= {self.node_desired} <= {self.node_max})"
            )
        if any(net.prefixlen == 0 for net in self.authorized_networks):
            raise ValueError("authorizedNetworks must not contain 0.0.0.0/0")
        return self


class PostgresConfig(StrictModel):
    """``platform:postgres``: the managed PostgreSQL server."""

    version: Literal["15", "16", "17"]
    instance_size: str = Field(min_length=1)
    storage_gb: int = Field(ge=20, le=65536)
    max_storage_gb: int = Field(ge=20, le=65536)
    high_availability: bool
    backup_retention_days: int = Field(ge=1, le=35)
    deletion_protection: bool
    database_name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
    username: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
    extensions: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]]

    @model_validator(mode="after")
    def _storage_growth(self) -> PostgresConfig:
        if self.max_storage_gb < self.storage_gb:
            raise ValueError(
                f"maxStorageGb ({self.max_storage_gb}) must be >= storageGb ({self.storage_gb})"
            )
        return self


class KafkaTopic(StrictModel):
    """One Kafka topic the service uses."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9._-]{1,249}$")]
    partitions: int = Field(ge=1, le=1024)
    retention_hours: int = Field(ge=1, le=8760)


class KafkaConfig(StrictModel):
    """``platform:kafka``: the managed Kafka cluster and its topics."""

    version: str = Field(pattern=r"^\d+\.\d+\.(\d+|x)$")
    brokers: PositiveInt
    broker_size: str = Field(min_length=1)
    storage_gb: int = Field(ge=1, le=16384)
    max_storage_gb: int = Field(ge=1, le=16384)
    replication_factor: int = Field(ge=1, le=5)
    min_insync_replicas: int = Field(ge=1, le=5)
    topics: list[KafkaTopic]

    @model_validator(mode="after")
    def _replication(self) -> KafkaConfig:
        if self.replication_factor > self.brokers:
            raise ValueError(
                f"replicationFactor ({self.replication_factor}) exceeds brokers ({self.brokers})"
            )
        if self.min_insync_replicas > self.replication_factor:
            raise ValueError(
                f"minInsyncReplicas ({self.min_insync_replicas}) exceeds "
                f"replicationFactor ({self.replication_factor})"
            )
        if self.max_storage_gb < self.storage_gb:
            raise ValueError(
                f"maxStorageGb ({self.max_storage_gb}) must be >= storageGb ({self.storage_gb})"
            )
        names = [topic.name for topic in self.topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate topic names: {', '.join(duplicates)}")
        return self


class RedisConfig(StrictModel):
    """``platform:redis``: the managed Redis (cluster mode where the cloud offers it)."""

    version: str = Field(pattern=r"^\d+(\.\d+)?$")
    node_size: str = Field(min_length=1)
    shards: PositiveInt = Field(le=500)
    replicas_per_shard: NonNegativeInt = Field(le=5)
    snapshot_retention_days: NonNegativeInt = Field(le=35)


class AlertReceiver(StrictModel):
    """Where Alertmanager sends alerts: a Slack incoming webhook or a generic webhook.

    ``url`` embeds a credential: set it with ``pulumi config set --secret --path``; the
    Kubernetes layer only ever handles it as a Pulumi secret.
    """

    name: Name
    kind: Literal["slack", "webhook"]
    # the offline plan sees a ``secure:`` value as its placeholder (infra/plan/stackfile.py)
    url: str = Field(pattern=r"^(https://\S+|offline-plan-secret-placeholder)$")
    channel: str | None = Field(default=None, pattern=r"^[#@]?[a-z0-9._-]{1,80}$")


class AddonsConfig(StrictModel):
    """``platform:addons``: cluster add-ons installed as Helm releases."""

    ingress_nginx: bool
    cert_manager: bool
    cert_manager_email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    kube_prometheus_stack: bool
    prometheus_retention_days: int = Field(ge=1, le=365)
    prometheus_storage_gb: int = Field(ge=1, le=4096)
    metrics_server: bool
    vertical_pod_autoscaler: bool
    argo_cd: bool
    alert_receivers: list[AlertReceiver] = Field(default_factory=list)


class Resources(StrictModel):
    """Container requests and limits (Kubernetes quantities)."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str

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

    kind: Literal["Deployment", "StatefulSet", "DaemonSet"]
    image: str = Field(min_length=1)
    replicas: PositiveInt = 1
    port: int | None = Field(default=None, ge=1, le=65535)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    host: str | None = Field(default=None, pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
    health_path: str = Field(default="/healthz", pattern=r"^/")
    ready_path: str = Field(default="/readyz", pattern=r"^/")
    resources: Resources
    min_replicas: PositiveInt = 1
    max_replicas: PositiveInt = 1
    migrations_command: list[str] | None = None
    storage_gb: int | None = Field(default=None, ge=1)
    env: dict[str, str] = Field(default_factory=dict)
    # Data services the app connects to: it gets only their settings, credentials and egress.
    uses: list[Literal["postgres", "kafka", "redis"]] = Field(default_factory=list)
    # Other apps it calls on their serving port (egress to their pods).
    calls: list[Name] = Field(default_factory=list)

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


_INSTANCE_FAMILIES: dict[Cloud, dict[str, tuple[str, re.Pattern[str]]]] = {
    "aws": {
        "cluster.nodeSize": ("an EC2 type like m6i.large", re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")),
        "postgres.instanceSize": ("an RDS class like db.m6g.large", re.compile(r"^db\.[a-z0-9-]+\.[a-z0-9]+$")),
        "kafka.brokerSize": ("an MSK type like kafka.m5.large", re.compile(r"^kafka\.[a-z0-9-]+\.[a-z0-9]+$")),
        "redis.nodeSize": ("an ElastiCache type like cache.r7g.large", re.compile(r"^cache\.[a-z0-9-]+\.[a-z0-9]+$")),
    },
    "gcp": {
        "cluster.nodeSize": ("a machine type like e2-standard-4", re.compile(r"^[a-z0-9]+-[a-z0-9-]+$")),
        "postgres.instanceSize": ("a Cloud SQL tier like db-custom-2-7680", re.compile(r"^db-[a-z0-9-]+$")),
        "kafka.brokerSize": ("vCPUxGiB like 3x12", re.compile(r"^\d+x\d+$")),
        "redis.nodeSize": ("a Memorystore node type like REDIS_SHARED_CORE_NANO", re.compile(r"^REDIS_[A-Z0-9_]+$")),
    },
    "azure": {
        "cluster.nodeSize": ("a VM size like Standard_D4s_v5", re.compile(r"^Standard_[A-Za-z0-9_]+$")),
        "postgres.instanceSize": ("a Flexible Server SKU like Standard_D2ds_v5", re.compile(r"^Standard_[A-Za-z0-9_]+$")),
        "kafka.brokerSize": ("an Event Hubs tier: Standard or Premium", re.compile(r"^(Standard|Premium)$")),
        "redis.nodeSize": ("a cache SKU like Premium_P1 or Standard_C1", re.compile(r"^(Basic|Standard|Premium)_[CP]\d$")),
    },
}  # fmt: skip


class ProdFloor(BaseModel):
    """A minimum that prod may not go below, with the reason shown to the user."""

    path: str
    minimum: int | bool
    reason: str


# prod is "safe": values below these are config errors, not policy violations, because they
# would be caught only after a plan otherwise.
PROD_FLOORS: tuple[ProdFloor, ...] = (
    ProdFloor(path="network.zones", minimum=3, reason="prod spans three zones"),
    ProdFloor(path="postgres.backupRetentionDays", minimum=14, reason="PITR window"),
    ProdFloor(path="postgres.highAvailability", minimum=True, reason="zone failure"),
    ProdFloor(path="postgres.deletionProtection", minimum=True, reason="no data loss"),
    ProdFloor(path="kafka.brokers", minimum=3, reason="replication factor 3"),
    ProdFloor(path="kafka.replicationFactor", minimum=3, reason="durability"),
    ProdFloor(path="kafka.minInsyncReplicas", minimum=2, reason="durability"),
    ProdFloor(path="redis.shards", minimum=3, reason="cluster mode 3 shards"),
    ProdFloor(path="redis.replicasPerShard", minimum=1, reason="failover"),
    ProdFloor(path="cluster.nodeMin", minimum=3, reason="one node per zone"),
)


class PlatformConfig(StrictModel):
    """The whole stack configuration, profile defaults merged with the stack's overrides."""

    cloud: Cloud
    environment: Environment
    stack: str
    region: str = Field(min_length=1)
    project: str | None = Field(default=None, description="GCP project id")
    network: NetworkConfig
    cluster: ClusterConfig
    postgres: PostgresConfig
    kafka: KafkaConfig
    redis: RedisConfig
    addons: AddonsConfig
    alarms: AlarmsConfig
    disaster_recovery: DisasterRecoveryConfig
    apps: dict[Name, AppConfig]

    @property
    def protect(self) -> bool:
        """Stateful resources get ``protect=True`` (and deletion protection) in prod."""
        return self.environment == "prod"

    @property
    def name_prefix(self) -> str:
        """Prefix for child resource names, unique per stack."""
        return f"platform-{self.stack}"

    @model_validator(mode="after")
    def _cross_checks(self) -> PlatformConfig:
        problems: list[str] = []
        problems += _instance_family_problems(self)
        problems += _prod_floor_problems(self)
        if self.kafka.brokers % self.network.zones and self.cloud == "aws":
            problems.append(
                f"kafka.brokers: {self.kafka.brokers} is not a multiple of "
                f"network.zones ({self.network.zones}); MSK places brokers evenly across zones"
            )
        if self.cloud == "gcp" and not self.project:
            problems.append("gcp:project: required when platform:cloud is gcp")
        problems += _cloud_support_problems(self)
        problems += _operations_problems(self)
        if self.cluster.public_endpoint and not self.cluster.authorized_networks:
            problems.append(
                "cluster.authorizedNetworks: required when cluster.publicEndpoint is true "
                "(list the CIDRs allowed to reach the API; the endpoint is never open to 0.0.0.0/0)"
            )
        if self.environment == "prod" and self.cluster.public_endpoint:
            problems.append("cluster.publicEndpoint: must be false in prod (private API endpoint)")
        problems += _app_collision_problems(self)
        if (
            self.environment == "prod"
            and self.addons.kube_prometheus_stack
            and not self.addons.alert_receivers
        ):
            problems.append(
                "addons.alertReceivers: prod needs at least one receiver (kind slack or webhook, "
                "url set with pulumi config set --secret --path); alerts would reach nobody"
            )
        if self.environment == "prod":
            for name, app in self.apps.items():
                if app.kind != "DaemonSet" and app.min_replicas < 3:
                    problems.append(
                        f"apps.{name}.minReplicas: {app.min_replicas} is below the prod floor 3"
                    )
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _lookup(config: PlatformConfig, path: str) -> object:
    section, key = path.split(".")
    model = getattr(config, section)
    field = next(n for n, f in type(model).model_fields.items() if f.alias == key)
    return getattr(model, field)


def _instance_family_problems(config: PlatformConfig) -> list[str]:
    problems = []
    for path, (example, pattern) in _INSTANCE_FAMILIES[config.cloud].items():
        value = _lookup(config, path)
        if not isinstance(value, str) or not pattern.match(value):
            problems.append(f"{path}: {value!r} is not valid on {config.cloud}; expected {example}")
    return problems


# What each cloud can run; the wiring pins add-on and engine versions for exactly these.
SUPPORTED_KUBERNETES_VERSIONS: dict[Cloud, tuple[str, ...]] = {
    # AWS: versions with pinned add-ons (components/aws/eks_versions.py) in standard support.
    "aws": ("1.35",),
    "gcp": ("1.32", "1.33"),
    "azure": ("1.32", "1.33"),
}
# Extensions the managed service cannot load, with the reason shown to the user.
UNSUPPORTED_EXTENSIONS: dict[Cloud, dict[str, str]] = {
    "aws": {
        "timescaledb": "RDS for PostgreSQL does not offer TimescaleDB (use Azure, or self-host)"
    },
    "gcp": {
        "timescaledb": "Cloud SQL for PostgreSQL does not offer TimescaleDB (use Azure, or self-host)"
    },
    "azure": {},
}
_IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")


def _cloud_support_problems(config: PlatformConfig) -> list[str]:
    problems = []
    versions = SUPPORTED_KUBERNETES_VERSIONS[config.cloud]
    if config.cluster.kubernetes_version not in versions:
        problems.append(
            f"cluster.kubernetesVersion: {config.cluster.kubernetes_version} is not supported on "
            f"{config.cloud}; allowed: {', '.join(versions)}"
        )
    for extension in config.postgres.extensions:
        reason = UNSUPPORTED_EXTENSIONS[config.cloud].get(extension)
        if reason:
            problems.append(f"postgres.extensions: {extension!r} is not available: {reason}")
    if config.cloud == "gcp":
        problems += _gcp_kafka_capacity_problems(config.kafka.broker_size)
    if config.cloud == "azure":
        problems += _azure_problems(config)
    if config.cloud == "aws":
        for principal in config.cluster.admin_principals:
            if not _IAM_ROLE_ARN.match(principal):
                problems.append(
                    f"cluster.adminPrincipals: {principal!r} is not an IAM role ARN "
                    "(arn:aws:iam::<account>:role/<name>)"
                )
        deployer = config.cluster.deployer_principal
        if deployer is not None and not _IAM_PRINCIPAL_ARN.match(deployer):
            problems.append(
                f"cluster.deployerPrincipal: {deployer!r} is not an IAM role or user ARN "
                "(arn:aws:iam::<account>:role/<path/name>; not an sts:assumed-role ARN)"
            )
    return problems


def _app_collision_problems(config: PlatformConfig) -> list[str]:
    problems = []
    hosts: dict[str, str] = {}
    for name, app in config.apps.items():
        for callee in app.calls:
            target = config.apps.get(callee)
            if target is None or target.port is None or callee == name:
                problems.append(
                    f"apps.{name}.calls: {callee!r} is not another app with a port; "
                    f"allowed: {', '.join(n for n, a in config.apps.items() if a.port and n != name)}"
                )
        if app.host and app.host in hosts:
            problems.append(
                f"apps.{name}.host: {app.host} is already routed to apps.{hosts[app.host]}"
            )
        elif app.host:
            hosts[app.host] = name
    return problems


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Flexible Server Premium SSD sizes (GiB): any other size is rejected by the API.
# https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-storage
AZURE_POSTGRES_STORAGE_GB = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
# Flexible Server backup retention accepts 7-35 days.
# https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore
AZURE_BACKUP_RETENTION_DAYS = (7, 35)


def _azure_problems(config: PlatformConfig) -> list[str]:
    problems = []
    for key, kind, principals in (
        ("adminPrincipals", "group object id", config.cluster.admin_principals),
        ("deployerPrincipals", "object id", config.cluster.deployer_principals),
    ):
        for principal in principals:
            if not _UUID.match(principal):
                problems.append(f"cluster.{key}: {principal!r} is not an Entra ID {kind} (a UUID)")
    if config.postgres.storage_gb not in AZURE_POSTGRES_STORAGE_GB:
        allowed = ", ".join(str(size) for size in AZURE_POSTGRES_STORAGE_GB)
        problems.append(
            f"postgres.storageGb: {config.postgres.storage_gb} is not a Flexible Server "
            f"Premium SSD size; allowed: {allowed}"
        )
    low, high = AZURE_BACKUP_RETENTION_DAYS
    if not low <= config.postgres.backup_retention_days <= high:
        problems.append(
            f"postgres.backupRetentionDays: {config.postgres.backup_retention_days} is outside "
            f"Flexible Server's range; allowed: {low}-{high}"
        )
    premium = config.redis.node_size.startswith("Premium_")
    if not premium and (config.redis.shards > 1 or config.redis.replicas_per_shard > 1):
        problems.append(
            f"redis.shards/replicasPerShard: clustering and extra replicas need a Premium SKU "
            f"(got {config.redis.node_size})"
        )
    if config.postgres.high_availability and config.postgres.instance_size.startswith("Standard_B"):
        problems.append(
            f"postgres.highAvailability: zone-redundant HA is not available on Burstable "
            f"{config.postgres.instance_size}; use a General Purpose SKU such as Standard_D2ds_v5"
        )
    return problems


def _gcp_kafka_capacity_problems(broker_size: str) -> list[str]:
    match = re.fullmatch(r"(\d+)x(\d+)", broker_size)
    if not match:
        return []  # the instance-family check already reported it
    vcpus, memory = int(match.group(1)), int(match.group(2))
    if vcpus < 3 or not vcpus <= memory <= 8 * vcpus:
        return [
            f"kafka.brokerSize: {broker_size} is not a Managed Kafka capacity; needs at least 3 "
            "vCPUs and 1 to 8 GiB of memory per vCPU (e.g. 3x12)"
        ]
    return []


def _operations_problems(config: PlatformConfig) -> list[str]:
    """prod is heard and survives a region: alarms with a recipient, a distinct DR region."""
    if config.environment != "prod":
        return []
    problems = []
    if not config.alarms.enabled:
        problems.append("alarms.enabled: prod must declare its cloud alarms")
    if not config.alarms.notification_emails:
        problems.append(
            "alarms.notificationEmails: prod needs at least one address; alarms would reach nobody"
        )
    region = config.disaster_recovery.region
    if not region:
        problems.append(
            "disasterRecovery.region: prod needs a DR region for cross-region backup copies"
        )
    elif region == config.region:
        problems.append(
            f"disasterRecovery.region: {region} is the stack's own region; pick another one"
        )
    return problems


def _prod_floor_problems(config: PlatformConfig) -> list[str]:
    if config.environment != "prod":
        return []
    problems = []
    for floor in PROD_FLOORS:
        value = _lookup(config, floor.path)
        if isinstance(floor.minimum, bool):
            if value is not floor.minimum:
                problems.append(
                    f"{floor.path}: must be {str(floor.minimum).lower()} in prod ({floor.reason})"
                )
        elif isinstance(value, int) and value < floor.minimum:
            problems.append(
                f"{floor.path}: {value} is below the prod floor {floor.minimum} ({floor.reason})"
            )
    return problems


SECTION_MODELS: dict[str, type[StrictModel]] = {
    "network": NetworkConfig,
    "cluster": ClusterConfig,
    "postgres": PostgresConfig,
    "kafka": KafkaConfig,
    "redis": RedisConfig,
    "addons": AddonsConfig,
    "alarms": AlarmsConfig,
    "disasterRecovery": DisasterRecoveryConfig,
}
