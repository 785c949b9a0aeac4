"""Matching changed property paths against force-new property paths.

Changed paths come from ``infra.diff.compute.flatten`` (``a.b[0].c``); force-new paths are
written with ``[*]`` for "any list item" (``agentPoolProfiles[*].vmSize``). A change matches
when it is the property itself, something inside it, or a whole parent object that holds it
(an object added or removed as a unit).
"""

from __future__ import annotations

import re

_INDEX = re.compile(r"\[\d+\]")


def _generic(path: str) -> str:
    return _INDEX.sub("[*]", path)


def _inside(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def matches(changed: str, force_new: str) -> bool:
    """Whether a change at ``changed`` touches the property ``force_new``."""
    generic = _generic(changed)
    return _inside(generic, force_new) or _inside(force_new, generic)


def first_match(changed: str, force_new: tuple[str, ...]) -> str | None:
    """The first force-new property ``changed`` touches, if any."""
    return next((prop for prop in force_new if matches(changed, prop)), None)
