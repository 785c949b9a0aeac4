"""Stack composition: pick the cloud's wiring from ``platform:cloud`` and export its outputs.

A cloud's module (and so its SDK) is imported only when that cloud is selected: importing
pulumi_azure_native & co. costs time on every plan.
"""

from __future__ import annotations

import importlib

from infra.config.models import Cloud, PlatformConfig
from stacks.kubernetes import build as build_kubernetes_layer
from stacks.platform import PlatformContracts, export_outputs

# cloud -> module with ``build(config) -> PlatformContracts``
CLOUD_MODULES: dict[Cloud, str] = {
    "aws": "stacks.aws",
    "gcp": "stacks.gcp",
    "azure": "stacks.azure",
    "local": "stacks.local",
}


def compose(config: PlatformConfig) -> PlatformContracts:
    """Declare every resource of the stack described by ``config``."""
    module_name = CLOUD_MODULES[config.cloud]
    contracts: PlatformContracts = importlib.import_module(module_name).build(config)
    build_kubernetes_layer(config, contracts)
    export_outputs(config, contracts)
    return contracts
