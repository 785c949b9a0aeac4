"""``CnpgPostgres``: the CloudNativePG operator and one TimescaleDB ``Cluster`` with backups.

The component declares, in this order and waiting on each other where the operator needs it:
the operator (``operator``), the instances' namespace and policies (``policies``), the owner's
credentials and the server CA (``certificates``), the ``Cluster`` (``cluster``) and its daily
backup (``backups``); its contract is what apps connect with.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.contracts import ClusterPeer, PostgresContract
from components.kubernetes.cnpg.args import CLUSTER_LABEL, POSTGRES_PORT, CnpgPostgresArgs
from components.kubernetes.cnpg.backups import scheduled_backup
from components.kubernetes.cnpg.certificates import credentials, server_ca
from components.kubernetes.cnpg.cluster import postgres_cluster
from components.kubernetes.cnpg.operator import operator
from components.kubernetes.cnpg.policies import instance_policies, instances_namespace


class CnpgPostgres(pulumi.ComponentResource):
    """The CloudNativePG operator and one TimescaleDB ``Cluster`` with backups."""

    host: str
    """The primary's Service (``<name>-rw.<namespace>.svc``)."""
    password: pulumi.Output[str]
    """The app owner's generated password (secret)."""
    ca_certificate: pulumi.Output[str]
    """PEM of the CA that signed the server certificate."""
    cluster: k8s.apiextensions.CustomResource
    """The ``Cluster`` custom resource."""

    def __init__(
        self, name: str, args: CnpgPostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:CnpgPostgres", name, None, opts)
        self._args = args
        self.host = f"{args.name}-rw.{args.namespace}.svc"
        installed = operator(name, args, self) if args.install_operator else []
        namespace = instances_namespace(name, args, self)
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        instance_policies(name, args, in_namespace)
        self.password, secret = credentials(name, args, self, in_namespace)
        self.ca_certificate, certificates = server_ca(name, args, self, in_namespace)
        self.cluster = postgres_cluster(
            name,
            args,
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[namespace, *installed, secret, *certificates],
                protect=args.spec.protect,
            ),
        )
        if args.backup is not None:
            scheduled_backup(
                name, args, pulumi.ResourceOptions(parent=self, depends_on=[self.cluster])
            )
        self.register_outputs({"host": self.host})

    def contract(self) -> PostgresContract:
        """Connection facts: the ``-rw`` Service, the generated credentials, the server CA."""
        args = self._args
        return PostgresContract(
            host=pulumi.Output.from_input(self.host),
            port=pulumi.Output.from_input(POSTGRES_PORT),
            database=pulumi.Output.from_input(args.spec.database_name),
            username=pulumi.Output.from_input(args.spec.username),
            password=self.password,
            ssl_mode="verify-full",
            ca_certificate=self.ca_certificate,
            cluster_peer=ClusterPeer(
                args.namespace,
                {CLUSTER_LABEL: args.name},
                POSTGRES_PORT,
                metrics_port_name="metrics",
            ),
            ready=[self.cluster],
        )
