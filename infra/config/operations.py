"""Config of what keeps a stack recoverable and watched: cloud alarms and disaster recovery.

``platform:alarms`` sets the thresholds (per environment, from the profiles) and where alarm
notifications go; ``platform:disasterRecovery`` names the region that holds cross-region copies
of the data (RDS automated-backup replication, Cloud SQL backups in another location, Azure
geo-redundant backup goes to the region's pair). prod must name a DR region and at least one
notification address: a prod stack that nobody hears from, or that one region can take down,
is a config error, not a policy warning.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from infra.config.base import StrictModel

Percent = Annotated[int, Field(ge=1, le=100)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class AlarmsConfig(StrictModel):
    """Cloud alarms on the data services and the cluster, and who hears them."""

    enabled: bool = Field(description="declare the cloud's alarms (dev: off, to stay cheap)")
    notification_emails: list[Email] = Field(
        default_factory=list,
        description="addresses subscribed to the alarm topic / channel / action group "
        "(required whenever alarms are enabled: staging, prod)",
    )
    cpu_percent: Percent = Field(description="CPU above this (% of the instance) alarms")
    memory_percent: Percent = Field(description="memory used above this (%) alarms")
    storage_percent: Percent = Field(description="storage/disk used above this (%) alarms")
    connections_percent: Percent = Field(
        description="database connections above this (% of max_connections) alarm"
    )
    replica_lag_seconds: Annotated[int, Field(ge=1)] = Field(
        description="replication lag above this (seconds) alarms"
    )
    evaluation_minutes: Annotated[int, Field(ge=1, le=60)] = Field(
        description="how long a threshold must be breached before the alarm fires (minutes)"
    )


class DisasterRecoveryConfig(StrictModel):
    """Where cross-region copies of the data live (RTO < 4 h, RPO < 1 h in prod)."""

    region: str | None = Field(
        default=None,
        description="region holding cross-region backup copies (prod: required, not the stack's)",
    )
    backup_retention_days: Annotated[int, Field(ge=1, le=35)] = Field(
        description="days the cross-region backup copies are kept"
    )
