"""Provider SDK modules the program uses, per cloud, imported once before forking.

Importing a provider submodule builds thousands of typed classes (seconds for pulumi_aws.ec2 or
pulumi_kubernetes.core.v1). When several stacks are planned, the parent imports what their
clouds need once and every forked child (one stack each) inherits it instead of importing
again; a process that plans one stack after another (``plan_many`` called repeatedly, as the
test suite does) imports them once. Only ``plan_many`` uses this; a single ``plan`` imports
lazily as the CLI would. Modules only, never results: every child plans the current tree.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from infra.registry import per_cloud

KUBERNETES = [
    "pulumi_kubernetes.core.v1", "pulumi_kubernetes.apps.v1", "pulumi_kubernetes.networking.v1",
    "pulumi_kubernetes.policy.v1", "pulumi_kubernetes.autoscaling.v2", "pulumi_kubernetes.storage.v1",
    "pulumi_kubernetes.helm.v3", "pulumi_kubernetes.apiextensions", "pulumi_kubernetes.meta.v1",
    "pulumi_random",
]  # fmt: skip
CLOUD_MODULES: dict[str, list[str]] = {
    "aws": [
        "pulumi_aws.ec2", "pulumi_aws.eks", "pulumi_aws.iam", "pulumi_aws.rds", "pulumi_aws.msk",
        "pulumi_aws.elasticache", "pulumi_aws.kms", "pulumi_aws.cloudwatch",
        "pulumi_aws.appautoscaling", "pulumi_aws.vpc", "pulumi_aws.ecr", "pulumi_aws.route53",
        "pulumi_aws.s3", "pulumi_aws.sns", "stacks.aws",
    ],
    "gcp": [
        "pulumi_gcp.compute", "pulumi_gcp.container", "pulumi_gcp.sql", "pulumi_gcp.kms",
        "pulumi_gcp.serviceaccount", "pulumi_gcp.projects", "pulumi_gcp.managedkafka",
        "pulumi_gcp.redis", "pulumi_gcp.servicenetworking", "pulumi_gcp.networkconnectivity",
        "pulumi_gcp.artifactregistry", "pulumi_gcp.dns",
        "pulumi_gcp.monitoring", "pulumi_gcp.storage", "stacks.gcp",
    ],
    "azure": [
        "pulumi_azure_native.resources", "pulumi_azure_native.network",
        "pulumi_azure_native.privatedns", "pulumi_azure_native.containerservice",
        "pulumi_azure_native.operationalinsights", "pulumi_azure_native.managedidentity",
        "pulumi_azure_native.dbforpostgresql", "pulumi_azure_native.eventhub",
        "pulumi_azure_native.redisenterprise", "pulumi_azure_native.storage",
        "pulumi_azure_native.containerregistry", "pulumi_azure_native.monitor",
        "pulumi_azure_native.authorization", "stacks.azure",
    ],
}  # fmt: skip
per_cloud("infra.plan.preload.CLOUD_MODULES", CLOUD_MODULES, coverage="some")


def preload(clouds: Iterable[str]) -> None:
    """Import the SDK modules of ``clouds`` (and the Kubernetes layer's) in this process."""
    wanted = [m for cloud in sorted(set(clouds)) for m in CLOUD_MODULES.get(cloud, [])]
    for module in [
        "pulumi",
        "pulumi_policy",
        "infra.config",
        *KUBERNETES,
        "stacks.kubernetes",
        *wanted,
    ]:
        try:
            # SDK subpackages are lazy modules: touching an attribute executes them.
            getattr(importlib.import_module(module), "__all__", None)
        except ImportError:  # a stale list must not break planning; the child imports lazily
            continue
