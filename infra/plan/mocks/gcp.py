"""Mocked outputs and invokes of pulumi-gcp: resource names and ids in GCP's formats."""

from __future__ import annotations

from typing import Any

from infra.plan.mocks.common import MockContext, OutputFn, digest
from policies.rules.facts import catalog
from policies.rules.facts.gcp_offerings import CLOUD_SQL_TIERS, REGIONS

#: the provider package these mocks answer for (its resource types start with it)
PACKAGE = "gcp"

PROJECT_NUMBER = "123456789012"


def _name(args: Any) -> str:
    return str(args.inputs.get("name") or f"{args.name}-{digest(args.name, length=7)}")


def _project(args: Any, context: MockContext) -> str:
    return str(args.inputs.get("project") or context.gcp_project)


def _ip(context: MockContext, *parts: str) -> str:
    return f"10.{int(digest(context.stack, *parts, length=2), 16) % 200 + 20}.0.{int(digest(*parts, length=2), 16) % 250 + 2}"


def fallback(args: Any, context: MockContext) -> dict[str, Any]:
    """Every GCP resource: a name, and an id/self link under the project."""
    name = _name(args)
    kind = args.typ.split(":")[-1].lower()
    resource_id = f"projects/{_project(args, context)}/{kind}s/{name}"
    return {
        "id": resource_id,
        "name": name,
        "selfLink": f"https://www.googleapis.com/{resource_id}",
        "effectiveLabels": args.inputs.get("labels", {}),
    }


def _network(args: Any, context: MockContext) -> dict[str, Any]:
    name = _name(args)
    resource_id = f"projects/{_project(args, context)}/global/networks/{name}"
    return {"id": resource_id, "selfLink": f"https://www.googleapis.com/compute/v1/{resource_id}"}


def _subnetwork(args: Any, context: MockContext) -> dict[str, Any]:
    name = _name(args)
    region = args.inputs.get("region", context.region)
    resource_id = f"projects/{_project(args, context)}/regions/{region}/subnetworks/{name}"
    return {"id": resource_id, "selfLink": f"https://www.googleapis.com/compute/v1/{resource_id}"}


def _service_account(args: Any, context: MockContext) -> dict[str, Any]:
    project = _project(args, context)
    email = f"{args.inputs.get('accountId', args.name)}@{project}.iam.gserviceaccount.com"
    return {"id": f"projects/{project}/serviceAccounts/{email}", "email": email,
            "name": f"projects/{project}/serviceAccounts/{email}", "member": f"serviceAccount:{email}"}  # fmt: skip


def _key_ring(args: Any, context: MockContext) -> dict[str, Any]:
    location = args.inputs.get("location", context.region)
    return {"id": f"projects/{_project(args, context)}/locations/{location}/keyRings/{_name(args)}"}


def _crypto_key(args: Any, context: MockContext) -> dict[str, Any]:
    return {"id": f"{args.inputs.get('keyRing', 'keyring')}/cryptoKeys/{_name(args)}"}


def _gke(args: Any, context: MockContext) -> dict[str, Any]:
    name = _name(args)
    private = dict(args.inputs.get("privateClusterConfig") or {})
    private.update(privateEndpoint="172.16.0.2", publicEndpoint="203.0.113.10")
    endpoints = dict(args.inputs.get("controlPlaneEndpointsConfig") or {})
    # GKE's DNS endpoint: gke-<uid>-<project number>.<location>.gke.goog
    dns = dict(endpoints.get("dnsEndpointConfig") or {})
    dns["endpoint"] = (
        f"gke-{digest(name, length=32)}-{PROJECT_NUMBER}.{args.inputs.get('location')}.gke.goog"
    )
    endpoints["dnsEndpointConfig"] = dns
    return {
        "controlPlaneEndpointsConfig": endpoints,
        "id": f"projects/{_project(args, context)}/locations/{args.inputs.get('location')}/clusters/{name}",
        "endpoint": "203.0.113.10",
        "masterAuth": {"clusterCaCertificate": "T0ZGTElORS1QTEFOLUNB"},
        "privateClusterConfig": private,
    }


def _sql_instance(args: Any, context: MockContext) -> dict[str, Any]:
    name = _name(args)
    return {
        "privateIpAddress": _ip(context, "sql", name),
        "connectionName": f"{_project(args, context)}:{args.inputs.get('region', context.region)}:{name}",
        "serverCaCerts": [{"cert": "OFFLINE-PLAN-CA"}],
    }


def _kafka(args: Any, context: MockContext) -> dict[str, Any]:
    cluster_id = args.inputs.get("clusterId", args.name)
    location = args.inputs.get("location", context.region)
    project = _project(args, context)
    return {
        "id": f"projects/{project}/locations/{location}/clusters/{cluster_id}",
        "bootstrapAddress": f"bootstrap.{cluster_id}.{location}.managedkafka.{project}.cloud.goog:9092",
    }


