"""The Kubernetes layer, the same on every cloud: it sees only the contracts.

Declares the cluster add-ons, the application namespace (PSA restricted, quota sized from the
workloads it must hold, default-deny network policies), the settings ConfigMap and credentials
Secret built from the data-service contracts, the alert rules and dashboard, and one
``Workload`` per ``platform:apps`` entry (its allow-lists from ``stacks/traffic.py``).
"""

from __future__ import annotations

from typing import Literal

import pulumi

from components.contracts import ClusterContract
from components.kubernetes.addons import AddonsArgs, ClusterAddons
from components.kubernetes.app_settings import (
    PULL_SECRET,
    AppSettings,
    AppSettingsArgs,
    ImagePullSecret,
    ImagePullSecretArgs,
)
from components.kubernetes.gateway import GatewayArgs, PlatformGateway
from components.kubernetes.namespace import NamespaceArgs, PlatformNamespace
from components.kubernetes.network_policy import (
    DefaultDeny,
)
from components.kubernetes.storage import RetainStorageClass, RetainStorageClassArgs
from components.kubernetes.workload import Workload, WorkloadArgs
from infra.config.models import AppConfig, PlatformConfig
from infra.config.quantities import cpu_millicores, format_cpu, format_memory, memory_bytes
from infra.naming import APP_NAMESPACE, kubernetes_labels
from infra.registry import per_cloud
from stacks import dns, gitops, observability
from stacks.observability import alert_receivers, monitoring_values, otlp_settings
from stacks.platform import PlatformContracts
from stacks.traffic import outside_egress, service_egress, service_peers, traffic

# Room for rolling updates (surge pods) on top of every workload at its maximum.
QUOTA_HEADROOM = 1.5


def _max_pods(config: PlatformConfig, app: AppConfig) -> int:
    return config.cluster.node_max if app.kind == "DaemonSet" else app.max_replicas


def namespace_quota(config: PlatformConfig) -> dict[str, str]:
    """ResourceQuota that fits every workload at its maximum, plus rolling-update headroom."""
    cpu_requests = cpu_limits = memory_requests = memory_limits = pods = 0
    for app in config.apps.values():
        count = _max_pods(config, app)
        pods += count
        cpu_requests += count * cpu_millicores(app.resources.cpu_request)
        cpu_limits += count * cpu_millicores(app.resources.cpu_limit)
        memory_requests += count * memory_bytes(app.resources.memory_request)
        memory_limits += count * memory_bytes(app.resources.memory_limit)
    claims = sum(_max_pods(config, a) for a in config.apps.values() if a.storage_gb)
    return {
        "requests.cpu": format_cpu(int(cpu_requests * QUOTA_HEADROOM)),
        "limits.cpu": format_cpu(int(cpu_limits * QUOTA_HEADROOM)),
        "requests.memory": format_memory(int(memory_requests * QUOTA_HEADROOM)),
        "limits.memory": format_memory(int(memory_limits * QUOTA_HEADROOM)),
        "pods": str(int(pods * QUOTA_HEADROOM) + 1),
        "persistentvolumeclaims": str(claims),
        "services.loadbalancers": "0",
    }


# The cloud's block-storage CSI driver and the parameters of the platform's Retain class,
# for clusters whose contract does not name one. (aws: EBS CSI add-on; gcp: GKE PD CSI; azure:
# AKS disk CSI; https://kubernetes.io/docs/concepts/storage/storage-classes/)
_DISK_CSI: dict[str, tuple[str, dict[str, str]]] = {
    "aws": ("ebs.csi.aws.com", {"type": "gp3", "encrypted": "true"}),
    "gcp": ("pd.csi.storage.gke.io", {"type": "pd-balanced"}),
    "azure": ("disk.csi.azure.com", {"skuName": "Premium_LRS"}),
}
per_cloud("stacks.kubernetes._DISK_CSI", _DISK_CSI, coverage="account")
RETAIN_STORAGE_CLASS = "platform-retain"


def _storage_class(config: PlatformConfig, cluster: ClusterContract, labels: dict[str, str]) -> str:
    """The class for persistent data: in prod a ``Retain`` class of our own (the clouds'
    default classes delete the disk with the claim); elsewhere the cluster's default."""
    if not config.protect:
        return cluster.storage_class
    provisioner, parameters = _DISK_CSI[config.cloud]
    RetainStorageClass(
        f"{config.name_prefix}-retain",
        RetainStorageClassArgs(
            name=RETAIN_STORAGE_CLASS,
            provisioner=cluster.disk_csi_provisioner or provisioner,
            parameters=parameters,
            labels=labels,
        ),
        pulumi.ResourceOptions(providers=[cluster.provider]),
    )
    return RETAIN_STORAGE_CLASS


