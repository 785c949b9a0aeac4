"""The pod template of a ``Workload``: hardened containers, probes, volumes and zone spread.

A mixin of ``Workload`` (``workload.py``): the builders every pod-owning object of the workload
shares (controller and migrations Job), split from the component so each module stays small.
It creates no resource itself.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.app_settings import CA_DIR, CREDENTIALS_DIR
from components.kubernetes.workload_args import WorkloadArgs
from policies.rules.facts.readiness import USES_ANNOTATION

RUN_AS_USER = 10001


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


class WorkloadPod(pulumi.ComponentResource):
    """Metadata and pod-template builders of ``Workload`` (whose ``__init__`` sets the fields)."""

    _name: str
    _args: WorkloadArgs
    _opts: pulumi.ResourceOptions
    _selector: dict[str, str]
    _labels: dict[str, str]

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
