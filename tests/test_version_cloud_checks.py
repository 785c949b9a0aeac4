"""Asking the cloud (issue 26, part 3): GKE, MSK, RDS and the EKS add-ons confirm each pin before
the resource is created; offline the mocks answer from the version catalog, so a catalog entry
the cloud no longer lists fails the plan with one line naming the stack file and the key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from infra.config.errors import CloudCheckError
from infra.plan.cli import Outcome, plan_many
from infra.plan.mocks import aws as aws_mocks
from infra.plan.mocks import gcp as gcp_mocks
from infra.plan.mocks.common import MockContext
from policies.rules.facts import catalog
from tests.conftest import ROOT, plan_of, resources_of

_CONTEXT = MockContext(project="platform", stack="dev", region="eu-west-1")


def _without(service_id: str, version: str) -> SimpleNamespace:
    """The catalog as a mock sees it once the cloud has dropped ``version`` of ``service_id``."""
    svc = catalog.service(service_id)
    dropped = replace(svc, entries=tuple(e for e in svc.entries if e.version != version))

    def service(wanted: str) -> catalog.Service:
        return dropped if wanted == service_id else catalog.service(wanted)

    return SimpleNamespace(service=service)


def _plan(stack: str, postgres: str | None = None) -> Outcome:
    """Plan a shipped stack in a forked child, which inherits the test's patched mocks;
    ``postgres``: a ``platform:postgres`` object (JSON) replacing the stack file's."""
    overrides = {"platform:postgres": postgres} if postgres else None
    return plan_many([ROOT / f"Pulumi.{stack}.yaml"], ROOT, workers=1, overrides=overrides)[0]


# --- GKE: container.get_engine_versions -------------------------------------------------------


def test_gke_is_asked_whether_regular_offers_the_pinned_minor(
    shipped_plans: dict[str, Outcome],
) -> None:
    from components.gcp.gke_versions import offered_or_raise

    pinned = catalog.service("kubernetes.gke").default
    for stack in ("dev-gcp", "prod-gcp"):
        (cluster,) = resources_of(plan_of(shipped_plans, stack), "gcp:container/cluster:Cluster")
        assert cluster["inputs"]["minMasterVersion"] == pinned
    answer = gcp_mocks.INVOKES["gcp:container/getEngineVersions:getEngineVersions"]
    context = replace(_CONTEXT, stack="dev-gcp", region="europe-west1")
    got = answer(SimpleNamespace(args={"versionPrefix": "1.35.", "location": "x"}), context)
    assert [v.split(".")[:2] for v in got["validMasterVersions"]] == [["1", "35"]]
    latest = {"REGULAR": "1.36.1-gke.1000"}
    assert offered_or_raise("1.35", ["1.35.7-gke.1"], latest, "europe-west1") == "1.35"
    # listed, but newer than what REGULAR reaches; or not listed at all
    for valid, channel in ((["1.36.1-gke.1"], {"REGULAR": "1.35.2-gke.1"}), ([], latest)):
        with pytest.raises(
            CloudCheckError, match=r"platform:cluster.kubernetesVersion: GKE does not"
        ):
            offered_or_raise("1.36", valid, channel, "europe-west1")


def test_the_plan_fails_when_gke_no_longer_offers_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = catalog.service("kubernetes.gke").default
    monkeypatch.setattr(gcp_mocks, "catalog", _without("kubernetes.gke", pinned))
    outcome = _plan("dev-gcp")
    assert outcome.exit_code == 2, outcome.errors
    message = " ".join(outcome.errors)
    assert f"platform:cluster.kubernetesVersion: GKE does not offer {pinned}" in message
    assert "REGULAR offers minors up to 1.35" in message, message


# --- MSK: msk.get_kafka_version ---------------------------------------------------------------


def _ended(service_id: str, version: str) -> SimpleNamespace:
    """The catalog as a mock sees it once ``version`` had ended on the day it was checked."""
    svc = catalog.service(service_id)
    entries = tuple(replace(e, end=e.checked) if e.version == version else e for e in svc.entries)
    return SimpleNamespace(
        service=lambda wanted: (
            replace(svc, entries=entries) if wanted == service_id else catalog.service(wanted)
        )
    )


def test_msk_is_asked_whether_the_pinned_version_is_active(
    shipped_plans: dict[str, Outcome],
) -> None:
    from components.aws.msk import offered_or_raise

    pinned = catalog.service("kafka.msk").default
    (cluster,) = resources_of(plan_of(shipped_plans, "prod"), "aws:msk/cluster:Cluster")
    assert cluster["inputs"]["kafkaVersion"] == pinned
    answer = aws_mocks.INVOKES["aws:msk/getKafkaVersion:getKafkaVersion"]
    assert (
        answer(SimpleNamespace(args={"preferredVersions": [pinned]}), _CONTEXT)["status"]
        == "ACTIVE"
    )
    assert answer(SimpleNamespace(args={"preferredVersions": ["3.6.0"]}), _CONTEXT)["status"] == (
        "DEPRECATED"
    )
    with pytest.raises(ValueError, match="no MSK Kafka version"):
        answer(SimpleNamespace(args={"preferredVersions": ["9.9.x"]}), _CONTEXT)
    with pytest.raises(
        CloudCheckError, match=r"platform:kafka.version: MSK reports Kafka 3.8.x as"
    ):
        offered_or_raise("3.8.x", "DEPRECATED")


