"""Kubernetes rules: container resources, images, probes and security context; PDBs for
replicated workloads, default-deny per namespace, no stray LoadBalancers, no secrets in
ConfigMaps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .base import dig, is_unknown, iter_keys, number, resource_rule, sequence, shown, stack_rule
from .facts.tags import SECRET_LOOKING_NAME

WORKLOADS = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}
REPLICATED = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
# Where the Gateway's data plane runs (Envoy Gateway creates its LoadBalancer Service there).
GATEWAY_NAMESPACE = "envoy-gateway-system"
Props = Mapping[str, Any]


def containers(
    props: Props, type_: str, *, include_init: bool = True
) -> Iterator[Mapping[str, Any]]:
    """Every container (and init container) of a workload's pod template."""
    pod = dig(props, *WORKLOADS[type_], default={})
    yield from dig(pod, "containers", default=[])
    if include_init:
        yield from dig(pod, "initContainers", default=[])


def _context(container: Mapping[str, Any], pod: Mapping[str, Any], key: str) -> Any:
    value = dig(container, "securityContext", key)
    return value if value is not None else dig(pod, "securityContext", key)


def _each_container(check_one: Any) -> Any:
    def check(args: ResourceValidationArgs, report: ReportViolation) -> None:
        pod = dig(args.props, *WORKLOADS[args.resource_type], default={})
        for container in containers(args.props, args.resource_type):
            problem = check_one(container, pod)
            if problem:
                report(f"container {dig(container, 'name', default='?')}: {problem}", None)

    check.__name__ = check_one.__name__
    return check