def build(config: PlatformConfig, contracts: PlatformContracts) -> None:
    """Declare the Kubernetes layer onto the contracts' cluster."""
    cluster, postgres, kafka, redis = (
        contracts.cluster, contracts.postgres, contracts.kafka, contracts.redis,
    )  # fmt: skip
    prefix = config.name_prefix
    labels = kubernetes_labels(config)
    on_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    storage_class = _storage_class(config, cluster, labels)
    addons = ClusterAddons(
        f"{prefix}-addons",
        AddonsArgs(
            gateway=config.addons.gateway,
            cert_manager=config.addons.cert_manager,
            acme_email=config.addons.cert_manager_email,
            kube_prometheus_stack=config.addons.kube_prometheus_stack,
            prometheus_retention_days=config.addons.prometheus_retention_days,
            prometheus_storage_gb=config.addons.prometheus_storage_gb,
            metrics_server=config.addons.metrics_server and not cluster.ships_metrics_server,
            vertical_pod_autoscaler=config.addons.vertical_pod_autoscaler,
            highly_available=config.traits.multi_zone,
            storage_class=storage_class,
            labels=labels,
            hidden_control_plane=cluster.hidden_control_plane,
            self_signed_issuer=cluster.self_signed_issuer,
            kubelet_insecure_tls=cluster.kubelet_self_signed_certs,
            kube_dns=cluster.kube_dns,
            alert_receivers=alert_receivers(config),
            monitoring_values=monitoring_values(config, contracts),
        ),
        on_cluster,
    )
    namespace = PlatformNamespace(
        f"{prefix}-{APP_NAMESPACE}",
        NamespaceArgs(
            name=APP_NAMESPACE,
            pod_security="restricted",
            quota=namespace_quota(config),
            default_request={"cpu": "100m", "memory": "128Mi"},
            default_limit={"cpu": "500m", "memory": "512Mi"},
            labels=labels,
        ),
        on_cluster,
    )
    in_namespace = pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[namespace])
    DefaultDeny(f"{prefix}-{APP_NAMESPACE}", APP_NAMESPACE, [namespace], on_cluster)
    gateway = _gateway(config, cluster, addons, labels)
    if gateway is not None:
        dns.declare(config, cluster, addons, gateway, labels)
    telemetry = observability.declare(config, contracts, addons, labels, APP_NAMESPACE, gateway)
    pull_secret = _image_pull_secret(config, namespace, on_cluster)
    for app_name, app in config.apps.items():
        settings = AppSettings(
            f"{prefix}-{app_name}-settings",
            AppSettingsArgs(
                namespace=APP_NAMESPACE,
                app=app_name,
                uses=list(app.uses),
                postgres=postgres,
                kafka=kafka,
                redis=redis,
                extra={
                    **(otlp_settings(app, telemetry.endpoint) if telemetry else {}),
                    **app.env,
                    "ENVIRONMENT": config.environment,
                },
                labels=labels,
            ),
            in_namespace,
        )
        _workload(config, contracts, addons, gateway, app_name, app, settings, storage_class,
                  pull_secret[0],
                  pulumi.ResourceOptions(
                      providers=[cluster.provider],
                      depends_on=[namespace, addons, settings, *pull_secret[1]],
                  ))  # fmt: skip
    gitops.declare(config, addons, on_cluster)


def _image_pull_secret(
    config: PlatformConfig, namespace: PlatformNamespace, opts: pulumi.ResourceOptions
) -> tuple[str | None, list[pulumi.Resource]]:
    """The apps' imagePullSecrets entry: an existing Secret named in config, or one created
    from the ``.dockerconfigjson`` secret config value (plus the resource to wait for)."""
    images = config.images
    if images.pull_secret_name:
        return images.pull_secret_name, []
    if images.docker_config_json is None:
        return None, []
    pull = ImagePullSecret(
        f"{config.name_prefix}-{PULL_SECRET}",
        ImagePullSecretArgs(
            namespace=APP_NAMESPACE,
            docker_config_json=images.docker_config_json,
            labels=kubernetes_labels(config),
        ),
        [namespace],
        opts,
    )
    return PULL_SECRET, [pull.secret]


