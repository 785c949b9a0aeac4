"""Pinned EKS add-on versions per Kubernetes minor version.

Pinned explicitly so that a plan never changes under us; bump them together with
``cluster.kubernetesVersion`` after checking
``aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>``.
"""

from __future__ import annotations

ADDON_VERSIONS: dict[str, dict[str, str]] = {
    # EKS 1.35 (released 2026-01-28, standard support until 2027-03-27).
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "coredns": "v1.13.2-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
    },
}
SUPPORTED_VERSIONS = tuple(ADDON_VERSIONS)
