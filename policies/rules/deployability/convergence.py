"""Rules that keep a second ``pulumi up`` from changing anything (issue 27), on every cloud.

``deploy-cloud-managed-fields``: a resource that sets a field its cloud changes after create
(``policies/rules/facts/cloud_managed.py``: disks that auto-grow, versions on an auto-upgrade
channel, pool sizes under an autoscaler) with the enabling setting on must list that field in
``ignore_changes``; otherwise the next ``up`` tries to shrink the disk or downgrade the cluster
back to the program's value.

``deploy-readiness``: see ``check_readiness``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
)

from ..base import deployable, dig, is_unknown, resource_rule, sequence
from ..facts.cloud_managed import CLOUD_MANAGED_FIELDS, CloudManagedField

Path = tuple[str | int, ...]
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]|\[\"([^\"]+)\"\]")
WILDCARD = "*"


def parse_path(path: str) -> tuple[str, ...]:
    """``"a.b[0].c"`` -> ``("a", "b", "0", "c")``; ``[*]`` stays ``"*"``."""
    return tuple(
        next(g for g in match.groups() if g is not None) for match in _TOKEN.finditer(path)
    )


def _concrete(props: Any, pattern: tuple[str, ...], done: Path = ()) -> Iterator[Path]:
    """Every path in ``props`` matching ``pattern`` (``*`` walks each array element)."""
    if not pattern:
        yield done
        return
    head, rest = pattern[0], pattern[1:]
    if head == WILDCARD:
        items = sequence(props)
        for index in range(len(items) if items is not None else 0):
            yield from _concrete(dig(items, index), rest, (*done, index))
        return
    found = dig(props, head)
    if found is not None:
        yield from _concrete(found, rest, (*done, head))


def _shown(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _covers(ignored: tuple[str, ...], path: Path) -> bool:
    """An ``ignore_changes`` entry covers ``path`` when it is the path or a parent of it."""
    if len(ignored) > len(path):
        return False
    return all(i == WILDCARD or i == str(p) for i, p in zip(ignored, path, strict=False))


def _setting_on(props: Mapping[str, Any], row: CloudManagedField, path: Path) -> bool | None:
    if row.setting is None:
        return True
    # the setting's [*] takes the same element as the field's
    indices = iter(step for step in path if isinstance(step, int))
    steps = [next(indices, 0) if s == WILDCARD else s for s in parse_path(row.setting)]
    value = dig(props, *steps)
    if is_unknown(value):
        return None
    if not row.enabled:
        return value is not None
    return value in row.enabled


def unmanaged_fields(
    type_: str, props: Mapping[str, Any], ignore_changes: Sequence[str]
) -> list[tuple[str, CloudManagedField]]:
    """The cloud-managed fields ``props`` sets, with their setting on, that are not ignored."""
    ignored = [parse_path(entry) for entry in ignore_changes]
    found = []
    for row in CLOUD_MANAGED_FIELDS:
        if row.type != type_:
            continue
        for path in _concrete(props, parse_path(row.field)):
            if _setting_on(props, row, path) and not any(_covers(i, path) for i in ignored):
                found.append((_shown(path), row))
    return found


def check_cloud_managed_fields(args: ResourceValidationArgs, report: ReportViolation) -> None:
    ignore_changes = list(args.opts.ignore_changes or [])
    for path, row in unmanaged_fields(args.resource_type, args.props, ignore_changes):
        setting = f" while {row.setting} is on" if row.setting else ""
        report(
            f"{path} is changed by the cloud after create{setting} ({row.why}); the next "
            f"`pulumi up` would set it back. Add {path!r} to ignore_changes (source: "
            f"{row.source})",
            None,
        )


POLICIES: list[Policy] = [
    deployable(
        resource_rule(
            "deploy-cloud-managed-fields",
            "A field the cloud changes after create (auto-grown disks, auto-upgraded versions, "
            "autoscaled pool sizes) that the program also sets makes every later `pulumi up` "
            "fight the cloud: shrink a disk, downgrade a cluster, resize a pool.",
            "List the field in the resource's ignore_changes (the table is "
            "policies/rules/facts/cloud_managed.py).",
            Severity.HIGH,
            check_cloud_managed_fields,
            types=sorted({row.type for row in CLOUD_MANAGED_FIELDS}),
        )
    ),
]
