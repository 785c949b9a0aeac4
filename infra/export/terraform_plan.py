"""Writes the AWS and GCP resources of a plan as a Terraform JSON plan (``terraform show -json``).

Every resource is a ``create``: ``planned_values`` holds the known values, ``resource_changes``
marks computed ones in ``after_unknown`` and secrets in ``after_sensitive`` (their values stay
redacted), and ``configuration`` carries the references between resources so scanners' graph
checks see which security group a database uses and which key encrypts what. References are
recovered from the plan's recorded dependencies: a value equal to a dependency's id, ARN or name
came from it (see ``infra.export.outputs``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from infra.export.outputs import outputs_of, referable_values
from infra.export.sdk import Field, SchemaError, args_class, fields
from infra.export.terraform_types import (
    BETA_PROVIDER,
    BETA_TYPES,
    PROVIDERS,
    RENAMES,
    TERRAFORM_TYPES,
)
from infra.plan.mocks import PlanMocks
from infra.plan.values import REDACTED, UNKNOWN_SHOWN

FORMAT_VERSION = "1.2"
# The Terraform release whose plan format this follows (1.x keeps format 1.2 compatible).
TERRAFORM_VERSION = "1.9.8"
_POLICY_DOCUMENT = "PolicyDocumentArgs"


class UnmappedTypeError(SchemaError):
    """A resource type has no Terraform equivalent in ``TERRAFORM_TYPES``."""


def is_bridged(resource: dict[str, Any]) -> bool:
    """Whether ``resource`` is a custom resource of a Terraform-bridged provider."""
    return resource["custom"] and resource["type"].split(":")[0] in PROVIDERS


def terraform_type(pulumi_type: str) -> str:
    """The Terraform resource type of a Pulumi type token; raises for an unmapped one."""
    try:
        return TERRAFORM_TYPES[pulumi_type]
    except KeyError:
        raise UnmappedTypeError(
            f"{pulumi_type} has no Terraform type in infra/export/terraform_types.py"
        ) from None


@dataclass
class _Converted:
    """One object's values and the parallel masks Terraform keeps beside them."""

    values: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, Any] = field(default_factory=dict)
    sensitive: dict[str, Any] = field(default_factory=dict)
    expressions: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Resource:
    """A bridged resource with its Terraform address."""

    entry: dict[str, Any]
    type: str
    name: str

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


