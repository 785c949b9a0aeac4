"""``python -m infra.export.scan DIR``: run checkov over every stack's export under ``DIR``.

checkov runs in its own environment (``uv tool run``; it pins packages the project's dev tools
conflict with), with the repository's ``.checkov.yaml`` (frameworks and the reasoned skip list).
The scan fails when checkov reports any finding that is not skipped there, or when an export's
cloud resources were not seen at all (an export checkov cannot parse would otherwise pass).
``.checkov-scoped.yaml`` accepts a few findings on some stacks only (by the environment or cloud
their stack file names): checkov still runs those checks everywhere, and every other stack must
pass them, so prod cannot lose a property dev leaves out by cost.
Exit codes: 0 clean, 1 findings or unseen resources, 2 checkov could not run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.plan.stackfile import read_stack_file

CHECKOV = "checkov==3.3.30"
SCOPED_FILE = ".checkov-scoped.yaml"
CLOUD_FILES = ("tfplan.json", "arm.json")


@dataclass
class StackScan:
    """What checkov reported for one stack's export."""

    cloud_resources: set[str] = field(default_factory=set)
    kubernetes_resources: set[str] = field(default_factory=set)
    passed: int = 0
    accepted: int = 0
    failed: list[str] = field(default_factory=list)

    def accept(self, scoped: dict[str, ScopedAcceptance], traits: StackTraits) -> None:
        """Move the findings ``scoped`` accepts on a stack with ``traits`` out of ``failed``."""
        kept = []
        for line in self.failed:
            acceptance = scoped.get(line.split(" ", 1)[0])
            if acceptance is not None and acceptance.covers(traits):
                self.accepted += 1
            else:
                kept.append(line)
        self.failed = kept


@dataclass(frozen=True)
class ScopedAcceptance:
    """A finding accepted on the stacks of some environments or clouds, with its reason."""

    check: str
    reason: str
    environments: frozenset[str] = frozenset()
    clouds: frozenset[str] = frozenset()

    def covers(self, traits: StackTraits) -> bool:
        return traits.environment in self.environments or traits.cloud in self.clouds


@dataclass(frozen=True)
class StackTraits:
    """What a scoped acceptance selects a stack by (from ``Pulumi.<stack>.yaml``)."""

    environment: str
    cloud: str


def load_scoped(path: Path) -> dict[str, ScopedAcceptance]:
    """The scoped acceptances of ``path`` by check id."""
    raw: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        check: ScopedAcceptance(
            check=check,
            reason=str(entry.get("reason", "")),
            environments=frozenset(entry.get("environments", [])),
            clouds=frozenset(entry.get("clouds", [])),
        )
        for check, entry in raw.items()
    }


def stack_traits(root: Path, stack: str) -> StackTraits:
    """A stack's environment and cloud, as the program reads its stack file (project defaults
    under it)."""
    config = read_stack_file(root / f"Pulumi.{stack}.yaml", root).config
    return StackTraits(str(config.get("platform:environment")), str(config.get("platform:cloud")))


def uv_executable() -> str:
    """uv from ``$UV``, the PATH, or the repository's bootstrap venv."""
    root = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("UV"), shutil.which("uv"), str(root / ".bootstrap/bin/uv")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("uv not found: run `make setup` or install uv")


def run_checkov(directory: Path, config: Path) -> list[dict[str, Any]]:
    """checkov's JSON report (one entry per framework) for everything under ``directory``."""
    command = [
        uv_executable(), "tool", "run", "--from", CHECKOV, "checkov",
        "--config-file", str(config), "-d", str(directory.resolve()), "-o", "json",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"checkov did not report (exit {done.returncode}): {done.stderr[-2000:]}"
        ) from exc
    return report if isinstance(report, list) else [report]


