"""Pinned EKS add-on versions per Kubernetes minor version.

Pinned explicitly so that a plan never changes under us; bump them together with
``cluster.kubernetesVersion`` after checking
``aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>``.
"""

from __future__ import annotations

ADDON_VERSIONS: dict[str, dict[str, str]] = {
    "1.32": {
        "vpc-cni": "v1.19.5-eksbuild.1",
        "coredns": "v1.11.4-eksbuild.2",
        "kube-proxy": "v1.32.3-eksbuild.7",
        "aws-ebs-csi-driver": "v1.44.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
    },
    "1.33": {
        "vpc-cni": "v1.19.5-eksbuild.1",
        "coredns": "v1.12.1-eksbuild.2",
        "kube-proxy": "v1.33.0-eksbuild.2",
        "aws-ebs-csi-driver": "v1.44.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
    },
}
SUPPORTED_VERSIONS = tuple(ADDON_VERSIONS)
