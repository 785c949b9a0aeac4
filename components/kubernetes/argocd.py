"""Argo CD: the GitOps controller that applies the apps' workloads from the repository.

Installed from the pinned chart (``charts.ARGO_CD``) into a guarded namespace, with

- HA where the environment runs multi-zone: Redis HA (Sentinel, three replicas), two API
  servers, repo servers and ApplicationSet controllers with disruption budgets. The
  application controller stays at one replica: extra replicas only shard *clusters*, and this
  Argo CD manages one (its own);
- SSO through OIDC when configured, the local ``admin`` user then disabled; without OIDC the
  admin user stays (its initial password in the ``argocd-initial-admin-secret`` Secret);
- RBAC: everyone authenticated reads (``role:readonly``), the configured principals administer;
- the repository's credentials (deploy key or GitHub App) in a Secret of its own;
- one ``AppProject`` for the environment, limited to the repository, the app namespace and the
  kinds the apps are made of (no cluster-scoped kind at all), and one ``Application`` per app:
  automated sync with prune and self-heal where the environment allows it, manual sync inside
  a sync window otherwise (prod);
- notifications on failed syncs and degraded health to the alert receivers
  (``argocd_notifications``), the chart's per-component NetworkPolicies, and ServiceMonitors
  for every component's metrics.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components.kubernetes import charts
from components.kubernetes.argocd_args import ArgoCdArgs, OidcArgs
from components.kubernetes.argocd_notifications import (
    NOTIFICATIONS_SECRET,
    services,
    subscriptions,
    templates,
    triggers,
)
from components.kubernetes.argocd_values import ArgoCdValues, ComponentValues, MetricsValues
from components.kubernetes.gateway import GATEWAY_NAMESPACE
from components.kubernetes.guarded_namespace import AddonNamespace, guarded_namespace
from components.kubernetes.helm import helm_release
from components.kubernetes.network_policy import ALL, API_PORTS, SAME, Allow
from infra.naming import child

ARGOCD_NAMESPACE = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
SSH_PORT = 22
# Metrics ports of the components' pods (values.yaml: controller 8082, server 8083, repo
# server 8084, ApplicationSet controller 8080, notifications controller 9001).
METRICS_PORTS = [8080, 8082, 8083, 8084, 9001]
SERVER_PORT = 8080
# What the apps are made of (components/kubernetes/workload.py): the only kinds the project
# lets Argo CD create; ServiceAccounts stay with Pulumi (they carry the cloud identity).
APP_KINDS: tuple[tuple[str, str], ...] = (
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("", "Service"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("autoscaling.k8s.io", "VerticalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("monitoring.coreos.com", "ServiceMonitor"),
    ("monitoring.coreos.com", "PodMonitor"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
)


class ArgoCd(pulumi.ComponentResource):
    """Argo CD, its project and the environment's Applications."""

    release: k8s.helm.v3.Release
    """The chart release (its CRDs must exist before any project or Application)."""

    def __init__(
        self, name: str, args: ArgoCdArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:ArgoCd", name, None, opts)
        self._name, self._args = name, args
        namespace = guarded_namespace(
            name, ARGOCD_NAMESPACE, self._namespace_spec(), args.labels,
            pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        secrets = [self._notifications_secret(in_namespace)]
        if args.oidc is not None:
            secrets.append(self._oidc_secret(args.oidc, in_namespace))
        if args.repo_url is not None:
            secrets.append(self._repository_secret(args.repo_url, in_namespace))
        self.release = helm_release(
            child(name, "release"), charts.ARGO_CD, ARGOCD_NAMESPACE, self.values(),
            pulumi.ResourceOptions(parent=self, depends_on=[namespace, *secrets]),
        )  # fmt: skip
        if args.repo_url is not None:
            after = pulumi.ResourceOptions(parent=self, depends_on=[self.release])
            project = self._project(args.repo_url, after)
            for app in args.apps:
                self._application(app, args.repo_url, project, after)
        self.register_outputs({})

    # --- namespace and secrets ------------------------------------------------------------

    def _namespace_spec(self) -> AddonNamespace:
        smtp = sorted({
            int(n.view.smarthost.rpartition(":")[2])
            for n in self._args.notifiers if n.view.smarthost
        })  # fmt: skip
        ingress = [Allow(SAME), Allow(GATEWAY_NAMESPACE, [SERVER_PORT])]
        if self._args.monitoring_namespace:
            ingress.append(Allow(self._args.monitoring_namespace, METRICS_PORTS))
        # git over SSH or HTTPS, the OIDC issuer and webhooks over HTTPS, the API server, SMTP
        return AddonNamespace(
            "baseline", "8", "8Gi", ingress=ingress,
            egress=[Allow(SAME), Allow(ALL, [*API_PORTS, SSH_PORT, *smtp])],
        )  # fmt: skip

    def _labels(self, extra: dict[str, str]) -> dict[str, str]:
        return {**self._args.labels, **extra}

    def _notifications_secret(self, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        return k8s.core.v1.Secret(
            child(self._name, "notifications"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=NOTIFICATIONS_SECRET, namespace=ARGOCD_NAMESPACE,
                labels=self._labels({"app.kubernetes.io/part-of": "argocd"}),
            ),
            type="Opaque",
            string_data={
                n.view.secret_key: pulumi.Output.secret(n.credential)
                for n in self._args.notifiers if n.credential is not None
            },
            opts=opts,
        )  # fmt: skip

    def _oidc_secret(self, oidc: OidcArgs, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        # referenced from argocd-cm as $argocd-oidc:clientSecret (Argo CD reads Secrets
        # labelled part-of: argocd)
        return k8s.core.v1.Secret(
            child(self._name, "oidc"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="argocd-oidc", namespace=ARGOCD_NAMESPACE,
                labels=self._labels({"app.kubernetes.io/part-of": "argocd"}),
            ),
            type="Opaque",
            string_data={"clientSecret": pulumi.Output.secret(oidc.client_secret)},
            opts=opts,
        )  # fmt: skip

    def _repository_secret(self, url: str, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        data: dict[str, pulumi.Input[str]] = {"type": "git", "url": url}
        creds = self._args.repo_credentials
        if creds is not None and creds.ssh_private_key is not None:
            data["sshPrivateKey"] = pulumi.Output.secret(creds.ssh_private_key)
        elif creds is not None and creds.github_app_private_key is not None:
            data |= {
                "githubAppID": str(creds.github_app_id),
                "githubAppInstallationID": str(creds.github_app_installation_id),
                "githubAppPrivateKey": pulumi.Output.secret(creds.github_app_private_key),
            }
        return k8s.core.v1.Secret(
            child(self._name, "repository"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="platform-repository", namespace=ARGOCD_NAMESPACE,
                labels=self._labels({"argocd.argoproj.io/secret-type": "repository"}),
            ),
            type="Opaque",
            string_data=data,
            opts=opts,
        )  # fmt: skip

    # --- the chart ------------------------------------------------------------------------

    def _component(self, replicas: int) -> ComponentValues:
        ha = self._args.highly_available
        component: ComponentValues = {"replicas": replicas if ha else 1, "metrics": self._metrics()}
        if ha and replicas > 1:
            component["pdb"] = {"enabled": True, "minAvailable": 1}
        return component

    def _metrics(self) -> MetricsValues:
        monitored = self._args.monitoring_namespace is not None
        return {"enabled": True, "serviceMonitor": {"enabled": monitored, "interval": "30s"}}

    def _config_map(self) -> dict[str, str | bool]:
        args = self._args
        cm: dict[str, str | bool] = {
            # the local admin exists only while there is no SSO (Argo CD FAQ: disable admin)
            "admin.enabled": args.oidc is None,
            "exec.enabled": False,
            "application.resourceTrackingMethod": "annotation",
        }
        if args.url:
            cm["url"] = args.url
        if args.oidc is not None:
            cm["oidc.config"] = yaml.safe_dump(
                {
                    "name": "SSO",
                    "issuer": args.oidc.issuer,
                    "clientID": args.oidc.client_id,
                    "clientSecret": "$argocd-oidc:clientSecret",
                    "requestedScopes": ["openid", "profile", "email", args.oidc.groups_claim],
                },
                sort_keys=True,
            )
        return cm

    def _rbac(self) -> dict[str, str]:
        args = self._args
        policy = "".join(f"g, {principal}, role:admin\n" for principal in args.admins)
        groups = args.oidc.groups_claim if args.oidc else "groups"
        return {"policy.default": "role:readonly", "policy.csv": policy, "scopes": f"[{groups}]"}

    def values(self) -> ArgoCdValues:
        """The chart's values (typed against values.yaml at the pinned tag)."""
        args = self._args
        views = [n.view for n in args.notifiers]
        values: ArgoCdValues = {
            "global": {"networkPolicy": {"create": True}},
            "crds": {"install": True, "keep": True},
            "dex": {"enabled": False},
            "configs": {
                "cm": self._config_map(),
                "params": {"server.insecure": False},
                "rbac": self._rbac(),
            },
            "redis-ha": {"enabled": args.highly_available},
            "controller": self._component(1),
            "server": self._component(2),
            "repoServer": self._component(2),
            "applicationSet": self._component(2),
            "notifications": {
                "enabled": True,
                "secret": {"create": False},
                "notifiers": services(views),
                "templates": templates(views),
                "triggers": triggers(),
                "metrics": self._metrics(),
            },
        }
        if args.url:
            values["global"]["domain"] = urlparse(args.url).netloc
            values["notifications"]["argocdUrl"] = args.url
        return values

    # --- project and applications ---------------------------------------------------------

    def _project(
        self, repo_url: str, opts: pulumi.ResourceOptions
    ) -> k8s.apiextensions.CustomResource:
        args = self._args
        spec: dict[str, object] = {
            "description": f"the analytics apps of {args.environment}",
            "sourceRepos": [repo_url],
            "destinations": [{"server": IN_CLUSTER, "namespace": args.app_namespace}],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [{"group": g, "kind": k} for g, k in APP_KINDS],
        }
        window = args.sync_window
        if not args.automatic_sync and window is not None:
            spec["syncWindows"] = [{
                "kind": "allow", "schedule": window.schedule, "duration": window.duration,
                "timeZone": window.time_zone, "applications": ["*"],
                "namespaces": [args.app_namespace], "manualSync": False,
            }]  # fmt: skip
        return k8s.apiextensions.CustomResource(
            child(self._name, "project"),
            api_version="argoproj.io/v1alpha1",
            kind="AppProject",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.environment, namespace=ARGOCD_NAMESPACE, labels=args.labels,
                annotations=subscriptions([n.view for n in args.notifiers]) or None,
            ),
            spec=spec,
            opts=opts,
        )  # fmt: skip

    def _application(
        self,
        app: str,
        repo_url: str,
        project: k8s.apiextensions.CustomResource,
        opts: pulumi.ResourceOptions,
    ) -> k8s.apiextensions.CustomResource:
        args = self._args
        sync_policy: dict[str, object] = {
            # the HPA owns replicas (Pulumi: ignore_changes spec.replicas)
            "syncOptions": ["RespectIgnoreDifferences=true", "PruneLast=true"],
        }
        if args.automatic_sync:
            sync_policy["automated"] = {"enabled": True, "prune": True, "selfHeal": True}
            sync_policy["retry"] = {
                "limit": 5,
                "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"},
            }
        return k8s.apiextensions.CustomResource(
            child(self._name, f"app-{app}"),
            api_version="argoproj.io/v1alpha1",
            kind="Application",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{args.environment}-{app}", namespace=ARGOCD_NAMESPACE,
                labels=args.labels,
                # deleting the Application deletes what it deployed (cascading)
                finalizers=["resources-finalizer.argocd.argoproj.io"],
            ),
            spec={
                "project": args.environment,
                "source": {
                    "repoURL": repo_url, "targetRevision": args.revision,
                    "path": f"{args.path}/{app}", "directory": {"recurse": False},
                },
                "destination": {"server": IN_CLUSTER, "namespace": args.app_namespace},
                "syncPolicy": sync_policy,
                "ignoreDifferences": [
                    {"group": "apps", "kind": kind, "jsonPointers": ["/spec/replicas"]}
                    for kind in ("Deployment", "StatefulSet")
                ],
            },
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=[project])
            ),
        )  # fmt: skip
