"""Rewrite the AKS ``exec`` kubeconfig so ``kubelogin`` never waits for a device code.

``listClusterUserCredential(format=exec)`` returns a kubeconfig whose ``kubelogin get-token``
uses ``--login devicecode``: it blocks in CI and ignores ``az login``. This is the same
transformation ``kubelogin convert-kubeconfig -l <mode>`` performs
(https://azure.github.io/kubelogin/concepts/login-modes.html): keep ``--server-id`` (the AKS AAD
server application), drop the device-code arguments, and log in with

- ``azurecli``: the token of the current ``az login`` (laptops, and CI after ``azure/login``);
- ``workloadidentity``: the federated token in ``AZURE_FEDERATED_TOKEN_FILE`` with
  ``AZURE_CLIENT_ID`` / ``AZURE_TENANT_ID`` (runners that are themselves workload identities).

Pure string/YAML work, no resources: safe inside an ``apply``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import yaml

MODES = ("azurecli", "workloadidentity")
# kubelogin's workload identity mode reads exactly this variable.
FEDERATED_TOKEN_ENV = "AZURE_FEDERATED_TOKEN_FILE"


def resolve_mode(configured: str, environ: Mapping[str, str] | None = None) -> str:
    """``configured`` unless ``auto``: workload identity when a federated token file is set."""
    if configured != "auto":
        return configured
    env = os.environ if environ is None else environ
    return "workloadidentity" if env.get(FEDERATED_TOKEN_ENV) else "azurecli"


def _server_id(args: list[str]) -> str:
    for index, arg in enumerate(args[:-1]):
        if arg == "--server-id":
            return args[index + 1]
    raise ValueError("kubelogin exec arguments carry no --server-id")


def rewrite(kubeconfig: str, mode: str) -> str:
    """``kubeconfig`` with every kubelogin user switched to ``--login <mode>``."""
    if mode not in MODES:
        raise ValueError(f"kubelogin mode {mode!r}; allowed: {', '.join(MODES)}")
    document: dict[str, Any] = yaml.safe_load(kubeconfig)
    for user in document.get("users") or []:
        exec_ = (user.get("user") or {}).get("exec")
        if not exec_ or exec_.get("command") != "kubelogin":
            continue
        exec_["args"] = ["get-token", "--login", mode, "--server-id", _server_id(exec_["args"])]
    return yaml.safe_dump(document, sort_keys=False)
