"""TimescaleDB on CloudNativePG: the image each Postgres major runs, and its tuning.

The image pins (which build, which licence) and ``postgresql.parameters`` sized from the pod,
kept apart from the operator/Cluster wiring in ``cnpg.py`` so both read on their own.
"""

from __future__ import annotations

from infra.config.quantities import cpu_millicores, memory_bytes

# TimescaleDB for CloudNativePG: github.com/clevyr/docker-cloudnativepg-timescale builds
# ``ghcr.io/clevyr/cloudnativepg-timescale`` FROM ghcr.io/cloudnative-pg/postgresql:<tag> (the
# CNPG community image, with barman-cli-cloud, running as uid 26) and adds Timescale's
# ``timescaledb-2-postgresql-<major>`` package: the community (Timescale License) edition with
# compression and continuous aggregates, not the Apache-only ``-oss`` build. Tags are
# ``<cnpg tag>-ts<timescaledb version>``, the values of its .github/workflows/build.yaml at the
# repository's newest commit (e5d99f8, 2026-08-19: TIMESCALE_VERSION 2.19.3; cnpg_version
# 17.5-22, 16.9-22, 15.13-22, unchanged since ef80b0f). Confirm with
# ``docker manifest inspect`` before a first real deploy: the registry was not reachable here.
TIMESCALE_IMAGE = "ghcr.io/clevyr/cloudnativepg-timescale"
TIMESCALE_TAGS: dict[str, str] = {
    "15": "15.13-22-ts2.19.3",
    "16": "16.9-22-ts2.19.3",
    "17": "17.5-22-ts2.19.3",
}
# WAL segments are archived at least this often: the recovery point objective.
ARCHIVE_TIMEOUT = "5min"
MAX_CONNECTIONS = 200


def _mib(size: int) -> str:
    return f"{max(1, size // 2**20)}MB"


def timescale_parameters(
    cpu: str, memory: str, preload_timescale: bool, extensions: list[str] | None = None
) -> dict[str, str]:
    """``postgresql.parameters`` sized from the pod (timescaledb-tune's rules of thumb).

    shared_buffers 25 % of memory, effective_cache_size 75 %, maintenance_work_mem 5 % (at most
    2 GiB), work_mem the quarter of memory left after shared_buffers spread over the connections;
    one parallel worker per core; background workers for TimescaleDB's jobs (compression,
    retention, continuous aggregates) on top of them in ``max_worker_processes``.
    """
    total = memory_bytes(memory)
    cores = max(1, cpu_millicores(cpu) // 1000)
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
    if "pg_stat_statements" in (extensions or []):
        # CloudNativePG preloads the library when one of its parameters is set
        # and creates the extension itself (docs/src/postgresql_conf.md at v1.30.0,
        # "Enabling pg_stat_statements")
        parameters["pg_stat_statements.max"] = "10000"
        parameters["pg_stat_statements.track"] = "top"
    return parameters
