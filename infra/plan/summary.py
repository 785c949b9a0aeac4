"""What a plan costs and risks, read off the plan JSON alone: per top-level component its main
sizes, an estimated monthly cost from the dated price table (``infra.plan.prices``), what is
protected and what is reachable from the internet.

It reads only ``resources`` and ``outputs`` (``cloud``, ``region``), so the diff can summarize
a base plan made by older code the same way. The cost is an estimate: list prices of the SKUs
that have a row, at the desired (or minimum) node count; everything without a row is named as
not priced, and ``LEAVES_OUT`` says what no row covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.plan.prices import HOURS_PER_MONTH, price

Resource = dict[str, Any]

ESTIMATE_NOTE = (
    "Estimated monthly cost: list prices (USD, on-demand, no discounts or taxes) of the SKUs "
    f"that have a dated row in infra/plan/prices.py, x {HOURS_PER_MONTH} h, at the desired or "
    "minimum node count. An estimate, not a quote."
)
LOCAL_NOTE = "No cloud resources: platform:cloud local runs on the current kubeconfig context."
LEAVES_OUT = (
    "SKUs without a price row (listed as not priced)",
    "storage: node disks, database and broker storage, backups, snapshots, DR copies",
    "data transfer, NAT gateway processing, load balancers and public IPs",
    "logs, metrics and alarms (CloudWatch, Cloud Logging/Monitoring, Log Analytics)",
    "key management, secrets, DNS and certificates",
    "autoscaling above the desired count, support plans, taxes, committed-use discounts",
)


@dataclass
class Facts:
    """What one resource contributes to its component's summary."""

    sizes: list[str] = field(default_factory=list)
    priced: list[tuple[str, str, float]] = field(default_factory=list)  # (item, sku, quantity)
    not_priced: list[str] = field(default_factory=list)
    exposure: list[tuple[str, str]] = field(default_factory=list)  # (what, from where)


def top_component(resource: Resource, by_urn: dict[str, Resource]) -> str:
    """``name (type)`` of the resource's top-level component, ``(stack)`` for a root one."""
    current = resource
    while current["parent"] in by_urn:
        current = by_urn[current["parent"]]
    if current is resource and resource["custom"]:
        return "(stack)"
    return f"{current['name']} ({current['type']})"


