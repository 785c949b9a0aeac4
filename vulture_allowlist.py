"""Vulture's allow-list: names it reports as unused that are used where it cannot see.

Reviewed by hand; each group says why its names are not dead. ``make lint`` runs
``vulture ... vulture_allowlist.py --min-confidence 60``: a name listed here counts as used.
Before adding one, check that the code is really reached (a name only tests use is dead unless
it is a tested API, as noted below); dead code is deleted, not listed. Pydantic validators are
not listed: ``--ignore-decorators`` skips ``@model_validator`` and ``@field_validator``.
"""

# ruff: noqa: B018
from typing import Any

_: Any = None

# Helm chart values as TypedDicts (components/kubernetes/charts.py, *_values.py): the keys are
# read by the chart's templates once the dict is serialised, never by Python attribute access.
_.accessModes
_.admissionController
_.admissionWebhooks
_.alertmanagerSpec
_.alternateConfig
_.apiVersion
_.argocdUrl
_.cainjector
_.certgen
_.clusterWide
_.configSecret
_.crds
_.defaultArgs
_.defaultDenyIngress
_.deployment
_.domainFilters
_.envoyGateway
_.existingSecret
_.extraArgs
_.extraEnvs
_.extraVolumeMounts
_.extraVolumes
_.fullnameOverride
_.gatewayAPI
_.generateNetworkPolicy
_.install
_.interval
_.labelValue
_.metrics
_.minAvailable
_.networkPolicy
_.params
_.passwordKey
_.patch
_.pdb
_.podDisruptionBudget
_.podLabels
_.podMonitorEnabled
_.podMonitorSelectorNilUsesHelmValues
_.podSecurityContext
_.prometheus
_.prometheusConfigReloader
_.prometheusSpec
_.rbac
_.recommender
_.replicaCount
_.ruleSelectorNilUsesHelmValues
_.searchNamespace
_.securityContext
_.serviceAccount
_.serviceMonitor
_.servicemonitor
_.serviceMonitorSelectorNilUsesHelmValues
_.startupapicheck
_.storageClassName
_.storageSpec
_.triggerLoopOnEvent
_.txtOwnerId
_.txtPrefix
_.updater
_.useExistingSecret
_.userconfig
_.userKey
_.volumeClaimTemplate

# pydantic reads the model configuration from the class attribute (infra/config/base.py).
_.model_config

# PEP 562 module ``__getattr__``: Python calls it for a missing module attribute
# (policies/rules/__init__.py, policies/rules/deployability/__init__.py: lazy rule modules).
_.__getattr__

# An override Pulumi's ``MockMonitor`` calls (infra/plan/monitor.py: RecordingMonitor).
_.make_urn

# ruamel.yaml's setting, read by the library (infra/gitops/images.py).
_.preserve_quotes

# Tested API, kept for its tests: the dashboards shipped (components/kubernetes/grafana.py,
# tests/test_observability.py), whether a diff changes anything (infra/diff/compute.py,
# tests/test_delivery.py, tests/test_converge_second_up.py), and kind's own system-pod requests
# that docs/local.md adds to the platform's (stacks/local.py, tests/test_local.py).
_.available_dashboards
_.has_changes
_.KIND_SYSTEM_REQUESTS

# Tested API: the old URNs a re-parenting alias stands for, recorded with each registration
# (infra/plan/monitor.py) so the tests can check that objects moved into a component keep their
# root-stack URNs (tests/test_kubernetes_layer.py, tests/test_first_deploy.py).
_.parent_aliases

# The extension points' API (infra/registry.py): what a package adding a data service or an
# add-on calls, and the completeness check of every per-cloud table
# (tests/test_extension_points.py).
_.register_addon
_.register_data_service
_.tables
_.missing_entries
