"""Traces and logs: the platform's OpenTelemetry Collector gateway, and Jaeger on a laptop.

How it fits the apps: the ``collector`` app (``platform:apps``) stays the apps' OTLP endpoint
on every node, as the backend expects; it forwards to this gateway
(``OTEL_EXPORTER_OTLP_ENDPOINT``, set by ``stacks/observability.py``), which alone holds the
cloud identity and the cloud exporters: AWS X-Ray (traces) and CloudWatch Logs (logs), GCP
Cloud Trace and Cloud Logging (``googlecloud``), Azure Application Insights
(``azuremonitor``). On ``platform:cloud: local`` traces go to Jaeger (all-in-one, in memory)
and logs to the gateway's ``debug`` exporter (``kubectl -n telemetry logs deploy/otel-gateway``).

Both are Helm releases at pinned versions (``charts.OPENTELEMETRY_COLLECTOR``,
``charts.JAEGER``) in the guarded namespace ``telemetry``: OTLP in from the apps' namespace,
metrics out to Prometheus, HTTPS out to the cloud's APIs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes import charts
from components.kubernetes.guarded_namespace import AddonNamespace, guarded_namespace
from components.kubernetes.helm import helm_release
from components.kubernetes.network_policy import ALL, API_PORTS, SAME, Allow
from infra.naming import child
from infra.registry import per_cloud

TELEMETRY_NAMESPACE = "telemetry"
GATEWAY = "otel-gateway"
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
GATEWAY_METRICS_PORT = 8888
HEALTH_PORT = 13133
JAEGER = "jaeger"
JAEGER_UI_PORT = 16686
# the chart's appVersion at 0.170.0, contrib distribution (the cloud exporters live there)
COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib"
COLLECTOR_UID = 10001
HTTPS_PORT = 443
GATEWAY_LABELS = {"app.kubernetes.io/name": "opentelemetry-collector"}

#: a registered cloud (``infra.registry``): aws, gcp and azure export to their own services
Destination = str


@dataclass(frozen=True, kw_only=True)
class TelemetryArgs:
    """Inputs of ``Telemetry``."""

    #: where traces and logs go: the cloud's services, or Jaeger + debug on a laptop
    destination: Destination
    #: the apps' namespace (sends OTLP)
    client_namespace: str
    #: Prometheus' namespace (scrapes the gateway)
    monitoring_namespace: str | None
    #: stack name (log group / resource attributes)
    stack: str
    #: cloud region (AWS exporters)
    region: str
    #: GCP project (googlecloud exporter)
    project: str | None = None
    #: gateway replicas (2 where the add-ons are highly available)
    replicas: int = 1
    #: the gateway ServiceAccount's workload-identity annotations (empty: none)
    service_account_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: pod labels workload identity needs (AKS: ``azure.workload.identity/use``)
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)


GATEWAY_REQUESTS = ("50m", "128Mi")
GATEWAY_MEMORY_LIMIT = "256Mi"
JAEGER_REQUESTS = ("50m", "128Mi")
JAEGER_MEMORY_LIMIT = "384Mi"
# traces Jaeger keeps in memory on a laptop (oldest dropped first)
JAEGER_MAX_TRACES = 20000


#: an exporter set: the exporters' config, and the trace and log pipelines' exporter names
Exporters = tuple[dict[str, object], list[str], list[str]]


def _aws_exporters(args: TelemetryArgs) -> Exporters:
    return (
        {
            "awsxray": {"region": args.region},
            "awscloudwatchlogs": {
                "region": args.region,
                "log_group_name": f"/platform/{args.stack}/apps",
                "log_stream_name": GATEWAY,
            },
        },
        ["awsxray"],
        ["awscloudwatchlogs"],
    )


def _gcp_exporters(args: TelemetryArgs) -> Exporters:
    return {"googlecloud": {"project": args.project}}, ["googlecloud"], ["googlecloud"]


def _azure_exporters(_args: TelemetryArgs) -> Exporters:
    connection = "${env:APPLICATIONINSIGHTS_CONNECTION_STRING}"
    return {"azuremonitor": {"connection_string": connection}}, ["azuremonitor"], ["azuremonitor"]


def _laptop_exporters(_args: TelemetryArgs) -> Exporters:
    jaeger = f"{JAEGER}.{TELEMETRY_NAMESPACE}.svc:{OTLP_GRPC_PORT}"
    return (
        {"otlp/jaeger": {"endpoint": jaeger, "tls": {"insecure": True}}, "debug": {}},
        ["otlp/jaeger"],
        ["debug"],
    )


#: where each cloud's traces and logs go (a laptop: Jaeger, which only ``local`` deploys, and
#: the gateway's debug log)
EXPORTERS: dict[str, Callable[[TelemetryArgs], Exporters]] = per_cloud(
    "components.kubernetes.telemetry.EXPORTERS",
    {
        "aws": _aws_exporters,
        "gcp": _gcp_exporters,
        "azure": _azure_exporters,
        "local": _laptop_exporters,
    },
)


def exporters(args: TelemetryArgs) -> Exporters:
    """The exporters' config and the trace and log pipelines' exporter names."""
    return EXPORTERS[args.destination](args)


def collector_config(args: TelemetryArgs) -> dict[str, object]:
    """The gateway's whole configuration (``alternateConfig``: not merged with the chart's)."""
    exporter_config, trace_exporters, log_exporters = exporters(args)
    processors = ["memory_limiter", "resource", "batch"]
    return {
        "extensions": {"health_check": {"endpoint": f"${{env:MY_POD_IP}}:{HEALTH_PORT}"}},
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"${{env:MY_POD_IP}}:{OTLP_GRPC_PORT}"},
                    "http": {"endpoint": f"${{env:MY_POD_IP}}:{OTLP_HTTP_PORT}"},
                }
            }
        },
        "processors": {
            "memory_limiter": {
                "check_interval": "5s",
                "limit_percentage": 80,
                "spike_limit_percentage": 25,
            },
            "resource": {
                "attributes": [
                    {"key": "deployment.environment.name", "value": args.stack, "action": "upsert"}
                ]
            },
            "batch": {},
        },
        "exporters": exporter_config,
        "service": {
            "extensions": ["health_check"],
            "telemetry": {
                "metrics": {
                    "readers": [
                        {
                            "pull": {
                                "exporter": {
                                    "prometheus": {
                                        "host": "${env:MY_POD_IP}",
                                        "port": GATEWAY_METRICS_PORT,
                                    }
                                }
                            }
                        }
                    ]
                }
            },
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"], "processors": processors, "exporters": trace_exporters
                },
                "logs": {
                    "receivers": ["otlp"], "processors": processors, "exporters": log_exporters
                },
            },
        },
    }  # fmt: skip


def _restricted(uid: int) -> dict[str, object]:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _sized(requests: tuple[str, str], memory_limit: str) -> charts.ResourceValues:
    cpu, memory = requests
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory_limit}}


class Telemetry(pulumi.ComponentResource):
    """The OTLP gateway (and Jaeger on a laptop) in the guarded namespace ``telemetry``."""

    endpoint: str
    """The gateway's OTLP/HTTP address for the apps' ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
    jaeger_ui: str | None
    """Jaeger's query address (Grafana's Jaeger data source) on a laptop, else None."""

    def __init__(
        self, name: str, args: TelemetryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:Telemetry", name, None, opts)
        self._name = name
        self._args = args
        local = args.destination == "local"
        scrapes = [Allow(args.monitoring_namespace)] if args.monitoring_namespace else []
        namespace = guarded_namespace(
            name, TELEMETRY_NAMESPACE,
            AddonNamespace(
                "restricted", "1", "2Gi",
                # OTLP from the apps; metrics to Prometheus; Grafana reads Jaeger's query API
                ingress=[
                    Allow(args.client_namespace, [OTLP_GRPC_PORT, OTLP_HTTP_PORT]),
                    Allow(SAME),
                    *scrapes,
                ],
                # the cloud's APIs (HTTPS) and, on a laptop, Jaeger next door
                egress=[Allow(SAME), Allow(ALL, [HTTPS_PORT, *API_PORTS])],
            ),
            args.labels, pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        after: list[pulumi.Resource] = [namespace]
        if local:
            after.append(self._jaeger(namespace))
        self._gateway(after)
        self.endpoint = f"http://{GATEWAY}.{TELEMETRY_NAMESPACE}.svc:{OTLP_HTTP_PORT}"
        self.jaeger_ui = (
            f"http://{JAEGER}.{TELEMETRY_NAMESPACE}.svc:{JAEGER_UI_PORT}" if local else None
        )
        self.register_outputs({"endpoint": self.endpoint})

    def _gateway(self, depends_on: list[pulumi.Resource]) -> k8s.helm.v3.Release:
        args = self._args
        disabled: charts.OtelPort = {"enabled": False}
        values: charts.OpenTelemetryCollectorValues = {
            "mode": "deployment",
            "fullnameOverride": GATEWAY,
            "replicaCount": args.replicas,
            "image": {"repository": COLLECTOR_IMAGE},
            "alternateConfig": collector_config(args),
            "resources": _sized(GATEWAY_REQUESTS, GATEWAY_MEMORY_LIMIT),
            "serviceAccount": {"annotations": dict(args.service_account_annotations)},
            "podLabels": dict(args.pod_labels),
            "podSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "securityContext": _restricted(COLLECTOR_UID),
            "ports": {
                "jaeger-compact": disabled,
                "jaeger-thrift": disabled,
                "jaeger-grpc": disabled,
                "zipkin": disabled,
                "metrics": {"enabled": True},
            },
            "serviceMonitor": {"enabled": args.monitoring_namespace is not None},
            "podDisruptionBudget": {"enabled": args.replicas > 1, "minAvailable": 1},
        }
        return helm_release(
            child(self._name, GATEWAY), charts.OPENTELEMETRY_COLLECTOR, TELEMETRY_NAMESPACE,
            values, pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )  # fmt: skip

    def _jaeger(self, namespace: pulumi.Resource) -> k8s.helm.v3.Release:
        store = {"memstore": {"memory": {"max_traces": JAEGER_MAX_TRACES}}}
        values: charts.JaegerValues = {
            "fullnameOverride": JAEGER,
            "jaeger": {
                "replicas": 1,
                "resources": _sized(JAEGER_REQUESTS, JAEGER_MEMORY_LIMIT),
                "securityContext": _restricted(10001),
                "podSecurityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 10001,
                    "runAsGroup": 10001,
                    "fsGroup": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
            },
            # Jaeger v2's own all-in-one configuration, with a bounded in-memory store
            "userconfig": {
                "service": {
                    "extensions": ["jaeger_storage", "jaeger_query", "healthcheckv2"],
                    "pipelines": {
                        "traces": {
                            "receivers": ["otlp"],
                            "processors": ["batch"],
                            "exporters": ["jaeger_storage_exporter"],
                        }
                    },
                },
                "extensions": {
                    "healthcheckv2": {
                        "use_v2": True,
                        "http": {"endpoint": f"0.0.0.0:{HEALTH_PORT}"},
                    },
                    "jaeger_query": {"storage": {"traces": "memstore"}},
                    "jaeger_storage": {"backends": store},
                },
                "receivers": {
                    "otlp": {
                        "protocols": {
                            "grpc": {"endpoint": f"0.0.0.0:{OTLP_GRPC_PORT}"},
                            "http": {"endpoint": f"0.0.0.0:{OTLP_HTTP_PORT}"},
                        }
                    }
                },
                "processors": {"batch": {}},
                "exporters": {"jaeger_storage_exporter": {"trace_storage": "memstore"}},
            },
        }
        return helm_release(
            child(self._name, JAEGER), charts.JAEGER, TELEMETRY_NAMESPACE, values,
            pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
        )  # fmt: skip
