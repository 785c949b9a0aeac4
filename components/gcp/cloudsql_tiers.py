"""The Cloud SQL tier, confirmed with Cloud SQL before the instance.

Before the instance the program asks Cloud SQL which tiers the project can create
(``sql.get_tiers``, pulumi-gcp ``gcp:sql/getTiers``): the pinned tier must be one it lists for
the instance's region, or a custom tier (``db-custom-<vCPUs>-<MiB>``) within Cloud SQL's
documented vCPU and memory rule; otherwise the plan fails naming the key and what is offered.
The offline plan's mock answers from the dated table in ``policies/rules/facts/gcp_offerings.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from infra.config.errors import CloudCheckError
from policies.rules.facts.gcp_offerings import custom_tier_problem, tier_offered

KEY = "platform:postgres.instanceSize"


def offered_tier(
    tier: str, region: str, project: pulumi.Input[str], parent: pulumi.Resource
) -> pulumi.Output[str]:
    """``tier`` once Cloud SQL lists it for ``region`` (or it is a valid custom tier), else a
    failed preview naming the key and the tiers offered there."""
    found = gcp.sql.get_tiers_output(
        project=project, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return found.tiers.apply(
        lambda tiers: tier_offered_or_raise(
            tier, region, [t.tier for t in tiers if region in (t.regions or [])]
        )
    )


def tier_offered_or_raise(tier: str, region: str, listed: Sequence[str]) -> str:
    """``tier`` when Cloud SQL creates it in ``region``; the error names the key and what is."""
    if tier_offered(tier, frozenset(listed)):
        return tier
    why = custom_tier_problem(tier) if tier.startswith("db-custom-") else None
    raise CloudCheckError(
        f"{KEY}: Cloud SQL does not offer tier {tier} in {region} (sql.get_tiers"
        + (f"; {why}" if why else "")
        + f"; listed there: {', '.join(sorted(listed)) or 'none'}, or "
        "db-custom-<vCPUs>-<MiB> within the custom rule); pick an offered tier"
    )
