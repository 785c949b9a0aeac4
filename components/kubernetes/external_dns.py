"""external-dns: the app hosts' DNS records, kept from the Gateway's routes (``platform:dns``).

The pinned chart (``charts.EXTERNAL_DNS``) in its own guarded namespace, reading
``HTTPRoute`` hostnames (source ``gateway-httproute``: the hosts of routes the Gateway accepted,
pointed at the Gateway's ``status.addresses``, i.e. the load balancer) and writing them into
one zone: ``--domain-filter`` (its name) and ``--zone-id-filter`` (its id) both limit it, and
the cloud identity it runs as may change nothing else (``components/<cloud>/dns.py``).

Ownership is the ``txt`` registry: next to each record a TXT record (named with ``TXT_PREFIX``,
so it never sits beside a CNAME of the same name) says ``owner=<stack>``; external-dns changes
and deletes only records its own owner id marks, so two stacks, or hand-made records, can share
the zone. ``policy: sync`` (the default) deletes the records of hosts that are gone: a record
left pointing at a released cloud address is a subdomain takeover waiting to happen; TXT
ownership keeps the deletes to this stack's own records.

One replica, no disruption budget: external-dns has no leader election (two replicas would
race each other's changes), and a minute without it only delays the next record change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import DnsContract, EgressDestination
from components.kubernetes import charts
from components.kubernetes.guarded_namespace import AddonNamespace, guarded_namespace
from components.kubernetes.helm import helm_release
from components.kubernetes.network_policy import ALL, API_PORTS, PROMETHEUS_PODS, Allow, ip_egress
from infra.naming import child

EXTERNAL_DNS_NAMESPACE = "external-dns"
SERVICE_ACCOUNT = "external-dns"
# the chart's ``service.port`` (metrics and /healthz)
METRICS_PORT = 7979
SOURCES = ["gateway-httproute"]
TXT_PREFIX = "extdns-"
AZURE_CONFIG = "external-dns-azure"
# where the Azure provider reads azure.json by default (--azure-config-file)
AZURE_CONFIG_DIR = "/etc/kubernetes"
# the image's user (chart values.yaml securityContext at 1.21.1)
USER_ID = 65532


@dataclass(frozen=True, kw_only=True)
class ExternalDnsArgs:
    """Inputs of ``ExternalDns``."""

    #: the zone, and the cloud identity that may write it
    dns: DnsContract
    #: TXT owner id: this stack's records only
    owner_id: str
    #: sync (delete the records of removed hosts) or upsert-only
    policy: str
    #: Prometheus' namespace (scrapes the metrics port; None: no monitoring)
    monitoring_namespace: str | None
    #: destinations outside the cluster the identity needs besides HTTPS (GKE metadata server)
    identity_egress: list[EgressDestination] = field(default_factory=list)
    #: labels on every object
    labels: dict[str, str] = field(default_factory=dict)


def chart_values(args: ExternalDnsArgs, config_map: str | None) -> charts.ExternalDnsValues:
    """The chart's values (values.yaml at external-dns-helm-chart-1.21.1)."""
    dns = args.dns
    values: charts.ExternalDnsValues = {
        "fullnameOverride": "external-dns",
        "provider": {"name": dns.provider},
        "sources": list(SOURCES),
        "policy": args.policy,
        "registry": "txt",
        "txtOwnerId": args.owner_id,
        "txtPrefix": TXT_PREFIX,
        "domainFilters": [dns.zone],
        "extraArgs": {"zone-id-filter": dns.zone_id, **dns.args},
        # a route's change reaches DNS at once, not at the next minute's loop
        "triggerLoopOnEvent": True,
        "serviceAccount": {
            "name": SERVICE_ACCOUNT,
            "annotations": dict(dns.service_account_annotations),
        },
        "podLabels": dict(dns.pod_labels),
        "env": [{"name": name, "value": value} for name, value in sorted(dns.env.items())],
        "resources": {"requests": {"cpu": "20m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "podSecurityContext": {
            "runAsNonRoot": True,
            "fsGroup": 65534,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "securityContext": {
            "privileged": False,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": USER_ID,
            "runAsGroup": USER_ID,
            "capabilities": {"drop": ["ALL"]},
        },
        "serviceMonitor": {"enabled": args.monitoring_namespace is not None},
    }
    if config_map is not None:
        values["extraVolumes"] = [{"name": "azure-config", "configMap": {"name": config_map}}]
        values["extraVolumeMounts"] = [
            {"name": "azure-config", "mountPath": AZURE_CONFIG_DIR, "readOnly": True}
        ]
    return values


class ExternalDns(pulumi.ComponentResource):
    """external-dns in its guarded namespace, writing one zone."""

    def __init__(
        self, name: str, args: ExternalDnsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:ExternalDns", name, None, opts)
        scrapes = (
            [Allow(args.monitoring_namespace, [METRICS_PORT], pods=PROMETHEUS_PODS)]
            if args.monitoring_namespace
            else []
        )
        namespace = guarded_namespace(
            name, EXTERNAL_DNS_NAMESPACE,
            AddonNamespace(
                "restricted", "1", "1Gi",
                ingress=scrapes,
                # the API server (routes, Gateways), and HTTPS to the cloud's DNS API and token
                # service (STS, Entra ID, Google's OAuth): 443 is among API_PORTS
                egress=[Allow(ALL, API_PORTS)],
            ),
            args.labels, pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        after = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        self._identity_egress(name, args, after)
        config_map = None
        waits: list[pulumi.Resource] = [namespace]
        if args.dns.azure_config is not None:
            waits.append(
                k8s.core.v1.ConfigMap(
                    child(name, "azure-config"),
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name=AZURE_CONFIG, namespace=EXTERNAL_DNS_NAMESPACE, labels=args.labels
                    ),
                    data={"azure.json": args.dns.azure_config},
                    opts=after,
                )
            )
            config_map = AZURE_CONFIG
        helm_release(
            child(name, "release"), charts.EXTERNAL_DNS, EXTERNAL_DNS_NAMESPACE,
            chart_values(args, config_map),
            pulumi.ResourceOptions(parent=self, depends_on=waits),
        )  # fmt: skip
        self.register_outputs({})

    @staticmethod
    def _identity_egress(name: str, args: ExternalDnsArgs, opts: pulumi.ResourceOptions) -> None:
        """Egress to where the cloud hands out workload-identity tokens off 443 (GKE's metadata
        server), by address: these are not pods."""
        if not args.identity_egress:
            return
        k8s.networking.v1.NetworkPolicy(
            child(name, "identity-egress"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="allow-identity-egress", namespace=EXTERNAL_DNS_NAMESPACE, labels=args.labels
            ),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                policy_types=["Egress"],
                egress=[ip_egress(destination) for destination in args.identity_egress],
            ),
            opts=opts,
        )
