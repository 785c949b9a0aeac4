"""Offline plan speed per stack, beside the floor, measured in the same run.

The floor is a program that only imports pulumi and registers one resource, planned by the
same tool under the same mocks: what any offline plan costs before our program does anything.
Each figure is the median wall time of ``--repeat`` fresh ``python -m infra plan`` processes.
Target: every stack within 2x the floor.

    uv run python benchmarks/plan_speed.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.plan.stackfile import list_stack_files, stack_name_from_path  # noqa: E402

FLOOR_PROGRAM = """
import pulumi

pulumi.CustomResource("floor:index:Thing", "one", {"size": 1})
"""
TARGET_RATIO = 2.0


def _time_plan(args: list[str], cwd: Path, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "infra", "plan", "--quiet", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        samples.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"plan {' '.join(args)} failed:\n{result.stderr}")
    return statistics.median(samples)


def _floor(repeat: int) -> float:
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "Pulumi.yaml").write_text("name: floor\nruntime: python\n")
        (project / "__main__.py").write_text(FLOOR_PROGRAM)
        (project / "Pulumi.floor.yaml").write_text("config: {}\n")
        return _time_plan(["--stack", "floor"], project, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    floor = _floor(options.repeat)
    table = Table(title=f"offline plan time (median of {options.repeat})")
    for column in ("stack", "seconds", "floor", "ratio", f"within {TARGET_RATIO:g}x"):
        table.add_column(column, justify="right" if column != "stack" else "left")
    worst = 0.0
    for path in list_stack_files(ROOT):
        stack = stack_name_from_path(path)
        seconds = _time_plan(["--stack", stack], ROOT, options.repeat)
        ratio = seconds / floor
        worst = max(worst, ratio)
        table.add_row(
            stack,
            f"{seconds:.2f}",
            f"{floor:.2f}",
            f"{ratio:.2f}",
            "yes" if ratio <= TARGET_RATIO else "NO",
        )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "infra", "plan", "--all", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    table.caption = f"--all (parallel): {time.perf_counter() - start:.2f}s; worst ratio {worst:.2f}"
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
