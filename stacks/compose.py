"""Stack composition: pick the cloud's wiring from ``platform:cloud`` and export its outputs.

A cloud's module (and so its SDK) is imported only when that cloud is selected: importing
pulumi_azure_native & co. costs time on every plan.
"""

from __future__ import annotations

import importlib

from infra.config.errors import ConfigError
from infra.config.loader import stack_file_name
from infra.config.models import PlatformConfig
from stacks.kubernetes import build as build_kubernetes_layer
from stacks.platform import PlatformContracts, export_outputs

# cloud -> module with ``build(config) -> PlatformContracts``; absent means not implemented yet.
CLOUD_MODULES: dict[str, str] = {"aws": "stacks.aws", "gcp": "stacks.gcp", "azure": "stacks.azure"}
TRACKING_ISSUES: dict[str, str] = {}


def compose(config: PlatformConfig) -> PlatformContracts:
    """Declare every resource of the stack described by ``config``."""
    module_name = CLOUD_MODULES.get(config.cloud)
    if module_name is None:
        raise ConfigError(
            stack_file_name(),
            [
                f"platform:cloud: {config.cloud!r} is not implemented yet "
                f"({TRACKING_ISSUES.get(config.cloud, 'no issue')}); "
                f"available: {', '.join(CLOUD_MODULES)}"
            ],
        )
    contracts: PlatformContracts = importlib.import_module(module_name).build(config)
    build_kubernetes_layer(config, contracts)
    export_outputs(config, contracts)
    return contracts
