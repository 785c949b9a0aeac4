"""``python -m infra backend bootstrap`` and ``restore-drill`` against moto (no real cloud)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.__main__ import main
from infra.ops.backend_cli_steps import azure_steps, gcp_steps
from infra.ops.restore_drill import scratch_identifier

REGION = "eu-west-1"
BUCKET = "acme-pulumi-state"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def _bootstrap(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(
        ["backend", "bootstrap", "--cloud", "aws", "--region", REGION, "--name", BUCKET, *extra]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _instruction_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("pulumi ")]


# backend bootstrap -----------------------------------------------------------------------------


def test_bootstrap_creates_a_private_versioned_kms_encrypted_tls_only_bucket(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _bootstrap(capsys)
    assert code == 0, err
    s3, kms = boto3.client("s3", region_name=REGION), boto3.client("kms", region_name=REGION)

    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    state_key = kms.describe_key(KeyId=f"alias/{BUCKET}-state")["KeyMetadata"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": state_key["Arn"],
    }
    assert rule["BucketKeyEnabled"] is True

    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    [deny] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*"
    assert f"arn:aws:s3:::{BUCKET}/*" in deny["Resource"]

    for alias in (f"alias/{BUCKET}-state", f"alias/{BUCKET}-secrets"):
        key = kms.describe_key(KeyId=alias)["KeyMetadata"]
        assert key["KeyManager"] == "CUSTOMER" and key["KeyState"] == "Enabled"
        assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    assert _instruction_lines(out)[0] == f"pulumi login 's3://{BUCKET}?region={REGION}'"
    assert f'--secrets-provider "awskms://alias/{BUCKET}-secrets?region={REGION}"' in out


def test_bootstrap_twice_changes_nothing_and_says_so(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _, first, _ = _bootstrap(capsys)
    kms = boto3.client("kms", region_name=REGION)
    keys_before = kms.list_keys()["Keys"]
    code, second, err = _bootstrap(capsys)
    assert code == 0, err
    assert "no changes" in second and "no changes" not in first
    assert not [line for line in second.splitlines() if line.startswith("+")]
    assert _instruction_lines(second) == _instruction_lines(first)
    assert kms.list_keys()["Keys"] == keys_before


def test_bootstrap_repairs_a_setting_someone_turned_off_and_keeps_foreign_statements(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _bootstrap(capsys)
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    audit = {
        "Sid": "AuditRead",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    policy["Statement"] = [audit]  # the TLS deny was removed by hand
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))

    code, out, _ = _bootstrap(capsys)
    assert code == 0
    assert "+ versioning: enabled" in out and "+ bucket policy: denies non-TLS" in out
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    sids = [
        s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    ]
    assert sids == ["AuditRead", "DenyInsecureTransport"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--name", "Bad_Name"], "--name 'Bad_Name': an S3 bucket name"),
        (["--name", "has.dots.in"], "no dots"),
        (["--region", "eu-nowhere-9"], "--region 'eu-nowhere-9': not an AWS region"),
    ],
)
def test_bootstrap_bad_input_is_one_line_and_exit_2(
    aws: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    args = {"--region": REGION, "--name": BUCKET}
    args.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    flat = [item for pair in args.items() for item in pair]
    code = main(["backend", "bootstrap", "--cloud", "aws", *flat])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bootstrap_refuses_a_bucket_in_another_region(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
    code, _, err = _bootstrap(capsys)
    assert code == 2
    assert f"bucket {BUCKET} exists in us-east-1, not {REGION}" in err


def test_gcp_and_azure_print_the_documented_steps_and_create_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["backend", "bootstrap", "--cloud", "gcp", "--region", "europe-west1",
         "--name", "acme-state", "--project", "acme-prod"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "nothing was created" in out
    assert "pulumi login gs://acme-state" in out
    steps = gcp_steps("acme-prod", "europe-west1", "acme-state")
    bucket = next(s for s in steps if s.startswith("gcloud storage buckets create"))
    for flag in ("--uniform-bucket-level-access", "--public-access-prevention",
                 "--default-encryption-key=projects/acme-prod/locations/europe-west1/"):  # fmt: skip
        assert flag in bucket
    assert any("--versioning" in s for s in steps)
    assert all(
        "--rotation-period=90d --next-rotation-time=" in s for s in steps if "keys create" in s
    )

    steps = azure_steps(None, "westeurope", "acmestate")
    account = next(s for s in steps if s.startswith("az storage account create"))
    for flag in ("--https-only true", "--min-tls-version TLS1_2",
                 "--allow-blob-public-access false", "--allow-shared-key-access false"):  # fmt: skip
        assert flag in account
    assert any("--enable-versioning true" in s for s in steps)
    assert "pulumi login 'azblob://pulumi-state?storage_account=acmestate'" in steps


def test_gcp_without_project_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["backend", "bootstrap", "--cloud", "gcp", "--region", "europe-west1", "--name", "x-state"]
    )
    assert code == 2
    assert "--cloud gcp needs --project" in capsys.readouterr().err


# restore-drill -----------------------------------------------------------------------------------

STACK = "drill"
SOURCE = f"platform-{STACK}-postgres"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: platform\nruntime: python\n", encoding="utf-8")
    (tmp_path / f"Pulumi.{STACK}.yaml").write_text(
        f"config:\n  aws:region: {REGION}\n  platform:cloud: aws\n", encoding="utf-8"
    )
    (tmp_path / "Pulumi.gcpstack.yaml").write_text(
        "config:\n  gcp:region: europe-west1\n  platform:cloud: gcp\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _source_instance() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_subnet_group(
        DBSubnetGroupName=SOURCE, DBSubnetGroupDescription="private", SubnetIds=subnets
    )
    rds.create_db_parameter_group(
        DBParameterGroupName=SOURCE, DBParameterGroupFamily="postgres16", Description="tls only"
    )
    return rds.create_db_instance(
        DBInstanceIdentifier=SOURCE,
        Engine="postgres",
        DBInstanceClass="db.m6g.large",
        AllocatedStorage=100,
        MasterUsername="platform",
        MasterUserPassword="not-a-real-password-1",
        DBSubnetGroupName=SOURCE,
        VpcSecurityGroupIds=[group],
        DBParameterGroupName=SOURCE,
        BackupRetentionPeriod=14,
        StorageEncrypted=True,
        DeletionProtection=True,
    )["DBInstance"]


def _instances() -> dict[str, dict[str, Any]]:
    rds = boto3.client("rds", region_name=REGION)
    return {i["DBInstanceIdentifier"]: i for i in rds.describe_db_instances()["DBInstances"]}


def _drill(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["restore-drill", "--stack", STACK, "--poll-seconds", "0", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


READ_ONLY = ("Describe", "List")


def _rds_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Record every mutating RDS call the drill makes (moto still runs them)."""
    from botocore.client import BaseClient

    calls: list[tuple[str, dict[str, Any]]] = []
    original = BaseClient._make_api_call  # pyright: ignore[reportPrivateUsage] - test spy

    def spy(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "rds" and not operation.startswith(READ_ONLY):
            calls.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return calls


def _restore_call(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    [params] = [p for op, p in calls if op == "RestoreDBInstanceToPointInTime"]
    return params


def test_drill_restores_into_a_scratch_instance_then_deletes_it_and_leaves_the_source(
    aws: None, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source_instance()
    before = _instances()[SOURCE]
    calls = _rds_calls(monkeypatch)

    code, out, err = _drill(capsys, "--json", str(project / "drill.json"))
    assert code == 0, err
    call = _restore_call(calls)
    assert call["SourceDBInstanceIdentifier"] == SOURCE
    assert call["TargetDBInstanceIdentifier"].startswith(f"{SOURCE}-drill-")
    assert call["UseLatestRestorableTime"] is True and "RestoreTime" not in call
    assert call["DBSubnetGroupName"] == source["DBSubnetGroup"]["DBSubnetGroupName"]
    assert call["VpcSecurityGroupIds"] == [
        g["VpcSecurityGroupId"] for g in source["VpcSecurityGroups"]
    ]
    assert call["DBParameterGroupName"] == SOURCE
    assert call["PubliclyAccessible"] is False
    assert call["DeletionProtection"] is False
    # Nothing but the restore names the source; every other write targets the scratch instance.
    for operation, params in calls:
        if operation != "RestoreDBInstanceToPointInTime":
            assert params["DBInstanceIdentifier"] == call["TargetDBInstanceIdentifier"], operation
    assert ("DeleteDBInstance", {
        "DBInstanceIdentifier": call["TargetDBInstanceIdentifier"],
        "SkipFinalSnapshot": True,
        "DeleteAutomatedBackups": True,
    }) in calls  # fmt: skip

    after = _instances()
    assert list(after) == [SOURCE]  # scratch deleted
    # Source untouched (its latest restorable time moves on by itself).
    moving = "LatestRestorableTime"
    assert {k: v for k, v in after[SOURCE].items() if k != moving} == {
        k: v for k, v in before.items() if k != moving
    }
    report = json.loads((project / "drill.json").read_text(encoding="utf-8"))
    assert report["answered"] and report["deleted"] and report["withinRto"]
    assert report["scratch"] == call["TargetDBInstanceIdentifier"]
    assert "within the RTO of 4h00m00s" in out
    assert "SQL probe skipped: psycopg is not installed" in out


def test_drill_keep_leaves_the_scratch_instance_and_honours_to_time(
    aws: None, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _source_instance()
    calls = _rds_calls(monkeypatch)
    to_time = datetime.now(UTC) - timedelta(minutes=30)
    code, out, err = _drill(capsys, "--keep", "--to-time", to_time.isoformat())
    assert code == 0, err
    call = _restore_call(calls)
    assert not [op for op, _ in calls if op == "DeleteDBInstance"]
    assert call["RestoreTime"] == to_time and "UseLatestRestorableTime" not in call
    scratch = call["TargetDBInstanceIdentifier"]
    instances = _instances()
    assert set(instances) == {SOURCE, scratch}
    assert instances[scratch]["DBInstanceStatus"] == "available"
    assert f"kept {scratch}" in out


def test_drill_of_a_source_that_does_not_exist_is_one_line_and_exit_2(
    aws: None, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _drill(capsys)
    assert code == 2
    assert err.strip() == (
        f"error: stack {STACK}: no RDS instance '{SOURCE}' in {REGION} "
        "(not deployed yet, or another name: pass --instance)"
    )
    assert _instances() == {}


def test_drill_over_the_rto_exits_1(
    aws: None, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import infra.ops.restore_drill as drill

    _source_instance()
    monkeypatch.setattr(drill, "RTO", timedelta(0))  # any restore takes longer than that
    code, out, _ = _drill(capsys)
    assert code == 1
    assert "OVER the RTO" in out
    assert list(_instances()) == [SOURCE]  # still cleaned up


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "nope"], "Pulumi.nope.yaml: file not found"),
        (["--stack", "gcpstack"], "platform:cloud is gcp; restore-drill drives RDS"),
        (["--stack", STACK, "--to-time", "yesterday"], "--to-time 'yesterday': not an ISO 8601"),
        (["--stack", STACK, "--to-time", "2026-01-01T00:00:00"], "give a zone"),
    ],
)
def test_drill_bad_input_exit_2(
    aws: None,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code = main(["restore-drill", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_scratch_identifier_fits_rds_limits() -> None:
    now = datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)
    assert scratch_identifier("platform-prod-postgres", now) == (
        "platform-prod-postgres-drill-20261124010203"
    )
    long = scratch_identifier("a" * 40 + "-" + "b" * 30, now)
    assert len(long) <= 63 and "--" not in long and long.endswith("-drill-20261124010203")


def test_no_credentials_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _, err = _bootstrap(capsys)
    assert code == 2
    assert err.strip() == "error: no AWS credentials: set AWS_PROFILE or run `aws sso login` first"


# docs/disaster-recovery.md -----------------------------------------------------------------------


def test_dr_doc_commands_exist_and_it_does_not_claim_a_real_measurement(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (root / "docs" / "disaster-recovery.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"python -m infra ([a-z-]+(?: bootstrap)?)", text))
    assert commands == {"backend bootstrap", "restore-drill", "plan"}
    for command in commands:
        with pytest.raises(SystemExit) as exited:
            main([*command.split(), "--help"])
        assert exited.value.code == 0, command
    capsys.readouterr()
    assert "RTO | < 4 h" in text and "RPO | < 1 h" in text
    assert "only been run against moto" in text and "no real-cloud figure" in text
    for store in ("Postgres", "Kafka", "Redis", "Pulumi state"):
        assert f"\n| {store} |" in text, store
