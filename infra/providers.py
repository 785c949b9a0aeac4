"""Explicit provider factories: built once at stack level and passed down.

Each cloud's SDK is imported inside its factory, so a stack only pays for the cloud it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.config.models import PlatformConfig

if TYPE_CHECKING:
    import pulumi_aws as aws
    import pulumi_azure_native as azure
    import pulumi_gcp as gcp
    import pulumi_kubernetes as k8s


def aws_provider(config: PlatformConfig) -> aws.Provider:
    """The AWS provider for the stack's region; credentials come from the usual AWS chain."""
    import pulumi_aws as aws

    return aws.Provider(f"{config.name_prefix}-aws", region=config.region)


def gcp_provider(config: PlatformConfig, project: str) -> gcp.Provider:
    """The GCP provider for the stack's project and region (Application Default Credentials)."""
    import pulumi_gcp as gcp

    return gcp.Provider(f"{config.name_prefix}-gcp", project=project, region=config.region)


def azure_provider(config: PlatformConfig) -> azure.Provider:
    """The Azure provider for the stack's location (credentials from ``az login`` or OIDC)."""
    import pulumi_azure_native as azure

    return azure.Provider(f"{config.name_prefix}-azure", location=config.region)


def kubernetes_provider(config: PlatformConfig) -> k8s.Provider:
    """The Kubernetes provider of a ``local`` stack: the ambient kubeconfig (``KUBECONFIG`` or
    ``~/.kube/config``) at ``kubernetes:context``, or at its current context when unset."""
    import pulumi_kubernetes as k8s

    return k8s.Provider(f"{config.name_prefix}-k8s", context=config.kube_context)
