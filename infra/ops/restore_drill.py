"""``python -m infra restore-drill``: restore prod Postgres to a point in time, and time it.

The drill reads the stack's RDS instance (``platform-<stack>-postgres``, as ``stacks/aws.py``
names it) and region (``aws:region``) from ``Pulumi.<stack>.yaml``, restores it with
``RestoreDBInstanceToPointInTime`` into ``<id>-drill-<UTC timestamp>`` in the source's subnet
group, security groups and parameter group (TLS forced), waits for it with progress, checks that
it answers (status ``available`` and an endpoint), reports the elapsed time against the 4 h RTO
and how far the restore point lies behind now against the 1 h RPO, then deletes the scratch
instance without a final snapshot unless ``--keep``.

The source is only ever described, never modified. A SQL probe needs a Postgres driver and the
master password; psycopg is not a dependency here, so the check stops at the endpoint (said in
the output).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from infra.ops.common import OpsError, error_code

RTO = timedelta(hours=4)
RPO = timedelta(hours=1)
# RDS identifiers: 1-63 letters, digits, hyphens; first a letter; no "--", no trailing hyphen.
MAX_IDENTIFIER = 63


@dataclass(frozen=True)
class DrillTarget:
    """Which instance to restore, where."""

    stack: str
    region: str
    instance: str


@dataclass
class DrillReport:
    """What the drill measured."""

    source: str
    scratch: str
    restore_time: datetime | None = None
    elapsed: timedelta = timedelta(0)
    endpoint: str = ""
    answered: bool = False
    deleted: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def within_rto(self) -> bool:
        return self.elapsed <= RTO


def scratch_identifier(source: str, now: datetime) -> str:
    """``<source>-drill-<YYYYmmddHHMMSS>``, the source part cut to fit 63 characters."""
    suffix = f"-drill-{now.strftime('%Y%m%d%H%M%S')}"
    return source[: MAX_IDENTIFIER - len(suffix)].rstrip("-") + suffix


def parse_time(value: str) -> datetime:
    """``--to-time``: ISO 8601 with a zone (``2026-11-24T01:00:00Z``)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OpsError(
            f"--to-time {value!r}: not an ISO 8601 time (e.g. 2026-11-24T01:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        raise OpsError(f"--to-time {value!r}: give a zone (Z or +01:00); RDS restores in UTC")
    return parsed.astimezone(UTC)


class RestoreDrill:
    """One drill against one source; ``rds`` is a boto3 RDS client."""

    def __init__(
        self,
        rds: Any,
        target: DrillTarget,
        *,
        progress: Callable[[str], None],
        poll_seconds: float = 30.0,
        max_wait: timedelta = RTO,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._rds = rds
        self._target = target
        self._progress = progress
        self._poll = poll_seconds
        self._max_wait = max_wait
        self._clock = clock

    def run(self, to_time: datetime | None, keep: bool) -> DrillReport:
        source = self._describe_source()
        report = DrillReport(
            source=self._target.instance,
            scratch=scratch_identifier(self._target.instance, self._clock()),
        )
        report.restore_time = self._restore_point(source, to_time)
        started = self._clock()
        self._restore(source, report, to_time)
        try:
            self._wait(report.scratch, "db_instance_available")
            report.elapsed = self._clock() - started
            self._check(report)
        finally:
            if keep:
                report.notes.append(f"kept {report.scratch}: delete it when done (it is billed)")
            else:
                self._delete(report)
        return report

    def _describe_source(self) -> dict[str, Any]:
        target = self._target
        try:
            found = self._rds.describe_db_instances(DBInstanceIdentifier=target.instance)
        except ClientError as exc:
            if error_code(exc) == "DBInstanceNotFound":
                raise OpsError(
                    f"stack {target.stack}: no RDS instance {target.instance!r} in {target.region} "
                    "(not deployed yet, or another name: pass --instance)"
                ) from None
            raise
        return found["DBInstances"][0]

    def _restore_point(self, source: dict[str, Any], to_time: datetime | None) -> datetime | None:
        latest = source.get("LatestRestorableTime")
        if to_time is not None and latest is not None and to_time > latest:
            raise OpsError(
                f"--to-time {to_time.isoformat()}: later than the latest restorable time "
                f"{latest.isoformat()} of {self._target.instance}"
            )
        return to_time or latest

    def _restore(
        self, source: dict[str, Any], report: DrillReport, to_time: datetime | None
    ) -> None:
        args: dict[str, Any] = {
            "SourceDBInstanceIdentifier": self._target.instance,
            "TargetDBInstanceIdentifier": report.scratch,
            "DBInstanceClass": source["DBInstanceClass"],
            # Single-AZ: the drill measures restore + replay, not the standby's creation.
            "MultiAZ": False,
            "PubliclyAccessible": False,
            "DeletionProtection": False,
            "VpcSecurityGroupIds": [
                g["VpcSecurityGroupId"] for g in source.get("VpcSecurityGroups", [])
            ],
            "Tags": [
                {"Key": "purpose", "Value": "restore-drill"},
                {"Key": "source", "Value": self._target.instance},
            ],
        }
        subnet_group = source.get("DBSubnetGroup", {}).get("DBSubnetGroupName")
        if subnet_group:
            args["DBSubnetGroupName"] = subnet_group
        parameter_groups = source.get("DBParameterGroups") or []
        if parameter_groups:
            # The source's group forces TLS; the default group would not.
            args["DBParameterGroupName"] = parameter_groups[0]["DBParameterGroupName"]
        if to_time is None:
            args["UseLatestRestorableTime"] = True
        else:
            args["RestoreTime"] = to_time
        self._progress(f"restoring {self._target.instance} into {report.scratch}")
        self._rds.restore_db_instance_to_point_in_time(**args)

    def _wait(self, instance: str, waiter_name: str) -> None:
        """Poll with the boto3 waiter one attempt at a time, reporting the status in between.

        The waiter's acceptors still decide: a terminal state (``failed``,
        ``incompatible-restore``...) ends the wait at once with the waiter's reason.
        """
        waiter = self._rds.get_waiter(waiter_name)
        deadline = self._clock() + self._max_wait
        while True:
            try:
                waiter.wait(
                    DBInstanceIdentifier=instance,
                    WaiterConfig={"Delay": self._poll, "MaxAttempts": 1},
                )
                return
            except WaiterError as exc:
                if not str(exc.kwargs.get("reason", "")).startswith("Max attempts exceeded"):
                    raise OpsError(f"{instance}: {exc}") from None
                status = _status_of(exc.last_response)
            if self._clock() >= deadline:
                raise OpsError(f"{instance}: still {status} after {self._max_wait}; gave up")
            self._progress(f"{instance}: {status}")
            time.sleep(self._poll)

    def _check(self, report: DrillReport) -> None:
        instance = self._rds.describe_db_instances(DBInstanceIdentifier=report.scratch)[
            "DBInstances"
        ][0]
        endpoint = instance.get("Endpoint") or {}
        report.endpoint = f"{endpoint.get('Address', '')}:{endpoint.get('Port', '')}"
        report.answered = instance.get("DBInstanceStatus") == "available" and bool(
            endpoint.get("Address")
        )
        if importlib.util.find_spec("psycopg") is None:
            report.notes.append(
                "SQL probe skipped: psycopg is not installed; checked status and endpoint only"
            )

    def _delete(self, report: DrillReport) -> None:
        self._progress(f"deleting {report.scratch} (no final snapshot)")
        self._unprotect(report.scratch)
        try:
            self._rds.delete_db_instance(
                DBInstanceIdentifier=report.scratch,
                SkipFinalSnapshot=True,
                DeleteAutomatedBackups=True,
            )
        except ClientError as exc:
            if error_code(exc) != "DBInstanceNotFound":
                raise
        self._wait(report.scratch, "db_instance_deleted")
        report.deleted = True

    def _unprotect(self, scratch: str) -> None:
        """Clear deletion protection on the scratch instance only, if it came with it.

        The restore asks for none (RDS's default), but an emulator or a future default may copy
        the source's flag; the source itself is never modified.
        """
        instance = self._rds.describe_db_instances(DBInstanceIdentifier=scratch)["DBInstances"][0]
        if instance.get("DeletionProtection"):
            self._rds.modify_db_instance(
                DBInstanceIdentifier=scratch, DeletionProtection=False, ApplyImmediately=True
            )


def _status_of(response: dict[str, Any] | None) -> str:
    instances = (response or {}).get("DBInstances") or []
    return str(instances[0].get("DBInstanceStatus", "unknown")) if instances else "not listed yet"
