"""Kubernetes resource quantities: parse, compare and sum CPU and memory amounts.

Used by the config models (to reject unparsable quantities with a clear message) and by the
Kubernetes layer (to size namespace quotas from the workloads they must hold).
"""

from __future__ import annotations

import re
from decimal import Decimal

_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_FACTORS = {
    None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
}  # fmt: skip


def cpu_millicores(quantity: str) -> int:
    """``"250m"`` -> 250, ``"1.5"`` -> 1500; ValueError when it is not a CPU quantity."""
    match = _CPU.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a CPU quantity (examples: 250m, 1, 1.5)")
    value = Decimal(match.group(1))
    return int(value if match.group(2) else value * 1000)


def memory_bytes(quantity: str) -> int:
    """``"512Mi"`` -> 536870912; ValueError when it is not a memory quantity."""
    match = _MEMORY.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a memory quantity (examples: 128Mi, 1Gi, 500M)")
    return int(Decimal(match.group(1)) * _MEMORY_FACTORS[match.group(2)])


def pod_size(size: str) -> tuple[str, str]:
    """``"200m/768Mi"`` -> ``("200m", "768Mi")``: a pod's CPU and memory requests as one size
    string (a local stack's ``kafka.brokerSize``/``redis.nodeSize``, checked by the config)."""
    cpu, memory = size.split("/")
    return cpu, memory


def format_cpu(millicores: int) -> str:
    """Millicores as a quantity string."""
    return f"{millicores}m"


def format_memory(size: int) -> str:
    """Bytes as a Mi quantity string (rounded up)."""
    return f"{-(-size // 2**20)}Mi"
