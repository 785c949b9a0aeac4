"""Pulumi program entry point: load and validate the stack config, then compose the stack."""

from infra.config import load_platform_config
from stacks.compose import compose

compose(load_platform_config())
