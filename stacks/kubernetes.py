"""The Kubernetes layer, the same on every cloud: it sees only the contracts.

Declares the cluster add-ons, the application namespace (PSA restricted, quota sized from the
workloads it must hold, default-deny network policies), the settings ConfigMap and credentials
Secret built from the data-service contracts, the alert rules and dashboard, and one
``Workload`` per ``platform:apps`` entry.
"""

from __future__ import annotations

from typing import Literal

import pulumi

from components.kubernetes.addons import AddonsArgs, ClusterAddons
from components.kubernetes.app_settings import AppSettings, AppSettingsArgs
from components.kubernetes.namespace import NamespaceArgs, PlatformNamespace
from components.kubernetes.network_policy import EgressTarget, WorkloadTraffic, default_deny
from components.kubernetes.observability import declare_observability
from components.kubernetes.workload import Workload, WorkloadArgs
from infra.config.models import AppConfig, PlatformConfig
from infra.config.quantities import cpu_millicores, format_cpu, format_memory, memory_bytes
from infra.naming import APP_NAMESPACE
from stacks.platform import PlatformContracts

HTTPS_PORT = 443
# Room for rolling updates (surge pods) on top of every workload at its maximum.
QUOTA_HEADROOM = 1.5


def kubernetes_labels(config: PlatformConfig) -> dict[str, str]:
    """Labels on every object the layer creates."""
    return {
        "app.kubernetes.io/part-of": "analytics-platform",
        "app.kubernetes.io/managed-by": "pulumi",
        "platform.example.com/environment": config.environment,
    }


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


def build(config: PlatformConfig, contracts: PlatformContracts) -> None:
    """Declare the Kubernetes layer onto the contracts' cluster."""
    cluster, postgres, kafka, redis = (
        contracts.cluster, contracts.postgres, contracts.kafka, contracts.redis,
    )  # fmt: skip
    if cluster is None or postgres is None or kafka is None or redis is None:
        return
    prefix = config.name_prefix
    labels = kubernetes_labels(config)
    on_cluster = pulumi.ResourceOptions(providers=[cluster.provider])
    addons = ClusterAddons(
        f"{prefix}-addons",
        AddonsArgs(
            ingress_nginx=config.addons.ingress_nginx,
            cert_manager=config.addons.cert_manager,
            acme_email=config.addons.cert_manager_email,
            kube_prometheus_stack=config.addons.kube_prometheus_stack,
            prometheus_retention_days=config.addons.prometheus_retention_days,
            prometheus_storage_gb=config.addons.prometheus_storage_gb,
            metrics_server=config.addons.metrics_server and not cluster.ships_metrics_server,
            vertical_pod_autoscaler=config.addons.vertical_pod_autoscaler,
            argo_cd=config.addons.argo_cd,
            highly_available=config.environment != "dev",
            storage_class=cluster.storage_class,
            ingress_service_annotations=cluster.ingress_service_annotations,
            labels=labels,
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
    default_deny(f"{prefix}-{APP_NAMESPACE}", APP_NAMESPACE, in_namespace)
    settings = AppSettings(
        f"{prefix}-settings",
        AppSettingsArgs(
            namespace=APP_NAMESPACE,
            postgres=postgres,
            kafka=kafka,
            redis=redis,
            extra={"ENVIRONMENT": config.environment},
            labels=labels,
        ),
        in_namespace,
    )
    if addons.monitoring_namespace:
        declare_observability(
            f"{prefix}-observability",
            APP_NAMESPACE,
            addons.monitoring_namespace,
            pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[addons]),
        )

    service_cidrs = contracts.network.service_cidrs or [str(config.network.cidr)]
    egress = [
        EgressTarget("postgres", service_cidrs, [postgres.port]),
        EgressTarget("kafka", service_cidrs, [kafka.port]),
        EgressTarget("redis", service_cidrs, [redis.port]),
        # cloud APIs (token exchange for workload identity) over HTTPS, never the private range
        EgressTarget(
            "cloud-apis", ["0.0.0.0/0"], [HTTPS_PORT], except_cidrs=[str(config.network.cidr)]
        ),
    ]
    workload_opts = pulumi.ResourceOptions(
        providers=[cluster.provider], depends_on=[namespace, addons, settings]
    )
    for app_name, app in config.apps.items():
        Workload(
            f"{prefix}-{app_name}",
            WorkloadArgs(
                app=app_name,
                namespace=APP_NAMESPACE,
                kind=app.kind,
                image=app.image,
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
                traffic=WorkloadTraffic(
                    serving_port=app.port,
                    metrics_port=app.metrics_port,
                    serving_from=(
                        addons.ingress_namespace
                        if app.host and addons.ingress_namespace
                        else APP_NAMESPACE
                    ),
                    monitoring_namespace=addons.monitoring_namespace,
                    egress=egress,
                ),
                service_account_annotations=cluster.workload_identity.get(app_name, {}),
                migrations_command=app.migrations_command,
                storage_gb=app.storage_gb,
                storage_class=cluster.storage_class,
                host=app.host if addons.ingress_namespace else None,
                cluster_issuer=addons.cluster_issuer,
                vpa_mode=_vpa_mode(config) if addons.vpa_enabled else None,
                strict_zone_spread=config.environment == "prod",
                labels=labels,
                pod_labels=cluster.workload_pod_labels
                if app_name in cluster.workload_identity
                else {},
            ),
            workload_opts,
        )


def _vpa_mode(config: PlatformConfig) -> Literal["Off", "Auto"]:
    # Recommendations only where the HPA must own scaling; automatic sizing in dev.
    return "Auto" if config.environment == "dev" else "Off"