def _get(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _sources(cidrs: Any) -> str:
    return ", ".join(cidrs) if cidrs else "anywhere (0.0.0.0/0)"


def _nodes(item: str, sku: str, count: int, low: Any, high: Any) -> Facts:
    scaling = f" (autoscaling {low}-{high})" if low is not None and high is not None else ""
    return Facts([f"nodes: {count} x {sku}{scaling}"], [(item, sku, count)])


def _eks_cluster(inputs: Resource) -> Facts:
    facts = Facts(priced=[("control plane", "eks-control-plane", 1)])
    vpc = inputs.get("vpcConfig") or {}
    if vpc.get("endpointPublicAccess"):
        facts.exposure.append(
            ("Kubernetes API (public endpoint)", _sources(vpc.get("publicAccessCidrs")))
        )
    return facts


def _eks_nodes(inputs: Resource) -> Facts:
    scaling = inputs.get("scalingConfig") or {}
    count = int(scaling.get("desiredSize") or scaling.get("minSize") or 0)
    sku = (inputs.get("instanceTypes") or ["?"])[0]
    return _nodes("nodes", sku, count, scaling.get("minSize"), scaling.get("maxSize"))


def _rds(inputs: Resource) -> Facts:
    ha = ", Multi-AZ" if inputs.get("multiAz") else ""
    size = (
        f"Postgres: {inputs.get('instanceClass')}, {inputs.get('allocatedStorage')} GiB "
        f"{inputs.get('storageType') or ''} (grows to {inputs.get('maxAllocatedStorage')}){ha}"
    )
    return Facts([size], not_priced=[f"RDS {inputs.get('instanceClass')}{ha}"])


def _msk(inputs: Resource) -> Facts:
    group = inputs.get("brokerNodeGroupInfo") or {}
    volume = _get(group, "storageInfo", "ebsStorageInfo", "volumeSize")
    brokers, sku = inputs.get("numberOfBrokerNodes"), group.get("instanceType")
    return Facts([f"Kafka: {brokers} x {sku}, {volume} GiB each"], not_priced=[f"MSK {sku}"])


def _elasticache(inputs: Resource) -> Facts:
    shards, replicas = inputs.get("numNodeGroups") or 1, inputs.get("replicasPerNodeGroup") or 0
    sku = inputs.get("nodeType")
    size = f"Redis: {shards * (1 + replicas)} x {sku} ({shards} shards x {1 + replicas})"
    return Facts([size], not_priced=[f"ElastiCache {sku}"])


def _gke_cluster(inputs: Resource) -> Facts:
    facts = Facts(not_priced=["GKE cluster management fee"])
    if not _get(inputs, "privateClusterConfig", "enablePrivateEndpoint"):
        cidrs = [
            b.get("cidrBlock")
            for b in _get(inputs, "masterAuthorizedNetworksConfig", "cidrBlocks") or []
        ]
        facts.exposure.append(("Kubernetes API (public endpoint)", _sources(cidrs)))
    return facts


def _gke_nodes(inputs: Resource) -> Facts:
    scaling = inputs.get("autoscaling") or {}
    low = scaling.get("totalMinNodeCount", scaling.get("minNodeCount"))
    count = int(inputs.get("nodeCount") or inputs.get("initialNodeCount") or low or 0)
    sku = _get(inputs, "nodeConfig", "machineType") or "?"
    high = scaling.get("totalMaxNodeCount", scaling.get("maxNodeCount"))
    return _nodes("nodes", sku, count, low, high)


def _cloud_sql(inputs: Resource) -> Facts:
    settings = inputs.get("settings") or {}
    ha = ", regional (HA)" if settings.get("availabilityType") == "REGIONAL" else ""
    size = (
        f"Postgres: {settings.get('tier')}, {settings.get('diskSize')} GiB "
        f"{settings.get('diskType') or ''}{ha}"
    )
    return Facts([size], not_priced=[f"Cloud SQL {settings.get('tier')}{ha}"])


def _gcp_kafka(inputs: Resource) -> Facts:
    capacity = inputs.get("capacityConfig") or {}
    memory = int(capacity.get("memoryBytes") or 0) // 2**30
    size = f"Kafka: {capacity.get('vcpuCount')} vCPU, {memory} GiB"
    return Facts([size], not_priced=["Managed Service for Apache Kafka capacity"])


def _memorystore(inputs: Resource) -> Facts:
    shards, replicas = inputs.get("shardCount") or 1, inputs.get("replicaCount") or 0
    sku = inputs.get("nodeType")
    size = f"Redis: {shards * (1 + replicas)} x {sku} ({shards} shards x {1 + replicas})"
    return Facts([size], not_priced=[f"Memorystore {sku}"])


def _aks(inputs: Resource) -> Facts:
    facts = Facts()
    for pool in inputs.get("agentPoolProfiles") or []:
        pool_facts = _nodes(
            f"{pool.get('name')} nodes", pool.get("vmSize") or "?", int(pool.get("count") or 0),
            pool.get("minCount"), pool.get("maxCount"),
        )  # fmt: skip
        facts.sizes += [f"{pool.get('name')} {size}" for size in pool_facts.sizes]
        facts.priced += pool_facts.priced
    if _get(inputs, "sku", "tier") in {"Standard", "Premium"}:
        facts.not_priced.append(f"AKS {_get(inputs, 'sku', 'tier')} tier control plane")
    access = inputs.get("apiServerAccessProfile") or {}
    if not access.get("enablePrivateCluster"):
        facts.exposure.append(
            ("Kubernetes API (public endpoint)", _sources(access.get("authorizedIPRanges")))
        )
    return facts


def _aks_pool(inputs: Resource) -> Facts:
    sku = inputs.get("vmSize") or "?"
    return _nodes(
        "nodes", sku, int(inputs.get("count") or 0), inputs.get("minCount"), inputs.get("maxCount")
    )


def _azure_postgres(inputs: Resource) -> Facts:
    sku = _get(inputs, "sku", "name")
    mode = _get(inputs, "highAvailability", "mode")
    ha = f", HA {mode}" if mode and mode != "Disabled" else ""
    size = f"Postgres: {sku}, {_get(inputs, 'storage', 'storageSizeGB')} GiB{ha}"
    return Facts([size], not_priced=[f"PostgreSQL Flexible Server {sku}{ha}"])


def _event_hubs(inputs: Resource) -> Facts:
    sku, capacity = _get(inputs, "sku", "name"), _get(inputs, "sku", "capacity")
    return Facts([f"Kafka: Event Hubs {sku}, {capacity} unit(s)"], not_priced=[f"Event Hubs {sku}"])


def _azure_redis(inputs: Resource) -> Facts:
    sku = _get(inputs, "sku", "name")
    ha = ", HA" if inputs.get("highAvailability") != "Disabled" else ", no HA"
    return Facts(
        [f"Redis: Azure Managed Redis {sku}{ha}"], not_priced=[f"Azure Managed Redis {sku}{ha}"]
    )


def _envoy_proxy(inputs: Resource) -> Facts:
    """The Gateway's data plane Service (Envoy Gateway's ``EnvoyProxy``)."""
    service = _get(inputs, "spec", "provider", "kubernetes", "envoyService") or {}
    return _load_balancer(service, "the Gateway")


def _helm_release(inputs: Resource) -> Facts:
    service = _get(inputs, "values", "controller", "service") or {}
    return _load_balancer(service, str(inputs.get("name") or inputs.get("chart")))


def _load_balancer(service: Resource, owner: str) -> Facts:
    """An internet-facing LoadBalancer Service (none when internal or not a load balancer)."""
    if service.get("type", "LoadBalancer") != "LoadBalancer":
        return Facts()
    annotations = service.get("annotations") or {}
    internal = any(
        value in {"internal", "true"} and "internal" in key for key, value in annotations.items()
    )
    if (
        internal
        or annotations.get("service.beta.kubernetes.io/aws-load-balancer-scheme") == "internal"
    ):
        return Facts()
    what = f"load balancer of {owner} (ports 80, 443)"
    return Facts(exposure=[(what, _sources(service.get("loadBalancerSourceRanges")))])


def _ingress(inputs: Resource) -> Facts:
    hosts = [rule.get("host") for rule in _get(inputs, "spec", "rules") or [] if rule.get("host")]
    return Facts(
        exposure=[(f"https://{host}", "the ingress controller's load balancer") for host in hosts]
    )


def _http_route(inputs: Resource) -> Facts:
    hosts = _get(inputs, "spec", "hostnames") or []
    return Facts(exposure=[(f"https://{host}", "the Gateway's load balancer") for host in hosts])


EXTRACTORS: dict[str, Callable[[Resource], Facts]] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _eks_nodes,
    "aws:rds/instance:Instance": _rds,
    "aws:msk/cluster:Cluster": _msk,
    "aws:elasticache/replicationGroup:ReplicationGroup": _elasticache,
    "gcp:container/cluster:Cluster": _gke_cluster,
    "gcp:container/nodePool:NodePool": _gke_nodes,
    "gcp:sql/databaseInstance:DatabaseInstance": _cloud_sql,
    "gcp:managedkafka/cluster:Cluster": _gcp_kafka,
    "gcp:redis/cluster:Cluster": _memorystore,
    "azure-native:containerservice:ManagedCluster": _aks,
    "azure-native:containerservice:AgentPool": _aks_pool,
    "azure-native:dbforpostgresql:Server": _azure_postgres,
    "azure-native:eventhub:Namespace": _event_hubs,
    "azure-native:redisenterprise:RedisEnterprise": _azure_redis,
    "kubernetes:helm.sh/v3:Release": _helm_release,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": _envoy_proxy,
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": _http_route,
}


