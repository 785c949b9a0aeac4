"""PostgreSQL (TimescaleDB) in the cluster: the CloudNativePG operator and one ``Cluster``.

Cloud-neutral: ``CnpgPostgres`` takes the ``PostgresSpec`` every engine takes
(``components/specs.py``) plus its placement on the cluster (namespace, storage class, who may
connect) and an object-store destination with the ServiceAccount annotations / pod labels that
bind the instances to a cloud identity (or no backup at all on a laptop). One module per concern:

- ``args``: the inputs and the names every part shares;
- ``operator``: the operator (Helm chart ``cloudnative-pg`` 0.29.0 = operator 1.30.0) in its own
  namespace;
- ``policies``: the instances' namespace (PSA restricted, quota) and the default-deny
  NetworkPolicies of both namespaces with what they admit;
- ``certificates``: the app owner's generated credentials and the server TLS CA;
- ``cluster``: the ``postgresql.cnpg.io/v1`` ``Cluster`` (with ``timescale``: the image and the
  parameters tuned from the pod size);
- ``backups``: barman-cloud to object storage and the daily ``ScheduledBackup``;
- ``postgres``: the component tying them together, and its contract.

Monitoring: ``spec.monitoring.enablePodMonitor`` is deprecated at 1.30 and this component may
be declared before Prometheus' CRDs exist, so the contract's ``ClusterPeer`` names the metrics
port and the Kubernetes layer declares the ``PodMonitor`` after the monitoring stack.
"""

from __future__ import annotations

from components.kubernetes.cnpg.args import BackupCredentials, CnpgBackupArgs, CnpgPostgresArgs
from components.kubernetes.cnpg.postgres import CnpgPostgres

__all__ = ["BackupCredentials", "CnpgBackupArgs", "CnpgPostgres", "CnpgPostgresArgs"]
