"""The GKE minor version a cluster is created on, confirmed with GKE before the cluster.

The stack pins a minor (``cluster.kubernetesVersion``, from the ``kubernetes.gke`` entries of
``policies/rules/facts/catalog/kubernetes.toml``); the cluster enrols in the REGULAR release
channel, which upgrades it from there. GKE stops offering a minor at the end of its standard
support, so before the cluster the program asks GKE (``container.get_engine_versions``,
pulumi-gcp ``gcp:container/getEngineVersions``) for the cluster's location.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from infra.config.errors import CloudCheckError

# The release channel every cluster enrols in (components/gcp/gke.py)
CHANNEL = "REGULAR"


def _minor(version: str) -> str:
    """``1.36.2-gke.1000`` as ``1.36``."""
    return ".".join(version.split("-", 1)[0].split(".")[:2])


def offered_version(
    version: str, location: pulumi.Input[str], parent: pulumi.Resource
) -> pulumi.Output[str]:
    """``version`` once GKE confirms it offers that minor in ``location`` and the REGULAR
    channel reaches it, else a failed preview naming the key; the offline plan's mock answers
    from the version catalog as it stood when last checked."""
    found = gcp.container.get_engine_versions_output(
        location=location,
        # the trailing dot keeps 1.3 from matching 1.36 (the data source's own advice)
        version_prefix=f"{version}.",
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return pulumi.Output.all(
        found.valid_master_versions, found.release_channel_latest_version, found.location
    ).apply(lambda got: offered_or_raise(version, got[0], got[1], str(got[2] or "")))


def offered_or_raise(
    version: str, valid: Sequence[str], channel_latest: Mapping[str, str], location: str
) -> str:
    """``version`` when GKE lists a master version of that minor and REGULAR's newest version
    is not older than it; the error names the key and what the channel offers otherwise."""
    latest = channel_latest.get(CHANNEL, "")
    key = tuple(int(part) for part in version.split("."))
    in_channel = bool(latest) and tuple(int(p) for p in _minor(latest).split(".")) >= key
    if any(_minor(v) == version for v in valid) and in_channel:
        return version
    offered = f"up to {_minor(latest)}" if latest else "nothing"
    raise CloudCheckError(
        f"platform:cluster.kubernetesVersion: GKE does not offer {version} in the {CHANNEL} "
        f"channel in {location or 'this location'} (container.get_engine_versions; {CHANNEL} "
        f"offers minors {offered}); pick an offered minor and update the catalog "
        "(policies/rules/facts/catalog/kubernetes.toml [gke])"
    )
