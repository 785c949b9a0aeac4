"""Runs the CrossGuard policy pack over an offline plan the way ``pulumi preview`` runs it.

There is one path for the rules, online and offline. The analyzer side is ``pulumi_policy``'s
own servicer, the object ``PolicyPack`` serves over gRPC when the CLI starts the pack; this
module plays the engine's side of that conversation, step by step as the CLI does it
(``sdk/go/common/resource/plugin/analyzer_plugin.go`` and ``pkg/resource/analyzer/config.go``
in pulumi/pulumi):

1. ``GetAnalyzerInfo``: each policy's default level and config schema;
2. the ``--policy-pack-config`` file (``policies/config/<env>.json``) reconciled with them:
   schema defaults, then ``all``, then each policy's entry; the result validated against
   the schemas (an invalid file stops the plan, as it stops ``pulumi preview``);
3. ``ConfigureStack`` and ``Configure``;
4. ``Analyze`` once per resource: its inputs as a protobuf ``Struct`` (unknowns and secrets
   kept, internal ``__`` keys dropped), its options and its provider;
5. ``AnalyzeStack`` once: every resource's outputs, options, provider, parent, dependencies
   and property dependencies (the requests of 4 and 5: ``analyze_requests.py``).

So rules see exactly what the CLI hands them: read-only ``Mapping``/``Sequence`` proxies that
raise on unknown values, and every number as a float. ``tests/test_policy_pack_cli.py`` starts
the pack as a subprocess the way the CLI does and checks it answers these same requests with
the same diagnostics.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import EnforcementLevel, Policy

from infra.plan.analyze_requests import analyze_requests, analyze_stack_request
from infra.plan.monitor import RecordedResource

LEVELS = {
    proto.ADVISORY: "advisory",
    proto.MANDATORY: "mandatory",
    proto.REMEDIATE: "remediate",
    proto.DISABLED: "disabled",
}
LEVEL_CODES = {name: code for code, name in LEVELS.items()}
PACK_VERSION = "0.0.1"  # what PolicyPack reports; the CLI prefers PulumiPolicy.yaml's


class PolicyConfigError(Exception):
    """The pack's config file is not what the policies accept (the CLI refuses it too)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class Analyzer(Protocol):
    """The analyzer's gRPC methods as the engine calls them (a stub, or the servicer itself)."""

    def GetAnalyzerInfo(self, request: empty_pb2.Empty) -> proto.AnalyzerInfo: ...
    def ConfigureStack(
        self, request: proto.AnalyzerStackConfigureRequest
    ) -> proto.AnalyzerStackConfigureResponse: ...
    def Configure(self, request: proto.ConfigureAnalyzerRequest) -> empty_pb2.Empty: ...
    def Analyze(self, request: proto.AnalyzeRequest) -> proto.AnalyzeResponse: ...
    def AnalyzeStack(self, request: proto.AnalyzeStackRequest) -> proto.AnalyzeResponse: ...


class InProcessAnalyzer:
    """``pulumi_policy``'s servicer, called directly instead of through a gRPC channel.

    It is the very object ``PolicyPack(...)`` serves (``_PolicyAnalyzerServicer``); ``PolicyPack``
    itself cannot be built in process, as its constructor starts a server and blocks.
    """

    def __init__(self, policies: list[Policy], name: str | None = None) -> None:
        from pulumi_policy.policy import (
            _PolicyAnalyzerServicer,  # pyright: ignore[reportPrivateUsage] -- the pack's own analyzer, the one object both paths share
        )

        if name is None:
            from policies.rules import PACK_NAME

            name = PACK_NAME
        self._servicer = _PolicyAnalyzerServicer(
            name, PACK_VERSION, policies, EnforcementLevel.ADVISORY
        )

    def GetAnalyzerInfo(self, request: empty_pb2.Empty) -> proto.AnalyzerInfo:
        return self._servicer.GetAnalyzerInfo(request, None)

    def ConfigureStack(
        self, request: proto.AnalyzerStackConfigureRequest
    ) -> proto.AnalyzerStackConfigureResponse:
        return self._servicer.ConfigureStack(request, None)

    def Configure(self, request: proto.ConfigureAnalyzerRequest) -> empty_pb2.Empty:
        return self._servicer.Configure(request, None)

    def Analyze(self, request: proto.AnalyzeRequest) -> proto.AnalyzeResponse:
        with decoded_once():
            return self._servicer.Analyze(request, None)

    def AnalyzeStack(self, request: proto.AnalyzeStackRequest) -> proto.AnalyzeResponse:
        with decoded_once():
            return self._servicer.AnalyzeStack(request, None)


