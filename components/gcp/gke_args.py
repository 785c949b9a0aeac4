"""The inputs of ``GcpCluster`` (``gke.py``), apart so its identity builders (``gke_identity.py``)
can type against them without importing the component."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.gcp.apis import ProjectApis


@dataclass(frozen=True, kw_only=True)
class GcpClusterArgs:
    """Inputs of ``GcpCluster``."""

    #: GCP project id
    project: str
    #: region (the KMS key ring and the node service account's scope)
    region: str
    #: cluster location: the region (regional control plane, staging/prod) or a zone (dev)
    location: pulumi.Input[str]
    #: Kubernetes minor version; the release channel picks the patch
    kubernetes_version: str
    #: VPC of the cluster
    network_id: pulumi.Input[str]
    #: subnet of the nodes (with the pod and service secondary ranges)
    subnet_id: pulumi.Input[str]
    #: name of the subnet's secondary range for pods
    pods_range: str
    #: name of the subnet's secondary range for Services
    services_range: str
    #: /28 for the private control plane's endpoint
    control_plane_cidr: str
    #: API reachable only on its private endpoint (prod) rather than also publicly
    private_endpoint: bool
    #: CIDRs allowed to reach the API (master authorized networks)
    authorized_networks: list[str]
    #: node machine type (bigger in prod)
    machine_type: str
    #: node pool minimum size (total over its zones)
    node_min: int
    #: node pool maximum size (total over its zones; autoscaling ceiling)
    node_max: int
    #: boot disk per node (GiB)
    node_disk_gb: int
    #: GKE refuses to delete the cluster (prod)
    deletion_protection: bool
    #: Pulumi ``protect`` on the cluster and its key (prod)
    protect: bool
    #: GCP labels on the cluster and nodes
    labels: dict[str, str]
    #: the project's API enablement (container, compute, KMS, IAM wait for it)
    apis: ProjectApis
    #: IAM members (``serviceAccount:ci@...``, ``group:...``) granted read-only access to the
    #: cluster (roles/container.viewer): the identity that previews, never the one that applies
    viewer_members: list[str] = field(default_factory=list)
