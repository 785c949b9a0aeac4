"""The platform's own ``Retain`` StorageClass for persistent data (prod).

The clouds' default classes delete the disk with its claim; in prod the platform declares a
class of its own on the cloud's block-storage CSI driver that keeps it (``Retain``), binds
where the pod lands (``WaitForFirstConsumer``) and lets volumes grow. The class is protected.
It was declared at the root of the stack before, and keeps that URN as an alias (``moved.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.moved import moved_from_root


@dataclass(frozen=True, kw_only=True)
class RetainStorageClassArgs:
    """Inputs of ``RetainStorageClass``."""

    #: the class's name (what claims ask for)
    name: str
    #: the cloud's block-storage CSI driver
    provisioner: str
    #: the driver's parameters (disk type, encryption)
    parameters: dict[str, str]
    #: labels on the class
    labels: dict[str, str]


class RetainStorageClass(pulumi.ComponentResource):
    """A protected StorageClass whose volumes outlive their claims."""

    name: str
    """The class's name."""

    def __init__(
        self, name: str, args: RetainStorageClassArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kubernetes:RetainStorageClass", name, None, opts)
        k8s.storage.v1.StorageClass(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.name, labels=args.labels),
            provisioner=args.provisioner,
            parameters=args.parameters,
            reclaim_policy="Retain",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=pulumi.ResourceOptions(parent=self, protect=True, aliases=moved_from_root()),
        )
        self.name = args.name
        self.register_outputs({})
