"""Documentation ranges: addresses no deployer, runner or user ever has.

Shared by the program (``infra/config/examples.py`` refuses them in a stack's config) and the
pack (the ``deploy-*-reachable`` rules never count them as a way into a cluster). Sources:
RFC 5737 (IPv4 TEST-NET-1/2/3) and RFC 3849 (the IPv6 documentation prefix).
"""

from __future__ import annotations

import ipaddress

DOCUMENTATION_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv4Network("192.0.2.0/24"), "RFC 5737 TEST-NET-1"),
    (ipaddress.IPv4Network("198.51.100.0/24"), "RFC 5737 TEST-NET-2"),
    (ipaddress.IPv4Network("203.0.113.0/24"), "RFC 5737 TEST-NET-3"),
    (ipaddress.IPv6Network("2001:db8::/32"), "RFC 3849 documentation prefix"),
)


def parse_network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """``value`` as a network (an address is its /32 or /128), or None."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def documentation_network(value: object) -> str | None:
    """Which documentation range ``value`` (an address or CIDR) falls in, if any."""
    network = parse_network(value)
    if network is None:
        return None
    for documented, label in DOCUMENTATION_NETWORKS:
        if network.version == documented.version and network.overlaps(documented):  # type: ignore[arg-type]
            return f"{label}, {documented}"
    return None


def within(value: object, ranges: list[str]) -> str | None:
    """The first of ``ranges`` that ``value`` lies inside (a cluster's own node/pod range)."""
    network = parse_network(value)
    if network is None:
        return None
    for candidate in ranges:
        own = parse_network(candidate)
        if own is not None and own.version == network.version and network.subnet_of(own):  # type: ignore[arg-type]
            return candidate
    return None
