"""DNS for the app hosts: external-dns with a zone-scoped identity on every cloud when
``platform:dns.zone`` is set; without it, the load balancer's address and the records to make."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.aws.dns import zone_statements
from components.gcp.dns import public_zone_named
from components.kubernetes import charts
from infra.config import ConfigError, build_platform_config
from infra.plan.cli import Outcome
from stacks.dns import record_lines
from tests.conftest import one, plan_of, resources_of

RELEASE = "kubernetes:helm.sh/v3:Release"
AZURE_ZONE_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns/providers/"
    "Microsoft.Network/dnszones/analytics.example.com"
)
BASE: dict[str, dict[str, str]] = {
    "aws": {"aws:region": "eu-west-1"},
    "gcp": {"gcp:region": "europe-west1", "gcp:project": "analytics-platform-dev"},
    "azure": {"azure-native:location": "westeurope"},
    "local": {},
}


def build(cloud: str, dns: dict[str, Any] | None, **sections: Any):
    raw: dict[str, Any] = {
        "platform:example": "true",
        "platform:cloud": cloud,
        "platform:environment": "dev",
        "platform:cluster": json.dumps({"authorizedNetworks": ["203.0.113.0/24"]}),
        **BASE[cloud],
    }
    if dns is not None:
        raw["platform:dns"] = json.dumps(dns)
    for key, value in sections.items():
        raw[f"platform:{key}"] = json.dumps(value)
    return build_platform_config(raw, "dev", "Pulumi.dev.yaml")


def problems(cloud: str, dns: dict[str, Any], **sections: Any) -> list[str]:
    with pytest.raises(ConfigError) as info:
        build(cloud, dns, **sections)
    return info.value.lines()


# --- config ------------------------------------------------------------------------------------


def test_no_zone_is_the_default_and_a_zone_is_kept() -> None:
    assert build("aws", None).dns.zone is None
    config = build("aws", {"zone": "analytics.example.com"})
    assert (config.dns.zone, config.dns.zone_id, config.dns.policy) == (
        "analytics.example.com", None, "sync",
    )  # fmt: skip


@pytest.mark.parametrize(
    "zone", ["Analytics.example.com", "analytics.example.com.", "example", "-a.example.com", "a..b"]
)
def test_a_zone_that_is_not_a_dns_name_is_one_clear_line(zone: str) -> None:
    assert problems("aws", {"zone": zone}) == [
        f"Pulumi.dev.yaml: platform:dns.zone: {zone!r} is not a DNS name: lower-case labels of "
        "letters, digits and inner hyphens (63 characters at most), two or more, joined by dots, "
        "no trailing dot (e.g. apps.your.domain)"
    ]


def test_every_app_host_must_be_in_the_zone() -> None:
    assert problems("aws", {"zone": "other.example.org"}) == [
        "Pulumi.dev.yaml: platform:apps.backend.host: api.dev.analytics.example.com is not in "
        "dns.zone other.example.org (external-dns writes only there); use a host under the "
        "zone, or a zone that holds every host"
    ]


@pytest.mark.parametrize(
    ("cloud", "dns", "expected"),
    [
        ("azure", {"zone": "analytics.example.com"}, "platform:dns.zoneId: required on azure"),
        ("aws", {"zone": "analytics.example.com", "zoneId": "abc"}, "'abc' is not a Route 53"),
        ("gcp", {"zone": "analytics.example.com", "zoneId": "Bad_Name"}, "is not the Cloud DNS"),
        (
            "azure",
            {"zone": "analytics.example.com", "zoneId": AZURE_ZONE_ID.replace("analytics.", "x.")},
            "names zone x.example.com, not dns.zone analytics.example.com",
        ),
        ("local", {"zone": "analytics.example.com"}, "not available with platform:cloud local"),
        ("aws", {"zoneId": "Z0123456789ABCDEFGHIJ"}, "platform:dns.zoneId: set dns.zone too"),
    ],
)
def test_zone_mistakes_name_the_key_and_what_is_allowed(
    cloud: str, dns: dict[str, Any], expected: str
) -> None:
    found = problems(cloud, dns)
    assert len(found) == 1 and expected in found[0], found


def test_an_example_zone_outside_a_sample_names_the_key() -> None:
    raw = {
        "platform:cloud": "azure", "platform:environment": "dev",
        "azure-native:location": "westeurope",
        "platform:dns": json.dumps({"zone": "analytics.example.com", "zoneId": AZURE_ZONE_ID}),
    }  # fmt: skip
    with pytest.raises(ConfigError) as info:
        build_platform_config(raw, "dev", "Pulumi.dev.yaml")
    lines = [line for line in info.value.lines() if "platform:dns." in line]
    assert len(lines) == 2, lines
    assert any(
        "platform:dns.zone: " in line and "a public DNS zone you control" in line for line in lines
    )
    assert any("platform:dns.zoneId: " in line for line in lines)


def test_azure_zone_ids_are_read_in_any_case() -> None:
    zone_id = AZURE_ZONE_ID.replace("dnszones", "dnsZones").replace(
        "resourceGroups", "resourcegroups"
    )
    assert (
        build("azure", {"zone": "analytics.example.com", "zoneId": zone_id}).dns.zone_id == zone_id
    )


def test_a_zone_needs_the_gateway() -> None:
    found = problems("aws", {"zone": "analytics.example.com"}, addons={"gateway": False})
    assert any("turn addons.gateway on" in line for line in found), found


def test_a_bad_zone_fails_the_plan_with_exit_2(tmp_path) -> None:
    from tests.conftest import run_cli, write_stack

    path = write_stack(
        tmp_path, "bad-dns",
        {
            "platform:example": True, "platform:cloud": "aws", "platform:environment": "dev",
            "aws:region": "eu-west-1",
            "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
            "platform:dns": {"zone": "Not A Zone"},
        },
    )  # fmt: skip
    result = run_cli("plan", "--config-file", str(path), "--quiet")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "platform:dns.zone: 'Not A Zone' is not a DNS name" in result.stdout + result.stderr


# --- pieces ------------------------------------------------------------------------------------


def test_records_point_each_host_at_the_address() -> None:
    assert record_lines("CNAME", ["b.example.com", "a.example.com"], "lb.amazonaws.com") == [
        "a.example.com. CNAME lb.amazonaws.com.",
        "b.example.com. CNAME lb.amazonaws.com.",
    ]
    assert record_lines("A", ["a.example.com"], "203.0.113.7") == ["a.example.com. A 203.0.113.7"]
    # the cloud has not assigned an address yet
    assert record_lines("A", ["a.example.com"], "") == ["a.example.com. A <gatewayAddress>"]


def test_route53_changes_only_the_zone() -> None:
    arn = "arn:aws:route53:::hostedzone/Z1"
    change, listing = zone_statements(arn)
    assert "route53:ChangeResourceRecordSets" in change["Action"] and change["Resource"] == [arn]
    assert listing == {"Effect": "Allow", "Action": ["route53:ListHostedZones"], "Resource": ["*"]}


def test_the_cloud_dns_lookup_takes_the_public_zone_only() -> None:
    zones = [("inner", "a.example.com.", "private"), ("outer", "a.example.com.", "public")]
    assert public_zone_named(zones, "a.example.com") == "outer"
    with pytest.raises(ValueError, match=r"no public Cloud DNS zone a\.example\.com\."):
        public_zone_named(zones[:1], "a.example.com")


# --- plans -------------------------------------------------------------------------------------

ZONED = {"aws": "staging", "gcp": "staging-gcp", "azure": "staging-azure"}


def _external_dns(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in resources_of(plan, RELEASE) if r["inputs"].get("chart") == "external-dns"]


@pytest.mark.parametrize("cloud", sorted(ZONED))
def test_a_zone_plans_external_dns_limited_to_it(
    shipped_plans: dict[str, Outcome], cloud: str
) -> None:
    plan = plan_of(shipped_plans, ZONED[cloud])
    (release,) = _external_dns(plan)
    inputs = release["inputs"]
    assert inputs["version"] == charts.EXTERNAL_DNS.version
    values = inputs["values"]
    assert values["sources"] == ["gateway-httproute"]
    assert values["domainFilters"] == ["analytics.example.com"]
    assert values["registry"] == "txt" and values["txtPrefix"]
    assert values["txtOwnerId"] == f"platform-{ZONED[cloud]}"
    assert values["policy"] == "sync"
    assert values["extraArgs"]["zone-id-filter"]
    assert values["serviceAccount"]["annotations"]
    assert values["securityContext"]["readOnlyRootFilesystem"] is True
    assert values["resources"]["limits"]["memory"]
    assert plan["outputs"]["dnsZone"] == "analytics.example.com"
    assert "dnsRecords" not in plan["outputs"]
    policy = one(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "external-dns-allow")
    egress = policy["inputs"]["spec"]["egress"]
    assert [sorted(p["port"] for p in rule["ports"]) for rule in egress] == [[443, 6443]]


def test_aws_role_changes_only_the_hosted_zone(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "staging")
    policy = json.loads(
        one(plan, "aws:iam/rolePolicy:RolePolicy", "external-dns-access")["inputs"]["policy"]
    )
    change = policy["Statement"][0]
    zone_id = _external_dns(plan)[0]["inputs"]["values"]["extraArgs"]["zone-id-filter"]
    assert change["Resource"] == [f"arn:aws:route53:::hostedzone/{zone_id}"]
    role = one(plan, "aws:iam/role:Role", "external-dns")
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert "system:serviceaccount:external-dns:external-dns" in condition.values()


def test_gcp_grants_dns_admin_on_the_managed_zone(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "staging-gcp")
    member = one(plan, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember", "zone-admin")
    assert member["inputs"]["role"] == "roles/dns.admin"
    assert member["inputs"]["managedZone"] == "analytics-example-com"  # the public one
    project_roles = {
        r["inputs"]["role"]
        for r in resources_of(plan, "gcp:projects/iAMMember:IAMMember")
        if "external-dns" in r["name"]
    }
    assert project_roles == {"roles/dns.reader"}  # read only outside the zone


def test_azure_grants_dns_zone_contributor_on_the_zone(shipped_plans: dict[str, Outcome]) -> None:
    plan = plan_of(shipped_plans, "staging-azure")
    grants = {
        r["inputs"]["roleDefinitionId"].rsplit("/", 1)[-1]: r["inputs"]["scope"]
        for r in resources_of(plan, "azure-native:authorization:RoleAssignment")
        if "external-dns" in r["name"]
    }
    assert grants == {
        "befefa01-2a29-4197-83a8-272ff33ce314": AZURE_ZONE_ID,  # DNS Zone Contributor
        "acdd72a7-3385-48ef-bd42-f606fba81ae7": AZURE_ZONE_ID.split("/providers/")[0],  # Reader
    }
    credential = one(
        plan, "azure-native:managedidentity:FederatedIdentityCredential", "external-dns-federation"
    )
    assert credential["inputs"]["subject"] == "system:serviceaccount:external-dns:external-dns"
    config = one(plan, "kubernetes:core/v1:ConfigMap", "external-dns-azure-config")
    assert json.loads(config["inputs"]["data"]["azure.json"])["useWorkloadIdentityExtension"]


@pytest.mark.parametrize(
    ("stack", "record"), [("dev", "CNAME"), ("dev-gcp", "A"), ("dev-azure", "A")]
)
def test_without_a_zone_the_stack_outputs_the_address_and_records(
    shipped_plans: dict[str, Outcome], stack: str, record: str
) -> None:
    plan = plan_of(shipped_plans, stack)
    assert _external_dns(plan) == []
    outputs = plan["outputs"]
    address = outputs["gatewayAddress"]
    assert address and "<" not in address
    target = f"{address}." if record == "CNAME" else address
    hosts = sorted(url.removeprefix("https://") for url in outputs["appUrls"].values())
    assert outputs["dnsRecords"] == [f"{host}. {record} {target}" for host in hosts]


@pytest.mark.parametrize(
    ("cloud", "zone_id"), [("aws", "Z0123456789ABCDEFGHIJ"), ("gcp", "analytics-public")]
)
def test_a_given_zone_id_is_used_without_a_lookup(tmp_path, cloud: str, zone_id: str) -> None:
    from tests.conftest import plan_config

    config: dict[str, Any] = {
        "platform:example": True, "platform:cloud": cloud, "platform:environment": "dev",
        **BASE[cloud],
        "platform:cluster": {"authorizedNetworks": ["203.0.113.0/24"]},
        "platform:dns": {"zone": "analytics.example.com", "zoneId": zone_id},
    }  # fmt: skip
    outcome = plan_config(tmp_path, f"zone-id-{cloud}", config)
    assert outcome.plan is not None, outcome.errors
    (release,) = _external_dns(outcome.plan)
    assert release["inputs"]["values"]["extraArgs"]["zone-id-filter"] == zone_id
    if cloud == "aws":
        policy = one(outcome.plan, "aws:iam/rolePolicy:RolePolicy", "external-dns-access")
        statement = json.loads(policy["inputs"]["policy"])["Statement"][0]
        assert statement["Resource"] == [f"arn:aws:route53:::hostedzone/{zone_id}"]
    else:
        member = one(
            outcome.plan, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember", "zone-admin"
        )
        assert member["inputs"]["managedZone"] == zone_id
