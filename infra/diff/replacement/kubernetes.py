"""Kubernetes: fields the API server refuses to change on an existing object.

Pulumi's Kubernetes provider replaces an object when one of these changes (delete and
recreate, or create-before-delete under a new name). Sources are the API validation rules
(``k8s.io/kubernetes/pkg/apis/<group>/validation``), quoted per entry.
"""

from __future__ import annotations

# Every object: a new name or namespace is a new object.
_EVERY_OBJECT = ("metadata.name", "metadata.namespace")

# (API group, kind) -> immutable spec fields.
IMMUTABLE: dict[tuple[str, str], tuple[str, ...]] = {
    # apps validation: "field is immutable" for spec.selector of every workload controller
    ("apps", "Deployment"): ("spec.selector",),
    ("apps", "ReplicaSet"): ("spec.selector",),
    ("apps", "DaemonSet"): ("spec.selector",),
    # "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template',
    # 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are
    # forbidden"
    ("apps", "StatefulSet"): (
        "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates",
        "spec.podManagementPolicy", "spec.revisionHistoryLimit",
    ),
    # batch validation: a Job's selector and pod template are immutable (only scheduling
    # directives of a suspended Job may change), as is completionMode
    ("batch", "Job"): ("spec.selector", "spec.template", "spec.completionMode"),
    # core validation: "spec.clusterIP: Invalid value: field is immutable"; the PVC spec is
    # immutable after creation except resources.requests and volumeAttributesClassName
    ("core", "Service"): ("spec.clusterIP", "spec.clusterIPs"),
    ("core", "PersistentVolumeClaim"): (
        "spec.accessModes", "spec.storageClassName", "spec.selector", "spec.volumeMode",
        "spec.volumeName", "spec.dataSource", "spec.dataSourceRef",
    ),
    # storage validation: a StorageClass's provisioner, parameters, reclaimPolicy and
    # volumeBindingMode are immutable
    ("storage.k8s.io", "StorageClass"): (
        "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode",
    ),
    # rbac validation: "cannot change roleRef"
    ("rbac.authorization.k8s.io", "RoleBinding"): ("roleRef",),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("roleRef",),
}  # fmt: skip


def group_and_kind(pulumi_type: str) -> tuple[str, str]:
    """``kubernetes:apps/v1:StatefulSet`` -> ``("apps", "StatefulSet")``."""
    _, group_version, kind = pulumi_type.split(":", 2)
    return group_version.rsplit("/", 1)[0], kind


def force_new(pulumi_type: str) -> tuple[str, ...]:
    """Fields of ``pulumi_type`` whose change replaces the object."""
    if pulumi_type.startswith("kubernetes:helm.sh/"):
        return ("name", "namespace")  # a Helm release is keyed by its name and namespace
    return _EVERY_OBJECT + IMMUTABLE.get(group_and_kind(pulumi_type), ())
