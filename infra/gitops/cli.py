"""``python -m infra gitops render|set-image``: keep the apps' manifests in the repository.

``render [--stack NAME | --all] [--check]`` plans each stack with ``platform:delivery:
argocd`` as if Pulumi delivered its apps and writes the apps' objects under
``<argocd.path>/<stack>/`` (``infra.gitops.render``); ``--check`` writes nothing and exits 1
when a committed package differs from a fresh render.

``set-image (--stack NAME | --environment ENV ...) --app APP --image IMAGE`` sets
``platform:apps.<app>.image`` in ``Pulumi.<stack>.yaml`` (comments and layout kept) of the
stack named, or of every stack of the environments named, and renders the GitOps ones again:
what the release workflow commits for dev/staging, and what its prod pull request changes.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.gitops.errors import GitopsError
from infra.gitops.render import AS_PULUMI, app_objects, files, is_gitops_stack, package_path
from infra.gitops.render import write as write_package

EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Package:
    """One stack's rendered apps: where they go and what they hold."""

    stack: str
    directory: Path
    files: dict[str, str]


def _stack_config(path: Path, root: Path) -> dict[str, str]:
    from infra.plan.stackfile import StackFileError, read_stack_file

    try:
        return read_stack_file(path, root).config
    except StackFileError as exc:
        raise GitopsError([str(exc)]) from None


def targets(root: Path, stack: str | None) -> list[Path]:
    """The stack files to render: the one named, or every one delivered by Argo CD."""
    from infra.plan.stackfile import list_stack_files

    if stack is None:
        return [p for p in list_stack_files(root) if is_gitops_stack(_stack_config(p, root))]
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise GitopsError([f"{path.name}: no such stack file"])
    if not is_gitops_stack(_stack_config(path, root)):
        raise GitopsError([
            f"{path.name}: platform:delivery is not argocd; only stacks delivered by Argo CD "
            "have a package to render (docs/delivery.md)"
        ])  # fmt: skip
    return [path]


def render_packages(paths: list[Path], root: Path) -> list[Package]:
    """Plan each stack (as if delivered by Pulumi) and render its apps."""
    from infra.plan.cli import plan_many

    packages, problems = [], []
    for path, outcome in zip(paths, plan_many(paths, root, overrides=AS_PULUMI), strict=True):
        if outcome.plan is None or outcome.errors:
            problems += outcome.errors or [f"{path.name}: did not plan"]
            continue
        by_app = app_objects(outcome.plan, f"platform-{outcome.stack}-")
        directory = root / package_path(_stack_config(path, root)) / outcome.stack
        packages.append(Package(outcome.stack, directory, files(outcome.stack, by_app)))
    if problems:
        raise GitopsError(problems)
    return packages


def committed(directory: Path) -> dict[str, str]:
    """A package as it is in the working tree."""
    if not directory.is_dir():
        return {}
    return {
        str(p.relative_to(directory)): p.read_text(encoding="utf-8")
        for p in sorted(directory.rglob("*.yaml"))
    }


def _render(options: argparse.Namespace, root: Path) -> int:
    paths = targets(root, options.stack)
    stale = 0
    for package in render_packages(paths, root):
        if options.check:
            if committed(package.directory) != package.files:
                stale += 1
                print(
                    f"{package.directory.relative_to(root)}: stale; run "
                    f"`python -m infra gitops render --stack {package.stack}` and commit",
                    file=sys.stderr,
                )
            continue
        written = write_package(package.directory, package.files)
        print(f"wrote {len(written)} manifest(s) of {package.stack}: {package.directory}")
    return EXIT_STALE if stale else EXIT_OK


def stacks_of(root: Path, environments: list[str]) -> list[Path]:
    """The stack files whose ``platform:environment`` is one of ``environments``."""
    from infra.plan.stackfile import list_stack_files

    return [
        p
        for p in list_stack_files(root)
        if _stack_config(p, root).get("platform:environment") in environments
    ]


def _set_image(options: argparse.Namespace, root: Path) -> int:
    from infra.gitops.images import set_image

    if options.stack:
        paths = [root / f"Pulumi.{options.stack}.yaml"]
    else:
        paths = stacks_of(root, options.environment)
    if not paths:
        raise GitopsError([f"no stack of environment {', '.join(options.environment)}"])
    for path in paths:
        set_image(path, options.app, options.image)
        print(f"{path.name}: platform:apps.{options.app}.image = {options.image}")
    gitops = [p for p in paths if is_gitops_stack(_stack_config(p, root))]
    for package in render_packages(gitops, root) if gitops else []:
        written = write_package(package.directory, package.files)
        print(f"wrote {len(written)} manifest(s) of {package.stack}: {package.directory}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra gitops")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="render the apps of GitOps stacks")
    which = render.add_mutually_exclusive_group()
    which.add_argument("--stack", help="one stack (Pulumi.<stack>.yaml)")
    which.add_argument("--all", action="store_true", help="every stack with delivery argocd")
    render.add_argument("--check", action="store_true", help="exit 1 if a package is stale")
    image = commands.add_parser("set-image", help="set an app's image and re-render")
    where = image.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="one stack (Pulumi.<stack>.yaml)")
    where.add_argument(
        "--environment", nargs="+", choices=["dev", "staging", "prod"],
        help="every stack of these environments",
    )  # fmt: skip
    image.add_argument("--app", required=True)
    image.add_argument("--image", required=True)
    return parser


def main(argv: list[str]) -> int:
    from infra.plan.stackfile import find_project_root

    options = _parser().parse_args(argv)
    root = find_project_root(Path.cwd())
    try:
        if options.command == "render":
            return _render(options, root)
        return _set_image(options, root)
    except GitopsError as exc:
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_ERROR
