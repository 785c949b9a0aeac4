"""AWS wiring: the provider, then each capability's AWS component, returning the contracts."""

from __future__ import annotations

import pulumi

from components.aws.network import AwsNetwork, AwsNetworkArgs
from infra.config.models import PlatformConfig
from infra.naming import tags
from infra.providers import aws_provider
from stacks.platform import PlatformContracts


def build(config: PlatformConfig) -> PlatformContracts:
    """Declare the AWS stack for ``config``."""
    provider = aws_provider(config)
    opts = pulumi.ResourceOptions(providers=[provider])
    network = AwsNetwork(
        f"{config.name_prefix}-network",
        AwsNetworkArgs(
            cidr=str(config.network.cidr),
            private_subnets=[str(s) for s in config.network.private_subnets()],
            public_subnets=[str(s) for s in config.network.public_subnets()],
            nat_per_zone=config.network.nat_gateways == "perZone",
            flow_log_retention_days=config.network.flow_log_retention_days,
            tags=tags(config, "network"),
        ),
        opts,
    )
    return PlatformContracts(network=network.contract())
