"""Shared test setup: the repo root, every shipped stack's plan (computed once), and helpers
that plan a stack file or a throwaway program in a fresh process, as the CLI does."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import kubernetes_validate.utils
import pytest
import yaml

from infra.plan.cli import Outcome, plan_many
from infra.plan.stackfile import list_stack_files

ROOT = Path(__file__).resolve().parent.parent

# kubernetes_validate.validate() re-reads and re-parses its schema files (1.4 MB of shared
# definitions) for every document; they cannot change during a run, so each is parsed once.
# Validation itself (the library's own validator, strict, per document) is unchanged.
kubernetes_validate.utils.schema_contents = functools.cache(
    kubernetes_validate.utils.schema_contents
)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shipped_plans(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, Outcome]:
    """Every shipped ``Pulumi.<stack>.yaml`` planned once per test run, in parallel processes.

    xdist workers share the result through a file under the run's temporary directory: the
    first worker to need it plans (holding a lock), the others wait and read it.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    cache = shared / "shipped-plans.pickle"
    with (shared / "shipped-plans.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cache.exists():
            outcomes = plan_many(list_stack_files(ROOT), ROOT, keep_records=True)
            cache.write_bytes(pickle.dumps({outcome.stack: outcome for outcome in outcomes}))
        plans: dict[str, Outcome] = pickle.loads(cache.read_bytes())
    return plans


# prod refuses to plan without an alert receiver: stack files written by tests carry this one.
PROD_ADDONS = {
    "alertReceivers": [{"name": "oncall", "kind": "webhook", "url": {"secure": "v1:AAAA"}}]
}
# ... nor without an alarm recipient and a DR region other than the stack's own
PROD_ALARMS = {"notificationEmails": ["oncall@example.com"]}
PROD_DR_REGION = {"aws": "eu-central-1", "gcp": "europe-west4", "azure": "northeurope"}


def prod_requirements(cloud: str) -> dict[str, Any]:
    """The keys every prod stack file must carry besides its cloud settings."""
    return {
        "platform:addons": PROD_ADDONS,
        "platform:alarms": PROD_ALARMS,
        "platform:disasterRecovery": {"region": PROD_DR_REGION[cloud]},
    }


def write_stack(directory: Path, stack: str, config: dict[str, Any]) -> Path:
    """Write ``Pulumi.<stack>.yaml`` with ``config`` under ``directory``."""
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False), encoding="utf-8")
    return path


def plan_config(directory: Path, stack: str, config: dict[str, Any]) -> Outcome:
    """Plan the real program with a stack file holding ``config``."""
    return plan_many([write_stack(directory, stack, config)], ROOT)[0]


def make_project(
    directory: Path, program: str, config: dict[str, Any], stack: str = "test"
) -> Path:
    """A throwaway Pulumi project whose ``__main__.py`` is ``program``; returns its stack file."""
    (directory / "Pulumi.yaml").write_text("name: scratch\nruntime: python\n", encoding="utf-8")
    (directory / "__main__.py").write_text(textwrap.dedent(program), encoding="utf-8")
    return write_stack(directory, stack, config)


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, fresh: bool = False
) -> subprocess.CompletedProcess[str]:
    """``python -m infra ...`` as a user runs it: its ``main`` with these arguments, in a child
    process with its own working directory, environment, stdout and stderr.

    The child is forked from this (test) process, which has already imported the program and
    its SDKs: the same entry point ``python -m infra`` calls, without paying ~2-3 s of imports
    per call. ``fresh=True`` starts a new interpreter instead, for tests about what a run
    imports.
    """
    environment = {
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "200",
        **(env or {}),
    }
    if fresh:
        return subprocess.run(
            [sys.executable, "-m", "infra", *args],
            cwd=cwd, capture_output=True, text=True, env=environment, check=False,
        )  # fmt: skip
    return _forked_cli(list(args), cwd, environment)


def _forked_cli(
    args: list[str], cwd: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 1
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                os.chdir(cwd)
                os.environ.clear()
                os.environ.update(environment)
                _forget_consoles()
                from infra.__main__ import main

                code = main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # reported as the interpreter would
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            ["python", "-m", "infra", *args],
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8"),
            err.read().decode("utf-8"),
        )


def _forget_consoles() -> None:
    """Consoles cached by an earlier call in the parent read its terminal width; the child
    makes its own from its environment."""
    cli = sys.modules.get("infra.plan.cli")
    if cli is not None:
        cli._console.cache_clear()  # pyright: ignore[reportPrivateUsage]


def resources_of(plan: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """The plan's resources of one type."""
    return [r for r in plan["resources"] if r["type"] == type_]


def dump(plan: dict[str, Any]) -> str:
    return json.dumps(plan, sort_keys=True)


def delivered_objects(outcome: Outcome) -> list[dict[str, Any]]:
    """Every Kubernetes object a shipped stack puts on its cluster: the plan's, plus, for a
    stack delivered by Argo CD, the package it applies (``deploy/<stack>/``)."""
    from infra.gitops.render import read
    from infra.plan.render import kubernetes_objects

    assert outcome.plan is not None, outcome.errors
    package = ROOT / "deploy" / outcome.stack
    return kubernetes_objects(outcome.plan["resources"]) + [m for _, m in read(package)]


def plan_of(plans: dict[str, Outcome], stack: str) -> dict[str, Any]:
    """A shipped stack's plan, failing with its errors when it did not plan."""
    plan = plans[stack].plan
    assert plan is not None, plans[stack].errors
    return plan


def one(plan: dict[str, Any], type_: str, suffix: str = "") -> dict[str, Any]:
    """The single resource of ``type_`` whose name ends with ``suffix``."""
    found = [r for r in resources_of(plan, type_) if r["name"].endswith(suffix)]
    assert len(found) == 1, [r["name"] for r in found]
    return found[0]
