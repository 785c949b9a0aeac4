"""Every pinned version against the version catalog (``policies/rules/facts/catalog``).

- ``deploy-version-support`` (mandatory): a pin past its end of standard support (or a
  rolling pin not re-checked within the catalog's review period), or one the catalog does not
  list, fails the plan. The message names the key to change and the newest supported value.
- ``version-support-ending`` (advisory, in ``policies/rules/versions.py``): within 90 days of
  that end, a warning.

What is pinned where: the clusters' Kubernetes version (EKS, GKE, AKS), the managed
databases', Kafkas' and caches' engine versions, every Helm release's chart version and the
images the program pins (TimescaleDB for CloudNativePG, Valkey, its exporter). The day is the
policy config's ``today`` when set, else ``catalog.today()`` (the clock, or ``PLATFORM_TODAY``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cache
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
)

from ..base import deployable, dig, is_unknown, plain, resource_rule
from ..facts import catalog

TODAY_SCHEMA = PolicyConfigSchema(properties={"today": {"type": "string", "default": ""}})
"""``today`` (YYYY-MM-DD) replaces the real date, for tests and for asking "what if"."""

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def _plain(value: Any) -> str:
    return str(value)


def _postgres_major(value: Any) -> str:
    """Cloud SQL's ``POSTGRES_16`` as ``16``."""
    return str(value).removeprefix("POSTGRES_")


# pulumi type -> (catalog service, version input, normalizer, engine the input must name)
VERSIONED: dict[str, tuple[str, str, Callable[[Any], str], str | None]] = {
    "aws:eks/cluster:Cluster": ("kubernetes.eks", "version", _plain, None),
    "aws:rds/instance:Instance": ("postgres.rds", "engineVersion", _plain, "postgres"),
    "aws:msk/cluster:Cluster": ("kafka.msk", "kafkaVersion", _plain, None),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "redis.elasticache", "engineVersion", _plain, "redis",
    ),
    "gcp:container/cluster:Cluster": ("kubernetes.gke", "minMasterVersion", _plain, None),
    "gcp:sql/databaseInstance:DatabaseInstance": (
        "postgres.cloudsql", "databaseVersion", _postgres_major, None,
    ),
    "gcp:managedkafka/cluster:Cluster": ("kafka.gcp-kafka", "kafkaVersion", _plain, None),
    "azure-native:containerservice:ManagedCluster": (
        "kubernetes.aks", "kubernetesVersion", _plain, None,
    ),
    "azure-native:dbforpostgresql:Server": ("postgres.flexible-server", "version", _plain, None),
}  # fmt: skip


@cache
def pinned_images() -> dict[str, tuple[str, str]]:
    """Every image reference the catalog pins -> (service, version)."""
    found: dict[str, tuple[str, str]] = {}
    for svc in catalog.services().values():
        repository = svc.extra.get("image")
        for entry in svc.entries:
            if isinstance(entry.extra.get("image"), str):
                found[entry.extra["image"]] = (svc.id, entry.version)
            elif repository and "tag" in entry.extra:
                found[f"{repository}:{entry.extra['tag']}"] = (svc.id, entry.version)
            elif repository:
                found[f"{repository}:{entry.version}"] = (svc.id, entry.version)
    return found


def _images(value: Any) -> Iterator[str]:
    """Every ``image``/``imageName`` string anywhere in a Kubernetes object's inputs."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("image", "imageName") and isinstance(item, str):
                yield item
            else:
                yield from _images(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _images(item)


def pins(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (catalog service, version) pairs a resource pins; empty when it pins none."""
    if resource_type in VERSIONED:
        service_id, key, normal, engine = VERSIONED[resource_type]
        if engine and dig(props, "engine", default=engine) != engine:
            return []
        version = dig(props, key)
        if version is None or is_unknown(version):
            return []
        return [(service_id, normal(version))]
    if resource_type == HELM_RELEASE:
        chart, version = dig(props, "chart"), dig(props, "version")
        if not isinstance(chart, str) or not isinstance(version, str):
            return []
        return [(f"charts.{chart.rsplit('/', 1)[-1]}", version)]
    if resource_type.startswith("kubernetes:"):
        images = pinned_images()
        return [images[image] for image in _images(plain(props)) if image in images]
    return []


def today_of(config: Mapping[str, Any]) -> date:
    """The policy config's ``today`` when set, else ``catalog.today()``."""
    value = config.get("today") or ""
    return date.fromisoformat(value) if value else catalog.today()


def verdicts(args: ResourceValidationArgs) -> Iterator[catalog.Verdict]:
    """The catalog's verdict on each version the resource pins."""
    on = today_of(args.get_config())
    for service_id, version in pins(args.resource_type, args.props):
        if service_id not in catalog.services():
            yield catalog.Verdict(
                status="unknown",
                message=f"{service_id} {version} is not in the version catalog "
                "(policies/rules/facts/catalog); add it with its end of support and source",
            )
            continue
        yield catalog.verdict(service_id, version, on)


def _support(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for verdict in verdicts(args):
        if verdict.status in ("ended", "unknown"):
            report(verdict.message, None)


POLICIES: list[Policy] = [
    deployable(resource_rule(
        "deploy-version-support",
        "A version past its end of standard support (or not in the version catalog) is refused by the provider or left without fixes.",
        "Change the key named in the message to the newest supported value it names.", Severity.CRITICAL,
        _support, config_schema=TODAY_SCHEMA,
    )),
]  # fmt: skip
