"""Wait until the AKS API server lets the deployer in: Azure RBAC grants propagate, not appear.

A role assignment exists in ARM as soon as its create returns, but AKS's authorization webhook
sees it minutes later ("Role assignments can take up to five minutes to propagate",
https://learn.microsoft.com/azure/aks/manage-azure-rbac). The Kubernetes provider's first call
in between gets ``Forbidden``. ``AksAccessWait`` is a dynamic resource whose create asks the API
server, with the deployer's own kubeconfig, whether it may create namespaces (a
``SelfSubjectAccessReview``, which every authenticated user may post) until the answer is yes,
polling for up to ``timeout_seconds``. The Kubernetes provider depends on it.

It runs where ``pulumi up`` runs, with the same kubeconfig the provider uses: ``kubelogin`` on
the PATH (docs/azure.md) and a way to the API server. Nothing is created in Azure or the
cluster; delete is a no-op. Its diff looks at the grants and the cluster only, so a second
``up`` with the same deployers changes nothing.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

import pulumi
import pulumi.dynamic
import yaml

REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
# What the Kubernetes layer does first: create namespaces (cluster-scoped, admin only).
PROBE = {"verb": "create", "resource": "namespaces"}
DEFAULT_TIMEOUT_SECONDS = 900  # three times Azure's documented five minutes
POLL_SECONDS = 15
# The inputs whose change means new grants to wait for.
WATCHED = ("cluster", "grants")


def _exec_token(user: dict[str, Any]) -> str:
    """The bearer token of a kubeconfig ``exec`` user (kubelogin's ExecCredential)."""
    spec = user["exec"]
    env = {**os.environ, **{e["name"]: e["value"] for e in spec.get("env") or []}}
    result = subprocess.run(
        [spec["command"], *spec.get("args", [])],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return str(json.loads(result.stdout)["status"]["token"])


def access_allowed(kubeconfig: str) -> bool:
    """Whether the kubeconfig's user may create namespaces, as the API server answers now."""
    document = yaml.safe_load(kubeconfig)
    cluster = document["clusters"][0]["cluster"]
    token = _exec_token(document["users"][0]["user"])
    context = ssl.create_default_context(
        cadata=base64.b64decode(cluster["certificate-authority-data"]).decode()
    )
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": PROBE},
    }
    request = urllib.request.Request(
        cluster["server"] + REVIEW_PATH,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return bool(json.load(response).get("status", {}).get("allowed"))


def wait_until(
    allowed: Callable[[], bool],
    timeout_seconds: float,
    poll_seconds: float = POLL_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll ``allowed`` until it says yes; the number of polls. Errors count as "not yet"
    (the webhook may refuse the token itself while the grant propagates)."""
    deadline = clock() + timeout_seconds
    polls = 0
    last_error = ""
    while True:
        polls += 1
        try:
            if allowed():
                return polls
            last_error = "the API server still denies it"
        except (OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        if clock() + poll_seconds > deadline:
            raise TimeoutError(
                f"the deployer may not {PROBE['verb']} {PROBE['resource']} after "
                f"{timeout_seconds:.0f} s of waiting for its AKS RBAC role assignment to "
                f"propagate ({last_error}); check cluster.deployerPrincipals (docs/azure.md)"
            )
        sleep(poll_seconds)


class _AccessWaitProvider(pulumi.dynamic.ResourceProvider):
    """Create waits; nothing to update, read or delete."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        wait_until(lambda: access_allowed(props["kubeconfig"]), float(props["timeoutSeconds"]))
        return pulumi.dynamic.CreateResult(id_=f"aks-access-{props['cluster']}", outs=props)

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        changed = [key for key in WATCHED if olds.get(key) != news.get(key)]
        return pulumi.dynamic.DiffResult(changes=bool(changed), replaces=changed)


class AksAccessWait(pulumi.dynamic.Resource):
    """Exists once the API server allows the kubeconfig's user cluster-admin work."""

    def __init__(
        self,
        name: str,
        *,
        kubeconfig: pulumi.Input[str],
        cluster: pulumi.Input[str],
        grants: Sequence[pulumi.Input[str]],
        timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _AccessWaitProvider(),
            name,
            {
                "kubeconfig": pulumi.Output.secret(kubeconfig),
                "cluster": cluster,
                "grants": list(grants),
                "timeoutSeconds": timeout_seconds,
            },
            opts,
        )
