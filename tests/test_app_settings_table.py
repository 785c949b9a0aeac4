"""What the backend and the collector receive, per cloud and Postgres engine: a fixed table.

The table below is written by hand from the clouds' documented endpoints and the apps'
contract (docs/architecture.md, "Cloud-neutral contracts"), not derived from the code: a change
to what an app receives (a scheme, a port, a TLS flag, a SASL mechanism, an identity
annotation) fails here until the table is changed on purpose. Values are read off the rendered
objects: the settings ConfigMap, the credentials Secret (unredacted, from the engine's records)
and the pod specs (the CA file must be mounted where the setting says).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.plan.cli import Outcome, plan_many
from infra.plan.values import plain
from tests.conftest import ROOT

CA_DIR = "/etc/platform/ca"
PG_CA = f"{CA_DIR}/postgres-ca.pem"
REDIS_CA = f"{CA_DIR}/redis-ca.pem"


def row(
    *,
    pg_host: str,
    pg_sslmode: str,
    pg_ca: str | None,
    kafka: str,
    kafka_protocol: str,
    kafka_sasl: str | None,
    kafka_auth: str,
    redis_host: str,
    redis_scheme: str,
    redis_port: str,
    redis_tls: str,
    redis_ca: str | None,
    redis_auth: str,
    identity: str | None,
) -> dict[str, Any]:
    return {
        "postgres": {"host": pg_host, "port": "5432", "sslmode": pg_sslmode, "ca": pg_ca},
        "kafka": {
            "bootstrap": kafka,
            "protocol": kafka_protocol,
            "sasl": kafka_sasl,
            "auth": kafka_auth,
        },
        "redis": {
            "host": redis_host,
            "scheme": redis_scheme,
            "port": redis_port,
            "tls": redis_tls,
            "ca": redis_ca,
            "auth": redis_auth,
        },
        "identity": identity,
    }


AWS_KAFKA = r"b-\d\.[a-z0-9.-]+\.kafka\.eu-west-1\.amazonaws\.com:9098"
GCP_KAFKA = r"bootstrap\.[a-z0-9-]+\.europe-west1\.managedkafka\.[a-z0-9-]+\.cloud\.goog:9092"
AZURE_KAFKA = r"[a-z0-9-]+\.servicebus\.windows\.net:9093"
IN_CLUSTER_PG = r"postgres-rw\.postgres\.svc"
AWS_REDIS = r"clustercfg\.[a-z0-9-]+\.[a-z0-9]+\.eu-west-1\.cache\.amazonaws\.com"
GCP_REDIS = r"10\.\d+\.\d+\.\d+"  # the discovery endpoint's PSC address
# Azure Managed Redis: <name>.<region>.redis.azure.net (private link resolves it)
AZURE_REDIS = r"[a-z0-9-]+\.westeurope\.redis\.azure\.net"
AWS = {
    "redis_host": AWS_REDIS, "kafka": AWS_KAFKA, "kafka_protocol": "SASL_SSL", "kafka_sasl": "AWS_MSK_IAM",
    "kafka_auth": "workload identity", "redis_scheme": "rediss", "redis_port": "6379",
    "redis_tls": "true", "redis_ca": None, "redis_auth": "token",
    "identity": "eks.amazonaws.com/role-arn",
}  # fmt: skip
GCP = {
    "redis_host": GCP_REDIS, "kafka": GCP_KAFKA, "kafka_protocol": "SASL_SSL", "kafka_sasl": "OAUTHBEARER",
    "kafka_auth": "workload identity", "redis_scheme": "rediss", "redis_port": "6379",
    "redis_tls": "true", "redis_ca": REDIS_CA, "redis_auth": "iam",
    "identity": "iam.gke.io/gcp-service-account",
}  # fmt: skip
AZURE = {
    # Event Hubs' Kafka endpoint: SASL PLAIN over TLS with the namespace's connection string.
    "redis_host": AZURE_REDIS, "kafka": AZURE_KAFKA, "kafka_protocol": "SASL_SSL", "kafka_sasl": "PLAIN",
    # Azure Managed Redis: TLS on 10000, Entra ID tokens of the workload identity
    "kafka_auth": "secret", "redis_scheme": "rediss", "redis_port": "10000",
    "redis_tls": "true", "redis_ca": None, "redis_auth": "entra",
    "identity": "azure.workload.identity/client-id",
}  # fmt: skip

EXPECTED: dict[str, dict[str, Any]] = {
    # stack file -> what the apps receive
    "dev": row(pg_host=r"[a-z0-9-]+\.[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com",
               pg_sslmode="verify-full", pg_ca=PG_CA, **AWS),
    "dev-gcp": row(pg_host=r"10\.\d+\.\d+\.\d+", pg_sslmode="require", pg_ca=None, **GCP),
    "dev-azure": row(pg_host=r"[a-z0-9-]+\.postgres\.database\.azure\.com",
                     pg_sslmode="require", pg_ca=None, **AZURE),
    "dev-cnpg": row(pg_host=IN_CLUSTER_PG, pg_sslmode="verify-full", pg_ca=PG_CA, **AWS),
    "dev-gcp-cnpg": row(pg_host=IN_CLUSTER_PG, pg_sslmode="verify-full", pg_ca=PG_CA, **GCP),
    "dev-azure-cnpg": row(pg_host=IN_CLUSTER_PG, pg_sslmode="verify-full", pg_ca=PG_CA, **AZURE),
    "dev-local": row(
        pg_host=IN_CLUSTER_PG, pg_sslmode="verify-full", pg_ca=PG_CA,
        kafka=r"platform-kafka-bootstrap\.kafka\.svc:9092", kafka_protocol="PLAINTEXT",
        kafka_sasl=None, kafka_auth="none", redis_host=r"valkey\.redis\.svc", redis_scheme="redis", redis_port="6379",
        redis_tls="false", redis_ca=None, redis_auth="token", identity=None,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def outcomes(
    shipped_plans: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """The shipped dev stacks, and each cloud's dev stack on the in-cluster engine."""
    directory = tmp_path_factory.mktemp("engines")
    paths = []
    for stack in ("dev", "dev-gcp", "dev-azure"):
        document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
        postgres = dict(document["config"].get("platform:postgres") or {})
        document["config"]["platform:postgres"] = {**postgres, "engine": "cloudnative-pg"}
        path = Path(directory) / f"Pulumi.{stack}-cnpg.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        paths.append(path)
    planned = {o.stack: o for o in plan_many(paths, ROOT, keep_records=True)}
    shipped = {
        stack: shipped_plans[stack] for stack in ("dev", "dev-gcp", "dev-azure", "dev-local")
    }
    return {**shipped, **planned}


