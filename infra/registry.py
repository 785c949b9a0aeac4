"""The program's extension points: clouds, the tables keyed by cloud, extra data services and
extra cluster add-ons.

A cloud is one ``CloudEntry``: its name (the value of ``platform:cloud``), the module that
wires it (``build(config) -> PlatformContracts``, imported by ``stacks/compose.py`` only when
the cloud is selected, so no cloud SDK is imported for another cloud's plan) and the offline
plan's mocks of its provider. Every table keyed
by cloud, wherever it lives, is declared through ``per_cloud``; ``missing_entries`` then names
each registered cloud a table lacks, and tests/test_extension_points.py fails on any. A table
read only on one path (``stacks/kubernetes.py``'s disk CSI drivers are read only when
``protect=True``) cannot leave a new cloud failing first in prod.

A data service beyond the five contracts every cloud provides (network, cluster, postgres,
kafka, redis: ``stacks.platform.PlatformContracts``) is one ``DataServiceEntry``: a builder
per cloud, ``"module:function"`` called as ``function(config, contracts)`` after the cloud's
wiring, returning the outputs the stack exports under ``dataServices.<name>``.

An add-on beyond the platform's own (``components/kubernetes/addons.py``, switched by
``platform:addons``) is one ``AddonEntry``: a builder, ``"module:function"``, called as
``function(config, contracts)`` once the Kubernetes layer is declared (it deploys with
``contracts.cluster.provider``, on every cloud).

This module is the ground (``infra/``): it names ``stacks`` modules as strings and imports
none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

#: which registered clouds a per-cloud table must cover ("some": a cloud may go without)
Coverage = Literal["every", "account", "laptop", "some"]


@dataclass(frozen=True, kw_only=True)
class CloudEntry:
    """One cloud the program can deploy to."""

    name: str
    #: module with ``build(config) -> PlatformContracts``
    module: str
    #: a cloud account in a region (False: the laptop's kubeconfig context, ``local``)
    account: bool = True
    #: the offline plan's mocks of its provider: a module with ``PACKAGE``, ``RESOURCES``,
    #: ``INVOKES`` and ``fallback`` (infra/plan/mocks/aws.py); "": none (no provider of its own)
    mocks: str = ""


@dataclass(frozen=True, kw_only=True)
class PerCloudTable:
    """A table keyed by cloud, and which clouds it must have an entry for."""

    name: str
    table: Mapping[str, object]
    coverage: Coverage

    def needs(self, cloud: CloudEntry) -> bool:
        """Whether ``cloud`` must have an entry in this table."""
        if self.coverage in ("every", "some"):
            return self.coverage == "every"
        return cloud.account == (self.coverage == "account")


@dataclass(frozen=True, kw_only=True)
class DataServiceEntry:
    """A data service beyond the five contracts: its builder on each cloud."""

    name: str
    #: cloud -> ``"module:function"``, called as ``function(config, contracts)``
    builders: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class AddonEntry:
    """A cluster add-on beyond the platform's own: its builder."""

    name: str
    #: ``"module:function"``, called as ``function(config, contracts)``
    builder: str


_CLOUDS: dict[str, CloudEntry] = {}
_TABLES: dict[str, PerCloudTable] = {}
_DATA_SERVICES: dict[str, DataServiceEntry] = {}
_ADDONS: dict[str, AddonEntry] = {}

_Table = TypeVar("_Table", bound=Mapping[str, Any])
_Entry = TypeVar("_Entry", CloudEntry, DataServiceEntry, AddonEntry)


def _add(entries: dict[str, _Entry], entry: _Entry, what: str) -> _Entry:
    if entry.name in entries:
        raise ValueError(f"{what} {entry.name!r} is already registered")
    entries[entry.name] = entry
    return entry


def register_cloud(entry: CloudEntry) -> CloudEntry:
    """Add a cloud; its name must be new."""
    return _add(_CLOUDS, entry, "cloud")


def register_data_service(entry: DataServiceEntry) -> DataServiceEntry:
    """Add a data service; its name must be new."""
    return _add(_DATA_SERVICES, entry, "data service")


def register_addon(entry: AddonEntry) -> AddonEntry:
    """Add a cluster add-on; its name must be new."""
    return _add(_ADDONS, entry, "add-on")


def per_cloud(name: str, table: _Table, *, coverage: Coverage = "every") -> _Table:
    """Declare ``table`` (returned unchanged) as keyed by cloud, covering ``coverage`` clouds:
    ``every`` registered cloud, each ``account`` cloud, each ``laptop`` one, or ``some`` (a
    cloud without an entry goes without: no managed Kafka, no price, no SDK to preload)."""
    _TABLES[name] = PerCloudTable(name=name, table=table, coverage=coverage)
    return table


def clouds() -> tuple[str, ...]:
    """Every registered cloud's name, in registration order."""
    return tuple(_CLOUDS)


def account_clouds() -> tuple[str, ...]:
    """The registered clouds that are cloud accounts (not a laptop cluster)."""
    return tuple(name for name, entry in _CLOUDS.items() if entry.account)


def cloud_entry(name: str) -> CloudEntry:
    """The registered cloud called ``name`` (``KeyError`` naming the registered ones)."""
    try:
        return _CLOUDS[name]
    except KeyError:
        raise KeyError(f"no cloud {name!r} is registered (registered: {clouds()})") from None


def data_services() -> tuple[DataServiceEntry, ...]:
    """Every registered extra data service, in registration order."""
    return tuple(_DATA_SERVICES.values())


def addons() -> tuple[AddonEntry, ...]:
    """Every registered extra add-on, in registration order."""
    return tuple(_ADDONS.values())


def tables() -> tuple[PerCloudTable, ...]:
    """Every per-cloud table declared so far (a module declares its tables when imported)."""
    return tuple(_TABLES.values())


def missing_entries() -> list[str]:
    """One line per registered cloud a declared table or a data service has no entry for."""
    lines = [
        f"{table.name} has no entry for cloud {cloud.name!r}"
        for table in _TABLES.values()
        for cloud in _CLOUDS.values()
        if table.needs(cloud) and cloud.name not in table.table
    ]
    lines += [
        f"data service {service.name!r} has no builder for cloud {cloud!r}"
        for service in _DATA_SERVICES.values()
        for cloud in _CLOUDS
        if cloud not in service.builders
    ]
    return lines


def validate_cloud(value: str) -> str:
    """``value`` if it names a registered cloud (a pydantic validator)."""
    if value not in _CLOUDS:
        raise ValueError(f"not a registered cloud; allowed: {', '.join(clouds())}")
    return value


def builder(reference: str) -> Callable[..., Any]:
    """The function a ``"module:function"`` reference names, imported on demand."""
    import importlib

    module, _, function = reference.partition(":")
    return getattr(importlib.import_module(module), function)


for _entry in (
    CloudEntry(name="aws", module="stacks.aws", mocks="infra.plan.mocks.aws"),
    CloudEntry(name="gcp", module="stacks.gcp", mocks="infra.plan.mocks.gcp"),
    CloudEntry(name="azure", module="stacks.azure", mocks="infra.plan.mocks.azure"),
    CloudEntry(name="local", module="stacks.local", account=False),
):
    register_cloud(_entry)
