"""The inputs of ``Workload`` and the names it derives from them.

``WorkloadArgs`` is what ``stacks/kubernetes.py`` fills from ``platform:apps``; kept apart from
the component so the pod-template and scaling builders (``workload_pod.py``,
``workload_scaling.py``) can type against it without importing the component.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from components.kubernetes.gateway import GatewayRef
from components.kubernetes.network_policy import EgressTarget, PodPeer, WorkloadTraffic

WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet"]
# The ClusterIP Service's serving port (to the container's ``http`` port).
SERVICE_PORT = 80


# How long the migrations Job may run (activeDeadlineSeconds), and how long the engine awaits
# it: the deadline plus a few minutes for scheduling and the pull (Pulumi's default is 10m).
MIGRATIONS_DEADLINE_SECONDS = 1800
JOB_WAIT_TIMEOUT = "35m"


@dataclass(frozen=True, kw_only=True)
class WorkloadArgs:
    """Inputs of ``Workload`` (already validated by the config models)."""

    #: app name (object names, the app label)
    app: str
    #: namespace the workload runs in
    namespace: str
    #: Deployment, StatefulSet or DaemonSet
    kind: WorkloadKind
    #: container image pinned by tag or digest
    image: str
    #: Always (every pod start asks the registry, so only pods whose pull credentials are valid
    #: run the image: CIS 5.x / checkov CKV_K8S_15); IfNotPresent where images are side-loaded
    #: into the nodes (kind) and no registry holds them
    image_pull_policy: Literal["Always", "IfNotPresent"] = "Always"
    #: initial pods (ignored by DaemonSets)
    replicas: int
    #: HPA minimum pods (also sizes the PDB)
    min_replicas: int
    #: HPA maximum pods
    max_replicas: int
    #: serving port (TCP); None: no Service, no route
    port: int | None
    #: Prometheus scrape port (TCP); None: not scraped
    metrics_port: int | None
    #: liveness probe HTTP path
    health_path: str
    #: readiness probe HTTP path
    ready_path: str
    #: container requests (cpu, memory quantities)
    requests: dict[str, str]
    #: container limits (cpu, memory quantities)
    limits: dict[str, str]
    #: ConfigMap mounted as environment (the app's settings)
    config_map: str
    #: Secret mounted as environment (data-service credentials); None: none
    secret: str | None
    #: what the workload may receive and send (its NetworkPolicies)
    traffic: WorkloadTraffic
    #: ConfigMap of data-service CA certificates mounted as files; None: none
    ca_config_map: str | None = None
    #: where the migrations Job may connect (its data services); no ingress at all
    migrations_egress: list[EgressTarget] = field(default_factory=list)
    #: in-cluster data services the migrations Job connects to (pods, e.g. CloudNativePG's)
    migrations_calls: list[PodPeer] = field(default_factory=list)
    #: annotations binding the ServiceAccount to a cloud identity
    service_account_annotations: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    #: command run as a Job before the rollout; None: no migrations
    migrations_command: list[str] | None = None
    #: in-stack data services the app uses, awaited until Ready before the migrations Job
    #: and the pods start (the contracts' ``ready``)
    waits_for: list[pulumi.Resource] = field(default_factory=list)
    #: kinds of data service the app uses ("postgres", "kafka", "redis"), annotated on the
    #: controller and the Job (policies/rules/facts/readiness.py)
    uses: list[str] = field(default_factory=list)
    #: per-pod volume (GiB; StatefulSet volumeClaimTemplates)
    storage_gb: int | None = None
    #: StorageClass of the per-pod volumes
    storage_class: str = "standard"
    #: public hostname routed to the serving port through the Gateway
    host: str | None = None
    #: the Gateway listener (HTTPS, TLS for ``host``) the app's HTTPRoute attaches to
    gateway: GatewayRef | None = None
    #: VPA update mode; None: no VPA object
    vpa_mode: Literal["Off", "Initial", "Recreate"] | None = None
    #: spread pods over zones with DoNotSchedule (prod) rather than ScheduleAnyway
    strict_zone_spread: bool = False
    #: labels on every object of the workload
    labels: dict[str, str] = field(default_factory=dict)
    #: extra labels on the pods only (e.g. workload identity)
    pod_labels: dict[str, str] = field(default_factory=dict)
    #: namespace of Prometheus: a ServiceMonitor/PodMonitor scrapes the metrics port
    monitoring_namespace: str | None = None
    #: Secrets (kubernetes.io/dockerconfigjson, in the namespace) the kubelet pulls the image with
    image_pull_secrets: list[str] = field(default_factory=list)
    #: who applies the workload: ``pulumi`` (all of it here), or ``argocd`` (only the
    #: ServiceAccount here, which carries the cloud identity; Argo CD applies the rest from
    #: the manifests ``python -m infra gitops render`` writes from this very component)
    delivery: Literal["pulumi", "argocd"] = "pulumi"


def migrations_job_name(app: str, image: str, command: list[str]) -> str:
    """A Job name that changes with the image and the command, so every rollout that changes
    either runs the migrations again (a Job's pod template is immutable, and an unchanged
    finished Job would never rerun)."""
    digest = hashlib.sha256(json.dumps([image, command]).encode()).hexdigest()[:10]
    return f"{app}-migrate-{digest}"
