"""Issue 27 item 3: what waits for a grant waits for the grant to work, not for its principal.

Read from the recorded registrations (``Outcome.records``): every URN a resource waits for,
explicit ``depends_on`` and the resources behind its inputs (``all_dependencies``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.plan.cli import Outcome
from infra.plan.monitor import RecordedResource

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _records(plans: dict[str, Outcome], stack: str) -> list[RecordedResource]:
    records = plans[stack].records
    assert records, plans[stack].errors
    return records


def _of_type(records: list[RecordedResource], type_: str) -> list[RecordedResource]:
    return [r for r in records if r.type == type_]


def _mentions(record: RecordedResource, text: str) -> bool:
    return text in json.dumps(record.inputs, default=str)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_aws_irsa_users_wait_for_the_roles_policy(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = _records(shipped_plans, stack)
    policies = {r.urn for r in _of_type(records, ROLE_POLICY)}
    # a ServiceAccount (or the operator's template for one) that names an IRSA role
    users = [r for r in records if r.type.startswith("kubernetes:")
             and _mentions(r, "eks.amazonaws.com/role-arn")]  # fmt: skip
    assert users
    for user in users:
        assert policies & set(user.all_dependencies), user.urn


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_aws_flow_log_waits_for_its_roles_policy(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = _records(shipped_plans, stack)
    [flow_log] = _of_type(records, "aws:ec2/flowLog:FlowLog")
    policies = {r.urn for r in _of_type(records, ROLE_POLICY) if "flow-logs" in r.name}
    assert len(policies) == 1
    assert policies <= set(flow_log.all_dependencies)


def _one(records: list[RecordedResource], type_: str, suffix: str) -> RecordedResource:
    [found] = [r for r in _of_type(records, type_) if r.name.endswith(suffix)]
    return found


@pytest.mark.parametrize("stack", ["dev-gcp", "prod-gcp"])
def test_gke_service_agent_exists_before_its_key_grant(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = _records(shipped_plans, stack)
    agent = _one(records, "gcp:projects/serviceIdentity:ServiceIdentity", "gke-agent")
    assert agent.inputs["service"] == "container.googleapis.com"
    grant = _one(records, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "secrets-gke-agent")
    assert agent.urn in grant.all_dependencies
    # the member is the agent's, as the API reports it (not a name built from the number)
    assert grant.inputs["member"] == agent.outputs["member"]


@pytest.mark.parametrize("stack", ["dev-gcp", "prod-gcp"])
def test_gke_node_pool_waits_for_its_accounts_roles(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = _records(shipped_plans, stack)
    [pool] = _of_type(records, "gcp:container/nodePool:NodePool")
    account = _one(records, "gcp:serviceaccount/account:Account", "-gke-nodes")
    email: Any = account.outputs["email"]
    grants = [r for r in _of_type(records, "gcp:projects/iAMMember:IAMMember")
              if r.inputs["member"] == f"serviceAccount:{email}"]  # fmt: skip
    assert len(grants) == 2
    assert {g.urn for g in grants} <= set(pool.all_dependencies)
