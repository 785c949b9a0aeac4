"""One app's settings: a ConfigMap for what is not secret, a Secret built from the contracts
of the data services it uses (``DATABASE_URL`` and friends) and the services' CA bundles.
Nothing secret ever enters a ConfigMap: hosts, ports and protocols go there; passwords, tokens
and URLs that embed them do not. The apps' image pull Secret (``ImagePullSecret``) is here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import KafkaContract, PostgresContract, RedisContract
from components.kubernetes.moved import moved_from_root
from infra.naming import child

DataService = Literal["postgres", "kafka", "redis"]
# Where an app finds its credentials (one file per key) and the CA bundles of its services.
CREDENTIALS_DIR = "/var/run/secrets/platform"
CA_DIR = "/etc/platform/ca"
# File name and the environment variable that points the client library at it.
CA_FILES: dict[DataService, tuple[str, str]] = {
    "postgres": ("postgres-ca.pem", "PGSSLROOTCERT"),  # libpq reads it directly
    "redis": ("redis-ca.pem", "REDIS_CA_FILE"),
}


@dataclass(frozen=True, kw_only=True)
class AppSettingsArgs:
    """Inputs of ``AppSettings``: one app, and the data services it uses."""

    #: namespace the ConfigMap and Secret go into
    namespace: str
    #: app name (object names and labels)
    app: str
    #: data services the app connects to; only their settings and credentials are written
    uses: list[DataService]
    #: the Postgres contract (host, port, database, user, password, CA)
    postgres: PostgresContract
    #: the Kafka contract (bootstrap servers, auth)
    kafka: KafkaContract
    #: the Redis contract (host, ports, auth token, CA)
    redis: RedisContract
    #: the app's own plain settings (platform:apps.<name>.env)
    extra: dict[str, str]
    #: labels on the ConfigMap and Secret
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
    """One app's ConfigMap (environment), Secret (mounted as files) and CA bundle ConfigMap.

    Each app gets the settings and credentials of the services in its ``uses`` list and
    nothing else. Credentials are files under ``CREDENTIALS_DIR`` (checkov CKV_K8S_35: secrets
    in env leak into crash dumps and ``/proc``); the env var ``PLATFORM_FILES_DIR`` names that directory.
    """

    config_map_name: str
    """Name of the ConfigMap (read as environment variables)."""
    secret_name: str | None
    """Name of the credentials Secret (mounted at ``CREDENTIALS_DIR``), None when it has none."""
    ca_config_map_name: str | None
    """Name of the ConfigMap with CA bundles (mounted at ``CA_DIR``), None when none apply."""

    def __init__(
        self, name: str, args: AppSettingsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:AppSettings", name, None, opts)
        self._name = name
        self._args = args
        self._child_opts = pulumi.ResourceOptions(parent=self)
        self.ca_config_map_name = self._build_ca_bundles()
        self.config_map_name = self._build_config_map()
        self.secret_name = self._build_secret()
        self.register_outputs({})

    def _metadata(self, name: str) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=self._args.namespace, labels=self._args.labels
        )

    def _ca_bundles(self) -> dict[DataService, pulumi.Input[str]]:
        args = self._args
        bundles: dict[DataService, pulumi.Input[str] | None] = {
            "postgres": args.postgres.ca_certificate if "postgres" in args.uses else None,
            "redis": args.redis.ca_certificate if "redis" in args.uses else None,
        }
        return {service: pem for service, pem in bundles.items() if pem is not None}

    def _build_ca_bundles(self) -> str | None:
        bundles = self._ca_bundles()
        if not bundles:
            return None
        name = f"{self._args.app}-ca"
        k8s.core.v1.ConfigMap(
            child(self._name, "ca"),
            metadata=self._metadata(name),
            data={CA_FILES[service][0]: pem for service, pem in bundles.items()},
            opts=self._child_opts,
        )
        return name

    def _build_config_map(self) -> str:
        args = self._args
        pg, kafka, redis = args.postgres, args.kafka, args.redis
        data: dict[str, pulumi.Input[str]] = {**args.extra, "PLATFORM_FILES_DIR": CREDENTIALS_DIR}
        if "postgres" in args.uses:
            data |= {
                "POSTGRES_HOST": pg.host,
                "POSTGRES_PORT": pg.port.apply(str),
                "POSTGRES_DATABASE": pg.database,
                "POSTGRES_SSLMODE": pg.ssl_mode,
            }
        if "kafka" in args.uses:
            data |= {
                "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
                "KAFKA_SECURITY_PROTOCOL": kafka.security_protocol,
            }
            if kafka.sasl_mechanism:
                data["KAFKA_SASL_MECHANISM"] = kafka.sasl_mechanism
        if "redis" in args.uses:
            data |= {
                "REDIS_HOST": redis.host,
                "REDIS_PORT": redis.port.apply(str),
                "REDIS_TLS": "true" if redis.tls else "false",
                # "iam" (GCP) / "entra" (Azure): the client authenticates with its workload
                # identity; "token": with the AUTH token in its credentials
                "REDIS_AUTH_MODE": redis.auth,
            }
        for service in self._ca_bundles():
            file_name, variable = CA_FILES[service]
            data[variable] = f"{CA_DIR}/{file_name}"
        name = f"{args.app}-settings"
        k8s.core.v1.ConfigMap(
            child(self._name, "config"), metadata=self._metadata(name), data=data,
            opts=self._child_opts,
        )  # fmt: skip
        return name

    def _build_secret(self) -> str | None:
        values = self._secret_values()
        if not values:
            return None
        name = f"{self._args.app}-credentials"
        k8s.core.v1.Secret(
            child(self._name, "credentials"),
            metadata=self._metadata(name),
            type="Opaque",
            string_data=pulumi.Output.secret(
                pulumi.Output.all(**values).apply(lambda resolved: dict(resolved))
            ),
            opts=self._child_opts,
        )
        return name

    def _secret_values(self) -> dict[str, pulumi.Input[str]]:
        args = self._args
        pg, kafka, redis = args.postgres, args.kafka, args.redis
        values: dict[str, pulumi.Input[str]] = {}
        if "postgres" in args.uses:
            values["DATABASE_URL"] = pulumi.Output.all(
                pg.username, pg.password, pg.host, pg.port, pg.database
            ).apply(lambda v: database_url(v[0], v[1], v[2], v[3], v[4], pg.ssl_mode))
            values |= {"POSTGRES_USER": pg.username, "POSTGRES_PASSWORD": pg.password}
        if "redis" in args.uses:
            token = redis.auth_token if redis.auth_token is not None else ""
            values["REDIS_URL"] = pulumi.Output.all(token, redis.host, redis.port).apply(
                lambda v: redis_url(v[0] or None, v[1], v[2], redis.tls)
            )
            if redis.auth_token is not None:
                values["REDIS_AUTH_TOKEN"] = redis.auth_token
        if "kafka" in args.uses and kafka.username is not None and kafka.password is not None:
            values |= {"KAFKA_USERNAME": kafka.username, "KAFKA_PASSWORD": kafka.password}
        return values


PULL_SECRET = "image-pull"


@dataclass(frozen=True, kw_only=True)
class ImagePullSecretArgs:
    """Inputs of ``ImagePullSecret``."""

    #: namespace of the apps that pull with it
    namespace: str
    #: the registry credentials, a ``.dockerconfigjson`` document (kept a Pulumi secret)
    docker_config_json: pulumi.Input[str]
    #: labels on the Secret
    labels: dict[str, str]


class ImagePullSecret(pulumi.ComponentResource):
    """The apps' ``kubernetes.io/dockerconfigjson`` Secret, named ``PULL_SECRET``.

    It was declared at the root of the stack before, and keeps that URN as an alias
    (``moved.py``); ``depends_on`` (the namespace) applies to the Secret.
    """

    secret: k8s.core.v1.Secret
    """The Secret (what the workloads wait for)."""

    def __init__(
        self,
        name: str,
        args: ImagePullSecretArgs,
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:kubernetes:ImagePullSecret", name, None, opts)
        self.secret = k8s.core.v1.Secret(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=PULL_SECRET, namespace=args.namespace, labels=args.labels
            ),
            type="kubernetes.io/dockerconfigjson",
            string_data={".dockerconfigjson": pulumi.Output.secret(args.docker_config_json)},
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=depends_on, aliases=moved_from_root()
            ),
        )
        self.register_outputs({})
