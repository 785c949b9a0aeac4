"""GCP project APIs: enable every service API the stack calls, before anything calls it.

A fresh project has almost no API enabled, and every create call against a disabled API fails
("API has not been used in project ... or it is disabled"). ``ProjectApis`` enables each API
once with ``gcp.projects.Service`` and hands out the per-API resources, so each resource waits
for exactly the APIs it needs (``needs``). ``disable_on_destroy=False``: destroying the stack
must not switch an API off under anything else in the project (the provider's own advice).

Bootstrap: enabling an API itself calls the Service Usage API (``serviceusage.googleapis.com``),
on by default in every new project; docs/gcp.md lists it as the one prerequisite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.naming import child

COMPUTE = "compute.googleapis.com"
CONTAINER = "container.googleapis.com"
SQLADMIN = "sqladmin.googleapis.com"
SERVICENETWORKING = "servicenetworking.googleapis.com"
MANAGEDKAFKA = "managedkafka.googleapis.com"
REDIS = "redis.googleapis.com"
NETWORKCONNECTIVITY = "networkconnectivity.googleapis.com"
# Memorystore for Redis Cluster's PSC endpoints are created in a service-consumer project.
SERVICECONSUMERMANAGEMENT = "serviceconsumermanagement.googleapis.com"
CLOUDKMS = "cloudkms.googleapis.com"
IAM = "iam.googleapis.com"
# Project IAM policy (projects.IAMMember).
CLOUDRESOURCEMANAGER = "cloudresourcemanager.googleapis.com"
# Cloud Storage (the in-cluster Postgres' backup bucket); enabled only where a stack uses it.
STORAGE = "storage.googleapis.com"
# Cloud DNS (external-dns's zone: the IAM binding on it and the zone lookup); enabled only where
# a stack sets platform:dns.zone.
DNS = "dns.googleapis.com"
# Artifact Registry (the apps' images); enabled only where platform:images.createRegistry is on.
ARTIFACTREGISTRY = "artifactregistry.googleapis.com"
# GKE's logging and monitoring config ships to these.
LOGGING = "logging.googleapis.com"
MONITORING = "monitoring.googleapis.com"

ALL = (
    COMPUTE,
    CONTAINER,
    SQLADMIN,
    SERVICENETWORKING,
    MANAGEDKAFKA,
    REDIS,
    NETWORKCONNECTIVITY,
    SERVICECONSUMERMANAGEMENT,
    CLOUDKMS,
    IAM,
    CLOUDRESOURCEMANAGER,
    LOGGING,
    MONITORING,
)


@dataclass(frozen=True, kw_only=True)
class ProjectApisArgs:
    """Inputs of ``ProjectApis``."""

    #: GCP project id whose APIs are enabled
    project: str
    #: service names to enable (default: every API the platform uses)
    services: Sequence[str] = ALL


class ProjectApis(pulumi.ComponentResource):
    """The project's enabled APIs, one ``gcp.projects.Service`` each."""

    def __init__(
        self, name: str, args: ProjectApisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:ProjectApis", name, None, opts)
        self._services: dict[str, gcp.projects.Service] = {
            service: gcp.projects.Service(
                child(name, service.split(".", 1)[0]),
                project=args.project,
                service=service,
                disable_on_destroy=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for service in args.services
        }
        self.register_outputs({})

    def needs(self, *services: str) -> list[pulumi.Resource]:
        """The Service resources a resource calling ``services`` must wait for."""
        missing = [service for service in services if service not in self._services]
        if missing:
            raise ValueError(f"APIs not enabled by this stack: {', '.join(missing)}")
        return [self._services[service] for service in services]