def test_the_plan_fails_when_msk_deprecates_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = catalog.service("kafka.msk").default
    monkeypatch.setattr(aws_mocks, "catalog", _ended("kafka.msk", pinned))
    outcome = _plan("dev")
    assert outcome.exit_code == 2, outcome.errors
    # one line naming the stack file and the key, not the engine's chain of "While processing"
    (line,) = outcome.errors
    assert line.startswith(
        f"Pulumi.dev.yaml: platform:kafka.version: MSK reports Kafka {pinned} as DEPRECATED "
    ), line
    assert "While processing" not in line


# --- EKS add-ons: eks.get_addon_version -------------------------------------------------------


def test_eks_is_asked_for_each_pinned_addon(shipped_plans: dict[str, Outcome]) -> None:
    from components.aws.eks_versions import ADDON_VERSIONS, addon_offered_or_raise

    kubernetes = catalog.service("kubernetes.eks").default
    addons = {
        r["inputs"]["addonName"]: r["inputs"]["addonVersion"]
        for r in resources_of(plan_of(shipped_plans, "dev"), "aws:eks/addon:Addon")
    }
    assert addons and addons.items() <= ADDON_VERSIONS[kubernetes].items()
    assert addon_offered_or_raise("coredns", "1.35", "v1.13.2-eksbuild.1", "v1.13.2-eksbuild.3")
    with pytest.raises(CloudCheckError, match=r"EKS has coredns up to v1.12.4-eksbuild.1 for"):
        addon_offered_or_raise("coredns", "1.35", "v1.13.2-eksbuild.1", "v1.12.4-eksbuild.1")


def test_the_plan_fails_when_eks_lacks_a_pinned_addon(monkeypatch: pytest.MonkeyPatch) -> None:
    eks = catalog.service("kubernetes.eks")
    pinned = eks.pinned
    older = {**pinned.extra["addons"], "coredns": "v1.12.0-eksbuild.1"}
    entries = tuple(
        replace(e, extra={**e.extra, "addons": older}) if e is pinned else e for e in eks.entries
    )
    monkeypatch.setattr(
        aws_mocks,
        "catalog",
        SimpleNamespace(
            service=lambda wanted: (
                replace(eks, entries=entries)
                if wanted == "kubernetes.eks"
                else catalog.service(wanted)
            )
        ),
    )
    outcome = _plan("dev")
    assert outcome.exit_code == 2, outcome.errors
    assert f"EKS has coredns up to v1.12.0-eksbuild.1 for Kubernetes {pinned.version}" in " ".join(
        outcome.errors
    )


# --- RDS: rds.get_engine_version --------------------------------------------------------------