def _redis_cluster(args: Any, context: MockContext) -> dict[str, Any]:
    certificate = (
        "-----BEGIN CERTIFICATE-----\nT0ZGTElORS1QTEFOLVJFRElTLUNB\n-----END CERTIFICATE-----"
    )
    return {
        "discoveryEndpoints": [{"address": _ip(context, "redis", args.name), "port": 6379}],
        # set by the service when transit encryption is SERVER_AUTHENTICATION
        "managedServerCas": [{"caCerts": [{"certificates": [certificate]}]}],
    }


def _storage_agent(args: Any, context: MockContext) -> dict[str, Any]:
    email = f"service-{PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    return {
        "emailAddress": email,
        "member": f"serviceAccount:{email}",
        "id": email,
        "project": args.args.get("project", context.gcp_project),
    }


# Google-managed service agents by API (https://cloud.google.com/iam/docs/service-agents)
_AGENT_DOMAINS = {
    "container.googleapis.com": "container-engine-robot",
    "sqladmin.googleapis.com": "gcp-sa-cloud-sql",
}


def _service_identity(args: Any, context: MockContext) -> dict[str, Any]:
    service = str(args.inputs.get("service", ""))
    domain = _AGENT_DOMAINS.get(service, f"gcp-sa-{service.split('.', 1)[0]}")
    email = f"service-{PROJECT_NUMBER}@{domain}.iam.gserviceaccount.com"
    project = _project(args, context)
    return {"id": f"projects/{project}/services/{service}", "email": email,
            "member": f"serviceAccount:{email}"}  # fmt: skip


RESOURCES: dict[str, OutputFn] = {
    "gcp:projects/serviceIdentity:ServiceIdentity": _service_identity,
    "gcp:compute/network:Network": _network,
    "gcp:compute/subnetwork:Subnetwork": _subnetwork,
    "gcp:serviceaccount/account:Account": _service_account,
    "gcp:kms/keyRing:KeyRing": _key_ring,
    "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
    "gcp:container/cluster:Cluster": _gke,
    "gcp:sql/databaseInstance:DatabaseInstance": _sql_instance,
    "gcp:managedkafka/cluster:Cluster": _kafka,
    "gcp:redis/cluster:Cluster": _redis_cluster,
}


def _managed_zones(args: Any, context: MockContext) -> dict[str, Any]:
    """The project's Cloud DNS zones: one public zone per shipped stack's ``platform:dns.zone``
    (the lookup matches it by DNS name) and a private one that it must skip."""
    project = args.args.get("project", context.gcp_project)
    zone = context.dns_zone or "offline-plan.example.com"
    return {
        "project": project,
        "id": f"projects/{project}/managedZones",
        "managedZones": [
            {
                "name": "internal",
                "dnsName": f"{zone}.",
                "visibility": "private",
                "description": "",
                "id": f"projects/{project}/managedZones/internal",
                "managedZoneId": "1000000000000000001",
                "nameServers": [],
                "project": project,
            },
            {
                "name": zone.replace(".", "-"),
                "dnsName": f"{zone}.",
                "visibility": "public",
                "description": "",
                "id": f"projects/{project}/managedZones/{zone.replace('.', '-')}",
                "managedZoneId": "1000000000000000002",
                "nameServers": ["ns-cloud-a1.googledomains.com."],
                "project": project,
            },
        ],
    }


def _engine_versions(args: Any, context: MockContext) -> dict[str, Any]:
    """GKE's server config as the version catalog recorded it on the day each entry was
    checked: one master version per catalogued minor, the REGULAR channel's newest the newest
    of them and its default the catalog's (``container.get_engine_versions``)."""
    gke = catalog.service("kubernetes.gke")
    offered = [f"{version}.1-gke.1000" for version in reversed(gke.versions)]  # newest first
    prefix = str(args.args.get("versionPrefix") or "")
    matching = [version for version in offered if version.startswith(prefix)]
    latest, default = (offered[0] if offered else ""), f"{gke.default}.1-gke.1000"
    return {
        "id": "-",
        "location": str(args.args.get("location") or context.region),
        "project": context.gcp_project,
        "versionPrefix": prefix,
        "validMasterVersions": matching,
        "validNodeVersions": matching,
        "latestMasterVersion": matching[0] if matching else "",
        "latestNodeVersion": matching[0] if matching else "",
        "defaultClusterVersion": default,
        "releaseChannelDefaultVersion": {"REGULAR": default},
        "releaseChannelLatestVersion": {"REGULAR": latest},
        "releaseChannelUpgradeTargetVersion": {"REGULAR": latest},
    }


def _tiers(args: Any, context: MockContext) -> dict[str, Any]:
    """Cloud SQL's tiers as the dated table in ``gcp_offerings`` records them, each offered in
    every region of its region table (``sql.get_tiers``)."""
    project = str(args.args.get("project") or context.gcp_project)
    return {
        "id": project,
        "project": project,
        "tiers": [
            {"tier": tier, "ram": ram, "diskQuota": 3_000_000_000_000, "regions": list(REGIONS)}
            for tier, ram in CLOUD_SQL_TIERS.items()
        ],
    }


INVOKES: dict[str, OutputFn] = {
    "gcp:sql/getTiers:getTiers": _tiers,
    "gcp:container/getEngineVersions:getEngineVersions": _engine_versions,
    "gcp:dns/getManagedZones:getManagedZones": _managed_zones,
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": _storage_agent,
}
