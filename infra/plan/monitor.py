"""A mock resource monitor that records what the engine would: options, parents, providers.

``MockResourceArgs`` carries no resource options, so this monitor reads them off
each register request and keeps the inputs exactly as serialized (secret markers included).
It also applies ``additionalSecretOutputs`` the way the engine does, so a provider-declared
secret (a generated password) stays secret in the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import get_project, get_stack

from infra.plan.values import SECRET_SIG, SIG_KEY, struct_to_dict

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class RecordedResource:
    """One registered resource as the plan reports it (inputs still carry markers)."""

    urn: str
    type: str
    name: str
    parent: str
    provider: str
    custom: bool
    protect: bool
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    # What the engine keeps of the other options (the policy pack receives them too).
    outputs: dict[str, Any] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool | None = None
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    additional_secret_outputs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    # The old URNs of aliases that name another parent (a resource moved into or out of a
    # component), resolved as the engine resolves alias specs.
    parent_aliases: list[str] = field(default_factory=list)

    @property
    def all_dependencies(self) -> list[str]:
        """Every URN this resource waits for: explicit ``depends_on`` and property dependencies."""
        urns = set(self.dependencies)
        for deps in self.property_dependencies.values():
            urns.update(deps)
        return sorted(urns)


class RecordingMonitor(MockMonitor):
    """``MockMonitor`` plus a record of every registration, in order."""

    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine builds them: the whole parent type chain, minus the root Stack."""
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([get_stack(), get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            return response
        # RegisterResource runs on the SDK's thread pool: keep this call's own record (another
        # registration may append between here and the outputs below).
        record = RecordedResource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            provider=request.provider.rsplit("::", 1)[0] if request.provider else "",
            custom=bool(request.custom),
            protect=bool(request.protect),
            inputs=struct_to_dict(request.object),
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={
                key: sorted(set(deps.urns)) for key, deps in request.propertyDependencies.items()
            },
            ignore_changes=list(request.ignoreChanges),
            replace_on_changes=list(request.replaceOnChanges),
            delete_before_replace=(
                bool(request.deleteBeforeReplace) if request.deleteBeforeReplaceDefined else None
            ),
            custom_timeouts=_timeouts(request),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            aliases=list(request.aliasURNs),
            parent_aliases=self._parent_aliases(request),
        )
        self.recorded.append(record)
        secret_outputs = list(request.additionalSecretOutputs)
        if secret_outputs:
            response = self._with_secret_outputs(response, secret_outputs)
        record.outputs = struct_to_dict(response.object)
        return response

    def _parent_aliases(self, request: Any) -> list[str]:
        """The URNs a re-parenting alias spec stands for (name, type, stack and project
        default to the resource's own, as in the engine)."""
        urns = []
        for alias in request.aliases:
            if alias.WhichOneof("alias") != "spec":
                continue
            spec = alias.spec
            # an empty parentUrn is the SDK's "the current parent": no move
            if not spec.noParent and spec.parentUrn in ("", request.parent):
                continue
            type_ = spec.type or request.type
            if spec.parentUrn and spec.parentUrn.split("::")[2] != STACK_TYPE:
                type_ = f"{spec.parentUrn.split('::')[2]}${type_}"
            stack, project = spec.stack or get_stack(), spec.project or get_project()
            urns.append(f"urn:pulumi:{stack}::{project}::{type_}::{spec.name or request.name}")
        return urns

    @staticmethod
    def _with_secret_outputs(response: Any, keys: list[str]) -> Any:
        for key in keys:
            if key in response.object.fields:
                value = response.object.fields[key]
                if value.HasField("struct_value") and value.struct_value.fields.get(SIG_KEY):
                    continue
                wrapped = struct_pb2.Struct()
                wrapped.update({SIG_KEY: SECRET_SIG})
                wrapped.fields["value"].CopyFrom(value)
                response.object.fields[key].struct_value.CopyFrom(wrapped)
        return response


def _timeouts(request: Any) -> dict[str, str]:
    """The custom timeouts a resource asked for (``{"create": "30m"}``), empty when none."""
    if not request.HasField("customTimeouts"):
        return {}
    timeouts = request.customTimeouts
    return {
        kind: value for kind in ("create", "update", "delete") if (value := getattr(timeouts, kind))
    }
