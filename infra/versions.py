"""``python -m infra versions [--stack NAME | --all | --cloud-pins CLOUD] [--markdown OUT]``.

For each version a stack pins (its config's Kubernetes, Postgres, Kafka and Redis versions, and
the charts and images of what it installs), the pinned value, the newest the catalog
(``policies/rules/facts/catalog``) supports, the end of standard support (for a rolling
entry: the day its re-check is due), the days left and the status on today's date (the clock,
or ``PLATFORM_TODAY``). Exit 1 when a pin has ended or is not catalogued, 2 on bad config;
``--markdown`` writes the pins that are ending or ended (nothing when all are fine), which the
weekly workflow (``.github/workflows/versions.yml``) turns into an issue. ``--cloud-pins``
prints, as ``key=value`` lines for a step's outputs, the region and pins the same workflow asks
that cloud about with its credentials.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from infra.config import ConfigError, build_platform_config
from infra.config.cloud_rules import (
    KAFKA_SERVICES,
    KUBERNETES_SERVICES,
    REDIS_SERVICES,
    postgres_service,
)
from infra.config.models import PlatformConfig
from infra.plan.stackfile import (
    StackFileError,
    find_project_root,
    list_stack_files,
    read_stack_file,
)
from policies.rules.facts import catalog

_STYLE = {"ok": "green", "ending": "yellow", "ended": "bold red", "unknown": "bold red"}


@dataclass(frozen=True, kw_only=True)
class Pin:
    """One version a stack pins, and the catalog's verdict on it."""

    stack: str
    service: str
    version: str
    verdict: catalog.Verdict


def _charts(config: PlatformConfig) -> list[str]:
    addons = config.addons
    wanted = [
        ("gateway-helm", addons.gateway),
        ("gateway-api", addons.gateway),
        ("cert-manager", addons.cert_manager),
        ("kube-prometheus-stack", addons.kube_prometheus_stack),
        ("opentelemetry-collector", addons.kube_prometheus_stack),
        ("jaeger", addons.kube_prometheus_stack),
        ("metrics-server", addons.metrics_server),
        ("vpa", addons.vertical_pod_autoscaler),
        ("argo-cd", addons.argo_cd),
        ("cloudnative-pg", config.postgres.engine == "cloudnative-pg"),
        ("strimzi-kafka-operator", config.cloud == "local"),
    ]
    return [f"charts.{name}" for name, used in wanted if used]


def stack_pins(config: PlatformConfig) -> list[tuple[str, str]]:
    """(catalog service, pinned version) for everything ``config`` deploys."""
    pins = [(KUBERNETES_SERVICES[config.cloud], config.cluster.kubernetes_version)]
    pins.append((postgres_service(config), config.postgres.version))
    if config.cloud in KAFKA_SERVICES:
        pins.append((KAFKA_SERVICES[config.cloud], config.kafka.version))
    if config.cloud in REDIS_SERVICES:
        pins.append((REDIS_SERVICES[config.cloud], config.redis.version))
    if config.cloud == "local":
        pins.append(("images.redis-exporter", catalog.service("images.redis-exporter").default))
    pins += [(service, catalog.service(service).default) for service in _charts(config)]
    return pins


def pins_of(path: Path, root: Path, on: date) -> list[Pin]:
    """The pins of the stack file at ``path`` with their verdicts ``on`` that day."""
    stack_file = read_stack_file(path, root)
    config = build_platform_config(stack_file.config, stack_file.stack, path.name)
    return [
        Pin(
            stack=stack_file.stack,
            service=service,
            version=version,
            verdict=catalog.verdict(service, version, on),
        )
        for service, version in stack_pins(config)
    ]


