"""The domain stays pure: no clock reads, no I/O, no logging (import-linter checks the imports too)."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path
from typing import Any

import aftersales
import aftersales.reports

SRC = Path(aftersales.__file__).parent
CLOCK_READS = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic|time\.perf_counter)\("
)
IMPURE_IMPORTS = re.compile(
    r"^\s*(import|from)\s+(os|sqlite3|psycopg|logging|requests|socket|random)\b", re.M
)


def test_domain_and_policies_read_no_clock_and_do_no_io() -> None:
    offenders = []
    for package in ("domain", "policies"):
        for path in sorted((SRC / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {m.group(0)}" for m in CLOCK_READS.finditer(text)]
            offenders += [f"{path.name}: {m.group(0).strip()}" for m in IMPURE_IMPORTS.finditer(text)]
    assert offenders == []


def test_public_api_is_exported_and_typed() -> None:
    assert (SRC / "py.typed").exists()
    missing = [name for name in aftersales.__all__ if not hasattr(aftersales, name)]
    assert missing == []
    exported = [getattr(aftersales, name) for name in aftersales.__all__]
    undocumented = [obj for obj in exported if isinstance(obj, type) and not (obj.__doc__ or "").strip()]
    assert undocumented == []


def _named_types(hint: Any, into: dict[str, type]) -> None:
    for arg in typing.get_args(hint):
        _named_types(arg, into)
    if isinstance(hint, type) and hint.__module__.startswith("aftersales."):
        into[f"{hint.__module__}.{hint.__qualname__}"] = hint


def _hints(obj: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(obj)
    except NameError:  # a TYPE_CHECKING-only name: what it names is reached from elsewhere
        return {}


def test_every_type_the_public_api_names_is_exported() -> None:
    """A host compares ``slip.state`` with ``SlipState.PAID``, types its own dispatch policy against
    ``DispatchRequest``, keeps the ``SweepReport`` a sweep returns: every type a public class, method,
    function or desk capability names is importable from ``aftersales`` (reports' from
    ``aftersales.reports``). Adapters are not: a desk's store is whichever its URL chose."""
    public = [getattr(aftersales, name) for name in aftersales.__all__]
    public += [getattr(aftersales.reports, name) for name in aftersales.reports.__all__]
    exported = {id(obj) for obj in public}
    desk = aftersales.ServiceDesk.open("memory://", pack="sanitary_ware")
    roots = [obj for obj in public if isinstance(obj, type) or inspect.isfunction(obj)]
    capabilities = [type(value) for name, value in vars(desk).items() if not name.startswith("_")]
    roots += capabilities
    # The desk's capabilities themselves (``desk.guidance`` is a ``GuidanceDesk``): a host types its own
    # code against them as against the desk.
    named: dict[str, type] = {f"{c.__module__}.{c.__qualname__}": c for c in capabilities}
    for root in roots:
        if inspect.isfunction(root):
            for hint in _hints(root).values():
                _named_types(hint, named)
            continue
        for name, hint in _hints(root).items():
            if not name.startswith("_"):
                _named_types(hint, named)
        for name, member in inspect.getmembers(root):
            function = member.fget if isinstance(member, property) else member
            function = getattr(function, "__func__", function)  # a classmethod (move_books_zone)
            if not name.startswith("_") and inspect.isfunction(function):
                for hint in _hints(function).values():
                    _named_types(hint, named)
    missing = sorted(
        key
        for key, found in named.items()
        if id(found) not in exported and not key.startswith("aftersales.adapters.")
    )
    assert missing == []


def _service_graph() -> dict[str, set[str]]:
    import grimp

    graph = grimp.build_graph("aftersales")
    modules = {m for m in graph.modules if m.startswith("aftersales.service.")}
    return {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}


def test_the_service_package_has_no_import_cycle() -> None:
    """Capabilities take the context and the runner, never the desk: no module of service/ imports in a circle
    (``if TYPE_CHECKING`` imports count too)."""
    graph = _service_graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
    # Only the composition root knows the desk.
    importers = sorted(m for m, targets in graph.items() if "aftersales.service.desk" in targets)
    assert importers == []


def test_reports_import_no_service() -> None:
    import grimp

    graph = grimp.build_graph("aftersales")
    assert not graph.chain_exists("aftersales.reports", "aftersales.service", as_packages=True)
    assert graph.chain_exists("aftersales.cli", "aftersales.service", as_packages=True)  # the check can see


def test_only_the_runner_commits() -> None:
    """Every write of the service goes through the command runner: no capability commits on its own."""
    committing = sorted(
        path.name
        for path in (SRC / "service").glob("*.py")
        if ".commit()" in path.read_text(encoding="utf-8") and path.name != "runner.py"
    )
    assert committing == []
