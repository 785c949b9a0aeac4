"""A generic application workload: Deployment, StatefulSet or DaemonSet with everything a
production service needs around it.

Creates the workload's ServiceAccount (token automount off, cloud workload-identity
annotations), the pod controller with hardened containers (non-root, read-only root, no
privilege escalation, all capabilities dropped, seccomp RuntimeDefault, requests and limits,
liveness/readiness/startup probes, zone spread), a migrations Job run once per rollout before
the controller, a Service (and a headless governing Service for a StatefulSet), an HTTPRoute on
the Gateway's HTTPS listener of its host when a host is set, an HPA (CPU and memory, slow
scale-down), a VPA, a PodDisruptionBudget (not for DaemonSets), a ServiceMonitor/PodMonitor and
the workload's NetworkPolicy allow-list. Settings arrive through the app's own ConfigMap (env),
Secret (files) and CA bundle ConfigMap (files), made by ``AppSettings``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.app_settings import CA_DIR, CREDENTIALS_DIR
from components.kubernetes.gateway import GatewayRef, app_route
from components.kubernetes.network_policy import (
    EgressTarget,
    PodPeer,
    WorkloadTraffic,
    workload_policy,
)
from infra.naming import child
from policies.rules.facts.readiness import USES_ANNOTATION

WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet"]
RUN_AS_USER = 10001
SCALE_DOWN_STABILIZATION_SECONDS = 300
# The ClusterIP Service's serving port (to the container's ``http`` port).
SERVICE_PORT = 80


def restricted_container(uid: int) -> k8s.core.v1.SecurityContextArgs:
    """A container context the "restricted" Pod Security Standard admits: non-root ``uid``,
    read-only root, no privilege escalation, every capability dropped, RuntimeDefault seccomp."""
    return k8s.core.v1.SecurityContextArgs(
        run_as_non_root=True,
        run_as_user=uid,
        run_as_group=uid,
        read_only_root_filesystem=True,
        allow_privilege_escalation=False,
        privileged=False,
        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


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


class Workload(pulumi.ComponentResource):
    """One application workload and its Service, HTTPRoute, HPA, VPA, PDB and NetworkPolicy."""

    service_name: str | None
    """Name of the ClusterIP Service, when the workload serves a port."""

    def __init__(
        self, name: str, args: WorkloadArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:Workload", name, None, opts)
        self._name = name
        self._args = args
        self._opts = pulumi.ResourceOptions(parent=self)
        self._selector = {"app.kubernetes.io/name": args.app}
        # distinct from the app's selector: no controller, Service, PDB or policy of the app
        # may select the migrations pods
        self._migrations_selector = {"app.kubernetes.io/name": f"{args.app}-migrations"}
        self._labels = {**args.labels, **self._selector, "app.kubernetes.io/component": args.app}
        service_account = self._build_service_account()
        if args.delivery == "argocd":
            self.service_name = args.app if args.port is not None else None
            self.register_outputs({"serviceName": self.service_name})
            return
        migrations = self._build_migrations(service_account)
        controller = self._build_controller(service_account, migrations)
        self.service_name = self._build_service()
        self._build_route()
        self._build_autoscaling(controller)
        self._build_disruption_budget()
        self._build_monitor()
        workload_policy(
            child(name, "allow"),
            f"{args.app}-allow",
            args.namespace,
            self._selector,
            args.traffic,
            self._opts,
        )
        self.register_outputs({"serviceName": self.service_name})

    def _metadata(self, name: str | None = None) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name or self._args.app, namespace=self._args.namespace, labels=self._labels
        )

    def _consumer_metadata(self, name: str | None = None) -> k8s.meta.v1.ObjectMetaArgs:
        """Metadata of the pods' owners (controller, migrations Job): they also name the data
        services the app uses, which ``deploy-readiness`` requires them to wait for."""
        metadata = self._metadata(name)
        if self._args.uses:
            metadata.annotations = {USES_ANNOTATION: ",".join(self._args.uses)}
        return metadata

    def _build_service_account(self) -> k8s.core.v1.ServiceAccount:
        return k8s.core.v1.ServiceAccount(
            child(self._name, "sa"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self._args.app,
                namespace=self._args.namespace,
                labels=self._labels,
                annotations=self._args.service_account_annotations,
            ),
            # The app talks to no Kubernetes API; cloud identity tokens are projected separately.
            automount_service_account_token=False,
            opts=self._opts,
        )

    # --- pod template ----------------------------------------------------------------------

    def _security_context(self) -> k8s.core.v1.SecurityContextArgs:
        return restricted_container(RUN_AS_USER)

    @staticmethod
    def _pod_security_context() -> k8s.core.v1.PodSecurityContextArgs:
        return k8s.core.v1.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=RUN_AS_USER,
            fs_group=RUN_AS_USER,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        )

    def _resources(self) -> k8s.core.v1.ResourceRequirementsArgs:
        return k8s.core.v1.ResourceRequirementsArgs(
            requests=self._args.requests, limits=self._args.limits
        )

    def _env_from(self) -> list[k8s.core.v1.EnvFromSourceArgs]:
        # Only the non-secret settings: credentials are files (see ``_volumes``).
        return [
            k8s.core.v1.EnvFromSourceArgs(
                config_map_ref=k8s.core.v1.ConfigMapEnvSourceArgs(name=self._args.config_map)
            )
        ]

    def _volumes(self) -> list[k8s.core.v1.VolumeArgs]:
        volumes = [
            k8s.core.v1.VolumeArgs(
                name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="256Mi")
            )
        ]
        if self._args.secret:
            volumes.append(
                k8s.core.v1.VolumeArgs(
                    name="credentials",
                    # owner and group (fsGroup) may read; nobody else
                    secret=k8s.core.v1.SecretVolumeSourceArgs(
                        secret_name=self._args.secret, default_mode=0o440
                    ),
                )
            )
        if self._args.ca_config_map:
            volumes.append(
                k8s.core.v1.VolumeArgs(
                    name="ca",
                    config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(
                        name=self._args.ca_config_map, default_mode=0o444
                    ),
                )
            )
        return volumes

    def _settings_mounts(self) -> list[k8s.core.v1.VolumeMountArgs]:
        mounts = [k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")]
        if self._args.secret:
            mounts.append(
                k8s.core.v1.VolumeMountArgs(
                    name="credentials", mount_path=CREDENTIALS_DIR, read_only=True
                )
            )
        if self._args.ca_config_map:
            mounts.append(k8s.core.v1.VolumeMountArgs(name="ca", mount_path=CA_DIR, read_only=True))
        return mounts

    def _probe(self, path: str, period: int, failures: int) -> k8s.core.v1.ProbeArgs | None:
        if self._args.port is None:
            return None
        return k8s.core.v1.ProbeArgs(
            http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port="http"),
            period_seconds=period,
            timeout_seconds=2,
            failure_threshold=failures,
        )

    def _volume_mounts(self) -> list[k8s.core.v1.VolumeMountArgs]:
        mounts = self._settings_mounts()
        if self._args.storage_gb:
            mounts.append(k8s.core.v1.VolumeMountArgs(name="data", mount_path="/data"))
        return mounts

    def _ports(self) -> list[k8s.core.v1.ContainerPortArgs]:
        ports = []
        if self._args.port:
            ports.append(k8s.core.v1.ContainerPortArgs(name="http", container_port=self._args.port))
        if self._args.metrics_port:
            ports.append(
                k8s.core.v1.ContainerPortArgs(
                    name="metrics", container_port=self._args.metrics_port
                )
            )
        return ports

    def _main_container(self) -> k8s.core.v1.ContainerArgs:
        args = self._args
        return k8s.core.v1.ContainerArgs(
            name=args.app,
            image=args.image,
            image_pull_policy=args.image_pull_policy,
            ports=self._ports(),
            env_from=self._env_from(),
            resources=self._resources(),
            security_context=self._security_context(),
            liveness_probe=self._probe(args.health_path, period=10, failures=3),
            readiness_probe=self._probe(args.ready_path, period=5, failures=3),
            # up to 5 minutes to start (migrations done by then) before liveness applies
            startup_probe=self._probe(args.health_path, period=5, failures=60),
            volume_mounts=self._volume_mounts(),
        )

    def _spread(self) -> list[k8s.core.v1.TopologySpreadConstraintArgs]:
        selector = k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector)
        zone_rule = "DoNotSchedule" if self._args.strict_zone_spread else "ScheduleAnyway"
        return [
            k8s.core.v1.TopologySpreadConstraintArgs(
                max_skew=1,
                topology_key="topology.kubernetes.io/zone",
                when_unsatisfiable=zone_rule,
                label_selector=selector,
            ),
            k8s.core.v1.TopologySpreadConstraintArgs(
                max_skew=1,
                topology_key="kubernetes.io/hostname",
                when_unsatisfiable="ScheduleAnyway",
                label_selector=selector,
            ),
        ]

    def _pull_secrets(self) -> list[k8s.core.v1.LocalObjectReferenceArgs] | None:
        names = self._args.image_pull_secrets
        return [k8s.core.v1.LocalObjectReferenceArgs(name=n) for n in names] or None

    def _pod_template(
        self, service_account: k8s.core.v1.ServiceAccount
    ) -> k8s.core.v1.PodTemplateSpecArgs:
        return k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels={**self._labels, **self._args.pod_labels}),
            spec=k8s.core.v1.PodSpecArgs(
                service_account_name=service_account.metadata.apply(lambda m: m.name or ""),
                automount_service_account_token=False,
                security_context=self._pod_security_context(),
                containers=[self._main_container()],
                image_pull_secrets=self._pull_secrets(),
                volumes=self._volumes(),
                topology_spread_constraints=None
                if self._args.kind == "DaemonSet"
                else self._spread(),
                termination_grace_period_seconds=30,
            ),
        )

    # --- controllers -----------------------------------------------------------------------

    def _build_migrations(
        self, service_account: k8s.core.v1.ServiceAccount
    ) -> k8s.batch.v1.Job | None:
        """The migrations, once per rollout: a Job the pod controller waits for.

        (An init container would run them in every replica at once.) Pulumi waits for the Job
        to complete before it creates or updates the controller, and a failed Job stops the
        rollout with the old pods still serving.
        """
        args = self._args
        if not args.migrations_command:
            return None
        labels = {**self._labels, **args.pod_labels, **self._migrations_selector}
        job = k8s.batch.v1.Job(
            child(self._name, "migrate"),
            metadata=self._consumer_metadata(
                migrations_job_name(args.app, args.image, args.migrations_command)
            ),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=2,
                active_deadline_seconds=MIGRATIONS_DEADLINE_SECONDS,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.core.v1.PodSpecArgs(
                        service_account_name=service_account.metadata.apply(lambda m: m.name or ""),
                        automount_service_account_token=False,
                        restart_policy="Never",
                        security_context=self._pod_security_context(),
                        image_pull_secrets=self._pull_secrets(),
                        containers=[
                            k8s.core.v1.ContainerArgs(
                                name="migrations",
                                image=args.image,
                                image_pull_policy=args.image_pull_policy,
                                command=args.migrations_command,
                                env_from=self._env_from(),
                                resources=self._resources(),
                                security_context=self._security_context(),
                                volume_mounts=self._settings_mounts(),
                            )
                        ],
                        volumes=self._volumes(),
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=args.waits_for,
                # the engine awaits the Job for as long as its deadline allows, not its 10m
                custom_timeouts=pulumi.CustomTimeouts(
                    create=JOB_WAIT_TIMEOUT, update=JOB_WAIT_TIMEOUT
                ),
            ),
        )
        workload_policy(
            child(self._name, "migrate-allow"),
            f"{args.app}-migrations-allow",
            args.namespace,
            self._migrations_selector,
            WorkloadTraffic(
                serving_port=None, metrics_port=None, serving_from=[],
                monitoring_namespace=None, egress=args.migrations_egress,
                calls=args.migrations_calls,
            ),
            self._opts,
        )  # fmt: skip
        return job

    def _build_controller(
        self, service_account: k8s.core.v1.ServiceAccount, migrations: k8s.batch.v1.Job | None
    ) -> k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet:
        args = self._args
        selector = k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector)
        template = self._pod_template(service_account)
        after = [migrations] if migrations else list(args.waits_for)
        # The HPA owns the replica count once created; do not fight it on every update.
        scaled = pulumi.ResourceOptions(
            parent=self, ignore_changes=["spec.replicas"], depends_on=after
        )
        if args.kind == "DaemonSet":
            return k8s.apps.v1.DaemonSet(
                child(self._name, "ds"),
                metadata=self._consumer_metadata(),
                spec=k8s.apps.v1.DaemonSetSpecArgs(
                    selector=selector,
                    template=template,
                    update_strategy=k8s.apps.v1.DaemonSetUpdateStrategyArgs(
                        type="RollingUpdate",
                        rolling_update=k8s.apps.v1.RollingUpdateDaemonSetArgs(max_unavailable=1),
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            )
        if args.kind == "StatefulSet":
            return k8s.apps.v1.StatefulSet(
                child(self._name, "sts"),
                metadata=self._consumer_metadata(),
                spec=k8s.apps.v1.StatefulSetSpecArgs(
                    service_name=self._build_headless_service(),
                    replicas=args.replicas,
                    selector=selector,
                    template=template,
                    pod_management_policy="Parallel",
                    update_strategy=k8s.apps.v1.StatefulSetUpdateStrategyArgs(type="RollingUpdate"),
                    volume_claim_templates=self._claim_templates(),
                    persistent_volume_claim_retention_policy=k8s.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicyArgs(
                        when_deleted="Retain", when_scaled="Retain"
                    ),
                ),
                opts=scaled,
            )
        return k8s.apps.v1.Deployment(
            child(self._name, "deploy"),
            metadata=self._consumer_metadata(),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=args.replicas,
                selector=selector,
                template=template,
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                        max_surge="25%", max_unavailable=0
                    ),
                ),
            ),
            opts=scaled,
        )

    def _claim_templates(self) -> list[k8s.core.v1.PersistentVolumeClaimArgs] | None:
        if not self._args.storage_gb:
            return None
        return [
            k8s.core.v1.PersistentVolumeClaimArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(name="data", labels=self._labels),
                spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                    access_modes=["ReadWriteOnce"],
                    storage_class_name=self._args.storage_class,
                    resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                        requests={"storage": f"{self._args.storage_gb}Gi"}
                    ),
                ),
            )
        ]

    # --- traffic ---------------------------------------------------------------------------

    def _build_service(self) -> str | None:
        args = self._args
        if args.port is None:
            return None
        ports = [
            k8s.core.v1.ServicePortArgs(
                name="http", port=SERVICE_PORT, target_port="http", protocol="TCP"
            )
        ]
        if args.metrics_port:
            ports.append(
                k8s.core.v1.ServicePortArgs(
                    name="metrics", port=args.metrics_port, target_port="metrics", protocol="TCP"
                )
            )
        k8s.core.v1.Service(
            child(self._name, "svc"),
            metadata=self._metadata(),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP", selector=self._selector, ports=ports
            ),
            opts=self._opts,
        )
        return args.app

    def _build_headless_service(self) -> str:
        """The StatefulSet's governing Service: stable per-pod DNS names (``<pod>.<service>``).

        It has no ``metrics`` port, so the app's ServiceMonitor never scrapes through it twice.
        """
        args = self._args
        name = f"{args.app}-headless"
        ports = []
        if args.port:
            ports.append(
                k8s.core.v1.ServicePortArgs(name="http", port=args.port, target_port="http")
            )
        k8s.core.v1.Service(
            child(self._name, "headless"),
            metadata=self._metadata(name),
            spec=k8s.core.v1.ServiceSpecArgs(
                cluster_ip="None", selector=self._selector, ports=ports or None
            ),
            opts=self._opts,
        )
        return name

    def _build_monitor(self) -> None:
        """A ServiceMonitor (or PodMonitor without a Service) on the metrics port: the
        operator ignores ``prometheus.io/*`` annotations."""
        args = self._args
        if not (args.metrics_port and args.monitoring_namespace):
            return
        endpoint = {"port": "metrics", "path": "/metrics", "interval": "30s"}
        common = {
            "selector": {"matchLabels": self._selector},
            "namespaceSelector": {"matchNames": [args.namespace]},
        }
        if self.service_name:
            kind, spec = "ServiceMonitor", {**common, "endpoints": [endpoint]}
        else:
            kind, spec = "PodMonitor", {**common, "podMetricsEndpoints": [endpoint]}
        k8s.apiextensions.CustomResource(
            child(self._name, kind.lower()),
            api_version="monitoring.coreos.com/v1",
            kind=kind,
            metadata=self._metadata(),
            spec=spec,
            opts=self._opts,
        )

    def _build_route(self) -> None:
        args = self._args
        if not (args.host and args.gateway and self.service_name):
            return
        app_route(
            child(self._name, "route"), args.app, args.namespace, args.host, self.service_name,
            SERVICE_PORT, args.gateway, self._labels, self._opts,
        )  # fmt: skip

    # --- scaling and disruption ------------------------------------------------------------

    def _build_autoscaling(
        self, controller: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet
    ) -> None:
        args = self._args
        target = k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
            api_version="apps/v1", kind=args.kind, name=args.app
        )
        depends = pulumi.ResourceOptions(parent=self, depends_on=[controller])
        if args.kind != "DaemonSet":
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                child(self._name, "hpa"),
                metadata=self._metadata(),
                spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=target,
                    min_replicas=args.min_replicas,
                    max_replicas=args.max_replicas,
                    metrics=[self._utilization("cpu", 70), self._utilization("memory", 80)],
                    behavior=k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(
                        scale_down=k8s.autoscaling.v2.HPAScalingRulesArgs(
                            stabilization_window_seconds=SCALE_DOWN_STABILIZATION_SECONDS,
                            select_policy="Min",
                            policies=[
                                k8s.autoscaling.v2.HPAScalingPolicyArgs(
                                    type="Pods", value=1, period_seconds=60
                                )
                            ],
                        )
                    ),
                ),
                opts=depends,
            )
        if args.vpa_mode:
            k8s.apiextensions.CustomResource(
                child(self._name, "vpa"),
                api_version="autoscaling.k8s.io/v1",
                kind="VerticalPodAutoscaler",
                metadata=self._metadata(),
                spec={
                    "targetRef": {"apiVersion": "apps/v1", "kind": args.kind, "name": args.app},
                    "updatePolicy": {"updateMode": args.vpa_mode},
                    "resourcePolicy": {
                        "containerPolicies": [
                            {
                                "containerName": args.app,
                                "controlledResources": ["cpu", "memory"],
                                "maxAllowed": args.limits,
                            }
                        ]
                    },
                },
                opts=depends,
            )

    @staticmethod
    def _utilization(resource: str, percent: int) -> k8s.autoscaling.v2.MetricSpecArgs:
        return k8s.autoscaling.v2.MetricSpecArgs(
            type="Resource",
            resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                name=resource,
                target=k8s.autoscaling.v2.MetricTargetArgs(
                    type="Utilization", average_utilization=percent
                ),
            ),
        )

    def _build_disruption_budget(self) -> None:
        args = self._args
        if args.kind == "DaemonSet":
            # A PDB needs a scale subresource to compute disruptions; a DaemonSet has none, so
            # its budget would never allow one (and block every node drain). Its
            # updateStrategy.maxUnavailable already bounds rollouts.
            return
        if args.min_replicas >= 2:
            budget = k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                min_available=args.min_replicas - 1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector),
            )
        else:
            return  # a single replica cannot stay available through a voluntary disruption
        k8s.policy.v1.PodDisruptionBudget(
            child(self._name, "pdb"), metadata=self._metadata(), spec=budget, opts=self._opts
        )
