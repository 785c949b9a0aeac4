"""The application's settings: a ConfigMap for what is not secret and a Secret built from the
data-service contracts (``DATABASE_URL`` and friends). Nothing secret ever enters the ConfigMap:
hosts, ports and protocols go there; passwords, tokens and URLs that embed them do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import KafkaContract, PostgresContract, RedisContract
from infra.naming import child


@dataclass(frozen=True)
class AppSettingsArgs:
    """Inputs of ``AppSettings``."""

    namespace: str
    postgres: PostgresContract
    kafka: KafkaContract
    redis: RedisContract
    extra: dict[str, str]
    labels: dict[str, str]


def database_url(
    user: str, password: str, host: str, port: int, database: str, ssl_mode: str
) -> str:
    """A libpq URL; credentials are percent-encoded so any generated password is safe."""
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/"
        f"{database}?sslmode={ssl_mode}"
    )


def redis_url(token: str | None, host: str, port: int, tls: bool) -> str:
    """``rediss://`` (TLS) or ``redis://`` with the AUTH token as the password."""
    scheme = "rediss" if tls else "redis"
    auth = f":{quote(token, safe='')}@" if token else ""
    return f"{scheme}://{auth}{host}:{port}"


class AppSettings(pulumi.ComponentResource):
    """The ConfigMap and Secret every workload reads its environment from."""

    config_map_name: str
    """Name of the ConfigMap."""
    secret_name: str
    """Name of the Secret."""

    def __init__(
        self, name: str, args: AppSettingsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:AppSettings", name, None, opts)
        child_opts = pulumi.ResourceOptions(parent=self)
        self.config_map_name = "app-settings"
        self.secret_name = "app-credentials"
        pg, kafka, redis = args.postgres, args.kafka, args.redis
        data: dict[str, pulumi.Input[str]] = {
            **args.extra,
            "POSTGRES_HOST": pg.host,
            "POSTGRES_PORT": pg.port.apply(str),
            "POSTGRES_DATABASE": pg.database,
            "POSTGRES_SSLMODE": pg.ssl_mode,
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "KAFKA_SECURITY_PROTOCOL": kafka.security_protocol,
            "REDIS_HOST": redis.host,
            "REDIS_PORT": redis.port.apply(str),
            "REDIS_TLS": "true" if redis.tls else "false",
            # "iam": the client authenticates with its workload identity (GCP Redis Cluster)
            "REDIS_AUTH_MODE": "token" if redis.auth_token is not None else "iam",
        }
        if kafka.sasl_mechanism:
            data["KAFKA_SASL_MECHANISM"] = kafka.sasl_mechanism
        k8s.core.v1.ConfigMap(
            child(name, "config"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.config_map_name, namespace=args.namespace, labels=args.labels
            ),
            data=data,
            opts=child_opts,
        )
        k8s.core.v1.Secret(
            child(name, "credentials"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.secret_name, namespace=args.namespace, labels=args.labels
            ),
            type="Opaque",
            string_data=pulumi.Output.secret(self._secret_data(args)),
            opts=child_opts,
        )
        self.register_outputs({})

    @staticmethod
    def _secret_data(args: AppSettingsArgs) -> pulumi.Output[dict[str, str]]:
        pg, kafka, redis = args.postgres, args.kafka, args.redis
        url = pulumi.Output.all(pg.username, pg.password, pg.host, pg.port, pg.database).apply(
            lambda v: database_url(v[0], v[1], v[2], v[3], v[4], pg.ssl_mode)
        )
        token = redis.auth_token if redis.auth_token is not None else pulumi.Output.from_input("")
        cache_url = pulumi.Output.all(token, redis.host, redis.port).apply(
            lambda v: redis_url(v[0] or None, v[1], v[2], redis.tls)
        )
        values: dict[str, pulumi.Input[str]] = {
            "DATABASE_URL": url,
            "POSTGRES_USER": pg.username,
            "POSTGRES_PASSWORD": pg.password,
            "REDIS_URL": cache_url,
        }
        if redis.auth_token is not None:
            values["REDIS_AUTH_TOKEN"] = redis.auth_token
        if kafka.username is not None and kafka.password is not None:
            values["KAFKA_USERNAME"] = kafka.username
            values["KAFKA_PASSWORD"] = kafka.password
        return pulumi.Output.all(**values).apply(lambda resolved: dict(resolved))
