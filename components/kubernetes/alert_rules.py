"""Alerting rules for the in-cluster data services, each with the runbook on-call follows.

One group per engine, included only where the engine runs (``DataServiceRules``): CloudNativePG
(instance down, replication lag, connections, failed/old backups, WAL archiving, certificate
expiry), Strimzi Kafka (brokers down, no active controller, under-replicated/offline/under-min-ISR
partitions, consumer lag) and Valkey (down, memory near its limit, evictions). Managed services
(RDS, Cloud SQL, Flexible Server, MSK, Managed Kafka, Event Hubs, ElastiCache, Memorystore, Azure
Cache) are watched by the clouds' own alarms (``components/<cloud>/alarms.py``); their metrics
reach Grafana through its cloud data sources. docs/observability.md lists every alert.

Every rule carries ``severity`` (``critical`` pages, ``warning`` goes to chat, ``info`` nowhere:
``components/kubernetes/alert_routing.py``), a ``summary``, a ``description`` and a ``runbook``.
``tests/test_observability.py`` runs ``promtool check rules`` over every group and checks that
every metric used has a source the stack deploys.
"""

from __future__ import annotations

from dataclasses import dataclass

Rule = dict[str, object]
Group = dict[str, object]

DAY = 86400


def _rule(
    alert: str, expr: str, severity: str, summary: str, description: str, runbook: str,
    for_: str = "5m",
) -> Rule:  # fmt: skip
    return {
        "alert": alert,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description, "runbook": runbook},
    }


@dataclass(frozen=True)
class DataServiceRules:
    """Which in-cluster engines a stack runs, and what the rules need to know about them."""

    #: namespace of a CloudNativePG cluster (None: Postgres is managed)
    cnpg_namespace: str | None = None
    #: the CloudNativePG cluster writes base backups and archives WAL to object storage
    cnpg_backups: bool = False
    #: hours a base backup may be old before it alerts (the schedule is daily)
    backup_max_age_hours: int = 26
    #: namespace of a Strimzi Kafka cluster (None: Kafka is managed)
    kafka_namespace: str | None = None
    #: brokers the Strimzi cluster should have
    kafka_brokers: int = 3
    #: consumer-group lag (messages) that alerts
    consumer_lag_threshold: int = 10000
    #: namespace of the Valkey server (None: Redis is managed)
    valkey_namespace: str | None = None


