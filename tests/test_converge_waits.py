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


# --- Azure: the Kubernetes provider waits until the API server admits the deployer ----------

ACCESS_WAIT = "pulumi-python:dynamic:Resource"


@pytest.mark.parametrize("stack", ["dev-azure", "prod-azure"])
def test_aks_provider_waits_for_the_deployers_grant_to_propagate(
    shipped_plans: dict[str, Outcome], stack: str
) -> None:
    records = _records(shipped_plans, stack)
    wait = _one(records, ACCESS_WAIT, "-aks-access")
    grants = [r for r in _of_type(records, "azure-native:authorization:RoleAssignment")
              if "-aks-deployer-" in r.name]  # fmt: skip
    assert grants and {g.urn for g in grants} <= set(wait.all_dependencies)
    [provider] = [r for r in _of_type(records, "pulumi:providers:kubernetes")
                  if r.name.endswith("-aks-k8s")]  # fmt: skip
    assert wait.urn in provider.all_dependencies


def test_the_wait_polls_until_allowed_and_counts_errors_as_not_yet() -> None:
    from components.azure.access_wait import wait_until

    answers = iter([OSError("connection refused"), False, True])
    now = [0.0]

    def allowed() -> bool:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    polls = wait_until(allowed, 60, poll_seconds=10, clock=lambda: now[0],
                       sleep=lambda s: now.__setitem__(0, now[0] + s))  # fmt: skip
    assert (polls, now[0]) == (3, 20.0)


def test_the_wait_gives_up_with_a_clear_message() -> None:
    from components.azure.access_wait import wait_until

    now = [0.0]
    with pytest.raises(TimeoutError, match=r"after 30 s .* still denies it.*deployerPrincipals"):
        wait_until(lambda: False, 30, poll_seconds=10, clock=lambda: now[0],
                   sleep=lambda s: now.__setitem__(0, now[0] + s))  # fmt: skip
    assert now[0] == 30.0  # the last poll at the deadline, then no more sleeping


def test_the_wait_asks_the_api_server_with_the_kubeconfigs_own_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import base64
    import io
    import subprocess
    from types import SimpleNamespace

    from components.azure import access_wait

    kubeconfig = json.dumps({
        "clusters": [{"cluster": {"server": "https://aks.example:443",
                                  "certificate-authority-data": base64.b64encode(b"CA").decode()}}],
        "users": [{"user": {"exec": {"command": "kubelogin", "args": ["get-token", "--login", "azurecli"],
                                     "env": [{"name": "EXTRA", "value": "1"}]}}}],
    })  # fmt: skip
    seen: dict[str, Any] = {}

    def run(argv: list[str], **kwargs: Any) -> Any:
        seen["argv"], seen["extra"] = argv, kwargs["env"]["EXTRA"]
        return SimpleNamespace(stdout=json.dumps({"status": {"token": "t0ken"}}))

    def urlopen(request: Any, **kwargs: Any) -> Any:
        seen["url"], seen["auth"] = request.full_url, request.headers["Authorization"]
        seen["body"] = json.loads(request.data)
        return io.BytesIO(json.dumps({"status": {"allowed": True}}).encode())

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(access_wait.ssl, "create_default_context", lambda cadata: cadata)
    monkeypatch.setattr(access_wait.urllib.request, "urlopen", urlopen)
    assert access_wait.access_allowed(kubeconfig) is True
    assert seen["argv"] == ["kubelogin", "get-token", "--login", "azurecli"]
    assert seen["extra"] == "1"
    assert (
        seen["url"]
        == "https://aks.example:443/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    )
    assert seen["auth"] == "Bearer t0ken"
    assert seen["body"]["spec"]["resourceAttributes"] == {
        "verb": "create",
        "resource": "namespaces",
    }


def test_a_second_up_with_the_same_grants_changes_nothing() -> None:
    from components.azure.access_wait import _AccessWaitProvider

    olds = {"cluster": "c", "grants": ["g1"], "kubeconfig": "k", "__provider": "old"}
    provider = _AccessWaitProvider()
    same = provider.diff("id", olds, {**olds, "__provider": "new code", "kubeconfig": "k2"})
    assert not same.changes
    regrant = provider.diff("id", olds, {**olds, "grants": ["g2"]})
    assert regrant.changes and regrant.replaces == ["grants"]
