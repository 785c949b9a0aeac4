"""Config models and validators: good stacks parse; every kind of mistake gets one clear line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.config import ConfigError, build_platform_config
from stacks.profiles import deep_merge

BASE = {
    "platform:example": "true",
    "platform:cloud": "aws",
    "platform:environment": "dev",
    "aws:region": "eu-west-1",
}


# dev's API endpoint is public, so it needs authorized networks (tested on its own below);
# prod needs an alert receiver (tests/test_kubernetes_wiring.py tests that on its own), an
# alarm recipient and a DR region (tested below)
# prod names its deployer (AWS role ARN, Azure object id; each cloud ignores the other's key)
DEFAULTS = {
    "cluster": {
        "authorizedNetworks": ["203.0.113.0/24"],
        "deployerPrincipal": "arn:aws:iam::123456789012:role/ci/deployer",
        "deployerPrincipals": ["00000000-0000-0000-0000-000000000000"],
    },
    "addons": {
        "alertReceivers": [{"name": "oncall", "kind": "webhook", "url": "https://alerts.example"}]
    },
    "alarms": {"notificationEmails": ["oncall@example.com"]},
    "disasterRecovery": {"region": "eu-central-1"},
}


def build(overrides: dict[str, Any], **scalars: str):
    raw: dict[str, Any] = {**BASE, **scalars}
    for key, value in deep_merge(DEFAULTS, overrides).items():
        raw[f"platform:{key}"] = json.dumps(value)
    return build_platform_config(raw, "dev", "Pulumi.dev.yaml")


def problems(overrides: dict[str, Any], **scalars: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        build(overrides, **scalars)
    return info.value.lines()


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_profiles_are_valid_on_their_own(environment: str) -> None:
    config = build({}, **{"platform:environment": environment})
    assert config.environment == environment


def test_profiles_differ_where_prod_must_be_safe() -> None:
    dev = build({})
    prod = build({}, **{"platform:environment": "prod"})
    assert (dev.network.zones, prod.network.zones) == (2, 3)
    assert (dev.network.nat_gateways, prod.network.nat_gateways) == ("single", "perZone")
    assert prod.postgres.backup_retention_days >= 14 and prod.postgres.high_availability
    assert prod.protect and not dev.protect
    assert (prod.redis.shards, prod.redis.replicas_per_shard) == (3, 1)


def test_overrides_merge_over_the_profile() -> None:
    config = build({"network": {"cidr": "10.20.0.0/16"}, "apps": {"backend": {"replicas": 2}}})
    assert str(config.network.cidr) == "10.20.0.0/16"
    assert config.network.zones == 2  # still from the profile
    assert config.apps["backend"].replicas == 2
    assert config.apps["backend"].kind == "StatefulSet"


def test_subnets_are_carved_without_overlap() -> None:
    config = build({}, **{"platform:environment": "prod"})
    subnets = config.network.private_subnets() + config.network.public_subnets()
    assert len(subnets) == 6
    for i, a in enumerate(subnets):
        assert a.subnet_of(config.network.cidr)
        assert not any(a.overlaps(b) for b in subnets[i + 1 :])


BAD_CASES: list[tuple[str, dict[str, Any], dict[str, str], str]] = [
    ("unknown cloud", {}, {"platform:cloud": "awz"}, "platform:cloud: 'awz' (did you mean aws?); allowed: aws, gcp, azure"),
    ("unknown environment", {}, {"platform:environment": "qa"}, "platform:environment: 'qa'; allowed: dev, staging, prod"),
    ("missing environment", {}, {"platform:environment": None}, "platform:environment: missing; allowed"),  # type: ignore[dict-item]
    ("unknown top-level key", {"postgress": {}}, {}, "platform:postgress: unknown key (did you mean platform:postgres?)"),
    ("unknown nested key", {"network": {"zonez": 3}}, {}, "platform:network.zonez: unknown key (did you mean zones?); allowed: cidr, zones"),
    ("malformed CIDR", {"network": {"cidr": "10.0.0.0/33"}}, {}, "platform:network.cidr: '10.0.0.0/33' is not a valid IPv4 CIDR block"),
    ("CIDR with host bits", {"network": {"cidr": "10.0.0.1/16"}}, {}, "platform:network.cidr: '10.0.0.1/16' is not a valid IPv4 CIDR block"),
    ("overlapping CIDRs", {"network": {"podCidr": "10.0.128.0/17"}}, {}, "platform:network: podCidr 10.0.128.0/17 overlaps cidr 10.0.0.0/16"),
    ("too many zones", {"network": {"zones": 7}}, {}, "platform:network.zones: Input should be less than or equal to 6 (got 7)"),
    ("zero zones", {"network": {"zones": 0}}, {}, "platform:network.zones: Input should be greater than or equal to 1 (got 0)"),
    ("subnets do not fit", {"network": {"cidr": "10.0.0.0/20"}}, {}, "platform:network: privateSubnetPrefix /19 must be longer than the cidr's /20"),
    ("wrong type", {"network": {"zones": "2"}}, {}, "platform:network.zones: Input should be a valid integer (got '2')"),
    ("zero size", {"postgres": {"storageGb": 0}}, {}, "platform:postgres.storageGb: Input should be greater than or equal to 20 (got 0)"),
    ("negative size", {"kafka": {"storageGb": -5}}, {}, "platform:kafka.storageGb: Input should be greater than or equal to 1 (got -5)"),
    ("zero shards", {"redis": {"shards": 0}}, {}, "platform:redis.shards: Input should be greater than 0 (got 0)"),
    ("section not an object", {"network": ["10.0.0.0/16"]}, {}, "platform:network: must be an object (key: value pairs)"),
    ("node counts inverted", {"cluster": {"nodeMin": 4, "nodeMax": 2}}, {}, "platform:cluster: node counts must satisfy nodeMin <= nodeDesired <= nodeMax"),
    ("open API endpoint", {"cluster": {"authorizedNetworks": ["0.0.0.0/0"]}}, {}, "platform:cluster: authorizedNetworks must not contain 0.0.0.0/0"),
    ("latest image", {"apps": {"backend": {"image": "ghcr.io/x/backend:latest"}}}, {}, "platform:apps.backend.image: image 'ghcr.io/x/backend:latest' uses 'latest'"),
    ("unpinned image", {"apps": {"backend": {"image": "ghcr.io/x/backend"}}}, {}, "platform:apps.backend.image: image 'ghcr.io/x/backend' must be pinned by tag or digest"),
    ("unknown workload kind", {"apps": {"worker": {"kind": "Job", "image": "x:1", "resources": {}}}}, {}, "platform:apps.worker.kind: Input should be 'Deployment', 'StatefulSet' or 'DaemonSet' (got 'Job')"),
    ("wrong instance family", {"postgres": {"instanceSize": "m5.large"}}, {}, "platform:postgres.instanceSize: 'm5.large' is not valid on aws; expected an RDS class like db.m6g.large"),
    ("brokers not a multiple of zones", {"kafka": {"brokers": 3}}, {}, "platform:kafka.brokers: 3 is not a multiple of network.zones (2)"),
    ("replication above brokers", {"kafka": {"replicationFactor": 3}}, {}, "platform:kafka: replicationFactor (3) exceeds brokers (2)"),
    ("bad retention period", {"network": {"flowLogRetentionDays": 10}}, {}, "platform:network.flowLogRetentionDays: 10 is not a retention period; allowed: 1, 3, 5, 7"),
    ("missing region", {}, {"aws:region": ""}, "aws:region: required when platform:cloud is aws"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "scalars", "expected"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_bad_config_names_file_key_and_what_is_allowed(
    overrides: dict[str, Any], scalars: dict[str, str], expected: str
) -> None:
    lines = problems(overrides, **scalars)
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


# prod floors: tests/test_prod_floors.py (parametrized over the floors table and an
# independent list of unsafe prod values)


def test_every_mistake_is_reported_at_once() -> None:
    lines = problems({"network": {"zonez": 3, "cidr": "nope"}, "redis": {"shards": 0}})
    assert len(lines) == 3, lines


def test_the_same_values_are_fine_outside_prod() -> None:
    config = build({"network": {"zones": 2}, "postgres": {"backupRetentionDays": 1}})
    assert config.postgres.backup_retention_days == 1


def test_gcp_needs_a_project() -> None:
    lines = problems({}, **{"platform:cloud": "gcp", "gcp:region": "europe-west1"})
    assert any("gcp:project: required when platform:cloud is gcp" in line for line in lines), lines


AWS_CASES = [
    ({"postgres": {"extensions": ["pg_stat_statements", "timescaledb"]}}, "platform:postgres.extensions: 'timescaledb' is not available: RDS for PostgreSQL does not offer TimescaleDB"),
    ({"cluster": {"kubernetesVersion": "1.28"}}, "platform:cluster.kubernetesVersion: 1.28 is not supported on aws; allowed: 1.35"),
    ({"cluster": {"adminPrincipals": ["alice"]}}, "platform:cluster.adminPrincipals: 'alice' is not an IAM role ARN"),
    ({"images": {"pushers": ["arn:aws:iam::123456789012:user/ci"]}}, "platform:images.pushers: 'arn:aws:iam::123456789012:user/ci' is not an IAM role ARN"),
    ({"images": {"pushers": ["arn:aws:iam::123456789012:role/ci"], "createRegistry": False}}, "platform:images.pushers: granted on the registry a cloud stack creates"),
    ({"cluster": {"authorizedNetworks": []}}, "platform:cluster.authorizedNetworks: required when cluster.publicEndpoint is true"),
    ({"kafka": {"brokerSize": "m5.large"}}, "platform:kafka.brokerSize: 'm5.large' is not valid on aws; expected an MSK type like kafka.m5.large"),
    ({"redis": {"nodeSize": "r7g.large"}}, "platform:redis.nodeSize: 'r7g.large' is not valid on aws; expected an ElastiCache type like cache.r7g.large"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), AWS_CASES)
def test_aws_specific_mistakes(overrides: dict[str, Any], expected: str) -> None:
    lines = problems(overrides)
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


def test_timescaledb_is_fine_where_the_cloud_offers_it() -> None:
    from infra.config.models import UNSUPPORTED_EXTENSIONS

    assert "timescaledb" not in UNSUPPORTED_EXTENSIONS["azure"]


def test_pinned_eks_addons_cover_every_supported_version() -> None:
    from components.aws.eks_versions import ADDON_VERSIONS
    from infra.config.models import SUPPORTED_KUBERNETES_VERSIONS

    assert set(ADDON_VERSIONS) == set(SUPPORTED_KUBERNETES_VERSIONS["aws"])


APP_CASES = [
    ({"backend": {"minReplicas": 5, "maxReplicas": 3}}, "platform:apps.backend: minReplicas 5 is above maxReplicas 3"),
    ({"backend": {"resources": {"cpuRequest": "lots"}}}, "platform:apps.backend.resources.cpuRequest: 'lots' is not a CPU quantity (examples: 250m, 1, 1.5)"),
    ({"backend": {"resources": {"memoryLimit": "1GB"}}}, "platform:apps.backend.resources.memoryLimit: '1GB' is not a memory quantity"),
    ({"backend": {"resources": {"cpuRequest": "2", "cpuLimit": "1"}}}, "platform:apps.backend.resources: cpuRequest 2 exceeds cpuLimit 1"),
    ({"backend": {"image": "backend"}}, "platform:apps.backend.image: image 'ghcr.io/analytics-platform/backend' must be pinned by tag or digest"),
    ({"backend": {"metricsPort": 8080}}, "platform:apps.backend: port 8080 collides with metricsPort 8080"),
    ({"api": {"kind": "Deployment", "image": "x/api:1.0", "port": 80, "host": "api.dev.analytics.example.com",
              "resources": {"cpuRequest": "1", "memoryRequest": "1Gi", "cpuLimit": "1", "memoryLimit": "1Gi"}}},
     "platform:apps.api.host: api.dev.analytics.example.com is already routed to apps.backend"),
    ({"backend": {"env": {"DB_PASSWORD": "x"}}}, "platform:apps.backend.env: 'DB_PASSWORD' looks like a secret"),
    ({"collector": {"storageGb": 5}}, "platform:apps.collector: storageGb needs a StatefulSet"),
]  # fmt: skip


@pytest.mark.parametrize(("apps", "expected"), APP_CASES)
def test_bad_app_config(apps: dict[str, Any], expected: str) -> None:
    lines = problems({"apps": apps})
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


def test_a_new_app_merges_beside_the_defaults() -> None:
    config = build(
        {"apps": {"worker": {"kind": "Deployment", "image": "ghcr.io/x/worker:2.0.1", "replicas": 2, "maxReplicas": 4,
                             "resources": {"cpuRequest": "100m", "memoryRequest": "128Mi", "cpuLimit": "500m", "memoryLimit": "256Mi"}}}}
    )  # fmt: skip
    assert set(config.apps) == {"backend", "collector", "worker"}
    assert config.apps["worker"].port is None


GCP = {"platform:cloud": "gcp", "gcp:region": "europe-west1", "gcp:project": "p"}
GCP_CASES = [
    ({"postgres": {"extensions": ["timescaledb"]}}, "platform:postgres.extensions: 'timescaledb' is not available: Cloud SQL for PostgreSQL does not offer TimescaleDB"),
    ({"kafka": {"brokerSize": "2x4"}}, "platform:kafka.brokerSize: 2x4 is not a Managed Kafka capacity"),
    ({"images": {"pushers": ["release@p.iam.gserviceaccount.com"]}}, "platform:images.pushers: 'release@p.iam.gserviceaccount.com' is not an IAM member"),
    ({"kafka": {"brokerSize": "3x40"}}, "platform:kafka.brokerSize: 3x40 is not a Managed Kafka capacity"),
    ({"postgres": {"instanceSize": "db.m6g.large"}}, "platform:postgres.instanceSize: 'db.m6g.large' is not valid on gcp; expected a Cloud SQL tier"),
    ({"network": {"privateServicesCidr": "10.0.0.0/16"}}, "platform:network: privateServicesCidr 10.0.0.0/16 overlaps cidr 10.0.0.0/16"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), GCP_CASES)
def test_gcp_specific_mistakes(overrides: dict[str, Any], expected: str) -> None:
    lines = problems(overrides, **GCP)
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


AZURE = {"platform:cloud": "azure", "azure-native:location": "westeurope"}
AZURE_CASES = [
    ({"cluster": {"adminPrincipals": ["platform-admins"]}}, "platform:cluster.adminPrincipals: 'platform-admins' is not an Entra ID group object id"),
    ({"images": {"pushers": ["release-sp"]}}, "platform:images.pushers: 'release-sp' is not an Entra ID object id of a service principal"),
    ({"redis": {"nodeSize": "Premium_P1"}}, "platform:redis.nodeSize: 'Premium_P1' is not an Azure Managed Redis SKU (Azure Cache for Redis' Basic/Standard/Premium are retiring); allowed: Balanced_B0, Balanced_B1,"),
    ({"redis": {"shards": 2}}, "platform:redis.shards: 2 is more than the 1 primary shard(s) Balanced_B1 runs; pick a SKU that runs at least 2: Balanced_B3, MemoryOptimized_M10, ComputeOptimized_X3 or larger"),
    ({"redis": {"replicasPerShard": 2}}, "platform:redis.replicasPerShard: 2; Azure Managed Redis keeps one replica per shard (high availability) or none; allowed: 0, 1"),
    ({"postgres": {"highAvailability": True}}, "platform:postgres.highAvailability: zone-redundant HA is not available on Burstable Standard_B2s"),
    ({"kafka": {"brokerSize": "Basic"}}, "platform:kafka.brokerSize: 'Basic' is not valid on azure; expected an Event Hubs tier: Standard or Premium"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), AZURE_CASES)
def test_azure_specific_mistakes(overrides: dict[str, Any], expected: str) -> None:
    lines = problems(overrides, **AZURE)
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


def test_timescaledb_is_accepted_on_azure() -> None:
    config = build({"postgres": {"extensions": ["timescaledb"]}}, **AZURE)
    assert config.postgres.extensions == ["timescaledb"]


def test_config_errors_print_without_a_traceback_under_the_real_cli() -> None:
    import pulumi

    with pytest.raises(ConfigError) as info:
        build({"network": {"zones": 0}})
    # Pulumi's language host prints a RunError's message alone, no Python traceback
    assert isinstance(info.value, pulumi.RunError)
    assert str(info.value).startswith(
        "invalid stack config:\nPulumi.dev.yaml: platform:network.zones"
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"alarms": {"notificationEmails": []}}, "alarms.notificationEmails: prod needs"),
        ({"alarms": {"enabled": False}}, "alarms.enabled: prod must declare"),
        ({"disasterRecovery": {"region": None}}, "disasterRecovery.region: prod needs a DR"),
        ({"disasterRecovery": {"region": "eu-west-1"}}, "is the stack's own region"),
        ({"alarms": {"notificationEmails": ["not-an-address"]}}, "alarms.notificationEmails"),
    ],
)
def test_prod_must_be_heard_and_survive_a_region(overrides: dict[str, Any], expected: str) -> None:
    lines = problems(overrides, **{"platform:environment": "prod"})
    assert any(expected in line and "Pulumi.dev.yaml" in line for line in lines), lines


def test_dev_needs_neither_alarms_nor_a_dr_region() -> None:
    config = build({"alarms": {"notificationEmails": []}, "disasterRecovery": {"region": None}})
    assert config.alarms.enabled is False and config.disaster_recovery.region is None
