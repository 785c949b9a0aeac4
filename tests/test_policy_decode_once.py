"""The plan's analyzer decodes each request once and hands every policy the same result.

``infra.plan.policy.decoded_once`` caches, within one ``Analyze``/``AnalyzeStack`` call, what
``pulumi_policy``'s servicer computes from a request's properties for each policy. These tests
hold it to "same verdicts as the servicer left alone", on a real plan with violations, and to
leaving the library as it found it.
"""

from __future__ import annotations

from typing import Any

import pulumi_policy.policy as servicer_module
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import EnforcementLevel

from infra.plan.cli import Outcome
from infra.plan.policy import InProcessAnalyzer, decoded_once, plan_policy_config, run_pack
from policies.rules import policies_for
from tests.conftest import ROOT


class UncachedAnalyzer:
    """The servicer called as it is served: nothing cached between its policies."""

    def __init__(self) -> None:
        self._servicer = servicer_module._PolicyAnalyzerServicer(  # pyright: ignore[reportPrivateUsage] -- the pack's own analyzer
            "platform", "0.0.1", policies_for(), EnforcementLevel.ADVISORY
        )

    def GetAnalyzerInfo(self, request: empty_pb2.Empty) -> proto.AnalyzerInfo:
        return self._servicer.GetAnalyzerInfo(request, None)

    def ConfigureStack(self, request: Any) -> Any:
        return self._servicer.ConfigureStack(request, None)

    def Configure(self, request: Any) -> Any:
        return self._servicer.Configure(request, None)

    def Analyze(self, request: proto.AnalyzeRequest) -> proto.AnalyzeResponse:
        return self._servicer.Analyze(request, None)

    def AnalyzeStack(self, request: proto.AnalyzeStackRequest) -> proto.AnalyzeResponse:
        return self._servicer.AnalyzeStack(request, None)


def test_cached_and_uncached_analyzers_give_the_same_verdicts(
    shipped_plans: dict[str, Outcome],
) -> None:
    outcome = shipped_plans["staging-azure"]
    assert outcome.records, outcome.errors
    config = plan_policy_config(ROOT, outcome.environment, outcome.sample)
    # every rule at mandatory, so advisory-only findings count too
    config = {**config, "all": "mandatory"}
    cached = run_pack(InProcessAnalyzer(policies_for()), outcome.records, config)
    uncached = run_pack(UncachedAnalyzer(), outcome.records, config)
    assert cached == uncached
    assert cached, "expected some findings to compare"


def test_each_message_is_decoded_once_and_the_library_is_restored() -> None:
    original = servicer_module.json_format
    calls: list[int] = []

    def counting(message: Any) -> dict[str, Any]:
        calls.append(id(message))
        return json_format.MessageToDict(message)

    struct = json_format.ParseDict({"a": 1}, proto.AnalyzeRequest().properties)
    servicer_module.json_format = type("J", (), {"MessageToDict": staticmethod(counting)})  # type: ignore[assignment]
    try:
        with decoded_once():
            for _ in range(5):
                assert servicer_module.json_format.MessageToDict(struct) == {"a": 1.0}
    finally:
        servicer_module.json_format = original
    assert len(calls) == 1
    assert servicer_module.json_format is original
