"""``python -m infra init``: write ``Pulumi.<stack>.yaml`` for the user's own account, then plan it.

What only the user knows (region, domain, ACME e-mail, the networks and principals that deploy,
preview and administer, the image registry, alert recipients, the DNS zone external-dns keeps) comes from flags, or from prompts
when stdin is a terminal. Example values (``infra.config.examples``) are refused. The file holds
only what differs from the environment profile, one comment per key, and never
``platform:example``. An existing file is never overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml

from infra.config.common import Cloud, Environment
from infra.config.examples import example_reason
from infra.config.loader import REGION_KEYS
from infra.config.profiles import profile
from infra.config.zones import default_zones
from infra.registry import clouds

EXIT_OK, EXIT_ERROR = 0, 2
DESCRIPTION = "write Pulumi.<stack>.yaml for your own account, then plan it"
# The prod alert receiver's URL is a credential: the file gets a placeholder the engine refuses
# to decrypt until `pulumi config set --secret` replaces it (the offline plan accepts it).
SECRET_PLACEHOLDER = "v1:REPLACE-ME-with-pulumi-config-set-secret"


@dataclass(frozen=True)
class Flag:
    """One value init asks for: its option, prompt and when it is required."""

    option: str
    prompt: str
    repeat: bool = False


FLAGS: dict[str, Flag] = {
    "region": Flag("--region", "region (aws:region / gcp:region / azure-native:location)"),
    "domain": Flag("--domain", "DNS domain you control; apps are routed at api.<domain>"),
    "acme_email": Flag("--acme-email", "e-mail for the Let's Encrypt account"),
    "image_registry": Flag("--image-registry", "registry holding the apps' images"),
    "access_cidr": Flag("--access-cidr", "public CIDR you run pulumi from", repeat=True),
    "deployer_network": Flag(
        "--deployer-network",
        "public egress CIDR of the first prod deploy (/24 or narrower)",
        repeat=True,
    ),
    "deployer_principal": Flag(
        "--deployer-principal", "identity that runs pulumi up (AWS role ARN / Entra object id)"
    ),
    "gcp_project": Flag("--gcp-project", "GCP project id"),
    "alert_email": Flag("--alert-email", "address alarms are sent to", repeat=True),
    "dr_region": Flag("--dr-region", "region for cross-region backup copies"),
}


@dataclass
class Answers:
    """Everything init writes, as parsed (and prompted)."""

    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m infra init", description=DESCRIPTION)
    p.add_argument("--stack", required=True, help="stack name: writes Pulumi.<stack>.yaml")
    p.add_argument("--cloud", choices=clouds())
    p.add_argument("--environment", choices=get_args(Environment))
    p.add_argument("--region")
    p.add_argument("--domain")
    p.add_argument("--acme-email")
    p.add_argument("--image-registry")
    p.add_argument("--access-cidr", action="append", default=[])
    p.add_argument("--deployer-network", action="append", default=[])
    p.add_argument("--private-access-cidr", action="append", default=[])
    p.add_argument("--admin-principal", action="append", default=[])
    p.add_argument("--deployer-principal")
    p.add_argument("--preview-principal", action="append", default=[])
    p.add_argument("--gcp-project")
    p.add_argument("--alert-email", action="append", default=[])
    p.add_argument("--dr-region")
    p.add_argument(
        "--dns-zone",
        help="public DNS zone holding the app hosts: external-dns keeps their records there "
        "(default: none, create the dnsRecords output by hand)",
    )
    p.add_argument(
        "--dns-zone-id",
        help="the zone's id: Route 53 hosted zone id, Cloud DNS managed zone name (both "
        "optional: looked up), Azure DNS zone resource id (required on azure)",
    )
    p.add_argument("--directory", type=Path, default=None, help="default: the project root")
    p.add_argument("--force", action="store_true", help="overwrite an existing stack file")
    p.add_argument("--no-plan", action="store_true", help="write the file only")
    return p


def required(cloud: str, environment: str) -> list[str]:
    """The flags a stack of this cloud and environment cannot do without."""
    names = ["image_registry"]
    if cloud != "local":
        names += ["region", "domain", "acme_email"]
        names += ["access_cidr"] if environment != "prod" else []
    if cloud == "gcp":
        names.append("gcp_project")
    # staging and prod declare the cloud alarms (the profiles): someone must hear them
    names += ["alert_email"] if environment != "dev" and cloud != "local" else []
    if environment == "prod":
        names += ["dr_region"]
        if cloud in ("aws", "azure"):
            names += ["deployer_principal", "deployer_network"]
    return names


def _ask(flag: Flag) -> Any:
    text = input(f"{flag.prompt} ({flag.option}{', comma-separated' if flag.repeat else ''}): ")
    text = text.strip()
    if flag.repeat:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text or None


def collect(options: argparse.Namespace, interactive: bool) -> tuple[Answers, list[str]]:
    """The answers, prompting for what is missing on a terminal; problems otherwise."""
    problems: list[str] = []
    answers = Answers(dict(vars(options)))
    for name, choices in (("cloud", clouds()), ("environment", get_args(Environment))):
        if answers.get(name) is None:
            value = input(f"{name} ({'|'.join(choices)}): ").strip() if interactive else None
            if value not in choices:
                problems.append(f"--{name}: required; allowed: {', '.join(choices)}")
            answers.values[name] = value
    if problems:
        return answers, problems
    for name in required(answers.get("cloud"), answers.get("environment")):
        if not answers.get(name) and interactive:
            answers.values[name] = _ask(FLAGS[name])
        if not answers.get(name):
            problems.append(f"{FLAGS[name].option}: required for a {answers.get('cloud')} "
                            f"{answers.get('environment')} stack ({FLAGS[name].prompt})")  # fmt: skip
    for name, value in answers.values.items():
        for item in value if isinstance(value, list) else [value]:
            reason = example_reason(item) if isinstance(item, str) else None
            if reason and name not in ("stack", "cloud", "environment", "directory"):
                option = "--" + name.replace("_", "-")
                problems.append(f"{option}: {reason}; give a value of your own account")
    if answers.get("cloud") == "local" and answers.get("environment") != "dev":
        problems.append("--environment: a local stack is dev only")
    return answers, problems


class _Writer:
    """YAML with a comment above each key (PyYAML drops comments, so lines are built here)."""

    def __init__(self, header: list[str]) -> None:
        self.lines = [f"# {line}" if line else "#" for line in header] + ["config:"]

    def key(self, indent: int, key: str, value: Any, comment: str | None) -> None:
        pad = "  " * indent
        if comment:
            self.lines.append(f"{pad}# {comment}")
        if isinstance(value, dict | list) and value:
            dumped = yaml.safe_dump(value, sort_keys=False, default_flow_style=False).rstrip()
            self.lines.append(f"{pad}{key}:")
            self.lines += [f"{pad}  {line}" for line in dumped.splitlines()]
        else:
            scalar = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...")
            self.lines.append(f"{pad}{key}: {scalar.strip()}")

    def section(self, key: str, entries: list[tuple[str, Any, str]]) -> None:
        if entries:
            self.lines.append(f"  {key}:")
            for sub, value, comment in entries:
                self.key(2, sub, value, comment)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def stack_text(answers: Answers) -> str:
    """The stack file: only what differs from the profile, a comment per key."""
    cloud: Cloud = answers.get("cloud")
    environment: Environment = answers.get("environment")
    base = profile(environment, cloud)
    w = _Writer([
        f"Written by `python -m infra init` for a {cloud} {environment} stack. The environment",
        "profile (infra/config/profiles.py, docs/config.md) supplies every key not listed here.",
    ])  # fmt: skip
    if cloud in REGION_KEYS:
        w.key(1, REGION_KEYS[cloud], answers.get("region"), "where the stack's resources live")
    if cloud == "gcp":
        w.key(
            1, "gcp:project", answers.get("gcp_project"), "the GCP project the stack deploys into"
        )
    w.key(1, "platform:cloud", cloud, None)
    w.key(1, "platform:environment", environment, "picks the profile and, in prod, the floors")
    zones = default_zones(cloud, answers.get("region"), base["network"]["zones"])
    if zones:
        w.section("platform:network", [("availabilityZones", zones,
                                        "chosen once: a zone is create-only (docs/config.md)")])  # fmt: skip
    cluster: list[tuple[str, Any, str]] = []
    if answers.get("access_cidr"):
        cluster.append(("authorizedNetworks", answers.get("access_cidr"),
                        "public networks allowed to the API endpoint (where you run pulumi)"))  # fmt: skip
    if answers.get("deployer_network"):
        cluster.append(("deployerNetworks", answers.get("deployer_network"),
                        "egress of the first deploy: the only public way into the private API"))  # fmt: skip
    if answers.get("private_access_cidr"):
        cluster.append(("privateAccessCidrs", answers.get("private_access_cidr"),
                        "networks routed into the VPC (an in-VPC runner, a VPN) allowed on 443"))  # fmt: skip
    if answers.get("admin_principal"):
        cluster.append(("adminPrincipals", answers.get("admin_principal"),
                        "cluster admins (IAM role ARNs / Entra group ids)"))  # fmt: skip
    deployer = answers.get("deployer_principal")
    if deployer and cloud == "aws":
        cluster.append(
            ("deployerPrincipal", deployer, "the IAM role pulumi up runs as, path included")
        )
    if deployer and cloud == "azure":
        cluster.append(("deployerPrincipals", [deployer], "object id pulumi up runs as"))
    if answers.get("preview_principal"):
        cluster.append(("previewPrincipals", answers.get("preview_principal"),
                        "identities that preview: read-only cluster access"))  # fmt: skip
    w.section("platform:cluster", cluster)
    addons: list[tuple[str, Any, str]] = []
    if answers.get("acme_email") and cloud != "local":
        addons.append(("certManagerEmail", answers.get("acme_email"),
                       "Let's Encrypt account: certificate expiry notices go here"))  # fmt: skip
    if environment == "prod":
        receiver = {"name": "oncall", "kind": "slack", "url": {"secure": SECRET_PLACEHOLDER}}
        addons.append(("alertReceivers", [receiver],
                       "set the webhook: pulumi config set --secret --path "
                       "'platform:addons.alertReceivers[0].url' https://hooks.slack.com/..."))  # fmt: skip
    w.section("platform:addons", addons)
    if answers.get("alert_email"):
        w.section("platform:alarms", [("notificationEmails", answers.get("alert_email"),
                                       "who hears the cloud alarms")])  # fmt: skip
    if answers.get("dr_region"):
        w.section("platform:disasterRecovery", [("region", answers.get("dr_region"),
                                                 "cross-region backup copies")])  # fmt: skip
    w.section("platform:images", [("registry", answers.get("image_registry"),
                                   "the apps' images (backend:1.8.2, ...) are pulled from here")])  # fmt: skip
    domain = answers.get("domain")
    apps = [
        (name, {"host": f"{app['host'].split('.', 1)[0]}.{domain}"},
         f"routes {name} at this host (a DNS name under {domain})")
        for name, app in base["apps"].items() if domain and app.get("host")
    ]  # fmt: skip
    w.section("platform:apps", apps)
    dns: list[tuple[str, Any, str]] = []
    if answers.get("dns_zone"):
        dns.append(("zone", answers.get("dns_zone"),
                    "external-dns keeps the app hosts' records in this public zone"))  # fmt: skip
    if answers.get("dns_zone_id"):
        dns.append(("zoneId", answers.get("dns_zone_id"), "which zone, in the cloud's terms"))
    w.section("platform:dns", dns)
    return w.text()


def main(argv: list[str]) -> int:
    """Entry point of ``python -m infra init``; returns the exit code."""
    from infra.plan.stackfile import StackFileError, find_project_root

    options = parser().parse_args(argv)
    try:
        root = options.directory or find_project_root(Path.cwd())
    except StackFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    path = root / f"Pulumi.{options.stack}.yaml"
    if path.exists() and not options.force:
        print(f"error: {path.name} exists; pass --force to overwrite it", file=sys.stderr)
        return EXIT_ERROR
    answers, problems = collect(options, sys.stdin.isatty())
    if problems:
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_ERROR
    path.write_text(stack_text(answers), encoding="utf-8")
    print(f"wrote {path}")
    if answers.get("environment") == "prod":
        print("next: pulumi config set --secret --path "
              f"'platform:addons.alertReceivers[0].url' <webhook> -s {options.stack}")  # fmt: skip
    if options.no_plan:
        return EXIT_OK
    from infra.plan.cli import main as plan_main

    return plan_main(["--config-file", str(path), "--quiet"])
