"""``platform:network`` and ``platform:cluster``: the address plan and the Kubernetes cluster.

The validators keep the address plan consistent (no overlapping ranges, subnets that fit) and
the node counts ordered, so a bad layout is reported before any resource is declared.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from infra.config.base import StrictModel
from infra.config.common import KubernetesVersion, PositiveInt
from policies.rules.facts.examples import documentation_network

# CloudWatch Logs accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip


class NetworkConfig(StrictModel):
    """``platform:network``: address plan and egress shape."""

    cidr: ipaddress.IPv4Network = Field(
        description="VPC/VNet address space; subnets are carved from it (private first, public last)"
    )
    zones: int = Field(
        ge=1,
        le=6,
        description="availability zones to spread subnets, nodes and data services over (prod: 3 for zone failure)",
    )
    availability_zones: list[str] | None = Field(
        default=None,
        min_length=1,
        description="the zones, pinned (a zone is create-only): AWS zone ids (euw1-az1, EKS-"
        "supported), GCP zone names (europe-west1-b); one per network.zones; default: the "
        "region's first zones in infra/config/zones.py (aws, gcp only)",
    )
    nat_gateways: Literal["single", "perZone"] = Field(
        description="NAT layout: one shared (dev, cheap) or one per zone (survives a zone loss)"
    )
    private_subnet_prefix: int = Field(
        ge=16,
        le=28,
        description="prefix length of each zone's private subnet (nodes, data services)",
    )
    public_subnet_prefix: int = Field(
        ge=16, le=28, description="prefix length of each zone's public subnet (load balancers, NAT)"
    )
    pod_cidr: ipaddress.IPv4Network = Field(
        description="pod IP range (GKE secondary range, AKS overlay; EKS uses VPC IPs)"
    )
    service_cidr: ipaddress.IPv4Network = Field(description="Kubernetes ClusterIP service range")
    private_services_cidr: ipaddress.IPv4Network = Field(
        description="range peered to managed services (GCP Private Service Access: Cloud SQL)"
    )
    flow_log_retention_days: int = Field(
        description="days VPC/VNet flow logs are kept (longer in prod for incident forensics)"
    )

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


# The widest network deployerNetworks may name: a runner's or VPN's egress, never an ISP block.
DEPLOYER_NETWORK_MIN_PREFIX = 24


class ClusterConfig(StrictModel):
    """``platform:cluster``: the Kubernetes cluster and its node pool."""

    kubernetes_version: KubernetesVersion = Field(
        description="control-plane minor version (1.NN); allowed values depend on the cloud"
    )
    node_size: str = Field(
        min_length=1, description="instance/machine type of the nodes (bigger in prod)"
    )
    node_min: PositiveInt = Field(description="autoscaler minimum node count (prod: one per zone)")
    node_max: PositiveInt = Field(description="autoscaler maximum node count (cost ceiling)")
    node_desired: PositiveInt = Field(description="initial node count, between nodeMin and nodeMax")
    node_disk_gb: int = Field(ge=20, le=16384, description="OS disk per node (GiB)")
    public_endpoint: bool = Field(
        description="expose the API server publicly (dev/staging convenience; never in prod)"
    )
    authorized_networks: list[ipaddress.IPv4Network] = Field(
        description="CIDRs allowed to reach a public API endpoint (never 0.0.0.0/0)"
    )
    admin_principals: list[str] = Field(
        description="granted cluster admin: IAM role ARNs (AWS), groups (GCP), Entra group ids (Azure)"
    )
    log_retention_days: int = Field(
        description="days control-plane (audit) logs are kept (longer in prod for audits)"
    )
    # AWS: who runs ``pulumi up`` and how it reaches a private API endpoint (docs/aws.md).
    deployer_principal: str | None = Field(
        default=None,
        description="AWS: IAM role/user ARN running pulumi up, path included (prod: required; "
        "elsewhere default: the caller's issuer ARN from sts)",
    )
    preview_principals: list[str] = Field(
        default_factory=list,
        description="read-only cluster access for the identity that previews (PR previews, "
        "preview --refresh): IAM role ARNs (AWS, AmazonEKSViewPolicy), IAM members (GCP, "
        "roles/container.viewer), Entra object ids (Azure, AKS RBAC Reader)",
    )
    preview_principal_type: Literal["User", "Group", "ServicePrincipal"] = Field(
        default="ServicePrincipal", description="Azure: principal type of previewPrincipals"
    )
    private_access_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=list,
        description="AWS: networks allowed to the private API endpoint on 443 (in-VPC runner)",
    )
    deployer_networks: list[ipaddress.IPv4Network] = Field(
        default_factory=list,
        description="AWS, Azure: public egress networks pulumi up runs from (a runner's or VPN's, "
        "/24 or narrower): the API endpoint admits them besides private access (prod's way in "
        "on the first deploy, before an in-network runner exists)",
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
    storage_class: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
        description="local: the cluster's StorageClass for volumes (kind/minikube: standard, "
        "k3d: local-path, Docker Desktop: hostpath)",
    )

    @field_validator(
        "authorized_networks", "private_access_cidrs", "deployer_networks", mode="before"
    )
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
        for net in self.deployer_networks:
            if net.prefixlen < DEPLOYER_NETWORK_MIN_PREFIX:
                raise ValueError(
                    f"deployerNetworks: {net} is wider than /{DEPLOYER_NETWORK_MIN_PREFIX}; list "
                    "the egress addresses pulumi up runs from (a runner's or VPN's)"
                )
            if net.is_private and not documentation_network(str(net)):
                raise ValueError(
                    f"deployerNetworks: {net} is a private range: the endpoint's public side "
                    "sees public egress addresses (a network inside the VPC/VNet goes in "
                    "privateAccessCidrs on AWS, or is the runner subnet on Azure)"
                )
        return self
