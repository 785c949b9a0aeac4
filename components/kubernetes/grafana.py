"""Grafana content as code: dashboards from JSON data files, data sources, and the laptop entry.

Dashboards are the JSON files in ``components/kubernetes/dashboards/`` (export from Grafana,
save over the file, review the diff); each becomes a ConfigMap labelled ``grafana_dashboard: "1"``,
the label the pinned kube-prometheus-stack's Grafana sidecar watches in every namespace
(``grafana.sidecar.dashboards`` in its values.yaml). Data sources beyond the chart's own
Prometheus and Alertmanager (the clouds' monitoring services, Jaeger on a laptop) are one
ConfigMap labelled ``grafana_datasource: "1"`` in Grafana's namespace (the datasource sidecar's
default label; it searches only its own namespace).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.gateway import GATEWAY_NAMESPACE, GatewayRef, app_route, data_plane_peer
from components.kubernetes.network_policy import namespace_peer, tcp
from infra.naming import child
from infra.registry import per_cloud

DASHBOARDS_DIR = Path(__file__).parent / "dashboards"
DASHBOARD_LABEL = "grafana_dashboard"
DATASOURCE_LABEL = "grafana_datasource"
# kube-prometheus-stack's objects for the release named like the chart (helm.py): services
# <release>-grafana (port 80 -> 3000) and <release>-prometheus (9090)
GRAFANA_SERVICE = ("kube-prometheus-stack-grafana", 80, 3000)
PROMETHEUS_SERVICE = ("kube-prometheus-stack-prometheus", 9090, 9090)


def dashboard(name: str) -> dict[str, object]:
    """The dashboard ``dashboards/<name>.json``."""
    return json.loads((DASHBOARDS_DIR / f"{name}.json").read_text())


def available_dashboards() -> list[str]:
    """Every dashboard file's name."""
    return sorted(p.stem for p in DASHBOARDS_DIR.glob("*.json"))


def _cloudwatch(region: str, _project: str | None) -> dict[str, object]:
    return {
        "name": "CloudWatch", "uid": "cloudwatch", "type": "cloudwatch", "access": "proxy",
        # "default": the AWS SDK's chain, i.e. the IRSA web identity token of the pod
        "jsonData": {"authType": "default", "defaultRegion": region},
    }  # fmt: skip


def _cloud_monitoring(_region: str, project: str | None) -> dict[str, object]:
    return {
        "name": "Google Cloud Monitoring", "uid": "cloud-monitoring", "type": "stackdriver",
        "access": "proxy",
        # "gce": the metadata server, which GKE Workload Identity answers as the pod's account
        "jsonData": {"authenticationType": "gce", "defaultProject": project},
    }  # fmt: skip


def _azure_monitor(_region: str, _project: str | None) -> dict[str, object]:
    return {
        "name": "Azure Monitor", "uid": "azure-monitor",
        "type": "grafana-azure-monitor-datasource", "access": "proxy",
        # needs [azure] workload_identity_enabled in grafana.ini (stacks/observability.py)
        "jsonData": {"azureAuthType": "workloadidentity"},
    }  # fmt: skip


#: cloud -> the Grafana data source (provisioning format) of its monitoring service, given the
#: region and project: what the managed services' dashboard (stacks/observability.py's
#: ``MANAGED_DASHBOARDS``) reads; a laptop has none
CLOUD_DATASOURCES: dict[str, Callable[[str, str | None], dict[str, object]]] = per_cloud(
    "components.kubernetes.grafana.CLOUD_DATASOURCES",
    {"aws": _cloudwatch, "gcp": _cloud_monitoring, "azure": _azure_monitor},
    coverage="account",
)