def test_the_plan_fails_when_rds_retires_the_pinned_minor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pinned minor RDS reports deprecated fails the plan in one line naming the key and the
    newer minors RDS offers (the mock's catalog pins 16.8 while 16.13 is still offered)."""
    from components.aws import rds

    monkeypatch.setitem(rds.ENGINE_VERSIONS, "16", "16.8")
    outcome = _plan("dev")
    assert outcome.exit_code == 2, outcome.errors
    assert outcome.errors == [
        "Pulumi.dev.yaml: platform:postgres.version: RDS reports PostgreSQL 16.8 as deprecated "
        "(rds.get_engine_version; newer minors offered: 16.13); update the minor in "
        "policies/rules/facts/catalog/postgres.toml [rds]"
    ]


# --- RDS: rds.get_orderable_db_instance -------------------------------------------------------


def test_rds_is_asked_whether_the_class_is_orderable(shipped_plans: dict[str, Outcome]) -> None:
    from components.aws.rds import ENGINE_VERSIONS
    from components.aws.rds_orderable import class_orderable_or_raise, preferred_classes

    (instance,) = resources_of(plan_of(shipped_plans, "prod"), "aws:rds/instance:Instance")
    assert instance["inputs"]["instanceClass"] == "db.r6g.xlarge"
    answer = aws_mocks.INVOKES["aws:rds/getOrderableDbInstance:getOrderableDbInstance"]
    minor = ENGINE_VERSIONS["16"]
    asked = {"engineVersion": minor, "preferredInstanceClasses": preferred_classes("db.t2.medium")}
    # cfn-lint's RDS data: db.t2 is sold in eu-west-1 but runs no PostgreSQL 16
    assert answer(SimpleNamespace(args=asked), _CONTEXT)["instanceClass"] == "db.t4g.medium"
    with pytest.raises(ValueError, match="no RDS Orderable DB Instance"):
        answer(SimpleNamespace(args={"engineVersion": minor, "instanceClass": "db.t2.medium"}),
               _CONTEXT)  # fmt: skip
    assert class_orderable_or_raise("db.m6g.large", minor, "db.m6g.large", "eu-west-1")
    with pytest.raises(CloudCheckError, match=r"^Pulumi\.\S+: platform:postgres.instanceSize: "):
        class_orderable_or_raise("db.t2.medium", minor, "db.t4g.medium", "eu-west-1")


def test_the_plan_fails_on_a_class_rds_cannot_order() -> None:
    """A planted class RDS sells in the region but not with the pinned minor: one line naming
    the key and the class RDS offers instead."""
    from components.aws.rds import ENGINE_VERSIONS

    outcome = _plan("dev", postgres='{"instanceSize": "db.t2.medium"}')
    assert outcome.exit_code == 2, outcome.errors
    assert outcome.errors == [
        "Pulumi.dev.yaml: platform:postgres.instanceSize: RDS cannot order db.t2.medium with "
        f"PostgreSQL {ENGINE_VERSIONS['16']} on gp3 in eu-west-1 (rds.get_orderable_db_instance;"
        " it offers db.t4g.medium); pick an orderable class"
    ]


# --- Cloud SQL: sql.get_tiers -----------------------------------------------------------------


def test_cloud_sql_is_asked_for_its_tiers(shipped_plans: dict[str, Outcome]) -> None:
    from components.gcp.cloudsql_tiers import tier_offered_or_raise

    (primary, *_) = resources_of(
        plan_of(shipped_plans, "prod-gcp"), "gcp:sql/databaseInstance:DatabaseInstance"
    )
    assert primary["inputs"]["settings"]["tier"] == "db-custom-4-15360"
    answer = gcp_mocks.INVOKES["gcp:sql/getTiers:getTiers"]
    tiers = answer(SimpleNamespace(args={"project": "p"}), _CONTEXT)["tiers"]
    assert {t["tier"] for t in tiers} == {"db-f1-micro", "db-g1-small"}
    assert tier_offered_or_raise("db-f1-micro", "europe-west1", ["db-f1-micro"])
    assert tier_offered_or_raise("db-custom-2-7680", "europe-west1", [])
    for tier, why in (("db-custom-3-7680", "3 vCPUs"), ("db-custom-2-30000", "30000 MiB")):
        with pytest.raises(CloudCheckError, match=f"platform:postgres.instanceSize: .*{why}"):
            tier_offered_or_raise(tier, "europe-west1", ["db-f1-micro"])


def test_the_plan_fails_on_a_tier_cloud_sql_does_not_offer() -> None:
    """A planted custom tier of the right shape outside Cloud SQL's rule (an odd vCPU count)
    passes config and fails at the cloud check, in one line naming the key."""
    outcome = _plan("dev-gcp", postgres='{"instanceSize": "db-custom-3-7680"}')
    assert outcome.exit_code == 2, outcome.errors
    assert outcome.errors == [
        "Pulumi.dev-gcp.yaml: platform:postgres.instanceSize: Cloud SQL does not offer tier "
        "db-custom-3-7680 in europe-west1 (sql.get_tiers; db-custom-3-7680: 3 vCPUs (1 or an "
        "even number up to 96); listed there: db-f1-micro, db-g1-small, or "
        "db-custom-<vCPUs>-<MiB> within the custom rule); pick an offered tier"
    ]


# --- Azure: no invoke to ask (the weekly workflow asks instead) --------------------------------


def test_azure_native_still_has_no_invoke_that_answers_without_a_resource() -> None:
    """docs/config.md says why Azure is not asked at preview: pulumi-azure-native has no
    function listing AKS Kubernetes versions, Flexible Server capabilities or Azure Managed
    Redis SKUs for a location. When a provider upgrade adds one, this fails: wire it in like
    ``cloudsql_tiers`` (invoke under the engine, mock from the catalog) and update the doc."""
    import pulumi_azure_native as azure

    package = Path(azure.__file__).parent
    for module, words in (
        ("containerservice", ("kubernetes_version", "orchestrator")),
        ("dbforpostgresql", ("capabilit",)),
        ("redisenterprise", ("sku",)),
    ):
        invokes = [p.stem for p in (package / module).glob("*.py")
                   if p.stem.startswith(("get_", "list_"))]  # fmt: skip
        assert invokes, module  # the layout this reads is still the SDK's
        found = [n for n in invokes if any(w in n for w in words)]
        if module == "redisenterprise":
            # needs an existing cluster (cluster_name, resource_group_name): not a location's list
            assert found == ["list_redis_enterprise_skus_for_scaling"], found
        else:
            assert found == [], (module, found)
