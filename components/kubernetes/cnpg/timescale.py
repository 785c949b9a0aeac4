"""TimescaleDB on CloudNativePG: the image each Postgres major runs, and its tuning.

The image pins (which build, which licence) and ``postgresql.parameters`` sized from the pod,
kept apart from the Cluster's wiring (``cluster.py``) so both read on their own.
"""

from __future__ import annotations

from components.specs import PostgresSpec
from infra.config.quantities import cpu_millicores, memory_bytes
from policies.rules.facts.catalog import service

# TimescaleDB for CloudNativePG: the image and its tag per Postgres major are the version
# catalog's ``postgres.cloudnative-pg`` entries (policies/rules/facts/catalog/postgres.toml; how
# the image is built and kept current: docs/postgres.md).
_IMAGES = service("postgres.cloudnative-pg")
TIMESCALE_IMAGE = str(_IMAGES.extra["image"])
TIMESCALE_TAGS: dict[str, str] = {
    entry.version: str(entry.extra["tag"]) for entry in _IMAGES.entries
}
# WAL segments are archived at least this often: the recovery point objective.
ARCHIVE_TIMEOUT = "5min"
MAX_CONNECTIONS = 200


def _mib(size: int) -> str:
    return f"{max(1, size // 2**20)}MB"


def preloads_timescale(spec: PostgresSpec) -> bool:
    """Whether the server preloads TimescaleDB (it is one of the spec's extensions)."""
    return "timescaledb" in spec.extensions


def timescale_parameters(spec: PostgresSpec) -> dict[str, str]:
    """``postgresql.parameters`` sized from the spec's pod (timescaledb-tune's rules of thumb).

    shared_buffers 25 % of memory, effective_cache_size 75 %, maintenance_work_mem 5 % (at most
    2 GiB), work_mem the quarter of memory left after shared_buffers spread over the connections;
    one parallel worker per core; background workers for TimescaleDB's jobs (compression,
    retention, continuous aggregates) on top of them in ``max_worker_processes``.
    """
    preload_timescale = preloads_timescale(spec)
    total = memory_bytes(spec.pod_memory)
    cores = max(1, cpu_millicores(spec.pod_cpu) // 1000)
    shared = total // 4
    background = 8 if preload_timescale else 0
    parallel = max(2, cores)
    parameters = {
        "max_connections": str(MAX_CONNECTIONS),
        "shared_buffers": _mib(shared),
        "effective_cache_size": _mib(total * 3 // 4),
        "maintenance_work_mem": _mib(min(total // 20, 2 * 2**30)),
        "work_mem": _mib(max(4 * 2**20, (total - shared) // 4 // MAX_CONNECTIONS)),
        "max_parallel_workers": str(parallel),
        "max_parallel_workers_per_gather": str(max(1, parallel // 2)),
        # 3: autovacuum launcher, logical replication launcher, and one spare
        "max_worker_processes": str(3 + background + parallel),
        "archive_timeout": ARCHIVE_TIMEOUT,
    }
    if preload_timescale:
        parameters["timescaledb.max_background_workers"] = str(background)
        parameters["timescaledb.telemetry_level"] = "off"
    if "pg_stat_statements" in spec.extensions:
        # CloudNativePG preloads the library when one of its parameters is set
        # and creates the extension itself (docs/src/postgresql_conf.md at v1.30.0,
        # "Enabling pg_stat_statements")
        parameters["pg_stat_statements.max"] = "10000"
        parameters["pg_stat_statements.track"] = "top"
    return parameters
