"""Offline plan speed of each prod stack beside its floor, measured in the same run.

The floor (``benchmarks/floor.py``) imports exactly the provider SDK modules the stack's plan
has resource types in and registers the same inventory flat under the same mocks, with the
aliases the SDK classes add: what any Pulumi program using these SDKs pays for this plan. Each stack is planned once (``--json``) to
learn its inventory; then plan and floor run alternately ``--repeat`` times each, every run a
fresh process, and the medians are compared. Target: every stack within 1.5x its floor.

    uv run python benchmarks/plan_speed.py [--repeat 3] [--stack prod ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor import sdk_inventory  # noqa: E402

PROD_STACKS = ("prod", "prod-gcp", "prod-azure")
TARGET_RATIO = 1.5


def _timed(command: list[str]) -> float:
    """Wall time of one fresh process (interpreter start-up included, as a user sees it)."""
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, env=_environment()
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def _environment() -> dict[str, str]:
    # Bytecode must be read, not rewritten, for a fair figure: both sides run the same way.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def measure(stack: str, repeat: int, scratch: Path) -> tuple[float, float]:
    """(plan seconds, floor seconds), medians of ``repeat`` alternated runs."""
    plan_file = scratch / f"{stack}.json"
    plan_command = [sys.executable, "-m", "infra", "plan", "--stack", stack, "--quiet"]
    _timed([*plan_command, "--json", str(plan_file)])  # the inventory (and a warm-up)
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    inventory_file = scratch / f"{stack}-inventory.json"
    inventory = sdk_inventory({r["type"] for r in plan["resources"] if r["custom"]})
    inventory_file.write_text(json.dumps(inventory), encoding="utf-8")
    floor_command = [
        sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(plan_file), str(inventory_file)
    ]  # fmt: skip
    plans, floors = [], []
    for _ in range(repeat):
        plans.append(_timed(plan_command))
        floors.append(_timed(floor_command))
    return statistics.median(plans), statistics.median(floors)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="offline plan time of each prod stack beside its floor"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stack", action="append", help=f"default: {', '.join(PROD_STACKS)}")
    options = parser.parse_args()

    print(
        f"offline plan vs floor, median of {options.repeat} alternated runs, {os.cpu_count()} CPUs"
    )
    print(f"{'stack':<12} {'plan s':>7} {'floor s':>8} {'ratio':>6}  within {TARGET_RATIO:g}x")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for stack in options.stack or PROD_STACKS:
            seconds, floor = measure(stack, options.repeat, Path(scratch))
            ratio = seconds / floor
            worst = max(worst, ratio)
            verdict = "yes" if ratio <= TARGET_RATIO else "NO"
            print(f"{stack:<12} {seconds:>7.2f} {floor:>8.2f} {ratio:>6.2f}  {verdict}", flush=True)
    print(f"worst ratio {worst:.2f}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
