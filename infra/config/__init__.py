"""Typed stack configuration: models, environment-profile merge and clear error reporting."""

from infra.config.errors import ConfigError
from infra.config.loader import build_platform_config, load_platform_config
from infra.config.models import PlatformConfig

__all__ = ["ConfigError", "PlatformConfig", "build_platform_config", "load_platform_config"]
