"""A generic application workload: Deployment, StatefulSet or DaemonSet with everything a
production service needs around it.

Creates the workload's ServiceAccount (token automount off, cloud workload-identity
annotations), the pod controller with hardened containers (non-root, read-only root, no
privilege escalation, all capabilities dropped, seccomp RuntimeDefault, requests and limits,
liveness/readiness/startup probes, an optional migrations init container, zone spread), a
Service, an Ingress with cert-manager TLS and HTTP->HTTPS redirect when a host is set, an HPA
(CPU and memory, slow scale-down), a VPA, a PodDisruptionBudget and the workload's
NetworkPolicy allow-list. Settings arrive through a ConfigMap and a Secret made elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.network_policy import WorkloadTraffic, workload_policy
from infra.naming import child

WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet"]
RUN_AS_USER = 10001
SCALE_DOWN_STABILIZATION_SECONDS = 300


@dataclass(frozen=True)
class WorkloadArgs:
    """Inputs of ``Workload`` (already validated by the config models)."""

    app: str
    namespace: str
    kind: WorkloadKind
    image: str
    replicas: int
    min_replicas: int
    max_replicas: int
    port: int | None
    metrics_port: int | None
    health_path: str
    ready_path: str
    requests: dict[str, str]
    limits: dict[str, str]
    config_map: str
    secret: str
    traffic: WorkloadTraffic
    service_account_annotations: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    migrations_command: list[str] | None = None
    storage_gb: int | None = None
    storage_class: str = "standard"
    host: str | None = None
    cluster_issuer: str | None = None
    ingress_class: str = "nginx"
    vpa_mode: Literal["Off", "Initial", "Auto"] | None = None
    strict_zone_spread: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    pod_labels: dict[str, str] = field(default_factory=dict)


class Workload(pulumi.ComponentResource):
    """One application workload and its Service, Ingress, HPA, VPA, PDB and NetworkPolicy."""

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
        self._labels = {**args.labels, **self._selector, "app.kubernetes.io/component": args.app}
        service_account = self._build_service_account()
        controller = self._build_controller(service_account)
        self.service_name = self._build_service()
        self._build_ingress()
        self._build_autoscaling(controller)
        self._build_disruption_budget()
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
        return k8s.core.v1.SecurityContextArgs(
            run_as_non_root=True,
            run_as_user=RUN_AS_USER,
            run_as_group=RUN_AS_USER,
            read_only_root_filesystem=True,
            allow_privilege_escalation=False,
            privileged=False,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        )

    def _resources(self) -> k8s.core.v1.ResourceRequirementsArgs:
        return k8s.core.v1.ResourceRequirementsArgs(
            requests=self._args.requests, limits=self._args.limits
        )

    def _env_from(self) -> list[k8s.core.v1.EnvFromSourceArgs]:
        return [
            k8s.core.v1.EnvFromSourceArgs(
                config_map_ref=k8s.core.v1.ConfigMapEnvSourceArgs(name=self._args.config_map)
            ),
            k8s.core.v1.EnvFromSourceArgs(
                secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=self._args.secret)
            ),
        ]

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
        mounts = [k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")]
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
            image_pull_policy="IfNotPresent",
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

    def _init_containers(self) -> list[k8s.core.v1.ContainerArgs] | None:
        if not self._args.migrations_command:
            return None
        return [
            k8s.core.v1.ContainerArgs(
                name="migrations",
                image=self._args.image,
                command=self._args.migrations_command,
                env_from=self._env_from(),
                resources=self._resources(),
                security_context=self._security_context(),
                volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],
            )
        ]

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

    def _pod_template(
        self, service_account: k8s.core.v1.ServiceAccount
    ) -> k8s.core.v1.PodTemplateSpecArgs:
        annotations = {}
        if self._args.metrics_port:
            annotations = {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": str(self._args.metrics_port),
            }
        return k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(
                labels={**self._labels, **self._args.pod_labels}, annotations=annotations
            ),
            spec=k8s.core.v1.PodSpecArgs(
                service_account_name=service_account.metadata.apply(lambda m: m.name or ""),
                automount_service_account_token=False,
                security_context=k8s.core.v1.PodSecurityContextArgs(
                    run_as_non_root=True,
                    run_as_user=RUN_AS_USER,
                    fs_group=RUN_AS_USER,
                    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                ),
                init_containers=self._init_containers(),
                containers=[self._main_container()],
                volumes=[
                    k8s.core.v1.VolumeArgs(
                        name="tmp",
                        empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="256Mi"),
                    )
                ],
                topology_spread_constraints=None
                if self._args.kind == "DaemonSet"
                else self._spread(),
                termination_grace_period_seconds=30,
            ),
        )

    # --- controllers -----------------------------------------------------------------------

    def _build_controller(
        self, service_account: k8s.core.v1.ServiceAccount
    ) -> k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet:
        args = self._args
        selector = k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector)
        template = self._pod_template(service_account)
        # The HPA owns the replica count once created; do not fight it on every update.
        scaled = pulumi.ResourceOptions(parent=self, ignore_changes=["spec.replicas"])
        if args.kind == "DaemonSet":
            return k8s.apps.v1.DaemonSet(
                child(self._name, "ds"),
                metadata=self._metadata(),
                spec=k8s.apps.v1.DaemonSetSpecArgs(
                    selector=selector,
                    template=template,
                    update_strategy=k8s.apps.v1.DaemonSetUpdateStrategyArgs(
                        type="RollingUpdate",
                        rolling_update=k8s.apps.v1.RollingUpdateDaemonSetArgs(max_unavailable=1),
                    ),
                ),
                opts=self._opts,
            )
        if args.kind == "StatefulSet":
            return k8s.apps.v1.StatefulSet(
                child(self._name, "sts"),
                metadata=self._metadata(),
                spec=k8s.apps.v1.StatefulSetSpecArgs(
                    service_name=args.app,
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
            metadata=self._metadata(),
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
            k8s.core.v1.ServicePortArgs(name="http", port=80, target_port="http", protocol="TCP")
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

    def _build_ingress(self) -> None:
        args = self._args
        if not (args.host and self.service_name):
            return
        annotations = {"nginx.ingress.kubernetes.io/force-ssl-redirect": "true"}
        if args.cluster_issuer:
            annotations["cert-manager.io/cluster-issuer"] = args.cluster_issuer
        k8s.networking.v1.Ingress(
            child(self._name, "ingress"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.app,
                namespace=args.namespace,
                labels=self._labels,
                annotations=annotations,
            ),
            spec=k8s.networking.v1.IngressSpecArgs(
                ingress_class_name=args.ingress_class,
                tls=[
                    k8s.networking.v1.IngressTLSArgs(
                        hosts=[args.host], secret_name=f"{args.app}-tls"
                    )
                ],
                rules=[
                    k8s.networking.v1.IngressRuleArgs(
                        host=args.host,
                        http=k8s.networking.v1.HTTPIngressRuleValueArgs(
                            paths=[
                                k8s.networking.v1.HTTPIngressPathArgs(
                                    path="/",
                                    path_type="Prefix",
                                    backend=k8s.networking.v1.IngressBackendArgs(
                                        service=k8s.networking.v1.IngressServiceBackendArgs(
                                            name=self.service_name,
                                            port=k8s.networking.v1.ServiceBackendPortArgs(
                                                name="http"
                                            ),
                                        )
                                    ),
                                )
                            ]
                        ),
                    )
                ],
            ),
            opts=self._opts,
        )

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
            budget = k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector),
            )
        elif args.min_replicas >= 2:
            budget = k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                min_available=args.min_replicas - 1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector),
            )
        else:
            return  # a single replica cannot stay available through a voluntary disruption
        k8s.policy.v1.PodDisruptionBudget(
            child(self._name, "pdb"), metadata=self._metadata(), spec=budget, opts=self._opts
        )