class TerraformPlan:
    """Builds the plan document of one stack's bridged resources."""

    def __init__(self, resources: list[dict[str, Any]], mocks: PlanMocks) -> None:
        self._mocks = mocks
        self._resources = self._addresses([r for r in resources if is_bridged(r)])
        self._by_urn = {r.entry["urn"]: r for r in self._resources}
        self._referable: dict[str, dict[str, str]] = {}

    def document(self) -> dict[str, Any]:
        """The JSON plan: planned values, resource changes and configuration."""
        planned, changes, configuration = [], [], []
        for resource in self._resources:
            converted = self._convert(resource)
            planned.append(self._planned(resource, converted))
            changes.append(self._change(resource, converted))
            configuration.append(self._configuration(resource, converted))
        return {
            "format_version": FORMAT_VERSION,
            "terraform_version": TERRAFORM_VERSION,
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes,
            "configuration": {
                "provider_config": self._providers(),
                "root_module": {"resources": configuration},
            },
        }

    @property
    def resource_count(self) -> int:
        return len(self._resources)

    # -- addresses ------------------------------------------------------------------------

    @staticmethod
    def _addresses(resources: list[dict[str, Any]]) -> list[_Resource]:
        """Terraform addresses: the Pulumi name made an identifier, unique per type."""
        taken: set[str] = set()
        found = []
        for entry in resources:
            tf_type = terraform_type(entry["type"])
            base = re.sub(r"[^A-Za-z0-9_]", "_", entry["name"])
            base = base if base[:1].isalpha() else f"r_{base}"
            name, counter = base, 1
            while f"{tf_type}.{name}" in taken:
                counter += 1
                name = f"{base}_{counter}"
            taken.add(f"{tf_type}.{name}")
            found.append(_Resource(entry, tf_type, name))
        return found

    # -- values ---------------------------------------------------------------------------

    def _convert(self, resource: _Resource) -> _Converted:
        references = self._references_for(resource)
        pulumi_type = resource.entry["type"]
        return self._object(
            resource.entry["inputs"],
            args_class(pulumi_type),
            _Context(pulumi_type, RENAMES.get(pulumi_type, {}), references),
            "",
        )

    def _object(self, obj: dict[str, Any], cls: type, ctx: _Context, path: str) -> _Converted:
        known = fields(cls)
        out = _Converted()
        for key, value in obj.items():
            spec = known.get(key)
            if spec is None:
                raise SchemaError(f"{ctx.pulumi_type}: input {path}{key} is not in {cls.__name__}")
            name = ctx.renames.get(f"{path}{key}", spec.python_name)
            self._attribute(out, name, value, spec, ctx, f"{path}{key}.")
        return out

    def _attribute(
        self, out: _Converted, name: str, value: Any, spec: Field, ctx: _Context, path: str
    ) -> None:
        if value == UNKNOWN_SHOWN:
            out.unknown[name] = True
            return
        if spec.block is not None and spec.block.__name__ == _POLICY_DOCUMENT:
            # IAM policies are JSON strings in Terraform; the SDK also takes them as objects.
            value = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        elif spec.block is not None and isinstance(value, (dict, list)):
            items = value if isinstance(value, list) else [value]
            parts = [self._object(item, spec.block, ctx, path) for item in items]
            out.values[name] = [p.values for p in parts]
            out.unknown[name] = [p.unknown for p in parts]
            out.sensitive[name] = [p.sensitive for p in parts]
            if any(p.expressions for p in parts):
                out.expressions[name] = [p.expressions for p in parts]
            return
        out.values[name] = value
        secret = _secret_mask(value)
        if secret:
            out.sensitive[name] = secret
        refs = ctx.references_in(value, name)
        if refs:
            out.expressions[name] = {"references": refs}

    # -- references -----------------------------------------------------------------------

    def _references_for(self, resource: _Resource) -> dict[str, list[tuple[str, str]]]:
        """Values the resource got from its dependencies: (address, attribute) candidates."""
        found: dict[str, list[tuple[str, str]]] = {}
        for urn in resource.entry["dependencies"]:
            dependency = self._by_urn.get(urn)
            if dependency is None:
                continue
            for value, output in self._referable_of(dependency).items():
                attribute = re.sub(r"(?<!^)(?=[A-Z])", "_", output).lower()
                found.setdefault(value, []).append((dependency.address, attribute))
        return found

    def _referable_of(self, resource: _Resource) -> dict[str, str]:
        urn = resource.entry["urn"]
        if urn not in self._referable:
            self._referable[urn] = referable_values(outputs_of(resource.entry, self._mocks))
        return self._referable[urn]

    # -- document parts -------------------------------------------------------------------

    @staticmethod
    def _provider(resource: _Resource) -> str:
        if TERRAFORM_TYPES.get(resource.entry["type"]) in BETA_TYPES:
            return BETA_PROVIDER
        return PROVIDERS[resource.entry["type"].split(":")[0]]

    @staticmethod
    def _identity(resource: _Resource) -> dict[str, Any]:
        """The keys that name a resource in every section of the plan."""
        return {
            "address": resource.address,
            "mode": "managed",
            "type": resource.type,
            "name": resource.name,
        }

    def _planned(self, resource: _Resource, converted: _Converted) -> dict[str, Any]:
        return {
            **self._identity(resource),
            "provider_name": self._provider(resource),
            "schema_version": 0,
            "values": converted.values,
            "sensitive_values": converted.sensitive,
        }

    def _change(self, resource: _Resource, converted: _Converted) -> dict[str, Any]:
        # The id (and every other output) is computed by the provider on create.
        unknown = {"id": True, **converted.unknown}
        return {
            **self._identity(resource),
            "provider_name": self._provider(resource),
            "change": {
                "actions": ["create"],
                "before": None,
                "after": converted.values,
                "after_unknown": unknown,
                "before_sensitive": False,
                "after_sensitive": converted.sensitive,
            },
        }

    def _configuration(self, resource: _Resource, converted: _Converted) -> dict[str, Any]:
        return {
            **self._identity(resource),
            "provider_config_key": resource.entry["type"].split(":")[0],
            "expressions": converted.expressions,
            "schema_version": 0,
            "depends_on": sorted(
                {
                    self._by_urn[u].address
                    for u in resource.entry["dependencies"]
                    if u in self._by_urn
                }
            ),
        }

    def _providers(self) -> dict[str, Any]:
        used = sorted({r.entry["type"].split(":")[0] for r in self._resources})
        return {
            package: {"name": PROVIDERS[package].rsplit("/", 1)[1], "full_name": PROVIDERS[package]}
            for package in used
        }


@dataclass(frozen=True)
class _Context:
    """What converting one resource's inputs needs besides the values."""

    pulumi_type: str
    renames: dict[str, str]
    references: dict[str, list[tuple[str, str]]]

    def references_in(self, value: Any, attribute: str) -> list[str]:
        """References for a string (or list of strings) that came from a dependency."""
        items = value if isinstance(value, list) else [value]
        found: list[str] = []
        for item in items:
            if not isinstance(item, str) or item not in self.references:
                continue
            address, output = _likeliest(self.references[item], attribute)
            for ref in (f"{address}.{output}", address):
                if ref not in found:
                    found.append(ref)
        return found


def _likeliest(candidates: list[tuple[str, str]], attribute: str) -> tuple[str, str]:
    """The candidate whose type best matches the attribute's name.

    Two dependencies can share a physical name (an RDS subnet group and parameter group both
    named after the database); ``db_subnet_group_name`` came from the ``aws_db_subnet_group``.
    """
    words = set(attribute.split("_"))

    def score(candidate: tuple[str, str]) -> int:
        return len(words & set(candidate[0].split(".")[0].split("_")[1:]))

    return max(candidates, key=score)


def _secret_mask(value: Any) -> Any:
    """Terraform's sensitivity mask of a value: ``True`` for a redacted secret."""
    if value == REDACTED:
        return True
    if isinstance(value, dict):
        mask = {k: m for k, v in value.items() if (m := _secret_mask(v))}
        return mask or None
    return None