def cloud_pins(cloud: str, root: Path) -> dict[str, str]:
    """What the weekly workflow asks ``cloud`` about, from that cloud's first stack file: its
    region, Kubernetes minor and node size, Postgres version (RDS: the pinned minor) and server
    size (RDS class, Cloud SQL tier, Flexible Server SKU) and Kafka version."""
    for path in list_stack_files(root):
        stack_file = read_stack_file(path, root)
        if stack_file.config.get("platform:cloud") != cloud:
            continue
        config = build_platform_config(stack_file.config, stack_file.stack, path.name)
        postgres = config.postgres.version
        if cloud == "aws":
            entry = catalog.service("postgres.rds").entry(postgres)
            postgres = str(entry.extra.get("minor", postgres)) if entry else postgres
        return {
            "stack": stack_file.stack,
            "region": config.region,
            "kubernetes": config.cluster.kubernetes_version,
            "node_size": config.cluster.node_size,
            "postgres": postgres,
            "postgres_size": config.postgres.instance_size,
            "kafka": config.kafka.version,
        }
    raise StackFileError(f"no stack file of cloud {cloud}")


def table(stack: str, pins: list[Pin], on: date) -> Table:
    """One stack's rich table: one row per pin."""
    # no vertical rules: six columns and a 30-character pin name fit 80 columns unfolded
    view = Table(
        title=f"{stack}: versions on {on}", title_justify="left", expand=False,
        box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True,
    )  # fmt: skip
    for column in ("pin", "pinned", "newest", "end", "days", "status"):
        # whole values: a long image digest folds (overflow) rather than a name wrapping
        view.add_column(
            column,
            overflow="fold",
            no_wrap=True,
            justify="right" if column == "days" else "left",
        )
    for pin in pins:
        verdict = pin.verdict
        view.add_row(
            pin.service, pin.version, verdict.newest or "-",
            str(verdict.end or "-"), "-" if verdict.days_left is None else str(verdict.days_left),
            f"[{_STYLE[verdict.status]}]{verdict.status}[/]",
        )  # fmt: skip
    return view


def markdown(pins: list[Pin], on: date) -> str:
    """The pins that are not ok, as a markdown list (empty when all are)."""
    lines = [
        f"- **{pin.verdict.status}** `{pin.stack}` {pin.service} {pin.version}: "
        f"{pin.verdict.message}"
        for pin in pins
        if pin.verdict.status != "ok"
    ]
    if not lines:
        return ""
    header = f"Versions needing action on {on} (`python -m infra versions --all`):\n\n"
    return header + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra versions")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--stack", help="stack name (Pulumi.<NAME>.yaml); default: dev")
    which.add_argument("--all", action="store_true", help="every Pulumi.*.yaml")
    parser.add_argument("--markdown", type=Path, help="write the pins needing action here")
    which.add_argument(
        "--cloud-pins",
        choices=("aws", "gcp", "azure"),
        help="print key=value lines of what the weekly workflow asks this cloud about",
    )
    args = parser.parse_args(argv)
    root = find_project_root(Path.cwd())
    if args.cloud_pins:
        try:
            found = cloud_pins(args.cloud_pins, root)
        except (ConfigError, StackFileError) as exc:
            print(exc, file=sys.stderr)
            return 2
        print("\n".join(f"{key}={value}" for key, value in found.items()))
        return 0
    try:
        on = catalog.today()
    except catalog.CatalogError as exc:
        print(exc, file=sys.stderr)
        return 2
    paths = list_stack_files(root) if args.all else [root / f"Pulumi.{args.stack or 'dev'}.yaml"]
    pins: list[Pin] = []
    for path in paths:
        if not path.is_file():
            print(f"{path.name}: no such stack file", file=sys.stderr)
            return 2
        try:
            pins += pins_of(path, root, on)
        except (ConfigError, StackFileError) as exc:
            print(exc, file=sys.stderr)
            return 2
    console = Console(width=80)
    for stack in dict.fromkeys(pin.stack for pin in pins):
        console.print(table(stack, [pin for pin in pins if pin.stack == stack], on))
    if args.markdown is not None:
        args.markdown.write_text(markdown(pins, on), encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 1 if any(pin.verdict.status in ("ended", "unknown") for pin in pins) else 0
