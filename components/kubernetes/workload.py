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

The inputs are in ``workload_args.py``, the pod template in ``workload_pod.py`` and the HPA, VPA
and PDB in ``workload_scaling.py`` (mixins of this component); importers keep using this module.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import api_versions
from components.kubernetes.gateway import app_route
from components.kubernetes.network_policy import WorkloadTraffic, workload_policy
from components.kubernetes.workload_args import (
    JOB_WAIT_TIMEOUT,
    MIGRATIONS_DEADLINE_SECONDS,
    SERVICE_PORT,
    WorkloadArgs,
    WorkloadKind,
    migrations_job_name,
)
from components.kubernetes.workload_pod import RUN_AS_USER, restricted_container
from components.kubernetes.workload_scaling import WorkloadScaling
from infra.naming import child

__all__ = [
    "RUN_AS_USER",
    "SERVICE_PORT",
    "Workload",
    "WorkloadArgs",
    "WorkloadKind",
    "migrations_job_name",
    "restricted_container",
]


class Workload(WorkloadScaling):
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
            api_version=api_versions.PROMETHEUS_OPERATOR,
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