def cnpg_rules(namespace: str, backups: bool, backup_max_age_hours: int) -> list[Rule]:
    """CloudNativePG: metrics of the instance manager's exporter (port 9187) and cert-manager."""
    ns = f'namespace="{namespace}"'
    rules = [
        _rule(
            "CnpgInstanceDown",
            f"cnpg_collector_up{{{ns}}} == 0",
            "critical",
            "Postgres is not running in {{ $labels.pod }}",
            "The instance manager of {{ $labels.pod }} reports PostgreSQL down for 5 minutes.",
            "kubectl -n " + namespace + " get cluster,pods; kubectl cnpg status <cluster> (plugin) "
            "or the operator's log (cnpg-system). A primary down: the operator fails over to a "
            "replica by itself; with one instance (dev) the database is down until the pod "
            "restarts: check events for OOMKilled, a full volume (PVC) or a bad config.",
        ),
        _rule(
            "CnpgInstanceNotScraped",
            f'up{{{ns},container="postgres"}} == 0',
            "critical",
            "Prometheus cannot scrape {{ $labels.pod }}",
            "The Postgres pod's metrics endpoint (9187) has not answered for 5 minutes.",
            "The pod is down or its NetworkPolicy no longer admits the monitoring namespace on "
            "9187: kubectl -n " + namespace + " get pods,networkpolicy; see CnpgInstanceDown.",
        ),
        _rule(
            "CnpgReplicationLagHigh",
            f"cnpg_pg_replication_lag{{{ns}}} > 30",
            "warning",
            "Replica {{ $labels.pod }} is {{ $value | humanizeDuration }} behind",
            "A standby replays WAL more than 30 s behind the primary for 10 minutes: reads "
            "from replicas are stale and a failover would lose that much.",
            "Check the replica's disk and CPU (Postgres dashboard), long queries on the replica "
            "(hot_standby_feedback conflicts) and the primary's write rate; a replica that "
            "never catches up: delete its pod and PVC, the operator re-clones it.",
            for_="10m",
        ),
        _rule(
            "CnpgConnectionsNearMax",
            f"sum by (namespace, pod) (cnpg_backends_total{{{ns}}}) / on (namespace, pod) "
            f'cnpg_pg_settings_setting{{{ns},name="max_connections"}} > 0.8',
            "warning",
            "{{ $labels.pod }} uses over 80% of max_connections",
            "New connections will be refused at 100%.",
            "Find who holds connections (pg_stat_activity by application_name); look for a "
            "leaking pool in the apps or raise max_connections with the instance size.",
            for_="10m",
        ),
        _rule(
            "CnpgCertificateExpiringSoon",
            f"certmanager_certificate_expiration_timestamp_seconds{{{ns}}} - time() < 14 * {DAY}",
            "warning",
            "Certificate {{ $labels.name }} expires in under 14 days",
            "cert-manager renews 30 days before expiry: a certificate this close was not renewed.",
            "kubectl -n " + namespace + " describe certificate {{ $labels.name }}; "
            "kubectl -n cert-manager logs deploy/cert-manager. Once renewed the instances reload "
            "it (cnpg.io/reload); clients verify the CA, which does not change.",
            for_="1h",
        ),
    ]
    if backups:
        rules += [
            _rule(
                "CnpgBackupFailed",
                f"cnpg_collector_last_failed_backup_timestamp{{{ns}}} "
                f"> cnpg_collector_last_available_backup_timestamp{{{ns}}}",
                "critical",
                "The last base backup of {{ $labels.pod }} failed",
                "The most recent backup attempt failed after the last good one.",
                "kubectl -n " + namespace + " get backups; describe the failed one. Usually the "
                "bucket is unreachable or the workload identity lost its grant (the ServiceAccount "
                "annotation, the role or binding): fix it, then kubectl cnpg backup <cluster>.",
                for_="1m",
            ),
            _rule(
                "CnpgBackupTooOld",
                f"time() - cnpg_collector_last_available_backup_timestamp{{{ns}}} "
                f"> {backup_max_age_hours} * 3600 "
                f"and cnpg_collector_last_available_backup_timestamp{{{ns}}} > 0",
                "critical",
                f"No base backup in {backup_max_age_hours} hours",
                "The daily ScheduledBackup has not produced a backup: recovery would replay "
                "more WAL than planned, or be impossible if WAL archiving fails too.",
                "kubectl -n " + namespace + " get scheduledbackup,backups; see CnpgBackupFailed.",
                for_="15m",
            ),
            _rule(
                "CnpgWalArchivingFailing",
                f"rate(cnpg_pg_stat_archiver_failed_count{{{ns}}}[5m]) > 0 "
                f'or cnpg_collector_pg_wal_archive_status{{{ns},value="ready"}} > 10',
                "critical",
                "WAL archiving is failing on {{ $labels.pod }}",
                "WAL segments are not reaching object storage: point-in-time recovery stops "
                "at the last archived segment, and pg_wal fills up the volume.",
                "kubectl -n " + namespace + " logs {{ $labels.pod }} | grep barman; check the "
                "bucket and the workload identity (see CnpgBackupFailed); watch the volume "
                "(AppVolumeFillingUp).",
            ),
        ]
    return rules