def requests_and_limits(container: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    resources = dig(container, "resources", default={})
    missing = [
        f"{kind}.{name}" for kind in ("requests", "limits") for name in ("cpu", "memory")
        if not dig(resources, kind, name)
    ]  # fmt: skip
    return f"missing {', '.join(missing)}" if missing else None


def pinned_image(container: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    image = str(dig(container, "image", default=""))
    if "@sha256:" in image:
        return None
    tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
    return (
        None if tag and tag != "latest" else f"image {image!r} is not pinned (no tag or 'latest')"
    )


def non_root(container: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    return None if _context(container, pod, "runAsNonRoot") is True else "runAsNonRoot is not true"


def no_privilege_escalation(container: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    if dig(container, "securityContext", "allowPrivilegeEscalation") is False:
        return None
    return "allowPrivilegeEscalation is not false"


def read_only_root(container: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    if dig(container, "securityContext", "readOnlyRootFilesystem") is True:
        return None
    return "readOnlyRootFilesystem is not true"


def capabilities_dropped(container: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    dropped = dig(container, "securityContext", "capabilities", "drop", default=[])
    return None if "ALL" in dropped else "capabilities are not all dropped"


def check_probes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Serving containers have liveness and readiness probes (init containers excluded)."""
    for container in containers(args.props, args.resource_type, include_init=False):
        if not dig(container, "ports"):
            continue  # nothing to probe over the network; the kubelet restarts it on exit
        missing = [p for p in ("livenessProbe", "readinessProbe") if not dig(container, p)]
        if missing:
            report(
                f"container {dig(container, 'name', default='?')}: no {' or '.join(missing)}", None
            )


def _labels_match(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    wanted = dig(selector, "matchLabels", default={})
    keys = iter_keys(wanted) if isinstance(wanted, Mapping) else []
    return bool(keys) and all(dig(labels, k) == dig(wanted, k) for k in keys)


def check_pdb_for_replicated(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every Deployment/StatefulSet with two or more replicas is covered by a PDB."""
    budgets = [r for r in args.resources if r.resource_type == PDB]
    for resource in args.resources:
        if resource.resource_type not in REPLICATED:
            continue
        replicas = number(dig(resource.props, "spec", "replicas", default=1))
        if replicas is None or replicas < 2:
            continue
        namespace = dig(resource.props, "metadata", "namespace")
        labels = dig(resource.props, "spec", "template", "metadata", "labels", default={})
        covered = any(
            dig(b.props, "metadata", "namespace") == namespace
            and _labels_match(dig(b.props, "spec", "selector", default={}), labels)
            for b in budgets
        )
        if not covered:
            report(
                f"{resource.name} has {shown(replicas)} replicas and no PodDisruptionBudget",
                resource.urn,
            )


def _is_default_deny(props: Mapping[str, Any]) -> bool:
    spec = dig(props, "spec", default={})
    return (
        not dig(spec, "podSelector", default={})
        and {"Ingress", "Egress"} <= set(dig(spec, "policyTypes", default=[]))
        and not dig(spec, "ingress")
        and not dig(spec, "egress")
    )


def check_namespace_default_deny(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every namespace the stack creates has a default-deny NetworkPolicy."""
    denied = {
        dig(r.props, "metadata", "namespace")
        for r in args.resources
        if r.resource_type == NETWORK_POLICY and _is_default_deny(r.props)
    }
    for resource in args.resources:
        if resource.resource_type == NAMESPACE:
            name = dig(resource.props, "metadata", "name", default=resource.name)
            if name not in denied:
                report(f"namespace {name} has no default-deny NetworkPolicy", resource.urn)


def check_no_load_balancers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Only the Gateway's namespace may expose a LoadBalancer Service."""
    if dig(args.props, "spec", "type") != "LoadBalancer":
        return
    namespace = dig(args.props, "metadata", "namespace", default="default")
    if namespace not in args.get_config().get("allowedNamespaces", [GATEWAY_NAMESPACE]):
        report(f"LoadBalancer Service in {namespace}: route traffic through the Gateway", None)


def _only_redirects_to_https(route: Mapping[str, Any]) -> bool:
    """Every rule of ``route`` sends a redirect to https and nothing to a backend."""
    rules = sequence(dig(route, "spec", "rules", default=[])) or []
    for rule in rules:
        if sequence(dig(rule, "backendRefs", default=[])):
            return False
        filters = sequence(dig(rule, "filters", default=[])) or []
        redirects = [f for f in filters if dig(f, "type") == "RequestRedirect"]
        if not redirects or any(dig(f, "requestRedirect", "scheme") != "https" for f in redirects):
            return False
    return bool(rules)


def _attached(route: Mapping[str, Any], gateway: str, namespace: Any, listener: str) -> bool:
    """Whether ``route`` attaches to ``listener`` of Gateway ``namespace/gateway`` (a
    parentRef without a sectionName attaches to every listener)."""
    route_namespace = dig(route, "metadata", "namespace", default="default")
    for parent in sequence(dig(route, "spec", "parentRefs", default=[])) or []:
        if dig(parent, "kind", default="Gateway") != "Gateway" or dig(parent, "name") != gateway:
            continue
        if dig(parent, "namespace", default=route_namespace) != namespace:
            continue
        if dig(parent, "sectionName", default=listener) == listener:
            return True
    return False


def check_gateway_tls(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every HTTP entry point is TLS: each Gateway listener is HTTPS (or TLS) terminating with
    a certificate, or plain HTTP whose every attached route only redirects to https."""
    routes = [r.props for r in args.resources if r.resource_type == HTTP_ROUTE]
    for resource in args.resources:
        if resource.resource_type != GATEWAY:
            continue
        name = dig(resource.props, "metadata", "name", default=resource.name)
        namespace = dig(resource.props, "metadata", "namespace", default="default")
        listeners = sequence(dig(resource.props, "spec", "listeners", default=[])) or []
        for listener in listeners:
            section, protocol = dig(listener, "name"), dig(listener, "protocol")
            if protocol in ("HTTPS", "TLS"):
                refs = sequence(dig(listener, "tls", "certificateRefs", default=[]))
                if dig(listener, "tls", "mode", default="Terminate") != "Terminate" or not refs:
                    report(f"{name} listener {section} terminates no TLS certificate", resource.urn)
            elif protocol == "HTTP":
                attached = [r for r in routes if _attached(r, name, namespace, section)]
                leaking = [
                    dig(r, "metadata", "name") for r in attached if not _only_redirects_to_https(r)
                ]
                if leaking:
                    report(
                        f"{name} listener {section} serves plain HTTP to routes "
                        f"{', '.join(map(str, leaking))} (only redirects to https may attach)",
                        resource.urn,
                    )
            else:
                report(f"{name} listener {section} speaks {protocol}, not HTTPS", resource.urn)


INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"


def check_tls_on_http_entry_points(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Every host an HTTP entry point serves is covered by a TLS certificate (an Ingress's
    ``spec.tls``); plain HTTP may only redirect (the controller's job, not a route's)."""
    rules = dig(args.props, "spec", "rules", default=[]) or []
    hosts = {dig(rules, i, "host") for i in range(len(rules))} - {None}
    tls = dig(args.props, "spec", "tls", default=[]) or []
    covered = {
        dig(tls, i, "hosts", j)
        for i in range(len(tls))
        for j in range(len(dig(tls, i, "hosts", default=[]) or []))
    }
    if not tls:
        report("no spec.tls: every host is served over plain HTTP", None)
    elif missing := sorted(str(h) for h in hosts - covered if not is_unknown(h)):
        report(f"hosts without a TLS certificate: {', '.join(missing)}", None)


def check_configmap_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """ConfigMaps carry no secret-looking keys."""
    keys = [*dig(args.props, "data", default={}), *dig(args.props, "binaryData", default={})]
    suspicious = sorted(k for k in keys if SECRET_LOOKING_NAME.search(k))
    if suspicious:
        report(f"secret-looking keys in a ConfigMap: {', '.join(suspicious)}", None)


ARGOCD_APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"


def check_manual_sync(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """An Argo CD Application that syncs itself (``syncPolicy.automated`` not disabled)."""
    automated = dig(args.props, "spec", "syncPolicy", "automated")
    if isinstance(automated, Mapping) and dig(automated, "enabled", default=True) is not False:
        report("spec.syncPolicy.automated: the Application syncs itself on every commit", None)


def _container_rule(name: str, why: str, fix: str, severity: Severity, check_one: Any) -> Any:
    return resource_rule(name, why, fix, severity, _each_container(check_one), types=WORKLOADS)


POLICIES = [
    resource_rule(
        "argocd-manual-sync",
        "Where a person must start every rollout (prod), an Application that syncs itself ships any commit that reaches the branch, outside the sync window.",
        "Leave spec.syncPolicy.automated out (the platform does where the environment's automatic_sync trait is off); sync by hand inside the project's sync window.",
        Severity.HIGH, check_manual_sync, types=[ARGOCD_APPLICATION],
    ),
    resource_rule(
        "k8s-tls-on-http-entry-points",
        "An entry point that serves HTTP in the clear exposes sessions and credentials on the wire.",
        "List every host under spec.tls with a cert-manager certificate (the platform itself serves hosts through its Gateway: k8s-gateway-tls).",
        Severity.HIGH, check_tls_on_http_entry_points, types=[INGRESS],
    ),
    _container_rule(
        "k8s-requests-and-limits", "Without requests the scheduler overcommits; without limits one pod starves a node.",
        "Set resources.requests and resources.limits for cpu and memory.", Severity.MEDIUM, requests_and_limits,
    ),
    _container_rule(
        "k8s-no-latest-tag", "A floating tag makes deployments unreproducible and rollbacks impossible.",
        "Pin the image by version tag or digest.", Severity.MEDIUM, pinned_image,
    ),
    resource_rule(
        "k8s-probes", "Without probes Kubernetes routes traffic to pods that cannot serve it.",
        "Add livenessProbe and readinessProbe (and a startupProbe for slow starts).", Severity.MEDIUM,
        check_probes, types=WORKLOADS,
    ),
    _container_rule(
        "k8s-run-as-non-root", "A root process that escapes its container is root on the node.",
        "Set securityContext.runAsNonRoot=true.", Severity.HIGH, non_root,
    ),
    _container_rule(
        "k8s-no-privilege-escalation", "setuid binaries can otherwise regain privileges.",
        "Set securityContext.allowPrivilegeEscalation=false.", Severity.HIGH, no_privilege_escalation,
    ),
    _container_rule(
        "k8s-read-only-root-filesystem", "A writable root lets an intruder plant tools and persist.",
        "Set securityContext.readOnlyRootFilesystem=true; mount an emptyDir where writes are needed.",
        Severity.MEDIUM, read_only_root,
    ),
    _container_rule(
        "k8s-capabilities-dropped", "Default capabilities (NET_RAW and others) widen the attack surface.",
        "Set securityContext.capabilities.drop=['ALL'].", Severity.MEDIUM, capabilities_dropped,
    ),
    stack_rule(
        "k8s-pdb-for-replicated-workloads", "Without a PDB a node drain may take every replica at once.",
        "Add a PodDisruptionBudget selecting the workload's pods (Workload does for minReplicas >= 2).",
        Severity.MEDIUM, check_pdb_for_replicated,
    ),
    stack_rule(
        "k8s-namespace-default-deny", "Without default deny every pod can reach every other pod.",
        "Add a NetworkPolicy with an empty podSelector and both policy types, then allow-lists.",
        Severity.HIGH, check_namespace_default_deny,
    ),
    resource_rule(
        "k8s-no-loadbalancer-services", "Each LoadBalancer Service is a new internet-facing entry point.",
        "Use a ClusterIP Service and an HTTPRoute on the platform's Gateway.", Severity.HIGH,
        check_no_load_balancers, types=[SERVICE],
        config_schema=PolicyConfigSchema(properties={
            "allowedNamespaces": {"type": "array", "items": {"type": "string"}, "default": [GATEWAY_NAMESPACE]}
        }),
    ),
    stack_rule(
        "k8s-gateway-tls", "Every HTTP entry point must be TLS: plain HTTP leaks credentials and data to anyone on the path.",
        "Give each Gateway listener protocol HTTPS with tls.certificateRefs (cert-manager's cluster-issuer annotation fills them), "
        "and attach to an HTTP listener only routes whose rules are RequestRedirect filters to scheme https.",
        Severity.HIGH, check_gateway_tls,
    ),
    resource_rule(
        "k8s-no-secrets-in-configmaps", "ConfigMaps are readable by anyone who can read the namespace's config.",
        "Move the value into a Secret.", Severity.HIGH, check_configmap_secrets, types=[CONFIG_MAP],
    ),
]  # fmt: skip
