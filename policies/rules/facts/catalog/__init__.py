"""The catalog of everything versioned: one TOML file per family, one entry per version.

Each ``<family>.toml`` holds services (``[eks]``, ``[cert-manager]``, ...) with the version the
program uses by default (for a chart or an image: its pin), the config key that changes it, and
one ``[[<service>.versions]]`` entry per version it can run: its end of standard support (a
date, or ``"rolling"`` with the rule that keeps it supported), its source and the day it was
last checked. A rolling entry is taken as ending ``REVIEW_DAYS`` after that day: a pin nobody
re-checked is never silently stale.

The config rules, the components and the plan's policies (``deploy-version-support``,
``version-support-ending``) all read versions from here; ``python -m infra versions`` prints
them per stack. Today's date is ``today()``: the clock, or ``PLATFORM_TODAY=YYYY-MM-DD``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

CATALOG_DIR = Path(__file__).parent
WARNING_DAYS = 90
"""A pin this close to its end warns (``version-support-ending``)."""
REVIEW_DAYS = 180
"""A rolling entry must be re-checked this often: it counts as ending this long after ``checked``."""
TODAY_VARIABLE = "PLATFORM_TODAY"

Status = Literal["ok", "ending", "ended", "unknown"]


class CatalogError(ValueError):
    """A catalog file, or ``PLATFORM_TODAY``, is not what the loader accepts."""


def today() -> date:
    """Today: ``PLATFORM_TODAY`` (YYYY-MM-DD) when set, else the clock. The one place it is read."""
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogError(f"{TODAY_VARIABLE}: {value!r} is not a date (YYYY-MM-DD)") from None


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order of a version string (``v1.21.1`` < ``v1.22.0``; ``3.8.x`` as ``3.8``)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("@", 1)[0]))


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One version of a service and how long it is supported."""

    version: str
    #: end of standard support; None: rolling (supported while ``rule`` holds)
    end: date | None
    rule: str
    source: str
    checked: date
    #: what else the entry pins (an image tag, EKS add-ons, a minor version)
    extra: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @property
    def expires(self) -> date:
        """The day the entry stops counting as supported (rolling: re-check due)."""
        return self.end if self.end is not None else self.checked + timedelta(days=REVIEW_DAYS)


@dataclass(frozen=True, kw_only=True)
class Service:
    """A versioned thing: a managed service, a chart, an image."""

    #: ``<file>.<table>``, e.g. ``kubernetes.eks`` or ``charts.cert-manager``
    id: str
    title: str
    #: what to change: a config key, or this catalog entry for a pin of the program's own
    key: str
    default: str
    entries: tuple[Entry, ...]
    extra: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @property
    def versions(self) -> tuple[str, ...]:
        """Every catalogued version, oldest first."""
        return tuple(entry.version for entry in self.entries)

    def entry(self, version: str) -> Entry | None:
        """The entry of ``version``, else of its major (``16.13`` -> ``16``) when only that is listed."""
        for candidate in (version, version.split(".", 1)[0]):
            for entry in self.entries:
                if entry.version == candidate:
                    return entry
        return None

    @property
    def pinned(self) -> Entry:
        """The entry of the default version."""
        found = self.entry(self.default)
        if found is None:  # the loader refuses such a file
            raise CatalogError(f"{self.id}: default {self.default} has no entry")
        return found

    def newest_supported(self, on: date) -> Entry | None:
        """The newest version still supported ``on`` that day, if any."""
        live = [entry for entry in self.entries if entry.expires > on]
        return max(live, key=lambda entry: version_key(entry.version), default=None)


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What the catalog says about one pinned version on one day."""

    status: Status
    message: str
    end: date | None = None
    days_left: int | None = None
    newest: str | None = None


def _entry(service_id: str, row: Mapping[str, Any], defaults: Mapping[str, Any]) -> Entry:
    end = row.get("end")
    if not isinstance(end, date) and end != "rolling":
        raise CatalogError(f"{service_id} {row.get('version')}: end must be a date or 'rolling'")
    checked = row.get("checked")
    if not isinstance(checked, date):
        raise CatalogError(f"{service_id} {row.get('version')}: checked must be a date")
    rule = str(row.get("rule", defaults.get("rule", "")))
    if end == "rolling" and not rule:
        raise CatalogError(f"{service_id} {row.get('version')}: a rolling entry needs its rule")
    known = {"version", "end", "rule", "source", "checked"}
    return Entry(
        version=str(row["version"]),
        end=end if isinstance(end, date) else None,
        rule=rule,
        source=str(row.get("source", defaults.get("source", ""))),
        checked=checked,
        extra={k: v for k, v in row.items() if k not in known},
    )


def _services(path: Path) -> dict[str, Service]:
    family = path.stem
    found: dict[str, Service] = {}
    for name, table in tomllib.loads(path.read_text(encoding="utf-8")).items():
        service_id = f"{family}.{name}"
        rows = table.get("versions", [])
        entries = tuple(_entry(service_id, row, table) for row in rows)
        known = {"title", "key", "default", "source", "rule", "versions"}
        service = Service(
            id=service_id,
            title=str(table.get("title", name)),
            key=str(table.get("key", f"policies/rules/facts/catalog/{path.name} [{name}]")),
            default=str(table["default"]),
            entries=entries,
            extra={k: v for k, v in table.items() if k not in known},
        )
        if service.entry(service.default) is None:
            raise CatalogError(f"{service_id}: default {service.default} has no entry")
        found[service_id] = service
    return found


@cache
def services() -> dict[str, Service]:
    """Every service of every catalog file, by id."""
    found: dict[str, Service] = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        found.update(_services(path))
    return found


def service(service_id: str) -> Service:
    """One service by id (``kubernetes.eks``)."""
    return services()[service_id]


def verdict(service_id: str, version: str, on: date) -> Verdict:
    """Whether ``version`` of the service is supported ``on`` that day, and what to change."""
    svc = service(service_id)
    newest = svc.newest_supported(on)
    advice = f"newest supported: {newest.version}" if newest else "no supported version catalogued"
    entry = svc.entry(version)
    if entry is None:
        return Verdict(
            status="unknown",
            newest=newest.version if newest else None,
            message=f"{svc.title} {version} is not in the version catalog ({svc.id}); add it "
            f"with its end of support and source, or change {svc.key} ({advice})",
        )
    expires = entry.expires
    days = (expires - on).days
    common = {"end": expires, "days_left": days, "newest": newest.version if newest else None}
    if entry.end is None:
        what = (
            f"{svc.title} {version} is rolling ({entry.rule}) and was last checked on "
            f"{entry.checked}; re-check is due by {expires} ({entry.source})"
        )
    else:
        what = f"{svc.title} {version} ends standard support on {expires} ({entry.source})"
    if days <= 0:
        if entry.end is not None:
            what = f"{svc.title} {version} reached end of standard support on {expires} ({entry.source})"
        return Verdict(status="ended", message=f"{what}; change {svc.key} ({advice})", **common)
    if days <= WARNING_DAYS:
        return Verdict(
            status="ending",
            message=f"{what}: {days} days left; plan the change of {svc.key} ({advice})",
            **common,
        )
    return Verdict(status="ok", message=f"{what}: {days} days left", **common)