def _objects(outcome: Outcome, app: str) -> dict[str, dict[str, Any]]:
    """The app's settings ConfigMap, credentials Secret, CA ConfigMap, workload and SA."""
    found: dict[str, dict[str, Any]] = {}
    assert outcome.records is not None, outcome.errors
    for record in outcome.records:
        kind = record.type.rsplit(":", 1)[-1]
        name = record.name
        if f"-{app}-" not in name:
            continue
        inputs = plain(record.inputs, redact=False)
        if kind == "ConfigMap" and name.endswith("settings-config"):
            found["config"] = inputs["data"]
        elif kind == "ConfigMap" and name.endswith("settings-ca"):
            found["ca"] = inputs["data"]
        elif kind == "Secret" and name.endswith("settings-credentials"):
            found["secret"] = inputs.get("stringData") or {}
        elif kind in ("StatefulSet", "DaemonSet"):
            found["workload"] = inputs
        elif kind == "ServiceAccount":
            found["account"] = inputs
    return found


def _mounted(workload: dict[str, Any], path: str | None) -> bool:
    """``path`` lies under a volume mount of the app's container (None: nothing to mount)."""
    if path is None:
        return True
    container = workload["spec"]["template"]["spec"]["containers"][0]
    mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
    return any(path.startswith(mount.rstrip("/") + "/") for mount in mounts)


