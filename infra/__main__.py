"""``python -m infra <command>``: the project's own tools (plan, diff, operations)."""

from __future__ import annotations

import sys

USAGE = (
    "usage: python -m infra plan [--stack NAME | --config-file PATH | --all] [--json OUT] "
    "[--render DIR] [--quiet]\n       python -m infra diff --base REF [--stack NAME | --all] "
    "[--markdown OUT] [--json OUT]\n       python -m infra policy-docs\n       python -m infra config-docs"
    "\n       python -m infra backend bootstrap --cloud aws|gcp|azure --region R --name N"
    "\n       python -m infra restore-drill --stack S [--to-time T] [--keep] [--instance ID]"
    "\n       python -m infra crd-schemas [--mirror DIR]"
    "\n       python -m infra gitops render [--stack NAME | --all] [--check]"
    "\n       python -m infra gitops set-image (--stack NAME | --environment ENV ...) --app APP --image IMAGE"
    "\n       python -m infra versions [--stack NAME | --all] [--markdown OUT]"
    "\n       python -m infra init --stack NAME --cloud aws|gcp|azure|local "
    "--environment dev|staging|prod --region R [--domain D --acme-email E --access-cidr C ...]"
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "plan":
        from infra.plan.cli import main as plan_main

        return plan_main(rest)
    if command == "diff":
        from infra.diff.cli import main as diff_main

        return diff_main(rest)
    if command == "policy-docs":
        from infra.plan.policy_docs import main as docs_main

        return docs_main()
    if command == "backend":
        from infra.ops.cli import backend_main

        return backend_main(rest)
    if command == "restore-drill":
        from infra.ops.cli import drill_main

        return drill_main(rest)
    if command == "config-docs":
        from infra.config.reference import main as config_docs_main

        return config_docs_main()
    if command == "init":
        from infra.init import main as init_main

        return init_main(rest)
    if command == "gitops":
        from infra.gitops.cli import main as gitops_main

        return gitops_main(rest)
    if command == "crd-schemas":
        from infra.crd_vendor import main as crd_main

        return crd_main(rest)
    if command == "versions":
        from infra.versions import main as versions_main

        return versions_main(rest)
    print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
