"""One way to install a pinned chart: a ``helm.v3.Release`` that rolls back when it fails.

``helm.v3.Release`` (not ``helm.v4.Chart``) because a new cluster's kubeconfig is unknown at
preview time and v4 renders client-side (pulumi/pulumi#16331). OCI charts are named by their
full ``oci://`` reference with no repository options (Helm's own rule for OCI registries).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.charts import Chart


def helm_release(
    name: str,
    chart: Chart,
    namespace: str,
    values: Mapping[str, object],
    opts: pulumi.ResourceOptions,
    timeout: int = 900,
) -> k8s.helm.v3.Release:
    """``chart`` at its pinned version into ``namespace`` (which must already exist);
    ``timeout``: seconds Helm waits for the release's resources to be ready."""
    return k8s.helm.v3.Release(
        name,
        name=chart.name,
        chart=f"{chart.repo}/{chart.name}" if chart.oci else chart.name,
        version=chart.version,
        repository_opts=None if chart.oci else k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo),
        namespace=namespace,
        create_namespace=False,
        values=values,
        atomic=True,
        cleanup_on_fail=True,
        timeout=timeout,
        max_history=10,
        opts=opts,
    )