def _gateway(
    config: PlatformConfig, cluster: ClusterContract, addons: ClusterAddons, labels: dict[str, str]
) -> PlatformGateway | None:
    """The cluster's Gateway: an HTTPS listener per app host, HTTP only redirecting."""
    if addons.gateway_namespace is None:
        return None
    return PlatformGateway(
        f"{config.name_prefix}-gateway",
        GatewayArgs(
            hosts={
                **{name: app.host for name, app in config.apps.items() if app.host and app.port},
                **observability.entry_hosts(config, addons),
            },
            app_namespace=APP_NAMESPACE,
            route_namespaces=dict.fromkeys(
                observability.entry_hosts(config, addons), addons.monitoring_namespace or ""
            ),
            cluster_issuer=addons.cluster_issuer,
            public_https_port=cluster.gateway_https_port,
            replicas=3 if config.traits.multi_zone else 1,
            service_annotations=cluster.gateway_service_annotations,
            node_ports=cluster.gateway_node_ports,
            labels=labels,
            ready=addons.gateway_ready,
        ),
        pulumi.ResourceOptions(providers=[cluster.provider], depends_on=addons.gateway_ready),
    )


def _workload(
    config: PlatformConfig,
    contracts: PlatformContracts,
    addons: ClusterAddons,
    gateway: PlatformGateway | None,
    app_name: str,
    app: AppConfig,
    settings: AppSettings,
    storage_class: str,
    pull_secret: str | None,
    opts: pulumi.ResourceOptions,
) -> Workload:
    cluster = contracts.cluster
    migrations_app = app.model_copy(update={"uses": [u for u in app.uses if u == "postgres"]})
    return Workload(
        f"{config.name_prefix}-{app_name}",
        WorkloadArgs(
            app=app_name,
            namespace=APP_NAMESPACE,
            kind=app.kind,
            image=app.image,
            # kind runs images side-loaded with `kind load` (docs/local.md): no registry to ask
            image_pull_policy="IfNotPresent" if config.cloud == "local" else "Always",
            image_pull_secrets=[pull_secret] if pull_secret else [],
            replicas=app.replicas,
            min_replicas=app.min_replicas,
            max_replicas=app.max_replicas,
            port=app.port,
            metrics_port=app.metrics_port,
            health_path=app.health_path,
            ready_path=app.ready_path,
            requests={"cpu": app.resources.cpu_request, "memory": app.resources.memory_request},
            limits={"cpu": app.resources.cpu_limit, "memory": app.resources.memory_limit},
            config_map=settings.config_map_name,
            secret=settings.secret_name,
            ca_config_map=settings.ca_config_map_name,
            traffic=traffic(config, contracts, addons, gateway, app_name, app),
            migrations_egress=[
                *service_egress(config, contracts, migrations_app),
                *outside_egress(config, cluster),
            ],
            migrations_calls=service_peers(contracts, migrations_app),
            service_account_annotations=cluster.workload_identity.get(app_name, {}),
            migrations_command=app.migrations_command,
            uses=list(app.uses),
            waits_for=[
                resource
                for use, contract in (
                    ("postgres", contracts.postgres),
                    ("kafka", contracts.kafka),
                    ("redis", contracts.redis),
                )
                if use in app.uses
                for resource in contract.ready
            ],
            storage_gb=app.storage_gb,
            storage_class=storage_class,
            host=app.host if gateway is not None else None,
            gateway=gateway.ref(app_name) if gateway is not None else None,
            vpa_mode=_vpa_mode(config, app) if addons.vpa_enabled else None,
            strict_zone_spread=config.traits.strict_zone_spread,
            labels=kubernetes_labels(config),
            pod_labels=cluster.workload_pod_labels if app_name in cluster.workload_identity else {},
            monitoring_namespace=addons.monitoring_namespace,
            delivery=config.delivery,
        ),
        opts,
    )


def _vpa_mode(config: PlatformConfig, app: AppConfig) -> Literal["Off", "Recreate"]:
    # Never let the VPA resize pods that an HPA scales on the same CPU/memory metrics (every
    # controller but a DaemonSet has one): recommendations only. Automatic sizing in dev
    # where no HPA competes: Recreate (VPA 1.7's default; "Auto", its old name, is deprecated).
    if app.kind != "DaemonSet" or not config.traits.automatic_vpa:
        return "Off"
    return "Recreate"
