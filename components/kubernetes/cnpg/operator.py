"""The CloudNativePG operator: its guarded namespace and the ``cloudnative-pg`` Helm release.

Chart 0.29.0 = operator 1.30.0 (``charts.CLOUDNATIVE_PG``), cluster-wide, with its CRDs. Its
PodMonitor stays off: the prometheus-operator CRDs arrive after this component.
"""

from __future__ import annotations

import pulumi

from components.kubernetes import charts
from components.kubernetes.cnpg.args import OPERATOR_NAMESPACE, CnpgPostgresArgs
from components.kubernetes.cnpg.policies import operator_policies
from components.kubernetes.helm import helm_release
from components.kubernetes.namespace import NamespaceArgs, PlatformNamespace
from infra.naming import child


def operator(name: str, args: CnpgPostgresArgs, parent: pulumi.Resource) -> list[pulumi.Resource]:
    """The operator's namespace, its NetworkPolicies and its Helm release (what the Cluster
    waits for)."""
    guarded = PlatformNamespace(
        child(name, OPERATOR_NAMESPACE),
        NamespaceArgs(
            name=OPERATOR_NAMESPACE,
            pod_security="restricted",
            quota={"requests.cpu": "1", "requests.memory": "1Gi", "limits.memory": "1Gi",
                   "pods": "10"},
            default_request={"cpu": "50m", "memory": "64Mi"},
            default_limit={"memory": "256Mi"},
            labels=args.labels,
        ),
        pulumi.ResourceOptions(parent=parent),
    )  # fmt: skip
    in_namespace = pulumi.ResourceOptions(parent=parent, depends_on=[guarded])
    operator_policies(name, args, in_namespace)
    values: charts.CnpgValues = {
        "replicaCount": args.operator_replicas,
        "crds": {"create": True},
        "config": {"clusterWide": True},
        "resources": {
            "requests": {"cpu": "100m", "memory": "200Mi"},
            "limits": {"memory": "200Mi"},
        },
        # the chart's PodMonitor would need the prometheus-operator CRDs, which the
        # Kubernetes layer installs after this component: off
        "monitoring": {"podMonitorEnabled": False},
    }
    chart = charts.CLOUDNATIVE_PG
    release = helm_release(
        child(name, chart.name), chart, OPERATOR_NAMESPACE, values, in_namespace, timeout=600
    )
    return [release]
