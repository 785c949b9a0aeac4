"""Pinned EKS add-on versions per Kubernetes minor version, from the version catalog.

Pinned explicitly so that a plan never changes under us: each ``kubernetes.eks`` entry of
``policies/rules/facts/catalog/kubernetes.toml`` carries its ``addons``; bump them together with
its version after checking
``aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>``.
"""

from __future__ import annotations

from policies.rules.facts.catalog import service

ADDON_VERSIONS: dict[str, dict[str, str]] = {
    entry.version: {str(k): str(v) for k, v in entry.extra["addons"].items()}
    for entry in service("kubernetes.eks").entries
    if "addons" in entry.extra
}
SUPPORTED_VERSIONS = tuple(ADDON_VERSIONS)