def by_stack(report: list[dict[str, Any]], directory: Path) -> dict[str, StackScan]:
    """Results grouped by the export folder (the stack) each file is under."""
    base = directory.resolve()
    stacks: dict[str, StackScan] = {}
    for framework in report:
        results = framework.get("results", {})
        for outcome in ("passed_checks", "failed_checks", "skipped_checks"):
            for check in results.get(outcome, []):
                path = _relative(check, base)
                stack = path.parts[0] if len(path.parts) > 1 else "."
                scan = stacks.setdefault(stack, StackScan())
                cloud = path.name in CLOUD_FILES
                seen = scan.cloud_resources if cloud else scan.kubernetes_resources
                seen.add(check["resource"])
                if outcome == "passed_checks":
                    scan.passed += 1
                elif outcome != "skipped_checks":  # a skip is the resource's own annotation
                    scan.failed.append(
                        f"{check['check_id']} {check['resource']}: {check['check_name']}"
                    )
    return stacks


def _relative(check: dict[str, Any], base: Path) -> Path:
    """The checked file relative to the export directory.

    checkov reports paths relative to ``-d`` for some frameworks and absolute for others.
    """
    for candidate in (check.get("file_abs_path", ""), check["file_path"]):
        path = Path(candidate)
        if path.is_relative_to(base):
            return path.relative_to(base)
    return Path(check["file_path"].lstrip("/"))


# The resource every cloud stack exports and checkov has the most checks for: a cloud export
# whose cluster checkov did not evaluate was not read the way the scan assumes.
CLUSTER_RESOURCES = (
    "aws_eks_cluster.",
    "google_container_cluster.",
    "Microsoft.ContainerService/managedClusters.",
)


def problems(
    stacks: dict[str, StackScan], expected: list[str], kubernetes_only: Sequence[str] = ()
) -> list[str]:
    """Unexplained findings, and exports checkov did not read: a cloud stack's cluster and its
    Kubernetes objects, or (``platform:cloud: local``, no cloud resources) its Kubernetes
    objects."""
    found = [f"{name}: {line}" for name, scan in sorted(stacks.items()) for line in scan.failed]
    for name in expected:
        scan = stacks.get(name, StackScan())
        if not scan.cloud_resources:
            found.append(f"{name}: checkov saw none of the cloud resources of the export")
        elif not any(r.startswith(CLUSTER_RESOURCES) for r in scan.cloud_resources):
            found.append(f"{name}: checkov did not evaluate the Kubernetes cluster of the export")
    for name in [*expected, *kubernetes_only]:
        if not stacks.get(name, StackScan()).kubernetes_resources:
            found.append(f"{name}: checkov saw none of the Kubernetes objects of the export")
    return found


def has_cloud_export(directory: Path) -> bool:
    """Whether a stack's export holds cloud resources (a local stack's has none)."""
    return any((directory / name).exists() for name in CLOUD_FILES)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m infra.export.scan EXPORT_DIR", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    root = Path(__file__).resolve().parents[2]
    try:
        stacks = by_stack(run_checkov(directory, root / ".checkov.yaml"), directory)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    exports = sorted(p for p in directory.iterdir() if p.is_dir())
    scoped = load_scoped(root / SCOPED_FILE)
    for name, scan in stacks.items():
        scan.accept(scoped, stack_traits(root, name))
    expected = [p.name for p in exports if has_cloud_export(p)]
    kubernetes_only = [p.name for p in exports if not has_cloud_export(p)]
    counts = Counter({name: len(scan.failed) for name, scan in stacks.items()})
    for name in sorted(expected + kubernetes_only):
        scan = stacks.get(name, StackScan())
        print(
            f"{name}: {len(scan.cloud_resources)} cloud resources, "
            f"{len(scan.kubernetes_resources)} Kubernetes objects, {scan.passed} checks passed, "
            f"{scan.accepted} accepted here ({SCOPED_FILE}), {counts[name]} unexplained findings"
        )
    found = problems(stacks, expected, kubernetes_only)
    for line in found:
        print(f"finding: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
