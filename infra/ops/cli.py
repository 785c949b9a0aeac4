"""Argument parsing and terminal output of ``backend`` and ``restore-drill``.

Exit codes like the plan's: 0 ok, 1 the drill ran but missed the RTO or the restored instance did
not answer, 2 bad input or a missing thing (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from infra.ops.common import EXIT_FAILED, EXIT_OK, OpsError, check_aws_region, run_guarded
from infra.ops.restore_drill import RPO, RTO, DrillReport, DrillTarget, RestoreDrill, parse_time


def _backend_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m infra backend",
        description="Pulumi state backend: a versioned, KMS-encrypted, private, TLS-only bucket "
        "and a KMS key for the secrets provider.",
    )
    commands = parser.add_subparsers(dest="action", required=True)
    boot = commands.add_parser(
        "bootstrap",
        help="create (or converge) the state bucket and keys; safe to rerun",
        description="Create or converge the state backend; a second run changes nothing.",
    )
    boot.add_argument("--cloud", choices=["aws", "gcp", "azure"], required=True)
    boot.add_argument("--region", required=True, help="e.g. eu-west-1 / europe-west1 / westeurope")
    boot.add_argument(
        "--name", required=True, help="bucket (GCS/S3) or storage account (Azure) name"
    )
    boot.add_argument("--project", help="GCP project id (gcp only)")
    boot.add_argument("--resource-group", help="Azure resource group (default <name>-rg)")
    return parser


def backend_main(argv: list[str]) -> int:
    """``python -m infra backend ...``."""
    options = _backend_parser().parse_args(argv)
    out, errors = Console(emoji=False), Console(stderr=True, emoji=False)
    return run_guarded(lambda: _bootstrap(options, out), errors)


def _bootstrap(options: argparse.Namespace, out: Console) -> int:
    if options.cloud != "aws":
        return _print_cli_steps(options, out)
    from infra.ops.backend import bootstrap_aws

    check_aws_region(options.region)
    with out.status(f"converging s3://{options.name} in {options.region}"):
        result = bootstrap_aws(options.region, options.name)
    for line in result.changes:
        out.print(f"[green]+[/green] {escape(line)}", highlight=False)
    for line in result.unchanged:
        out.print(f"[dim]=[/dim] {escape(line)}", highlight=False)
    if not result.changes:
        out.print("no changes: the backend was already in place", highlight=False)
    for line in result.instruction_lines():
        out.print(escape(line), highlight=False, soft_wrap=True)
    return EXIT_OK


def _print_cli_steps(options: argparse.Namespace, out: Console) -> int:
    from infra.ops.backend_cli_steps import azure_steps, gcp_steps

    if options.cloud == "gcp":
        steps = gcp_steps(options.project, options.region, options.name)
        sdk = "google-cloud-storage and google-cloud-kms are"
    else:
        steps = azure_steps(options.resource_group, options.region, options.name)
        sdk = "the Azure SDKs (azure-mgmt-storage, azure-keyvault-keys) are"
    out.print(
        f"# {sdk} not installed here: nothing was created. Run these in order:",
        highlight=False,
        soft_wrap=True,
    )
    for line in steps:
        out.print(escape(line), highlight=False, soft_wrap=True)
    return EXIT_OK


def _drill_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m infra restore-drill",
        description="Restore the stack's RDS Postgres to a point in time into a scratch "
        "instance, check it answers, report the time against the 4 h RTO, delete it.",
    )
    parser.add_argument("--stack", required=True, help="reads Pulumi.<STACK>.yaml (aws:region)")
    parser.add_argument(
        "--to-time", help="ISO 8601 with zone (default: the latest restorable time)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch instance")
    parser.add_argument("--instance", help="source identifier (default platform-<stack>-postgres)")
    parser.add_argument(
        "--poll-seconds", type=float, default=30.0, help="seconds between status checks"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the measurements as JSON")
    return parser


def drill_main(argv: list[str]) -> int:
    """``python -m infra restore-drill ...``."""
    options = _drill_parser().parse_args(argv)
    out, errors = Console(emoji=False), Console(stderr=True, emoji=False)
    return run_guarded(lambda: _drill(options, out), errors)


def _drill_target(stack: str, instance: str | None) -> DrillTarget:
    """Region and source identifier from ``Pulumi.<stack>.yaml``."""
    from infra.plan.stackfile import StackFileError, find_project_root, read_stack_file

    try:
        root = find_project_root(Path.cwd())
        stack_file = read_stack_file(root / f"Pulumi.{stack}.yaml", root)
    except StackFileError as exc:
        raise OpsError(str(exc)) from None
    name = stack_file.path.name
    cloud = stack_file.config.get("platform:cloud", "aws")
    if cloud != "aws":
        raise OpsError(
            f"{name}: platform:cloud is {cloud}; restore-drill drives RDS (aws). For {cloud} "
            "follow the drill commands in docs/disaster-recovery.md"
        )
    region = stack_file.config.get("aws:region")
    if not region:
        raise OpsError(f"{name}: aws:region is not set (the drill restores in that region)")
    return DrillTarget(
        stack=stack, region=region, instance=instance or f"platform-{stack}-postgres"
    )


def _drill(options: argparse.Namespace, out: Console) -> int:
    import boto3

    to_time = parse_time(options.to_time) if options.to_time else None
    target = _drill_target(options.stack, options.instance)
    rds = boto3.Session(region_name=target.region).client("rds")
    with out.status("restore drill") as status:

        def progress(line: str) -> None:
            status.update(escape(line))
            out.print(f"[dim]{escape(line)}[/dim]", highlight=False)

        drill = RestoreDrill(rds, target, progress=progress, poll_seconds=options.poll_seconds)
        report = drill.run(to_time, options.keep)

    verdict = "[green]within[/green]" if report.within_rto else "[red]OVER[/red]"
    out.print(
        f"restored {escape(report.source)} → {escape(report.scratch)} in "
        f"{_hms(report.elapsed)}: {verdict} the RTO of {_hms(RTO)}",
        highlight=False,
    )
    if report.restore_time is not None:
        out.print(f"restore point: {report.restore_time.isoformat()} (RPO target {_hms(RPO)})")
    answered = "[green]answers[/green]" if report.answered else "[red]does not answer[/red]"
    out.print(f"scratch instance {answered} at {escape(report.endpoint)}", highlight=False)
    if report.deleted:
        out.print(f"deleted {escape(report.scratch)}", highlight=False)
    for note in report.notes:
        out.print(f"note: {escape(note)}", highlight=False)
    if options.json:
        options.json.write_text(json.dumps(_report_json(report), indent=2) + "\n", encoding="utf-8")
    return EXIT_OK if report.within_rto and report.answered else EXIT_FAILED


def _report_json(report: DrillReport) -> dict[str, object]:
    return {
        "source": report.source,
        "scratch": report.scratch,
        "restoreTime": report.restore_time.isoformat() if report.restore_time else None,
        "elapsedSeconds": report.elapsed.total_seconds(),
        "withinRto": report.within_rto,
        "answered": report.answered,
        "deleted": report.deleted,
    }


def _hms(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"
