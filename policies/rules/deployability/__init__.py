"""Deployability rules: the clouds' own API constraints, checked before anything is created.

These are not hardening opinions but the rules a cloud's API applies when ``pulumi up`` calls
it: allowed characters and lengths of names and descriptions, sizes a service sells, engine
versions still accepted (with their end-of-support dates), zone and ordering constraints. A
resource that breaks one fails its first real deploy, however green the mocks are.

They form their own category: every rule here is ``mandatory`` in every environment, in the
offline plan and under ``pulumi preview --policy-pack policies`` alike (a test fails when a
``policies/config/<env>.json`` demotes one). One module per cloud; data comes from maintained
sources where one exists (cfn-lint's CloudFormation schemas and RDS data for AWS), otherwise
from one table per cloud whose every entry names its source.
"""

from __future__ import annotations

from pulumi_policy import Policy

from policies.rules.deployability import aws, azure, gcp, kubernetes

POLICIES: list[Policy] = [
    *aws.POLICIES,
    *gcp.POLICIES,
    *azure.POLICIES,
    *kubernetes.POLICIES,
]

NAMES: frozenset[str] = frozenset(policy.name for policy in POLICIES)
