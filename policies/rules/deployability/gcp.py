"""GCP's own API rules, checked on every plan (see the package docstring).

Names and ids: every GCP resource the program names is checked against the character and
length rule the service's API applies (``NAME_RULES``, one row per resource type and field,
each with its source), and labels against GCP's label rule. When the program sets no name, the
provider derives one from the logical name plus a dash and 7 random characters (Pulumi's
auto-naming); the rule checks that derived name, since that is what the API receives. A node
pool named by ``namePrefix`` gets the provider's unique suffix (24 or 9 characters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, Severity

from ..base import deployable, dig, is_unknown, iter_keys, resource_rule

# Pulumi auto-naming: "<logical name>-<7 random characters>".
AUTONAME_SUFFIX = 8
# What the provider appends to a node pool's ``name_prefix`` (pulumi-gcp NodePool docs): a
# 24-character timestamp and counter after a prefix of at most 14 characters, else 9 random
# characters (prefixes of 15-31 characters).
SHORT_PREFIX, SHORT_PREFIX_SUFFIX, LONG_PREFIX_SUFFIX = 14, 24, 9
RFC1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
COMPUTE_NAMES = "https://cloud.google.com/compute/docs/naming-resources"


@dataclass(frozen=True)
class NameRule:
    """What one API accepts in one name field."""

    type: str
    field: str
    pattern: str
    min_length: int
    max_length: int
    source: str
    # The provider auto-names it from the logical name when the program sets none.
    autonamed: bool = True


def _compute(kind: str) -> NameRule:
    return NameRule(f"gcp:compute/{kind}", "name", RFC1035, 1, 63, COMPUTE_NAMES)


NAME_RULES: tuple[NameRule, ...] = (
    _compute("network:Network"),
    _compute("subnetwork:Subnetwork"),
    _compute("router:Router"),
    _compute("routerNat:RouterNat"),
    _compute("firewall:Firewall"),
    _compute("globalAddress:GlobalAddress"),
    NameRule(
        "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy",
        "name",
        RFC1035,
        1,
        63,
        "https://cloud.google.com/vpc/docs/reference/networkconnectivity/rest/v1/"
        "projects.locations.serviceConnectionPolicies/create (RFC 1035 id)",
    ),
    NameRule(
        "gcp:container/cluster:Cluster",
        "name",
        RFC1035,
        1,
        40,
        "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/"
        "projects.locations.clusters#Cluster (name: lowercase letters, digits, hyphens, "
        "starts with a letter, at most 40 characters)",
    ),
    NameRule(
        "gcp:container/nodePool:NodePool",
        "name",
        RFC1035,
        1,
        40,
        "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/"
        "projects.locations.clusters.nodePools (same rule as cluster names)",
    ),
    NameRule(
        "gcp:kms/keyRing:KeyRing",
        "name",
        r"[a-zA-Z0-9_-]+",
        1,
        63,
        "https://cloud.google.com/kms/docs/resource-hierarchy#key_rings ([a-zA-Z0-9_-]{1,63})",
    ),
    NameRule(
        "gcp:kms/cryptoKey:CryptoKey",
        "name",
        r"[a-zA-Z0-9_-]+",
        1,
        63,
        "https://cloud.google.com/kms/docs/resource-hierarchy#keys ([a-zA-Z0-9_-]{1,63})",
    ),
    NameRule(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "name",
        RFC1035,
        1,
        # "project-id:instance-id" must stay within 98; the project part is checked below
        98,
        "https://cloud.google.com/sql/docs/postgres/create-instance (instance ID: lowercase "
        "letters, digits, hyphens, starts with a letter; project ID + instance ID <= 98)",
    ),
    NameRule(
        "gcp:sql/database:Database",
        "name",
        r"[a-zA-Z_][a-zA-Z0-9_$]*",
        1,
        63,
        "https://www.postgresql.org/docs/current/sql-syntax-lexical.html (identifiers, "
        "NAMEDATALEN 64)",
        autonamed=False,
    ),
    NameRule(
        "gcp:sql/user:User",
        "name",
        r"[a-zA-Z_][a-zA-Z0-9_$]*",
        1,
        63,
        "https://www.postgresql.org/docs/current/sql-syntax-lexical.html (role names are "
        "identifiers, NAMEDATALEN 64)",
        autonamed=False,
    ),
    NameRule(
        "gcp:managedkafka/cluster:Cluster",
        "clusterId",
        RFC1035,
        1,
        63,
        "pulumi-gcp managedkafka.Cluster cluster_id (1-63 characters, RFC 1035)",
        autonamed=False,
    ),
    NameRule(
        "gcp:managedkafka/topic:Topic",
        "topicId",
        r"[a-zA-Z0-9._-]+",
        1,
        249,
        "Apache Kafka's topic rule (org.apache.kafka.common.internals.Topic: "
        "[a-zA-Z0-9._-], at most 249)",
        autonamed=False,
    ),
    NameRule(
        "gcp:redis/cluster:Cluster",
        "name",
        RFC1035,
        1,
        63,
        "https://cloud.google.com/memorystore/docs/cluster/create-instances (cluster ID: "
        "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$)",
    ),
    NameRule(
        "gcp:serviceaccount/account:Account",
        "accountId",
        RFC1035,
        6,
        30,
        "https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/create "
        "(accountId: 6-30 characters, [a-z]([-a-z0-9]*[a-z0-9]))",
        autonamed=False,
    ),
    NameRule(
        "gcp:serviceaccount/account:Account",
        "displayName",
        r"(?s).*",
        0,
        100,
        "https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts "
        "(displayName: at most 100 characters)",
        autonamed=False,
    ),
)
NAMED_TYPES = frozenset(rule.type for rule in NAME_RULES)
# https://cloud.google.com/compute/docs/labeling-resources#requirements
LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
MAX_LABELS = 64
LABEL_FIELDS = (("labels",), ("resourceLabels",), ("settings", "userLabels"), ("userLabels",))
# Types whose ``labels`` are settings, not resource labels (a notification channel's
# ``email_address``); their resource labels are ``userLabels``.
SETTINGS_LABELS = frozenset({"gcp:monitoring/notificationChannel:NotificationChannel"})


def effective_name(rule: NameRule, props: Mapping[str, Any], logical_name: str) -> Any:
    """The name the API receives: the prop, or the provider's derivation when unset."""
    value = dig(props, rule.field)
    if value is not None:
        return value
    prefix = dig(props, "namePrefix")
    if isinstance(prefix, str):
        added = SHORT_PREFIX_SUFFIX if len(prefix) <= SHORT_PREFIX else LONG_PREFIX_SUFFIX
        return prefix + "x" * added
    if rule.autonamed:
        return logical_name + "-" + "x" * (AUTONAME_SUFFIX - 1)
    return None


