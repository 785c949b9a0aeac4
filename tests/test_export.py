"""Scanner exports (infra/export): every shipped type mapped, Terraform plan shape, references,
secrets and unknowns, ARM template, and the per-environment guarantees .checkov.yaml relies on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.export import ExportError, export_plan
from infra.export.arm import ARM_TYPES, SCOPE_TYPE, api_version
from infra.export.scan import has_cloud_export
from infra.export.sdk import args_class, fields
from infra.export.terraform_types import RENAMES, TERRAFORM_TYPES
from infra.plan.cli import Outcome
from infra.plan.stackfile import read_stack_file
from tests.conftest import ROOT, plan_of, resources_of


def _export(plans: dict[str, Outcome], stack: str, directory: Path) -> Path:
    export_plan(
        plan_of(plans, stack), read_stack_file(ROOT / f"Pulumi.{stack}.yaml", ROOT), directory
    )
    return directory


@pytest.fixture(scope="module")
def exports(shipped_plans: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("exports")
    for stack in shipped_plans:
        _export(shipped_plans, stack, base / stack)
    return base


def _tf(exports: Path, stack: str) -> dict[str, Any]:
    return json.loads((exports / stack / "tfplan.json").read_text())


def _planned(document: dict[str, Any], tf_type: str) -> list[dict[str, Any]]:
    return [
        r for r in document["planned_values"]["root_module"]["resources"] if r["type"] == tf_type
    ]


def _configuration(document: dict[str, Any], address: str) -> dict[str, Any]:
    found = document["configuration"]["root_module"]["resources"]
    return next(r for r in found if r["address"] == address)


def test_every_shipped_cloud_type_is_mapped(shipped_plans: dict[str, Outcome]) -> None:
    used = {r["type"] for s in shipped_plans for r in plan_of(shipped_plans, s)["resources"]}
    bridged = {t for t in used if t.split(":")[0] in ("aws", "gcp") and not t.startswith("pulumi:")}
    azure = {t for t in used if t.startswith("azure-native:")} - {SCOPE_TYPE}
    assert bridged and azure
    assert bridged - set(TERRAFORM_TYPES) == set()
    assert azure - set(ARM_TYPES) == set()


def test_every_mapping_names_real_sdk_types_and_inputs() -> None:
    for pulumi_type, renames in RENAMES.items():
        for path in renames:
            cls = args_class(pulumi_type)
            for part in path.split("."):
                field = fields(cls)[part]  # KeyError: the rename names no SDK input
                cls = field.block or cls
    for pulumi_type in TERRAFORM_TYPES:
        assert fields(args_class(pulumi_type))
    for pulumi_type, spec in ARM_TYPES.items():
        declared = fields(args_class(pulumi_type))
        assert {spec.name_key, *spec.parent_keys} <= set(declared), pulumi_type
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", api_version(pulumi_type))


def test_an_unmapped_type_fails_the_export(
    shipped_plans: dict[str, Outcome], tmp_path: Path
) -> None:
    plan = json.loads(json.dumps(plan_of(shipped_plans, "dev")))
    vpc = resources_of(plan, "aws:ec2/vpc:Vpc")[0]
    plan["resources"].append({**vpc, "type": "aws:ec2/vpnGateway:VpnGateway", "urn": "urn:x"})
    with pytest.raises(ExportError, match=r"aws:ec2/vpnGateway:VpnGateway has no Terraform type"):
        export_plan(plan, read_stack_file(ROOT / "Pulumi.dev.yaml", ROOT), tmp_path)


def test_every_stack_exports_its_format_and_manifests(exports: Path) -> None:
    for stack_dir in sorted(exports.iterdir()):
        assert list((stack_dir / "k8s").glob("*.yaml")), stack_dir.name
        if stack_dir.name.endswith("local"):  # no cloud resources: manifests only
            assert not has_cloud_export(stack_dir), stack_dir.name
            continue
        cloud_file = "arm.json" if stack_dir.name.endswith("azure") else "tfplan.json"
        assert (stack_dir / cloud_file).is_file(), stack_dir.name


def test_database_references_its_security_group_subnet_group_and_key(exports: Path) -> None:
    document = _tf(exports, "prod")
    (db,) = _planned(document, "aws_db_instance")
    expressions = _configuration(document, db["address"])["expressions"]
    assert expressions["vpc_security_group_ids"]["references"] == [
        "aws_security_group.platform_prod_postgres_db.id",
        "aws_security_group.platform_prod_postgres_db",
    ]
    # subnet group and parameter group share a physical name: the attribute picks the type
    assert expressions["db_subnet_group_name"]["references"][1].startswith("aws_db_subnet_group.")
    assert expressions["parameter_group_name"]["references"][1].startswith(
        "aws_db_parameter_group."
    )
    assert (
        expressions["kms_key_id"]["references"][0]
        == "aws_kms_key.platform_prod_postgres_storage.arn"
    )


def test_nested_block_references_follow_the_block_shape(exports: Path) -> None:
    document = _tf(exports, "prod")
    (cluster,) = _planned(document, "aws_eks_cluster")
    expressions = _configuration(document, cluster["address"])["expressions"]
    key_refs = expressions["encryption_config"][0]["provider"][0]["key_arn"]["references"]
    assert key_refs[0] == "aws_kms_key.platform_prod_cluster_secrets.arn"


def test_blocks_are_lists_maps_stay_objects_and_renamed_blocks_use_terraform_names(
    exports: Path,
) -> None:
    document = _tf(exports, "prod")
    (cluster,) = _planned(document, "aws_eks_cluster")
    assert isinstance(cluster["values"]["vpc_config"], list)
    assert cluster["values"]["vpc_config"][0]["endpoint_public_access"] is False
    assert cluster["values"]["tags"]["environment"] == "prod"
    (group,) = _planned(document, "aws_db_parameter_group")
    assert "parameter" in group["values"] and "parameters" not in group["values"]
    firewall = _planned(_tf(exports, "prod-gcp"), "google_compute_firewall")
    assert any("deny" in f["values"] or "allow" in f["values"] for f in firewall)


def test_secrets_stay_redacted_and_marked_sensitive_ids_unknown(exports: Path) -> None:
    document = _tf(exports, "prod")
    text = json.dumps(document)
    (db,) = _planned(document, "aws_db_instance")
    assert db["values"]["password"] == "[secret]"
    assert db["sensitive_values"] == {"password": True}
    change = next(c for c in document["resource_changes"] if c["address"] == db["address"])
    assert change["change"]["actions"] == ["create"] and change["change"]["before"] is None
    assert change["change"]["after_unknown"]["id"] is True
    assert change["change"]["after_sensitive"]["password"] is True
    assert "[unknown]" not in text


def test_arm_template_uses_arm_types_sdk_api_versions_and_secure_parameters(
    exports: Path,
) -> None:
    template = json.loads((exports / "prod-azure" / "arm.json").read_text())
    assert template["$schema"].endswith("deploymentTemplate.json#")
    server = next(
        r for r in template["resources"] if r["type"] == "Microsoft.DBforPostgreSQL/flexibleServers"
    )
    assert server["apiVersion"] == api_version("azure-native:dbforpostgresql:Server")
    password = server["properties"]["administratorLoginPassword"]
    name = re.fullmatch(r"\[parameters\('(\w+)'\)\]", password)
    assert name and template["parameters"][name.group(1)]["type"] == "securestring"
    assert any("virtualNetworks/subnets" in d for d in server["dependsOn"])
    assert "resourceGroupName" not in json.dumps(template)
    configuration = next(
        r for r in template["resources"] if r["type"].endswith("flexibleServers/configurations")
    )
    assert configuration["name"].startswith(server["name"] + "/")
    nsg = next(r for r in template["resources"] if r["type"].endswith("networkSecurityGroups"))
    assert set(nsg["properties"]["securityRules"][0]) == {"name", "properties"}


# -- the per-environment guarantees the skips in .checkov.yaml rely on ------------------------


def test_prod_log_retention_is_a_year(exports: Path) -> None:
    groups = _planned(_tf(exports, "prod"), "aws_cloudwatch_log_group")
    assert groups and all(g["values"]["retention_in_days"] >= 365 for g in groups)


def test_prod_and_staging_are_highly_available(exports: Path) -> None:
    for stack in ("prod", "staging"):
        document = _tf(exports, stack)
        assert all(d["values"]["multi_az"] for d in _planned(document, "aws_db_instance"))
        groups = _planned(document, "aws_elasticache_replication_group")
        assert all(g["values"]["automatic_failover_enabled"] for g in groups)
        assert all(g["values"]["multi_az_enabled"] for g in groups)


def test_prod_databases_are_protected_and_pin_their_minor_version(exports: Path) -> None:
    (db,) = _planned(_tf(exports, "prod"), "aws_db_instance")
    assert db["values"]["deletion_protection"] is True
    # minor upgrades go through config and the version table, never drift (CKV_AWS_226 skip)
    assert db["values"]["auto_minor_version_upgrade"] is False
    assert db["values"]["engine_version"].count(".") == 1


def test_prod_clusters_are_private(exports: Path) -> None:
    (cluster,) = _planned(_tf(exports, "prod"), "aws_eks_cluster")
    assert cluster["values"]["vpc_config"][0]["endpoint_public_access"] is False


def test_equal_settings_are_not_references(exports: Path) -> None:
    document = _tf(exports, "prod-gcp")
    # the primary (prod also has its cross-region read replica, which references it)
    (sql,) = [
        r
        for r in _planned(document, "google_sql_database_instance")
        if not r["values"].get("master_instance_name")
    ]
    expressions = _configuration(document, sql["address"])["expressions"]
    # REGIONAL and the project id equal the network's settings by chance, not by reference
    assert set(expressions) == {"settings"}
    assert set(expressions["settings"][0]) == {"ip_configuration"}
    network_ref = expressions["settings"][0]["ip_configuration"][0]["private_network"]
    assert network_ref["references"][1].startswith("google_compute_network.")
