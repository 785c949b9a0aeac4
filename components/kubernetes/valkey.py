"""Redis inside the cluster: one Valkey server as a small StatefulSet of our own.

Why Valkey and why no chart or operator: Redis 7.4 and later ship under RSALv2/SSPL (8.x adds
AGPLv3), and Bitnami's Redis charts and images stopped being freely pullable in 2025. Valkey is
the Linux Foundation's BSD-3-Clause fork of Redis 7.2, wire-compatible with every Redis client,
and its official image (``valkey/valkey`` on Docker Hub) is free to pull. One StatefulSet and a
Service are a few dozen typed lines, need no CRD or operator pod (memory a laptop cannot spare)
and keep every field checked against the Kubernetes SDK.

The server requires a generated password (``requirepass``, from a Secret-mounted config file, so
it is never in the pod spec or the process arguments) and keeps an append-only file on a
volume. No TLS: on a laptop cluster the traffic stays on one node and the namespace's
NetworkPolicies admit only the app namespace on 6379.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.contracts import ClusterPeer, RedisContract
from components.kubernetes.guarded_namespace import AddonNamespace, guarded_namespace
from components.kubernetes.network_policy import Allow
from components.kubernetes.workload import restricted_container
from components.specs import RedisSpec
from infra.config.quantities import (
    cpu_millicores,
    format_cpu,
    format_memory,
    memory_bytes,
    pod_size,
)
from infra.naming import child
from policies.rules.facts.catalog import service
from policies.rules.facts.readiness import DATA_SERVICE_ANNOTATION

# valkey/valkey official image per line, pinned by tag (catalog: redis.valkey); BSD-3-Clause.
IMAGES = {entry.version: str(entry.extra["image"]) for entry in service("redis.valkey").entries}
PORT = 6379
NAME = "valkey"
APP_LABEL = "app.kubernetes.io/name"
# A high UID of no image user (checkov CKV_K8S_40: no clash with host users). The official
# image's entrypoint only switches users when started as root; as any other UID it runs the
# server directly, which needs nothing but the config file and a writable data volume
# (fsGroup makes the volume the group's).
VALKEY_UID = 10999
CONFIG_DIR = "/etc/valkey"
VALKEY_CPU_LIMIT = "500m"
DATA_DIR = "/data"
# oliver006/redis_exporter (MIT), pinned by tag (catalog: images.redis-exporter), reads Valkey's
# INFO as Redis'; its image's user is 59000. Metrics on 9121 (redis_up, redis_memory_*, evictions...).
# Share of the container's memory limit the dataset may use (``maxmemory``): the rest is
# headroom for what ``maxmemory`` does not count (client and AOF buffers, fragmentation, the
# copy-on-write pages of an AOF rewrite's fork), so eviction starts before the OOM killer.
MAXMEMORY_SHARE = 0.75
_EXPORTER = service("images.redis-exporter")
EXPORTER_IMAGE = f"{_EXPORTER.extra['image']}:{_EXPORTER.default}"
EXPORTER_PORT = 9121
EXPORTER_UID = 59000
EXPORTER_REQUESTS = ("10m", "32Mi")
EXPORTER_DIR = "/etc/redis-exporter"


@dataclass(frozen=True, kw_only=True)
class ValkeyArgs:
    """Inputs of ``Valkey``: the cloud-neutral spec placed in a namespace of the cluster."""

    #: what to build (components/specs.py): the version is a key of ``IMAGES`` and the node
    #: size the pod's "<cpu>/<memory>" requests; one server, so shards and replicas are unused
    spec: RedisSpec
    #: namespace of the server (created here)
    namespace: str
    #: volume for the append-only file (GiB)
    storage_gb: int
    #: StorageClass of that volume
    storage_class: str
    #: namespace whose pods may connect (the apps')
    client_namespace: str
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)
    #: Prometheus' namespace: a redis_exporter sidecar serves metrics to it on 9121;
    #: None: no exporter
    monitoring_namespace: str | None = None


def maxmemory(memory_limit: str) -> int:
    """``maxmemory`` in bytes for a container limited to ``memory_limit`` (a quantity)."""
    return int(memory_bytes(memory_limit) * MAXMEMORY_SHARE)


class Valkey(pulumi.ComponentResource):
    """A password-protected Valkey server with persistence, in its own guarded namespace."""

    host: str
    """``valkey.<namespace>.svc``."""

    def __init__(
        self, name: str, args: ValkeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:Valkey", name, None, opts)
        self._name = name
        self._args = args
        self._cpu, self._memory = pod_size(args.spec.node_size)
        self._selector = {APP_LABEL: NAME}
        monitoring = args.monitoring_namespace
        monitored = monitoring is not None
        cpu, memory = self._cpu, self._memory
        if monitored:
            cpu = format_cpu(cpu_millicores(cpu) + cpu_millicores(EXPORTER_REQUESTS[0]))
            memory = format_memory(memory_bytes(memory) + memory_bytes(EXPORTER_REQUESTS[1]))
        scrapes = [Allow(monitoring, [EXPORTER_PORT])] if monitoring is not None else []
        namespace = guarded_namespace(
            name, args.namespace,
            AddonNamespace(
                "restricted", cpu, memory,
                ingress=[Allow(args.client_namespace, [PORT]), *scrapes],
                egress=[],  # a lone server calls nobody (DNS stays open)
            ),
            args.labels, pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        self._password = random.RandomPassword(
            child(name, "password"), length=32, special=False,
            opts=pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        config = self._config_secret(in_namespace)
        secrets = [config, *([self._exporter_secret(in_namespace)] if monitored else [])]
        # the engine awaits a StatefulSet until its pods are Ready
        self.server = self._statefulset(
            pulumi.ResourceOptions(parent=self, depends_on=[namespace, *secrets])
        )
        self._service(in_namespace)
        self.host = f"{NAME}.{args.namespace}.svc"
        self.register_outputs({"host": self.host})

    def contract(self) -> RedisContract:
        """Plain TCP with a password (see the module docstring)."""
        return RedisContract(
            host=pulumi.Output.from_input(self.host),
            port=pulumi.Output.from_input(PORT),
            tls=False,
            auth_token=pulumi.Output.secret(self._password.result),
            cluster_peer=ClusterPeer(
                self._args.namespace, self._selector, port=PORT,
                metrics_port_name="metrics" if self._args.monitoring_namespace else None,
            ),
            ready=[self.server],
        )  # fmt: skip

    def _metadata(self, name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name,
            namespace=self._args.namespace,
            labels={**self._args.labels, **self._selector},
        )

    def _config_secret(self, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        config = pulumi.Output.concat(
            f"port {PORT}\n",
            f"dir {DATA_DIR}\n",
            "appendonly yes\n",
            # keys beyond maxmemory are evicted least-recently-used (without maxmemory Valkey
            # has no limit and the policy never applies)
            f"maxmemory {maxmemory(self._memory)}\n",
            "maxmemory-policy allkeys-lru\n",
            "requirepass ", self._password.result, "\n",
        )  # fmt: skip
        return k8s.core.v1.Secret(
            child(self._name, "config"),
            metadata=self._metadata(f"{NAME}-config"),
            type="Opaque",
            string_data={"valkey.conf": pulumi.Output.secret(config)},
            opts=opts,
        )

    def _container(self) -> k8s.core.v1.ContainerArgs:
        args = self._args
        # TCP probes: a PING needs the password, which stays out of the pod spec
        probe = k8s.core.v1.ProbeArgs(
            tcp_socket=k8s.core.v1.TCPSocketActionArgs(port=PORT),
            period_seconds=10,
            failure_threshold=3,
        )
        return k8s.core.v1.ContainerArgs(
            name=NAME,
            image=IMAGES[args.spec.version],
            image_pull_policy="IfNotPresent",
            command=["valkey-server", f"{CONFIG_DIR}/valkey.conf"],
            ports=[k8s.core.v1.ContainerPortArgs(name="valkey", container_port=PORT)],
            resources=k8s.core.v1.ResourceRequirementsArgs(
                requests={"cpu": self._cpu, "memory": self._memory},
                # a CPU ceiling too: one busy laptop service must not starve the others
                limits={"cpu": VALKEY_CPU_LIMIT, "memory": self._memory},
            ),
            liveness_probe=probe,
            readiness_probe=probe,
            # replaying a large append-only file at start: up to 5 minutes before liveness
            startup_probe=k8s.core.v1.ProbeArgs(
                tcp_socket=k8s.core.v1.TCPSocketActionArgs(port=PORT),
                period_seconds=5,
                failure_threshold=60,
            ),
            security_context=restricted_container(VALKEY_UID),
            volume_mounts=[
                k8s.core.v1.VolumeMountArgs(name="config", mount_path=CONFIG_DIR, read_only=True),
                k8s.core.v1.VolumeMountArgs(name="data", mount_path=DATA_DIR),
            ],
        )

    # --- metrics: redis_exporter next to the server ------------------------------------------

    def _exporter_secret(self, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        """The exporter's password file (``--redis.password-file``: address -> password)."""
        passwords = pulumi.Output.json_dumps({f"redis://localhost:{PORT}": self._password.result})
        return k8s.core.v1.Secret(
            child(self._name, "exporter"),
            metadata=self._metadata(f"{NAME}-exporter"),
            type="Opaque",
            string_data={"passwords.json": pulumi.Output.secret(passwords)},
            opts=opts,
        )

    def _exporter_volumes(self) -> list[k8s.core.v1.VolumeArgs]:
        if not self._args.monitoring_namespace:
            return []
        return [
            k8s.core.v1.VolumeArgs(
                name="exporter",
                secret=k8s.core.v1.SecretVolumeSourceArgs(
                    secret_name=f"{NAME}-exporter", default_mode=0o440
                ),
            )
        ]

    def _exporter(self) -> list[k8s.core.v1.ContainerArgs]:
        if not self._args.monitoring_namespace:
            return []
        cpu, memory = EXPORTER_REQUESTS
        probe = k8s.core.v1.ProbeArgs(
            http_get=k8s.core.v1.HTTPGetActionArgs(path="/health", port=EXPORTER_PORT),
            period_seconds=30,
        )
        return [
            k8s.core.v1.ContainerArgs(
                name="metrics",
                image=EXPORTER_IMAGE,
                image_pull_policy="IfNotPresent",
                args=[
                    f"--redis.addr=redis://localhost:{PORT}",
                    f"--redis.password-file={EXPORTER_DIR}/passwords.json",
                    f"--web.listen-address=:{EXPORTER_PORT}",
                ],
                ports=[k8s.core.v1.ContainerPortArgs(name="metrics", container_port=EXPORTER_PORT)],
                resources=k8s.core.v1.ResourceRequirementsArgs(
                    requests={"cpu": cpu, "memory": memory},
                    limits={"cpu": "100m", "memory": memory},
                ),
                liveness_probe=probe,
                readiness_probe=probe,
                security_context=restricted_container(EXPORTER_UID),
                volume_mounts=[
                    k8s.core.v1.VolumeMountArgs(
                        name="exporter", mount_path=EXPORTER_DIR, read_only=True
                    )
                ],
            )
        ]

    def _statefulset(self, opts: pulumi.ResourceOptions) -> k8s.apps.v1.StatefulSet:
        args = self._args
        return k8s.apps.v1.StatefulSet(
            child(self._name, "server"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=NAME,
                namespace=self._args.namespace,
                labels={**self._args.labels, **self._selector},
                # the redis its clients must wait for (deploy-readiness)
                annotations={DATA_SERVICE_ANNOTATION: "redis"},
            ),
            spec=k8s.apps.v1.StatefulSetSpecArgs(
                replicas=1,
                service_name=NAME,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=self._selector),
                    spec=k8s.core.v1.PodSpecArgs(
                        automount_service_account_token=False,
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=VALKEY_UID,
                            fs_group=VALKEY_UID,
                            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        containers=[self._container(), *self._exporter()],
                        volumes=[
                            k8s.core.v1.VolumeArgs(
                                name="config",
                                secret=k8s.core.v1.SecretVolumeSourceArgs(
                                    secret_name=f"{NAME}-config", default_mode=0o440
                                ),
                            ),
                            *self._exporter_volumes(),
                        ],
                    ),
                ),
                volume_claim_templates=[
                    k8s.core.v1.PersistentVolumeClaimArgs(
                        metadata=k8s.meta.v1.ObjectMetaArgs(name="data"),
                        spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                            access_modes=["ReadWriteOnce"],
                            storage_class_name=args.storage_class,
                            resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                                requests={"storage": f"{args.storage_gb}Gi"}
                            ),
                        ),
                    )
                ],
            ),
            opts=opts,
        )

    def _service(self, opts: pulumi.ResourceOptions) -> None:
        k8s.core.v1.Service(
            child(self._name, "service"),
            metadata=self._metadata(NAME),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=self._selector,
                ports=[k8s.core.v1.ServicePortArgs(name="valkey", port=PORT, target_port=PORT)],
            ),
            opts=opts,
        )