class _DecodeOnce:
    """What ``pulumi_policy``'s servicer does to a request's properties, done once per message.

    For every policy, the servicer turns the same ``Struct`` (the resource's properties, and its
    provider's) into a dict (``json_format.MessageToDict``), decodes secrets and assets
    (``deserialize_properties``) and wraps the result in read-only proxies that raise on unknown
    values (``unknown_checking_proxy``): with ~45 policies per plan, ~90 times per resource, over
    a third of a plan's CPU. All three are pure functions of their argument, and what they
    return is only read (the proxies are read-only; ``deserialize_properties`` builds new
    objects), so within one ``Analyze`` call each is computed once per argument object and the
    same result is handed to every policy. The servicer, its policies and its responses are
    untouched; ``tests/test_policy_pack_cli.py`` compares them with the pack run as the CLI runs
    it. The cache holds its arguments (identity keys cannot be reused) and is emptied after
    each call.
    """

    def __init__(self) -> None:
        self._results: dict[tuple[str, int, tuple[Any, ...]], tuple[Any, Any]] = {}

    def memo(self, name: str, function: Any) -> Any:
        def once(argument: Any, *rest: Any) -> Any:
            key = (name, id(argument), rest)
            hit = self._results.get(key)
            if hit is None:
                hit = (argument, function(argument, *rest))
                self._results[key] = hit
            return hit[1]

        return once

    def clear(self) -> None:
        self._results.clear()


class _JsonFormat:
    """``google.protobuf.json_format`` as ``pulumi_policy.policy`` sees it, ``MessageToDict``
    computed once per message (every other name is the module's own)."""

    def __init__(self, module: Any, cache: _DecodeOnce) -> None:
        self._module = module
        self.MessageToDict = cache.memo("dict", module.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


@contextmanager
def decoded_once() -> Iterator[None]:
    """Within the block, ``pulumi_policy``'s servicer decodes each message's properties once."""
    import pulumi_policy.policy as servicer_module

    names = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    saved = {name: getattr(servicer_module, name) for name in names}
    cache = _DecodeOnce()
    setattr(servicer_module, names[0], _JsonFormat(saved[names[0]], cache))
    for name in names[1:]:
        setattr(servicer_module, name, cache.memo(name, saved[name]))
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(servicer_module, name, value)
        cache.clear()


# --- the pack's config, reconciled as the CLI does -------------------------------------------


@dataclass(frozen=True)
class PolicySetting:
    """One policy's reconciled config: its level and its properties."""

    level: str
    properties: dict[str, Any]


def load_policy_config(project_root: Path, environment: str) -> dict[str, Any]:
    """``policies/config/<environment>.json`` (empty when absent)."""
    path = project_root / "policies" / "config" / f"{environment}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _given(entry: Any, key: str) -> tuple[str | None, dict[str, Any]]:
    """A config file entry as (level, properties): a level string, or an object."""
    if isinstance(entry, str):
        if entry not in LEVEL_CODES:
            raise PolicyConfigError([f"{key}: {entry!r} is not a valid enforcement level"])
        return entry, {}
    if isinstance(entry, dict):
        properties = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        level = entry.get("enforcementLevel")
        if level is not None and level not in LEVEL_CODES:
            raise PolicyConfigError([f"{key}: {level!r} is not a valid enforcement level"])
        return level, properties
    raise PolicyConfigError([f"{key}: {entry!r} is not a valid value; must be a string or object"])


def reconcile(info: proto.AnalyzerInfo, file_config: Mapping[str, Any]) -> dict[str, PolicySetting]:
    """``ReconcilePolicyPackConfig``: schema defaults, then ``all``, then each policy's entry."""
    result: dict[str, PolicySetting] = {}
    schemas: dict[str, dict[str, Any]] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties)
        schemas[policy.name] = {"schema": schema, "required": list(policy.configSchema.required)}
        defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
        result[policy.name] = PolicySetting(LEVELS[policy.enforcementLevel], defaults)
    given = {key: _given(entry, key) for key, entry in file_config.items()}
    everything = given.get("all", (None, {}))[0]
    if everything is not None:
        result = {k: PolicySetting(everything, v.properties) for k, v in result.items()}
    for key, (level, properties) in given.items():
        current = result.get(key, PolicySetting("", {}))
        result[key] = PolicySetting(level or current.level, {**current.properties, **properties})
    _validate(result, schemas)
    return result


def _validate(settings: Mapping[str, PolicySetting], schemas: Mapping[str, Any]) -> None:
    """Each policy's properties against its config schema (the CLI uses gojsonschema)."""
    from jsonschema import Draft7Validator

    problems: list[str] = []
    for name, schema in schemas.items():
        if not schema["schema"]:
            continue
        document = {"type": "object", "properties": schema["schema"]}
        if schema["required"]:
            document["required"] = schema["required"]
        properties = settings[name].properties
        for error in Draft7Validator(document).iter_errors(properties):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{name}: {where}: {error.message}")
    if problems:
        raise PolicyConfigError(problems)


