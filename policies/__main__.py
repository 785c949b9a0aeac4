"""The CrossGuard policy pack: ``pulumi preview --policy-pack policies``.

The CLI runs this file as ``<pack>/venv/bin/python -u -m pulumi.policy <engine> .`` from the
pack's folder, which puts the folder on ``sys.path``: the rules are the ``rules`` package next
to this file, and nothing outside the folder is imported (the pack is published alone).

Levels default to advisory; ``policies/config/<env>.json`` (passed with
``--policy-pack-config``) makes them mandatory for prod. The offline plan runs the same rules
through the same ``pulumi_policy`` analyzer (``infra/plan/policy.py``).
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import ALL_POLICIES, PACK_NAME

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=ALL_POLICIES,
)