def strimzi_rules(namespace: str, brokers: int, lag_threshold: int) -> list[Rule]:
    """Strimzi Kafka: the Strimzi Metrics Reporter on the brokers (port 9404) and the
    Kafka Exporter (consumer lag, broker count)."""
    ns = f'namespace="{namespace}"'
    return [
        _rule(
            "KafkaBrokerDown",
            f"kafka_brokers{{{ns}}} < {brokers}",
            "critical",
            "Only {{ $value }} of " + str(brokers) + " Kafka brokers are in the cluster",
            "A broker left the cluster for 5 minutes: its partitions run with fewer replicas.",
            "kubectl -n " + namespace + " get kafka,kafkanodepool,pods; describe the missing "
            "broker pod (OOMKilled, volume full, pending on resources); the Strimzi operator's "
            "log says why it does not roll it back in.",
        ),
        _rule(
            "KafkaNoActiveController",
            f"sum by (namespace) (kafka_controller_kafkacontroller_activecontrollercount{{{ns}}}) != 1",
            "critical",
            "Kafka has {{ $value }} active controllers",
            "Exactly one KRaft controller must be active; none means no leader elections or "
            "topic changes.",
            "Check the controller (dual-role) pods and their logs for quorum errors; a lost "
            "quorum needs a majority of controllers back.",
        ),
        _rule(
            "KafkaOfflinePartitions",
            f"sum by (namespace) (kafka_controller_kafkacontroller_offlinepartitionscount{{{ns}}}) > 0",
            "critical",
            "{{ $value }} Kafka partitions have no leader",
            "Producers and consumers of those partitions fail.",
            "Bring back the brokers holding the replicas (KafkaBrokerDown). Never enable "
            "unclean leader election without accepting data loss.",
            for_="1m",
        ),
        _rule(
            "KafkaUnderReplicatedPartitions",
            f"sum by (namespace) (kafka_server_replicamanager_underreplicatedpartitions{{{ns}}}) > 0",
            "warning",
            "{{ $value }} Kafka partitions are under-replicated",
            "Some replicas are not in sync for 10 minutes: one more broker loss may make "
            "partitions unavailable.",
            "A broker is down or slow (disk, network, GC): Kafka dashboard, broker logs. It "
            "clears by itself once the follower catches up.",
            for_="10m",
        ),
        _rule(
            "KafkaUnderMinIsrPartitions",
            f"sum by (namespace) (kafka_cluster_partition_underminisr{{{ns}}}) > 0",
            "critical",
            "{{ $value }} Kafka partitions are below min.insync.replicas",
            "Producers with acks=all get NotEnoughReplicas errors for those partitions.",
            "As KafkaUnderReplicatedPartitions, with urgency: writes are failing.",
        ),
        _rule(
            "KafkaConsumerLagHigh",
            f"sum by (namespace, consumergroup, topic) (kafka_consumergroup_lag{{{ns}}}) "
            f"> {lag_threshold}",
            "warning",
            "Consumer group {{ $labels.consumergroup }} lags {{ $value }} messages on "
            "{{ $labels.topic }}",
            f"The group is more than {lag_threshold} messages behind for 15 minutes.",
            "Are its consumers running (backend pods, HPA at maximum)? Slow processing or a "
            "poison message: the app's error rate and logs, the events-dlq topic.",
            for_="15m",
        ),
    ]


def valkey_rules(namespace: str) -> list[Rule]:
    """Valkey: the redis_exporter sidecar (port 9121), cAdvisor and kube-state-metrics."""
    ns = f'namespace="{namespace}"'
    container = f'{ns},container="valkey"'
    return [
        _rule(
            "ValkeyDown",
            f"redis_up{{{ns}}} == 0",
            "critical",
            "Valkey in {{ $labels.pod }} does not answer",
            "The exporter next to the server cannot reach it for 2 minutes: the apps' cache "
            "and sessions are gone.",
            "kubectl -n " + namespace + " get pods; describe/logs the valkey container "
            "(OOMKilled, AOF rewrite failing on a full volume).",
            for_="2m",
        ),
        _rule(
            "ValkeyMemoryNearLimit",
            f"max by (namespace, pod) (container_memory_working_set_bytes{{{container}}}) "
            f"/ max by (namespace, pod) (kube_pod_container_resource_limits{{{container},"
            f'resource="memory"}}) > 0.9',
            "warning",
            "Valkey in {{ $labels.pod }} uses over 90% of its memory limit",
            "Near the limit the kernel OOM-kills the server; below it, keys get evicted.",
            "Raise redis.nodeSize (memory) or shorten the apps' key TTLs; check "
            "ValkeyEvictingKeys and the Redis dashboard's memory panel.",
            for_="10m",
        ),
        _rule(
            "ValkeyEvictingKeys",
            f"increase(redis_evicted_keys_total{{{ns}}}[10m]) > 0",
            "warning",
            "Valkey evicted {{ $value }} keys in 10 minutes",
            "maxmemory was reached and keys were dropped (allkeys-lru): cache hit rate falls.",
            "As ValkeyMemoryNearLimit: more memory, or fewer/shorter-lived keys.",
            for_="0m",
        ),
    ]


def data_service_groups(engines: DataServiceRules) -> list[Group]:
    """PrometheusRule groups for the engines a stack runs in the cluster."""
    groups: list[Group] = []
    if engines.cnpg_namespace:
        rules = cnpg_rules(
            engines.cnpg_namespace, engines.cnpg_backups, engines.backup_max_age_hours
        )
        groups.append({"name": "cloudnative-pg", "rules": rules})
    if engines.kafka_namespace:
        rules = strimzi_rules(
            engines.kafka_namespace, engines.kafka_brokers, engines.consumer_lag_threshold
        )
        groups.append({"name": "strimzi-kafka", "rules": rules})
    if engines.valkey_namespace:
        groups.append({"name": "valkey", "rules": valkey_rules(engines.valkey_namespace)})
    return groups
