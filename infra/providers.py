"""Explicit provider factories: built once at stack level and passed down (DESIGN §9).

Each cloud's SDK is imported inside its factory, so a stack only pays for the cloud it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from infra.config.models import PlatformConfig

if TYPE_CHECKING:
    import pulumi_aws as aws


def aws_provider(config: PlatformConfig) -> aws.Provider:
    """The AWS provider for the stack's region; credentials come from the usual AWS chain."""
    import pulumi_aws as aws

    return aws.Provider(
        f"{config.name_prefix}-aws",
        region=config.region,
        opts=pulumi.ResourceOptions(),
    )