def cloud_datasources(
    cloud: str, region: str, project: str | None, jaeger_url: str | None
) -> list[dict[str, object]]:
    """Grafana data sources (provisioning format) for the cloud's monitoring service, reached
    with the workload identity of Grafana's ServiceAccount, and Jaeger where it runs."""
    sources: list[dict[str, object]] = []
    if cloud in CLOUD_DATASOURCES:
        sources.append(CLOUD_DATASOURCES[cloud](region, project))
    if jaeger_url:
        sources.append({
            "name": "Jaeger", "uid": "jaeger", "type": "jaeger", "access": "proxy",
            "url": jaeger_url,
        })  # fmt: skip
    return sources


@dataclass(frozen=True, kw_only=True)
class GrafanaContentArgs:
    """Inputs of ``GrafanaContent``."""

    #: Grafana's namespace
    namespace: str
    #: dashboard files to load (names in ``dashboards/``)
    dashboards: Sequence[str]
    #: extra data sources (``cloud_datasources``)
    datasources: list[dict[str, object]]
    #: serve Grafana and Prometheus at these hosts through the Gateway (laptop)
    hosts: dict[str, str] = field(default_factory=dict)
    #: where each host's HTTPRoute attaches (``PlatformGateway.ref``; with ``hosts``)
    routes: dict[str, GatewayRef] = field(default_factory=dict)
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)


class GrafanaContent(pulumi.ComponentResource):
    """Dashboards and data sources for Grafana's sidecars, and the local entry to Grafana."""

    def __init__(
        self, name: str, args: GrafanaContentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:GrafanaContent", name, None, opts)
        self._name = name
        self._args = args
        for board in args.dashboards:
            k8s.core.v1.ConfigMap(
                child(name, f"dashboard-{board}"),
                metadata=self._metadata(f"dashboard-{board}", {DASHBOARD_LABEL: "1"}),
                data={f"{board}.json": json.dumps(dashboard(board), sort_keys=True)},
                opts=pulumi.ResourceOptions(parent=self),
            )
        if args.datasources:
            document = {"apiVersion": 1, "datasources": args.datasources}
            k8s.core.v1.ConfigMap(
                child(name, "datasources"),
                metadata=self._metadata("platform-datasources", {DATASOURCE_LABEL: "1"}),
                data={"platform-datasources.yaml": json.dumps(document, sort_keys=True)},
                opts=pulumi.ResourceOptions(parent=self),
            )
        if args.hosts and args.routes:
            self._entry()
        self.register_outputs({})

    def _metadata(self, name: str, labels: dict[str, str]) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=self._args.namespace, labels={**self._args.labels, **labels}
        )

    def _entry(self) -> None:
        """HTTPRoutes for Grafana and Prometheus on the Gateway's listeners of their hosts, and
        the two NetworkPolicies that let the Gateway's data plane reach them (added to, never
        replacing, both namespaces' lists)."""
        args = self._args
        services = {"grafana": GRAFANA_SERVICE, "prometheus": PROMETHEUS_SERVICE}
        opts = pulumi.ResourceOptions(parent=self)
        for app, host in sorted(args.hosts.items()):
            service, port, _ = services[app]
            app_route(
                child(self._name, f"{app}-route"), app, args.namespace, host, service, port,
                args.routes[app], args.labels, opts,
            )  # fmt: skip
        pod_ports = [tcp(services[app][2]) for app in sorted(args.hosts)]
        k8s.networking.v1.NetworkPolicy(
            child(self._name, "from-gateway"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="allow-gateway", namespace=args.namespace, labels=args.labels
            ),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                policy_types=["Ingress"],
                ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[data_plane_peer()], ports=pod_ports
                )],
            ),
            opts=opts,
        )  # fmt: skip
        k8s.networking.v1.NetworkPolicy(
            child(self._name, "to-monitoring"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="allow-to-monitoring", namespace=GATEWAY_NAMESPACE, labels=args.labels
            ),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                policy_types=["Egress"],
                egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[namespace_peer(args.namespace)], ports=pod_ports
                )],
            ),
            opts=opts,
        )  # fmt: skip
