"""checkov over an export: it parses the files and sees the cloud resources, finds nothing that
.checkov.yaml does not skip, and every skip carries a reason (documented in docs/security.md).
The full scan of every stack is ``make scan`` (part of ``make test``)."""

from __future__ import annotations

import re
from pathlib import Path

from infra.export.scan import (
    SCOPED_FILE,
    StackScan,
    StackTraits,
    by_stack,
    has_cloud_export,
    load_scoped,
    problems,
    stack_traits,
)
from tests.conftest import ROOT

_SKIP = re.compile(r"^\s*-\s*(CKV\w+)\s*(?:#\s*(.*))?$")


def _skips() -> dict[str, str]:
    lines = (ROOT / ".checkov.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("skip-check:")
    return {
        m.group(1): (m.group(2) or "") for line in lines[start + 1 :] if (m := _SKIP.match(line))
    }


def test_every_skip_has_a_reason_and_is_documented() -> None:
    skips = _skips()
    docs = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert skips
    for check, reason in skips.items():
        assert len(reason) >= 40, f"{check}: a skip needs a reason a reviewer can accept"
        assert f"`{check}`" in docs, f"{check} is not in docs/security.md's skip table"


def test_scoped_acceptances_have_a_reason_a_scope_and_no_global_skip() -> None:
    scoped = load_scoped(ROOT / SCOPED_FILE)
    docs = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert scoped
    for check, acceptance in scoped.items():
        assert len(acceptance.reason) >= 40, check
        assert acceptance.environments <= {"dev", "staging", "prod"}, check
        assert acceptance.clouds <= {"aws", "gcp", "azure", "local"}, check
        assert acceptance.environments or acceptance.clouds, f"{check}: scoped to no stack"
        assert f"`{check}`" in docs, f"{check} is not in docs/security.md"
    # a check accepted somewhere is still run everywhere else
    assert not set(scoped) & set(_skips())


def test_at_most_fifteen_checks_are_skipped_everywhere() -> None:
    assert len(_skips()) <= 15, sorted(_skips())


def test_a_scoped_finding_is_accepted_in_scope_only() -> None:
    scoped = load_scoped(ROOT / SCOPED_FILE)
    assert stack_traits(ROOT, "dev") == StackTraits("dev", "aws")
    assert stack_traits(ROOT, "prod") == StackTraits("prod", "aws")
    finding = "CKV_AWS_157 aws_db_instance.platform_postgres: Ensure that RDS instances have Multi-AZ enabled"
    for stack, kept in (("dev", []), ("staging", [finding]), ("prod", [finding])):
        scan = StackScan(failed=[finding])
        scan.accept(scoped, stack_traits(ROOT, stack))
        assert scan.failed == kept, stack
        assert scan.accepted == 1 - len(kept)


def test_an_unskipped_finding_or_an_unseen_export_fails_the_scan(tmp_path: Path) -> None:
    def check(path: str, check_id: str, resource: str) -> dict[str, str]:
        return {"file_path": path, "file_abs_path": str(tmp_path / path.lstrip("/")),
                "check_id": check_id, "resource": resource, "check_name": "a check"}  # fmt: skip

    report = [
        {
            "check_type": "terraform_plan",
            "results": {
                "passed_checks": [check("/prod/tfplan.json", "CKV_AWS_1", "aws_kms_key.k")],
                "failed_checks": [check("/prod/tfplan.json", "CKV_AWS_2", "aws_kms_key.k")],
            },
        }
    ]
    stacks = by_stack(report, tmp_path)
    assert stacks["prod"].cloud_resources == {"aws_kms_key.k"}
    assert problems(stacks, ["prod", "dev"]) == [
        "prod: CKV_AWS_2 aws_kms_key.k: a check",
        "prod: checkov did not evaluate the Kubernetes cluster of the export",
        "dev: checkov saw none of the cloud resources of the export",
        "prod: checkov saw none of the Kubernetes objects of the export",
        "dev: checkov saw none of the Kubernetes objects of the export",
    ]


def test_a_cloud_export_read_in_full_passes(tmp_path: Path) -> None:
    """The end-to-end run is ``make scan`` (every stack, after pytest in ``make test``); this
    is its gate on a report where checkov read the cluster and the manifests."""

    def passed(path: str, resource: str) -> dict[str, str]:
        return {"file_path": path, "check_id": "CKV_X_1", "resource": resource, "check_name": "c"}

    for cluster in ("aws_eks_cluster.c", "google_container_cluster.c",
                    "Microsoft.ContainerService/managedClusters.c"):  # fmt: skip
        report = [
            {"check_type": "cloud", "results": {"passed_checks": [passed("/s/tfplan.json", cluster)]}},
            {"check_type": "kubernetes", "results": {"passed_checks": [passed("/s/k8s/a.yaml", "Namespace.a")]}},
        ]  # fmt: skip
        assert problems(by_stack(report, tmp_path), ["s"]) == [], cluster


def test_a_local_export_needs_its_kubernetes_objects_seen_not_cloud_ones(tmp_path: Path) -> None:
    """dev-local has no cloud resources: its export holds manifests only, and the scan
    must neither demand cloud resources of it nor pass it when checkov saw nothing."""
    local = tmp_path / "dev-local" / "k8s"
    local.mkdir(parents=True)
    (local / "redis.yaml").write_text("kind: Namespace\n")
    assert not has_cloud_export(tmp_path / "dev-local")
    report = [
        {
            "check_type": "kubernetes",
            "results": {
                "passed_checks": [
                    {
                        "file_path": "/dev-local/k8s/redis.yaml",
                        "check_id": "CKV_K8S_21",
                        "resource": "Namespace.redis",
                        "check_name": "a check",
                    }
                ]
            },
        }
    ]
    stacks = by_stack(report, tmp_path)
    assert problems(stacks, [], ["dev-local"]) == []
    assert problems({}, [], ["dev-local"]) == [
        "dev-local: checkov saw none of the Kubernetes objects of the export"
    ]
