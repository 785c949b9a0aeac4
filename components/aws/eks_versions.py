"""Pinned EKS add-on versions per Kubernetes minor version, from the version catalog.

Pinned explicitly so that a plan never changes under us: each ``kubernetes.eks`` entry of
``policies/rules/facts/catalog/kubernetes.toml`` carries its ``addons``; bump them together with
its version after checking
``aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from infra.config.errors import CloudCheckError
from policies.rules.facts.catalog import service, version_key

ADDON_VERSIONS: dict[str, dict[str, str]] = {
    entry.version: {str(k): str(v) for k, v in entry.extra["addons"].items()}
    for entry in service("kubernetes.eks").entries
    if "addons" in entry.extra
}

# What EKS creates clusters on: standard support only (extended support is billed extra).
OFFERED_STATUS = "STANDARD_SUPPORT"


def offered_version(version: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """``version`` once EKS confirms it offers it in standard support, else a failed preview.

    Asks the cloud (``eks.get_cluster_versions``, pulumi-aws ``aws:eks/getClusterVersions``)
    for every version in standard support, so that a refusal names them; the offline plan's
    mock answers from the version catalog as it stood when last checked.
    """
    found = aws.eks.get_cluster_versions_output(
        version_status=OFFERED_STATUS, opts=pulumi.InvokeOutputOptions(parent=parent)
    )

    def check(versions: Sequence[aws.eks.outputs.GetClusterVersionsClusterVersionResult]) -> str:
        return offered_or_raise(version, {v.cluster_version: v.version_status for v in versions})

    return found.cluster_versions.apply(check)


def offered_or_raise(version: str, statuses: dict[str, str]) -> str:
    """``version`` when EKS lists it in standard support; the error names the key and the
    versions EKS offers otherwise."""
    status = statuses.get(version, "not in standard support")
    if status != OFFERED_STATUS:
        offered = sorted((v for v, s in statuses.items() if s == OFFERED_STATUS), key=version_key)
        raise CloudCheckError(
            f"platform:cluster.kubernetesVersion: EKS reports {version} as {status} "
            f"(eks.get_cluster_versions; in standard support: {', '.join(offered) or 'none'}); "
            "pick one and update the catalog (policies/rules/facts/catalog/kubernetes.toml [eks])"
        )
    return version


def offered_addon_version(
    addon_name: str, kubernetes_version: str, version: str, parent: pulumi.Resource
) -> pulumi.Output[str]:
    """``version`` of an add-on once EKS confirms it has that version for the cluster's
    Kubernetes version, else a failed preview naming the catalog entry.

    Asks the cloud (``eks.get_addon_version`` with ``most_recent``, pulumi-aws
    ``aws:eks/getAddonVersion``): it names only the newest version for that Kubernetes
    version, so a pin newer than that one is one EKS does not have for it; the offline plan's
    mock answers from the catalog's add-ons as last checked.
    """
    found = aws.eks.get_addon_version_output(
        addon_name=addon_name,
        kubernetes_version=kubernetes_version,
        most_recent=True,
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return found.version.apply(
        lambda newest: addon_offered_or_raise(addon_name, kubernetes_version, version, newest)
    )


def addon_offered_or_raise(addon: str, kubernetes_version: str, version: str, newest: str) -> str:
    """``version`` unless it is newer than the newest EKS has for ``kubernetes_version``."""
    if version_key(version) > version_key(newest):
        raise CloudCheckError(
            f"platform:cluster.kubernetesVersion: EKS has {addon} up to {newest} for Kubernetes "
            f"{kubernetes_version} (eks.get_addon_version), not the pinned {version}; update "
            f"the add-ons of {kubernetes_version} in the catalog "
            "(policies/rules/facts/catalog/kubernetes.toml [eks])"
        )
    return version