def name_problem(rule: NameRule, value: Any) -> str | None:
    """Why the API refuses ``value`` for ``rule`` (None: accepted or not known yet)."""
    if value is None or is_unknown(value) or not isinstance(value, str):
        return None
    if not rule.min_length <= len(value) <= rule.max_length:
        return (
            f"{rule.field} {value!r} has {len(value)} characters; "
            f"allowed {rule.min_length}-{rule.max_length} ({rule.source})"
        )
    if not re.fullmatch(rule.pattern, value):
        return f"{rule.field} {value!r} does not match {rule.pattern} ({rule.source})"
    return None


def _check_names(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule in NAME_RULES:
        if rule.type != args.resource_type:
            continue
        problem = name_problem(rule, effective_name(rule, args.props, args.name))
        if problem:
            report(problem, None)
    if args.resource_type == "gcp:sql/databaseInstance:DatabaseInstance":
        _check_sql_connection_name(args, report)


def _check_sql_connection_name(args: ResourceValidationArgs, report: ReportViolation) -> None:
    project, name = dig(args.props, "project"), dig(args.props, "name")
    known = isinstance(project, str) and isinstance(name, str) and not is_unknown(name)
    if known and len(f"{project}:{name}") > 98:
        report(f"'{project}:{name}' exceeds Cloud SQL's 98 characters", None)


def _check_labels(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not args.resource_type.startswith("gcp:"):
        return
    for path in LABEL_FIELDS:
        if path == ("labels",) and args.resource_type in SETTINGS_LABELS:
            continue
        labels = dig(args.props, *path)
        if not isinstance(labels, Mapping):
            continue
        if len(labels) > MAX_LABELS:
            report(f"{'.'.join(path)}: {len(labels)} labels, at most {MAX_LABELS}", None)
        for key in iter_keys(labels):
            value = dig(labels, key)
            if is_unknown(value):
                continue
            if not LABEL_KEY.fullmatch(str(key)) or not LABEL_VALUE.fullmatch(str(value)):
                report(
                    f"{'.'.join(path)}: label {key}={value!r} breaks GCP's label rule "
                    f"(key {LABEL_KEY.pattern}, value {LABEL_VALUE.pattern})",
                    None,
                )


def rules_table() -> str:
    """Markdown: each name rule with its source (docs/gcp.md carries it; a test compares)."""
    lines = ["| resource type | field | pattern | length | source |", "|---|---|---|---|---|"]
    lines += [
        f"| `{r.type}` | `{r.field}` | `{r.pattern}` | {r.min_length}-{r.max_length} | {r.source} |"
        for r in NAME_RULES
    ]
    return "\n".join(lines)


POLICIES: list[Policy] = [
    deployable(
        resource_rule(
            "deploy-gcp-names",
            "GCP refuses names and ids outside each API's character and length rule "
            "(RFC 1035 names, 40 for GKE, 6-30 for service-account ids, ...): the create fails.",
            "Derive names with components/gcp/names.py (resource_name, account_id), which "
            "cut long names with a hash; see the table in docs/gcp.md.",
            Severity.CRITICAL,
            _check_names,
            types=NAMED_TYPES,
        )
    ),
    deployable(
        resource_rule(
            "deploy-gcp-labels",
            "GCP labels: at most 64, keys [a-z][a-z0-9_-]{0,62}, values [a-z0-9_-]{0,63}; "
            "anything else fails the create.",
            "Build labels with infra.naming.tags (lowercase values) and keep them short.",
            Severity.HIGH,
            _check_labels,
        )
    ),
]
