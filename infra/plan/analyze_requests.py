"""The plan's resources as the engine marshals them for the policy pack.

Step 4 and 5 of ``infra/plan/policy.py``'s conversation: one ``Analyze`` request per resource
(its inputs as a protobuf ``Struct``, unknowns and secrets kept, internal ``__`` keys dropped,
its options and its explicit provider) and the ``AnalyzeStack`` request (every resource's
outputs, options, provider, parent, dependencies and property dependencies), built from the
mock monitor's records as ``pulumi preview`` builds them from its own. Split from
``policy.py`` so each module stays small.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto

from infra.plan.monitor import RecordedResource
from infra.plan.values import marshalled


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties as ``MarshalProperties(..., SkipInternalKeys: true)`` sends them."""
    struct = struct_pb2.Struct()
    struct.update({k: marshalled(v) for k, v in values.items() if not k.startswith("__")})
    return struct


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def seconds(duration: str) -> float:
    """A Go duration (``"1h30m"``, ``"10m"``) in seconds, as the engine converts timeouts."""
    return sum(float(n) * _SECONDS[unit] for n, unit in _DURATION.findall(duration))


def _options(record: RecordedResource) -> proto.AnalyzerResourceOptions:
    timeouts = record.custom_timeouts
    return proto.AnalyzerResourceOptions(
        protect=record.protect,
        ignoreChanges=record.ignore_changes,
        deleteBeforeReplace=bool(record.delete_before_replace),
        deleteBeforeReplaceDefined=record.delete_before_replace is not None,
        additionalSecretOutputs=record.additional_secret_outputs,
        aliases=record.aliases,
        customTimeouts=proto.AnalyzerResourceOptions.CustomTimeouts(
            create=seconds(timeouts.get("create", "")),
            update=seconds(timeouts.get("update", "")),
            delete=seconds(timeouts.get("delete", "")),
        ),
        parent=record.parent,
    )


def _provider(
    record: RecordedResource, by_urn: Mapping[str, RecordedResource]
) -> proto.AnalyzerProviderResource | None:
    """The resource's explicit provider (the engine's default providers are not recorded)."""
    provider = by_urn.get(record.provider)
    if provider is None:
        return None
    return proto.AnalyzerProviderResource(
        urn=provider.urn,
        type=provider.type,
        name=provider.name,
        properties=_struct(provider.inputs),
    )


def analyze_requests(records: list[RecordedResource]) -> list[proto.AnalyzeRequest]:
    """One ``Analyze`` request per resource, in registration order, with its inputs."""
    by_urn = {record.urn: record for record in records}
    return [
        proto.AnalyzeRequest(
            type=record.type,
            properties=_struct(record.inputs),
            urn=record.urn,
            name=record.name,
            options=_options(record),
            provider=_provider(record, by_urn),
        )
        for record in records
    ]


def analyze_stack_request(records: list[RecordedResource]) -> proto.AnalyzeStackRequest:
    """The ``AnalyzeStack`` request: every resource with its outputs and its links."""
    by_urn = {record.urn: record for record in records}
    return proto.AnalyzeStackRequest(
        resources=[
            proto.AnalyzerResource(
                type=record.type,
                properties=_struct(record.outputs or record.inputs),
                urn=record.urn,
                name=record.name,
                options=_options(record),
                provider=_provider(record, by_urn),
                parent=record.parent,
                dependencies=record.dependencies,
                propertyDependencies={
                    key: proto.AnalyzerPropertyDependencies(urns=urns)
                    for key, urns in record.property_dependencies.items()
                    if urns
                },
            )
            for record in records
        ]
    )
