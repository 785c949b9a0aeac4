"""Stack composition: pick the cloud's wiring from ``platform:cloud`` and export its outputs.

The clouds, the extra data services and the extra add-ons are the registered ones
(``infra.registry``). A cloud's
module (and so its SDK) is imported only when that cloud is selected: importing
pulumi_azure_native & co. costs time on every plan.
"""

from __future__ import annotations

import importlib

from infra.config.models import PlatformConfig
from infra.registry import addons, builder, cloud_entry, data_services
from stacks.kubernetes import build as build_kubernetes_layer
from stacks.platform import PlatformContracts, export_data_services, export_outputs


def compose(config: PlatformConfig) -> PlatformContracts:
    """Declare every resource of the stack described by ``config``."""
    module = importlib.import_module(cloud_entry(config.cloud).module)
    contracts: PlatformContracts = module.build(config)
    services = {
        service.name: builder(service.builders[config.cloud])(config, contracts)
        for service in data_services()
    }
    build_kubernetes_layer(config, contracts)
    for addon in addons():
        builder(addon.builder)(config, contracts)
    export_outputs(config, contracts)
    export_data_services(services)
    return contracts
