"""Re-export of ``infra.config.profiles`` (the profiles live next to the config models).

Kept so existing ``from stacks.profiles import ...`` imports keep working; new code imports
``infra.config.profiles``.
"""

from infra.config.profiles import Profile, deep_merge, profile

__all__ = ["Profile", "deep_merge", "profile"]
