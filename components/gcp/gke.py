"""GCP GKE: the Cluster contract on GCP.

Creates a dedicated least-privilege node service account (never the default compute one), a
Cloud KMS key (rotating every 90 days) for application-layer Secrets encryption with the GKE
service agent allowed to use it, and the cluster: regional in staging and prod (zonal in dev),
default node pool removed, VPC-native on the subnet's secondary ranges, private nodes (private
endpoint in prod, master authorized networks from config), release channel, Workload Identity,
Dataplane V2 (which enforces NetworkPolicies), shielded nodes, a weekend maintenance window,
system/workload/API-server logging and managed Prometheus, deletion protection in prod. A node
pool with autoscaling, auto-repair and auto-upgrade on COS_CONTAINERD with Shielded VM secure
boot, and a kubeconfig that authenticates with ``gke-gcloud-auth-plugin``. With a private IP
endpoint (prod) the cluster's IAM-guarded DNS endpoint is enabled and the kubeconfig uses it,
so `pulumi up` reaches the API server from a laptop or CI. Every resource waits for the
project APIs it calls; the Workload Identity pool is handed out as the cluster's output.

The inputs are in ``gke_args.py``, the node account, viewers and secrets key in
``gke_identity.py`` (the base class); importers keep using this module.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components import api_versions
from components.contracts import ClusterContract, EgressDestination
from components.gcp.apis import (
    COMPUTE,
    CONTAINER,
    LOGGING,
    MONITORING,
)
from components.gcp.gke_args import GcpClusterArgs
from components.gcp.gke_identity import KEY_ROTATION, GcpClusterIdentity
from components.gcp.gke_versions import offered_version
from components.gcp.names import GKE_NAME_LIMIT, resource_name
from infra.naming import child

STORAGE_CLASS = "standard-rwo"  # GKE's CSI pd-balanced class, encrypted at rest by default
# GKE's metadata server, which hands out Workload Identity tokens (Kafka OAUTHBEARER, Redis IAM
# AUTH): with Dataplane V2 NetworkPolicies, egress to both addresses must be allowed
# (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#troubleshooting,
# "Dataplane V2 ... 169.254.169.252/32 port 988 and 169.254.169.254/32 port 80").
METADATA_SERVER_EGRESS = [
    EgressDestination("gke-metadata-server", ["169.254.169.254/32"], [(80, 80)]),
    EgressDestination("gke-metadata-server-wi", ["169.254.169.252/32"], [(988, 988)]),
]
# Node pools are named from this prefix plus the provider's unique suffix (a prefix of at most
# 14 characters gets a 24-character timestamp and counter: 34 <= GKE's 40): valid for any stack name, and a replacement pool can be created before the
# old one is deleted (no name clash, no downtime).
NODE_POOL_PREFIX = "workloads-"


class GcpCluster(GcpClusterIdentity):
    """A private GKE cluster with one autoscaled node pool."""

    cluster_name: pulumi.Output[str]
    """The GKE cluster's name."""
    workload_pool: pulumi.Output[str]
    """The Workload Identity pool (``<project>.svc.id.goog``), known once the cluster exists."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (secret) that authenticates with gke-gcloud-auth-plugin."""
    provider: k8s.Provider
    """A Kubernetes provider for this cluster."""

    def __init__(
        self, name: str, args: GcpClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:Cluster", name, None, opts)
        self._name = name
        self._args = args
        node_account = self._build_node_service_account()
        self._build_viewers()
        key = self._build_secrets_key()
        self._cluster = self._build_cluster(key)
        pool = self._build_node_pool(node_account)
        self.cluster_name = self._cluster.name
        # The pool exists only once the cluster has Workload Identity: taking it from the
        # cluster's output makes every `<pool>[ns/sa]` binding wait for the cluster.
        self.workload_pool = self._cluster.workload_identity_config.apply(_workload_pool)
        self.kubeconfig = pulumi.Output.secret(self._kubeconfig())
        self.provider = k8s.Provider(
            child(name, "k8s"),
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pool]),
        )
        self.register_outputs({"clusterName": self.cluster_name, "kubeconfig": self.kubeconfig})

    def contract(
        self, workload_identity: dict[str, dict[str, pulumi.Output[str]]]
    ) -> ClusterContract:
        """The cloud-neutral view; ``workload_identity``: each app's ServiceAccount annotations."""
        return ClusterContract(
            name=self.cluster_name,
            kubeconfig=self.kubeconfig,
            provider=self.provider,
            workload_identity=workload_identity,
            storage_class=STORAGE_CLASS,
            ships_metrics_server=True,
            workload_egress=METADATA_SERVER_EGRESS,
            # GKE's cluster DNS is kube-dns (https://cloud.google.com/kubernetes-engine/docs/how-to/kube-dns)
            kube_dns=True,
        )

    def _build_cluster(self, key: gcp.kms.CryptoKey) -> gcp.container.Cluster:
        args = self._args
        return gcp.container.Cluster(
            self._name,
            name=resource_name(self._name, GKE_NAME_LIMIT),
            project=args.project,
            location=args.location,
            network=args.network_id,
            subnetwork=args.subnet_id,
            remove_default_node_pool=True,
            initial_node_count=1,
            # the release channel upgrades from here; never below the version the stack pins,
            # verified against what GKE offers (container.get_engine_versions) before the cluster
            min_master_version=offered_version(args.kubernetes_version, args.location, self),
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=args.pods_range,
                services_secondary_range_name=args.services_range,
            ),
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=args.private_endpoint,
                master_ipv4_cidr_block=args.control_plane_cidr,
            ),
            control_plane_endpoints_config=self._control_plane_endpoints(),
            master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=[
                    gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                        cidr_block=cidr, display_name=f"authorized-{index}"
                    )
                    for index, cidr in enumerate(args.authorized_networks)
                ],
                gcp_public_cidrs_access_enabled=False,
            ),
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel="REGULAR"),
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{args.project}.svc.id.goog"
            ),
            datapath_provider="ADVANCED_DATAPATH",
            # same-node pod traffic through the VPC too, so the subnet's flow logs see every pod
            # flow (CIS GKE 5.6.1; Autopilot's default; GKE's own firewall rule admits the pod
            # range: cloud.google.com/kubernetes-engine/docs/how-to/intranode-visibility)
            enable_intranode_visibility=True,
            database_encryption=gcp.container.ClusterDatabaseEncryptionArgs(
                state="ENCRYPTED", key_name=key.id
            ),
            enable_shielded_nodes=True,
            # off by default since GKE 1.12; said explicitly (CIS GKE 5.8.1)
            master_auth=gcp.container.ClusterMasterAuthArgs(
                client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
                    issue_client_certificate=False
                )
            ),
            maintenance_policy=gcp.container.ClusterMaintenancePolicyArgs(
                recurring_window=gcp.container.ClusterMaintenancePolicyRecurringWindowArgs(
                    start_time="2025-01-04T02:00:00Z",
                    end_time="2025-01-04T08:00:00Z",
                    recurrence="FREQ=WEEKLY;BYDAY=SA,SU",
                )
            ),
            logging_config=gcp.container.ClusterLoggingConfigArgs(
                enable_components=["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"]
            ),
            monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
                enable_components=[
                    "SYSTEM_COMPONENTS",
                    "APISERVER",
                    "STORAGE",
                    "POD",
                    "DEPLOYMENT",
                ],
                managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(
                    enabled=True
                ),
            ),
            deletion_protection=args.deletion_protection,
            resource_labels=args.labels,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                depends_on=[
                    self._key_access,
                    *args.apis.needs(CONTAINER, COMPUTE, LOGGING, MONITORING),
                ],
            ),
        )

    def _control_plane_endpoints(
        self,
    ) -> gcp.container.ClusterControlPlaneEndpointsConfigArgs | None:
        """With a private IP endpoint, the DNS-based endpoint is the way in from outside the VPC.

        Every request to it is authorized by IAM first (permission
        ``container.clusters.connect``) and then by Kubernetes RBAC; no IP allowlist.
        https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation#dns-based_endpoint
        """
        if not self._args.private_endpoint:
            return None
        return gcp.container.ClusterControlPlaneEndpointsConfigArgs(
            dns_endpoint_config=gcp.container.ClusterControlPlaneEndpointsConfigDnsEndpointConfigArgs(
                allow_external_traffic=True
            )
        )

    def _build_node_pool(self, account: gcp.serviceaccount.Account) -> gcp.container.NodePool:
        args = self._args
        return gcp.container.NodePool(
            child(self._name, "default"),
            name_prefix=NODE_POOL_PREFIX,
            project=args.project,
            cluster=self._cluster.id,
            location=args.location,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                total_min_node_count=args.node_min,
                total_max_node_count=args.node_max,
                location_policy="BALANCED",
            ),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(
                max_surge=1, max_unavailable=0, strategy="SURGE"
            ),
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type=args.machine_type,
                image_type="COS_CONTAINERD",
                disk_type="pd-balanced",
                disk_size_gb=args.node_disk_gb,
                service_account=account.email,
                oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"
                ),
                metadata={"disable-legacy-endpoints": "true"},
                resource_labels=args.labels,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["initialNodeCount"],
                depends_on=[*self._node_roles, *args.apis.needs(CONTAINER, COMPUTE)],
            ),
        )

    def _server(self) -> pulumi.Output[dict[str, str]]:
        """The kubeconfig ``cluster`` entry: the DNS endpoint when the IP endpoint is private.

        The DNS endpoint serves a publicly trusted certificate (no CA data, as
        ``gcloud container clusters get-credentials --dns-endpoint`` writes it); the IP
        endpoint serves the cluster's own CA.
        """
        if self._args.private_endpoint:
            return self._cluster.control_plane_endpoints_config.apply(
                lambda c: {"server": f"https://{_dns_endpoint(c)}"}
            )
        return pulumi.Output.all(
            self._cluster.endpoint,
            self._cluster.master_auth.apply(lambda auth: auth.cluster_ca_certificate),
        ).apply(lambda v: {"server": f"https://{v[0]}", "certificate-authority-data": v[1]})

    def _kubeconfig(self) -> pulumi.Output[str]:
        return pulumi.Output.all(self._cluster.name, self._server()).apply(
            lambda v: json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": v[0], "cluster": v[1]}],
                    "contexts": [{"name": v[0], "context": {"cluster": v[0], "user": v[0]}}],
                    "current-context": v[0],
                    "users": [
                        {
                            "name": v[0],
                            "user": {
                                "exec": {
                                    "apiVersion": api_versions.EXEC_CREDENTIAL,
                                    "command": "gke-gcloud-auth-plugin",
                                    "provideClusterInfo": True,
                                    "interactiveMode": "Never",
                                }
                            },
                        }
                    ],
                }
            )
        )


def _dns_endpoint(config: gcp.container.outputs.ClusterControlPlaneEndpointsConfig | None) -> str:
    dns = config.dns_endpoint_config if config else None
    return (dns.endpoint if dns else None) or ""


def _workload_pool(config: gcp.container.outputs.ClusterWorkloadIdentityConfig | None) -> str:
    if config is None or not config.workload_pool:
        raise ValueError("the GKE cluster reports no Workload Identity pool")
    return config.workload_pool


__all__ = ["KEY_ROTATION", "STORAGE_CLASS", "GcpCluster", "GcpClusterArgs"]