def _cost_line(item: str, sku: str, quantity: float, cloud: str, region: str) -> dict[str, Any]:
    row = price(cloud, region, sku)
    assert row is not None
    monthly = round(row.usd * quantity * HOURS_PER_MONTH, 2)
    return {
        "item": item, "sku": sku, "quantity": quantity, "unit": row.unit, "usd_per_unit": row.usd,
        "monthly_usd": monthly, "source": row.source, "read": row.read, "note": row.note,
    }  # fmt: skip


def summarize(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan's summary: components (sizes, cost), protected resources, exposure, total."""
    resources = plan["resources"]
    cloud = str(plan.get("outputs", {}).get("cloud", ""))
    region = str(plan.get("outputs", {}).get("region", ""))
    by_urn = {r["urn"]: r for r in resources}
    components: dict[str, dict[str, Any]] = {}
    exposure: list[dict[str, str]] = []
    for resource in resources:
        extract = EXTRACTORS.get(resource["type"]) if resource["custom"] else None
        if extract is None:
            continue
        facts = extract(resource.get("inputs") or {})
        name = top_component(resource, by_urn)
        entry = components.setdefault(
            name, {"component": name, "sizes": [], "cost": [], "not_priced": []}
        )
        entry["sizes"] += facts.sizes
        for item, sku, quantity in facts.priced:
            if price(cloud, region, sku) is None:
                entry["not_priced"].append(f"{sku} ({item}): no price row for {cloud} {region}")
            else:
                entry["cost"].append(_cost_line(item, sku, quantity, cloud, region))
        entry["not_priced"] += facts.not_priced
        exposure += [
            {"what": what, "from": source, "component": name} for what, source in facts.exposure
        ]
    for entry in components.values():
        entry["monthly_usd"] = round(sum(line["monthly_usd"] for line in entry["cost"]), 2)
    listed = sorted(components.values(), key=lambda c: c["component"])
    return {
        "cloud": cloud,
        "region": region,
        "components": [c for c in listed if c["sizes"] or c["cost"] or c["not_priced"]],
        "protected": sorted(f"{r['type']} {r['name']}" for r in resources if r.get("protect")),
        "exposure": exposure,
        "monthly_usd": round(sum(c["monthly_usd"] for c in listed), 2),
        "estimate": {
            "note": LOCAL_NOTE if cloud == "local" else ESTIMATE_NOTE,
            "leaves_out": [] if cloud == "local" else list(LEAVES_OUT),
        },
    }


def price_rows(summary: dict[str, Any]) -> list[tuple[str, float, str, str, str]]:
    """(sku, USD per unit, unit, date read, source) of every price row the summary used."""
    lines = [line for component in summary["components"] for line in component["cost"]]
    return sorted({(x["sku"], x["usd_per_unit"], x["unit"], x["read"], x["source"]) for x in lines})


def not_priced(summary: dict[str, Any]) -> list[str]:
    """What the summary could not price, once each."""
    return sorted({item for component in summary["components"] for item in component["not_priced"]})


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def summary_markdown(stack: str, summary: dict[str, Any]) -> str:
    """One stack's summary as markdown: sizes and cost, price rows, protection, exposure."""
    lines = [
        f"### {stack}: estimated ${summary['monthly_usd']:,.2f}/month "
        f"({summary['cloud']} {summary['region']})",
        "",
        "| component | main sizes | est. USD/month |",
        "|---|---|---:|",
    ]
    for component in summary["components"]:
        cost = f"{component['monthly_usd']:,.2f}" if component["cost"] else "not priced"
        sizes = _cell("\n".join(component["sizes"]))
        lines.append(f"| {_cell(component['component'])} | {sizes} | {cost} |")
    missing = not_priced(summary)
    lines += ["", f"_{summary['estimate']['note']}_"]
    if missing:
        lines.append(f"Not priced (no dated price row): {', '.join(missing)}.")
    if summary["estimate"]["leaves_out"]:
        lines.append(f"Leaves out: {'; '.join(summary['estimate']['leaves_out'])}.")
    rows = price_rows(summary)
    if rows:
        lines += ["", "| SKU | list price | read | source |", "|---|---:|---|---|"]
        lines += [f"| {sku} | ${usd:g}/{unit} | {read} | {source} |" for sku, usd, unit, read, source in rows]  # fmt: skip
    protected = summary["protected"]
    lines += ["", f"**Protected** (pulumi protect): {len(protected)}"]
    lines += [f"- `{name}`" for name in protected]
    lines += ["", "**Exposed to the internet**:" + ("" if summary["exposure"] else " nothing")]
    lines += [f"- {e['what']}: reachable from {e['from']}" for e in summary["exposure"]]
    return "\n".join([*lines, ""])