def configure_request(settings: Mapping[str, PolicySetting]) -> proto.ConfigureAnalyzerRequest:
    """What ``Configure`` receives: every policy's level and properties."""
    request = proto.ConfigureAnalyzerRequest()
    for name, setting in settings.items():
        if setting.level not in LEVEL_CODES:
            continue
        config = request.policyConfig[name]
        config.enforcementLevel = LEVEL_CODES[setting.level]  # pyright: ignore[reportAttributeAccessIssue] -- protobuf enum field takes its int value
        config.properties.update(setting.properties)
    return request


# --- the conversation --------------------------------------------------------------------------


def violation(diagnostic: proto.AnalyzeDiagnostic) -> dict[str, str]:
    """A diagnostic as the plan reports it: the rule's own message, without the description
    ``pulumi_policy`` puts in front of it."""
    message = diagnostic.message
    if message.startswith(diagnostic.description + "\n"):
        message = message[len(diagnostic.description) + 1 :]
    return {
        "policy": diagnostic.policyName,
        "level": LEVELS[diagnostic.enforcementLevel],
        "urn": diagnostic.urn,
        "message": message,
    }


def run_pack(
    analyzer: Analyzer,
    records: list[RecordedResource],
    file_config: Mapping[str, Any],
    stack_tags: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """Every diagnostic ``analyzer`` reports on ``records``: the CLI's sequence of calls."""
    settings = reconcile(analyzer.GetAnalyzerInfo(empty_pb2.Empty()), file_config)
    analyzer.ConfigureStack(proto.AnalyzerStackConfigureRequest(tags=dict(stack_tags or {})))
    analyzer.Configure(configure_request(settings))
    found: list[dict[str, str]] = []
    for request in analyze_requests(records):
        for diagnostic in analyzer.Analyze(request).diagnostics:
            # The engine files a resource diagnostic without a URN under the analyzed resource.
            found.append({**violation(diagnostic), "urn": diagnostic.urn or request.urn})
    found += [
        violation(d) for d in analyzer.AnalyzeStack(analyze_stack_request(records)).diagnostics
    ]
    return found


def stack_tags(project: str) -> dict[str, str]:
    """The tags the CLI sends every pack for a stack of this project."""
    return {"pulumi:project": project, "pulumi:runtime": "python"}


# Rules that never count a documentation range as a way into a cluster, unless told to: the
# offline plan tells them so for a sample stack (``platform:example: true``), which the engine
# refuses to deploy (infra/config/loader.py); ``pulumi preview --policy-pack`` never does.
SAMPLE_TOLERANT = (
    "deploy-aws-eks-reachable",
    "deploy-azure-aks-reachable",
)


def plan_policy_config(project_root: Path, environment: str, sample: bool) -> dict[str, Any]:
    """The ``--policy-pack-config`` the offline plan runs a stack with."""
    config = load_policy_config(project_root, environment)
    if not sample:
        return config
    for name in SAMPLE_TOLERANT:
        entry = config.get(name)
        if entry is None:
            entry = {}
        elif isinstance(entry, str):
            entry = {"enforcementLevel": entry}
        config[name] = {**entry, "acceptDocumentationRanges": True}
    return config


def evaluate(
    records: list[RecordedResource],
    stack: str,
    environment: str,
    project_root: Path,
    policies: list[Policy] | None = None,
    *,
    sample: bool = False,
) -> list[dict[str, str]]:
    """Every violation of the pack in this plan: policy, level, urn and message.

    Runs every rule that can match: those of the clouds whose resource types the plan has,
    plus the Kubernetes and stack-wide ones (``policies.rules.policies_for``); or ``policies``.
    """
    from policies.rules import policies_for

    if policies is None:
        policies = policies_for({record.type.split(":", 1)[0] for record in records})
    file_config = plan_policy_config(project_root, environment, sample)
    project = records[0].urn.split("::")[1] if records else stack
    return run_pack(InProcessAnalyzer(policies), records, file_config, stack_tags(project))


# --- one policy's reconciled settings (docs and tests) -----------------------------------------


def settings_of(
    policies: Iterable[Policy], file_config: Mapping[str, Any]
) -> dict[str, PolicySetting]:
    """Each policy's level and properties under ``file_config``, as the CLI reconciles them."""
    return reconcile(
        InProcessAnalyzer(list(policies)).GetAnalyzerInfo(empty_pb2.Empty()), file_config
    )


def enforcement_level(policy: Policy, file_config: Mapping[str, Any]) -> EnforcementLevel:
    """The level ``policy`` runs at under ``file_config``."""
    return EnforcementLevel(settings_of([policy], file_config)[policy.name].level)


def policy_config(policy: Policy, file_config: Mapping[str, Any]) -> dict[str, Any]:
    """``policy``'s properties under ``file_config``: schema defaults overlaid with its entry."""
    return settings_of([policy], file_config)[policy.name].properties
