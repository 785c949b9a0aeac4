"""The CrossGuard policy pack: ``pulumi preview --policy-pack policies``.

Levels default to advisory; ``policies/config/<env>.json`` (passed with
``--policy-pack-config``) makes them mandatory for prod. The offline plan applies the same
``ALL_POLICIES`` objects with the same config files.
"""

import sys
from pathlib import Path

# The pack runs from policies/ under the CLI; make `policies.rules` importable from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.rules import ALL_POLICIES

PolicyPack(
    name="platform-policies",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=ALL_POLICIES,
)
