"""The RDS instance class, confirmed orderable for the pinned engine version before the instance.

A class RDS sells in the region may still not run a given PostgreSQL minor (an old generation
on a new minor, a new generation on an old one), and RDS refuses the instance only at ``up``.
So before the instance the program asks RDS (``rds.get_orderable_db_instance``, pulumi-aws
``aws:rds/getOrderableDbInstance``) for the class with the pinned minor on gp3 storage,
Multi-AZ when the instance is, preferring the pinned class and then the same size in current
families: an answer naming another class means the pinned one is not orderable, and the plan
fails naming the key and what RDS offers instead. The offline plan's mock answers from
cfn-lint's RDS data (``policies/rules/facts/aws_offerings.py``).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.config.errors import CloudCheckError

KEY = "platform:postgres.instanceSize"
STORAGE_TYPE = "gp3"
# Families tried after the pinned class, at its size, so that a refusal names an alternative.
_FALLBACK_FAMILIES = ("m7g", "m6g", "r7g", "r6g", "t4g", "m7i", "m6i", "r7i", "r6i")


def preferred_classes(instance_class: str) -> list[str]:
    """``instance_class`` first, then the same size in current families (``db.m6g.large`` ->
    ``db.m7g.large``, ...)."""
    size = instance_class.rsplit(".", 1)[-1]
    fallbacks = [f"db.{family}.{size}" for family in _FALLBACK_FAMILIES]
    return [instance_class, *(c for c in fallbacks if c != instance_class)]


def orderable_instance_class(
    instance_class: str, engine_version: str, multi_az: bool, parent: pulumi.Resource
) -> pulumi.Output[str]:
    """``instance_class`` once RDS confirms it can order it with PostgreSQL ``engine_version``,
    else a failed preview naming the key and the class RDS offers instead."""
    found = aws.rds.get_orderable_db_instance_output(
        engine="postgres",
        engine_version=engine_version,
        preferred_instance_classes=preferred_classes(instance_class),
        storage_type=STORAGE_TYPE,
        supports_multi_az=True if multi_az else None,
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return pulumi.Output.all(found.instance_class, found.region).apply(
        lambda got: class_orderable_or_raise(instance_class, engine_version, got[0], got[1])
    )


def class_orderable_or_raise(
    instance_class: str, engine_version: str, offered: str, region: str
) -> str:
    """``instance_class`` when RDS's answer is that class; the error names the key and the
    class RDS offered in its place."""
    if offered != instance_class:
        raise CloudCheckError(
            f"{KEY}: RDS cannot order {instance_class} with PostgreSQL {engine_version} on "
            f"{STORAGE_TYPE} in {region or 'this region'} (rds.get_orderable_db_instance; "
            f"it offers {offered or 'none of ' + ', '.join(preferred_classes(instance_class))}"
            "); pick an orderable class"
        )
    return instance_class
