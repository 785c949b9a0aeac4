"""Rules that keep a second ``pulumi up`` from changing anything (issue 27), on every cloud.

``deploy-cloud-managed-fields``: a resource that sets a field its cloud changes after create
(``policies/rules/facts/cloud_managed.py``: disks that auto-grow, versions on an auto-upgrade
channel, pool sizes under an autoscaler) with the enabling setting on must list that field in
``ignore_changes``; otherwise the next ``up`` tries to shrink the disk or downgrade the cluster
back to the program's value.

``deploy-readiness``: every Job or workload that uses a data service created in the same stack
(its ``platform.example.com/uses`` annotation) waits for it: the service is among its
(transitive) dependencies and the engine awaits the service's readiness (a custom resource
needs ``pulumi.com/waitFor``; the engine awaits the rest itself). Every such wait that can
outlast Pulumi's default 10 minutes (a Job whose ``activeDeadlineSeconds`` is longer, an
operator's database or broker) carries a custom timeout at least as long.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..base import deployable, dig, is_unknown, number, resource_rule, sequence, stack_rule
from ..facts.cloud_managed import CLOUD_MANAGED_FIELDS, CloudManagedField
from ..facts.readiness import (
    DATA_SERVICE_ANNOTATION,
    DATA_SERVICE_TYPES,
    DEFAULT_TIMEOUT_SECONDS,
    SKIP_AWAIT_ANNOTATION,
    SLOW_CUSTOM_RESOURCES,
    USES_ANNOTATION,
    WAIT_FOR_ANNOTATION,
)

JOB = "kubernetes:batch/v1:Job"
CONSUMERS = frozenset(
    {
        JOB,
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
    }
)

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


def _annotation(resource: PolicyResource, key: str) -> Any:
    return dig(resource.props, "metadata", "annotations", key)


def _service_kind(resource: PolicyResource) -> str | None:
    kind = DATA_SERVICE_TYPES.get(resource.resource_type)
    if dig(resource.props, "masterInstanceName") is not None:
        return None  # a DR read replica: clients never connect to it
    found = _annotation(resource, DATA_SERVICE_ANNOTATION)
    return found if isinstance(found, str) and not is_unknown(found) else kind


def _waits_on(resource: PolicyResource) -> set[str]:
    """URNs ``resource`` waits for, directly or through what it waits for."""
    seen: set[str] = set()
    pending = [resource]
    while pending:
        current = pending.pop()
        for dependency in [
            *current.dependencies,
            *(d for deps in current.property_dependencies.values() for d in deps),
        ]:
            if dependency.urn not in seen:
                seen.add(dependency.urn)
                pending.append(dependency)
    return seen


def _timeout_problem(resource: PolicyResource, needed_seconds: float, why: str) -> str | None:
    timeouts = resource.opts.custom_timeouts
    create = timeouts.create_seconds if timeouts else 0
    if create and create >= needed_seconds:
        return None
    return (
        f"{resource.name}: {why} can take {int(needed_seconds)}s, longer than Pulumi's default "
        f"{DEFAULT_TIMEOUT_SECONDS}s wait; set customTimeouts create (and update) to at least "
        "that"
    )


def readiness_problems(resources: Sequence[PolicyResource]) -> list[tuple[str, str]]:
    """(urn, message) for every consumer that does not wait for its data services, and every
    wait that can outlast the default without a custom timeout."""
    services = [(r, kind) for r in resources if (kind := _service_kind(r))]
    problems: list[tuple[str, str]] = []
    for service, _ in services:
        awaited_cr = service.resource_type in SLOW_CUSTOM_RESOURCES
        if awaited_cr:
            if not _annotation(service, WAIT_FOR_ANNOTATION) or _annotation(
                service, SKIP_AWAIT_ANNOTATION
            ) in ("true", True):
                problems.append((service.urn, f"{service.name}: no readiness condition "
                                 f"(annotation {WAIT_FOR_ANNOTATION}); clients would connect "
                                 "before the operator has it Ready"))  # fmt: skip
            elif problem := _timeout_problem(
                service, DEFAULT_TIMEOUT_SECONDS + 1, "the operator's readiness"
            ):
                problems.append((service.urn, problem))
    for consumer in resources:
        if consumer.resource_type not in CONSUMERS:
            continue
        uses = _annotation(consumer, USES_ANNOTATION)
        wanted = (
            {u.strip() for u in uses.split(",") if u.strip()} if isinstance(uses, str) else set()
        )
        waits = _waits_on(consumer)
        for service, kind in services:
            if kind in wanted and service.urn not in waits:
                problems.append((consumer.urn, f"{consumer.name} uses {kind} but does not wait "
                                 f"for {service.name}; depend on it (its contract's ready)"))  # fmt: skip
        deadline = number(dig(consumer.props, "spec", "activeDeadlineSeconds"))
        long_job = consumer.resource_type == JOB and (deadline or 0) > DEFAULT_TIMEOUT_SECONDS
        if long_job and (
            problem := _timeout_problem(consumer, deadline or 0, "the Job (activeDeadlineSeconds)")
        ):
            problems.append((consumer.urn, problem))
    return problems


def check_readiness(args: StackValidationArgs, report: ReportViolation) -> None:
    for urn, message in readiness_problems(args.resources):
        report(message, urn)


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
    deployable(
        stack_rule(
            "deploy-readiness",
            "A Job or workload that starts before its data service is Ready fails its first "
            "deploy (a migration against an initdb in progress), and a wait longer than "
            "Pulumi's default 10 minutes fails it however healthy the service becomes.",
            "Depend on the data service's contract.ready (a custom resource with "
            "pulumi.com/waitFor), and give every wait longer than 10 minutes customTimeouts.",
            Severity.HIGH,
            check_readiness,
        )
    ),
]
