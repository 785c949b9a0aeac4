"""Scaling and disruption of a ``Workload``: its HPA, VPA and PodDisruptionBudget.

A mixin of ``Workload`` (``workload.py``), split from the component so each module stays small:
the HPA scales on CPU and memory with a slow scale-down, the VPA recommends (or, where no HPA
competes, sets) requests, and the PDB keeps all but one pod through voluntary disruptions.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.workload_pod import WorkloadPod
from infra.naming import child

SCALE_DOWN_STABILIZATION_SECONDS = 300


class WorkloadScaling(WorkloadPod):
    """The HPA, VPA and PDB builders of ``Workload``."""

    def _build_autoscaling(
        self, controller: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet
    ) -> None:
        args = self._args
        target = k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
            api_version="apps/v1", kind=args.kind, name=args.app
        )
        depends = pulumi.ResourceOptions(parent=self, depends_on=[controller])
        if args.kind != "DaemonSet":
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                child(self._name, "hpa"),
                metadata=self._metadata(),
                spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=target,
                    min_replicas=args.min_replicas,
                    max_replicas=args.max_replicas,
                    metrics=[self._utilization("cpu", 70), self._utilization("memory", 80)],
                    behavior=k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(
                        scale_down=k8s.autoscaling.v2.HPAScalingRulesArgs(
                            stabilization_window_seconds=SCALE_DOWN_STABILIZATION_SECONDS,
                            select_policy="Min",
                            policies=[
                                k8s.autoscaling.v2.HPAScalingPolicyArgs(
                                    type="Pods", value=1, period_seconds=60
                                )
                            ],
                        )
                    ),
                ),
                opts=depends,
            )
        if args.vpa_mode:
            k8s.apiextensions.CustomResource(
                child(self._name, "vpa"),
                api_version="autoscaling.k8s.io/v1",
                kind="VerticalPodAutoscaler",
                metadata=self._metadata(),
                spec={
                    "targetRef": {"apiVersion": "apps/v1", "kind": args.kind, "name": args.app},
                    "updatePolicy": {"updateMode": args.vpa_mode},
                    "resourcePolicy": {
                        "containerPolicies": [
                            {
                                "containerName": args.app,
                                "controlledResources": ["cpu", "memory"],
                                "maxAllowed": args.limits,
                            }
                        ]
                    },
                },
                opts=depends,
            )

    @staticmethod
    def _utilization(resource: str, percent: int) -> k8s.autoscaling.v2.MetricSpecArgs:
        return k8s.autoscaling.v2.MetricSpecArgs(
            type="Resource",
            resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                name=resource,
                target=k8s.autoscaling.v2.MetricTargetArgs(
                    type="Utilization", average_utilization=percent
                ),
            ),
        )

    def _build_disruption_budget(self) -> None:
        args = self._args
        if args.kind == "DaemonSet":
            # A PDB needs a scale subresource to compute disruptions; a DaemonSet has none, so
            # its budget would never allow one (and block every node drain). Its
            # updateStrategy.maxUnavailable already bounds rollouts.
            return
        if args.min_replicas >= 2:
            budget = k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                min_available=args.min_replicas - 1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector),
            )
        else:
            return  # a single replica cannot stay available through a voluntary disruption
        k8s.policy.v1.PodDisruptionBudget(
            child(self._name, "pdb"), metadata=self._metadata(), spec=budget, opts=self._opts
        )
