"""Cloud DNS for external-dns: a Workload Identity service account that may change one zone.

The grants external-dns's GKE tutorial gives (docs/tutorials/gke.md at chart
external-dns-helm-chart-1.21.1, "Workload Identity", Terraform): ``roles/dns.reader`` on the
project (external-dns lists the project's managed zones; read only) and ``roles/dns.admin`` on
the one managed zone it writes. The zone is given by its managed-zone name, or looked up by DNS
name among the project's public zones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.contracts import DnsContract
from components.gcp.apis import DNS, ProjectApis
from components.gcp.workload_identity import GcpWorkloadIdentity, GcpWorkloadIdentityArgs
from infra.naming import child

ZONE_ROLE = "roles/dns.admin"
PROJECT_ROLE = "roles/dns.reader"


@dataclass(frozen=True, kw_only=True)
class GcpDnsWriterArgs:
    """Inputs of ``GcpDnsWriter``."""

    #: GCP project holding the cluster and the zone
    project: str
    #: the public zone's DNS name
    zone: str
    #: its managed zone's name (None: looked up by DNS name, public zones only)
    zone_name: str | None
    #: base of the Google service account's id
    account_id: str
    #: the cluster's Workload Identity pool
    workload_pool: pulumi.Input[str]
    #: namespace of external-dns's ServiceAccount
    namespace: str
    #: external-dns's ServiceAccount (the only one that may impersonate the account)
    service_account: str
    #: the project's API enablement (IAM and the zone's binding wait for it; DNS enabled)
    apis: ProjectApis


def public_zone_named(zones: list[tuple[str, str, str]], dns_name: str) -> str:
    """The managed-zone name of the public zone ``dns_name`` among (name, DNS name, visibility)."""
    wanted = f"{dns_name.rstrip('.')}."
    for name, zone_dns_name, visibility in zones:
        if zone_dns_name == wanted and visibility == "public":
            return name
    raise ValueError(
        f"platform:dns.zone: no public Cloud DNS zone {wanted} in the project; create it "
        "(`gcloud dns managed-zones create`) or set platform:dns.zoneId to its name"
    )


class GcpDnsWriter(pulumi.ComponentResource):
    """The service account external-dns runs as, admin of one managed zone only."""

    zone_name: pulumi.Output[str]
    """The managed zone's name."""

    def __init__(
        self, name: str, args: GcpDnsWriterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:gcp:DnsWriter", name, None, opts)
        self._args = args
        if args.zone_name is not None:
            self.zone_name = pulumi.Output.from_input(args.zone_name)
        else:
            zones = gcp.dns.get_managed_zones_output(
                project=args.project,
                opts=pulumi.InvokeOutputOptions(parent=self, depends_on=args.apis.needs(DNS)),
            ).managed_zones
            self.zone_name = zones.apply(
                lambda found: public_zone_named(
                    [(z.name or "", z.dns_name, z.visibility) for z in found], args.zone
                )
            )
        self._identity = GcpWorkloadIdentity(
            name,
            GcpWorkloadIdentityArgs(
                project=args.project,
                account_id=args.account_id,
                workload_pool=args.workload_pool,
                namespace=args.namespace,
                service_account=args.service_account,
                apis=args.apis,
                project_roles=[PROJECT_ROLE],
            ),
            pulumi.ResourceOptions(parent=self),
        )
        gcp.dns.DnsManagedZoneIamMember(
            child(name, "zone-admin"),
            project=args.project,
            managed_zone=self.zone_name,
            role=ZONE_ROLE,
            member=self._identity.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.apis.needs(DNS)),
        )
        self.register_outputs({"zoneName": self.zone_name})

    def contract(self) -> DnsContract:
        """The cloud-neutral view external-dns is deployed from."""
        return DnsContract(
            provider="google",
            zone=self._args.zone,
            zone_id=self.zone_name,
            service_account_annotations=self._identity.annotations(),
            args={"google-project": self._args.project, "google-zone-visibility": "public"},
        )
