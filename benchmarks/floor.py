"""The floor of an offline plan: what any Pulumi program using the same SDKs pays for it.

Reads a plan JSON (``python -m infra plan --json``), imports exactly the provider SDK modules
its resource types live in (by module path, e.g. ``pulumi_aws.rds.instance``, found from each
SDK's own type registry), then registers the same inventory flat (no parents, no providers
wired) under the same mocks and monitor the offline plan uses. Each custom resource is an
instance of its SDK class carrying the aliases that class adds to every instance (``alias_opts``
in the generated class: azure-native lists every older API version of the type, ~60 per
resource, and the SDK turns each into an alias URN whether or not the engine needs it), so the
SDK's per-resource work (alias URNs, resolving the class's output types) is in the floor as it
is in any program that uses these classes. No config, components, policies or output: the cost
left once a program has nothing of its own.

    python benchmarks/floor.py PLAN.json [INVENTORY.json]

INVENTORY.json (``sdk_inventory`` written out; ``make bench`` computes it once, outside the
timed runs) maps each type token to its module, class and SDK aliases.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Python package of each Pulumi package (the first segment of a type token).
PACKAGES = {
    "aws": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "azure-native": "pulumi_azure_native",
    "kubernetes": "pulumi_kubernetes",
    "random": "pulumi_random",
}
# Kubernetes types the SDK has no class for (CRDs) are registered through this module.
KUBERNETES_CUSTOM = "pulumi_kubernetes.apiextensions.CustomResource"
_REGISTRY = re.compile(r'resource_modules="""(.*?)"""', re.DOTALL)
# How every generated SDK class declares its aliases (the only form pulumi_aws, pulumi_gcp,
# pulumi_azure_native and pulumi_kubernetes use): ``pulumi.Alias(type_="<older token>")``.
_ALIAS = re.compile(r'pulumi\.Alias\(type_="([^"]+)"\)')


def _registry(package: str) -> dict[str, tuple[str, str]]:
    """Type token -> (Python subpackage, class name), from the SDK's ``_utilities.register``.

    Read as text: importing the package would already be part of what is measured.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return {}
    found = _REGISTRY.search(Path(spec.origin).read_text(encoding="utf-8"))
    return {
        token: (entry["fqn"], class_name)
        for entry in (json.loads(found.group(1)) if found else [])
        for token, class_name in entry["classes"].items()
    }


def _module_file(module: str) -> Path:
    """The source file of ``module``, found without importing it (or its parent package)."""
    spec = importlib.util.find_spec(module.split(".", 1)[0])
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent.joinpath(*module.split(".")[1:]).with_suffix(".py")


def _module_path(subpackage: str, class_name: str) -> str | None:
    """The module of ``class_name`` in ``subpackage``: the class name itself (pulumi_kubernetes)
    or its snake case with acronyms folded (``IAMMember`` -> ``iam_member``)."""
    directory = _module_file(subpackage).with_suffix("")
    for initial in {class_name[:1], class_name[:1].lower()}:
        for path in directory.glob(f"{initial}*.py"):
            if path.stem.replace("_", "").lower() == class_name.lower():
                return f"{subpackage}.{path.stem}"
    return None


def sdk_aliases(module: str) -> list[str]:
    """The alias types the SDK class in ``module`` passes on every construction."""
    return _ALIAS.findall(_module_file(module).read_text(encoding="utf-8"))


def sdk_inventory(types: set[str]) -> dict[str, dict[str, Any]]:
    """Type token -> ``{"module", "class", "aliases"}`` for the plan's custom resource types."""
    return {
        token: {"module": module, "class": class_name, "aliases": sdk_aliases(module)}
        for token, (module, class_name) in _modules_by_type(types).items()
    }


def sdk_modules(types: set[str]) -> list[str]:
    """The SDK modules the plan's custom resource types live in."""
    return sorted({module for module, _ in _modules_by_type(types).values()})


def _modules_by_type(types: set[str]) -> dict[str, tuple[str, str]]:
    """Type token -> (SDK module, class name)."""
    registries: dict[str, dict[str, tuple[str, str]]] = {}
    modules: dict[str, tuple[str, str]] = {}
    for token in types:
        package = token.split(":", 1)[0]
        if package not in PACKAGES:  # pulumi:providers:*, the program's own components
            continue
        if package not in registries:
            registries[package] = _registry(PACKAGES[package])
        located = registries[package].get(token)
        module = _module_path(*located) if located else None
        class_name = located[1] if located else ""
        if module is None and package == "kubernetes":
            module, class_name = KUBERNETES_CUSTOM, KUBERNETES_CUSTOM.rsplit(".", 1)[1]
        if module is None:
            raise SystemExit(f"floor: no SDK module found for {token}")
        modules[token] = (module, class_name)
    return modules


def register_flat(
    plan: dict[str, Any], classes: dict[str, type], aliases: dict[str, list[str]]
) -> int:
    """Register every resource of ``plan`` at the top level under the offline plan's mocks.

    A custom resource is an instance of its SDK class (``classes[type]``: the SDK resolves that
    class's output types on registration, which imports e.g. ``pulumi_kubernetes.meta.v1``)
    initialised the way the class's own ``__init__`` ends, ``CustomResource.__init__`` with the
    aliases it adds (``aliases[type]``), but with the plan's wire-format inputs as they are: no
    ``*Args`` objects to build or translate, so that part of the SDK's cost stays out.
    """
    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from infra.plan.mocks import MockContext, PlanMocks
    from infra.plan.monitor import RecordingMonitor

    stack = plan["stack"]
    mocks = PlanMocks(MockContext(project="platform", stack=stack, region="eu-west-1",
                                  gcp_project="offline-plan-project"))  # fmt: skip
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="platform", stack=stack, preview=True, monitor=monitor)

    def program() -> None:
        for resource in plan["resources"]:
            name = resource["urn"].rsplit("::", 1)[-1]
            if resource["custom"]:
                opts = pulumi.ResourceOptions(
                    aliases=[pulumi.Alias(type_=t) for t in aliases.get(resource["type"], [])]
                )
                sdk_class = classes.get(resource["type"], pulumi.CustomResource)
                instance = sdk_class.__new__(sdk_class)
                props = dict(resource["inputs"])
                pulumi.CustomResource.__init__(instance, resource["type"], name, props, opts)
            else:
                pulumi.ComponentResource(resource["type"], name)

    _sync_await(run_pulumi_func(program))
    return len(monitor.recorded)


def main(argv: list[str]) -> int:
    """``floor.py PLAN.json [INVENTORY.json]``: the inventory defaults to ``sdk_inventory`` of
    the plan (``make bench`` passes it, found once outside the timed runs)."""
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.path.insert(0, str(ROOT))
    inventory = (
        json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        if len(argv) > 1
        else sdk_inventory({r["type"] for r in plan["resources"] if r["custom"]})
    )
    modules = sorted({entry["module"] for entry in inventory.values()})
    for module in modules:
        importlib.import_module(module)
    classes = {
        token: getattr(sys.modules[entry["module"]], entry["class"])
        for token, entry in inventory.items()
    }
    aliases = {token: entry["aliases"] for token, entry in inventory.items()}
    registered = register_flat(plan, classes, aliases)
    if registered != len(plan["resources"]):
        raise SystemExit(f"floor: registered {registered} of {len(plan['resources'])} resources")
    print(f"floor: {len(modules)} SDK modules, {registered} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