def observed(outcome: Outcome) -> dict[str, Any]:
    backend = _objects(outcome, "backend")
    collector = _objects(outcome, "collector")
    config, secret = backend["config"], backend.get("secret", {})
    redis_url = secret.get("REDIS_URL", "")
    kafka_auth = (
        "secret"
        if "KAFKA_PASSWORD" in secret
        else "none"
        if config["KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"
        else "workload identity"
    )
    annotations = [
        set((o["account"].get("metadata") or {}).get("annotations") or {})
        for o in (backend, collector)
    ]
    identity = {key for keys in annotations for key in keys}
    assert annotations[0] == annotations[1], "backend and collector use one identity scheme"
    assert _mounted(backend["workload"], config.get("PGSSLROOTCERT"))
    assert _mounted(backend["workload"], config.get("REDIS_CA_FILE"))
    for ca in filter(None, (config.get("PGSSLROOTCERT"), config.get("REDIS_CA_FILE"))):
        assert ca.removeprefix(CA_DIR + "/") in backend["ca"], ca
    # The collector gets the same Kafka settings and nothing of Postgres or Redis.
    assert {k: v for k, v in collector["config"].items() if k.startswith("KAFKA_")} == {
        k: v for k, v in config.items() if k.startswith("KAFKA_")
    }
    assert not [k for k in collector["config"] if k.startswith(("POSTGRES", "REDIS"))]
    return {
        "postgres": {
            "host": config["POSTGRES_HOST"],
            "port": config["POSTGRES_PORT"],
            "sslmode": config["POSTGRES_SSLMODE"],
            "ca": config.get("PGSSLROOTCERT"),
        },
        "kafka": {
            "bootstrap": config["KAFKA_BOOTSTRAP_SERVERS"],
            "protocol": config["KAFKA_SECURITY_PROTOCOL"],
            "sasl": config.get("KAFKA_SASL_MECHANISM"),
            "auth": kafka_auth,
        },
        "redis": {
            "host": config["REDIS_HOST"],
            "scheme": redis_url.split("://", 1)[0],
            "port": config["REDIS_PORT"],
            "tls": config["REDIS_TLS"],
            "ca": config.get("REDIS_CA_FILE"),
            "auth": config["REDIS_AUTH_MODE"],
        },
        "identity": next(iter(identity)) if identity else None,
    }


@pytest.mark.parametrize("stack", sorted(EXPECTED))
def test_what_the_apps_receive(outcomes: dict[str, Outcome], stack: str) -> None:
    got, want = observed(outcomes[stack]), EXPECTED[stack]
    for pattern_key in (("postgres", "host"), ("kafka", "bootstrap"), ("redis", "host")):
        section, key = pattern_key
        value = got[section].pop(key)
        pattern = want[section][key]
        for item in value.split(","):
            assert re.fullmatch(pattern, item), f"{stack} {section}.{key}={item!r}"
    want = {s: ({k: v for k, v in d.items() if k not in ("host", "bootstrap")} if isinstance(d, dict) else d) for s, d in want.items()}  # fmt: skip
    assert got == want, stack
    # The URL the apps are handed agrees with the discrete settings.
    secret = _objects(outcomes[stack], "backend").get("secret", {})
    assert secret["REDIS_URL"].startswith(
        "rediss://" if got["redis"]["tls"] == "true" else "redis://"
    )
    assert f":{got['redis']['port']}" in secret["REDIS_URL"]
    # a workload identity signs in with a token it fetches itself: no password in the URL
    if got["redis"]["auth"] in ("iam", "entra"):
        assert "@" not in secret["REDIS_URL"] and "REDIS_AUTH_TOKEN" not in secret
    if got["postgres"]["ca"]:
        assert "sslmode=verify-full" in secret["DATABASE_URL"]
