"""The Kubernetes API group versions the program writes, each in one place.

A custom resource's ``apiVersion`` follows the CRDs its chart installs (the chart versions are in
``policies/rules/facts/catalog/charts.toml``); when a chart bump moves a group to a new version,
this is the one line to change. ``tests/test_version_catalog.py`` fails on a group version
written as a literal in more than one module.
"""

from __future__ import annotations

#: cert-manager's Certificate, Issuer and ClusterIssuer (chart ``cert-manager``)
CERT_MANAGER = "cert-manager.io/v1"
#: the Prometheus operator's ServiceMonitor, PodMonitor, PrometheusRule (``kube-prometheus-stack``)
PROMETHEUS_OPERATOR = "monitoring.coreos.com/v1"
#: Gateway API's Gateway and HTTPRoute (the standard channel, installed with Envoy Gateway)
GATEWAY_API = "gateway.networking.k8s.io/v1"
#: CloudNativePG's Cluster and ScheduledBackup (chart ``cloudnative-pg``)
CLOUDNATIVE_PG = "postgresql.cnpg.io/v1"
#: the exec credential plugin API a kubeconfig's ``user.exec`` speaks (aws eks get-token,
#: gke-gcloud-auth-plugin)
EXEC_CREDENTIAL = "client.authentication.k8s.io/v1beta1"
