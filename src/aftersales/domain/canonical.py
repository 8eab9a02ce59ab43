"""JSON-ready values in one canonical form: every mapping's keys in sorted order.

A payload or a snapshot is an unordered mapping, but its JSON text (an export, a web client's view)
shows an order. PostgreSQL's ``jsonb`` keeps none of its own (it orders keys by length), memory and
SQLite keep the writer's: held in sorted order, the three stores read back and write out the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from aftersales.domain.self_containing import self_containing

__all__ = ["canonical", "is_canonical"]


def canonical(value: Any, field: str = "payload") -> Any:
    """``value`` with the keys of every mapping in it (at any depth) in sorted order, as plain dicts.

    Runs for every event whose payload a step built in its own key order: exact type checks first, as
    in :func:`is_canonical` (the ``Mapping`` check, an ABC's, was a third of a triage's event). A value
    that contains itself (or is nested past Python's recursion limit) is a ``ValidationError`` naming
    ``field``, found once the walk overflowed (nothing is counted on the way)."""
    try:
        return _sorted(value)
    except RecursionError:
        raise self_containing(value, field) from None


def _sorted(value: Any) -> Any:
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict or kind is MappingProxyType or (kind not in _SEQUENCES and isinstance(value, Mapping)):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if kind in _SEQUENCES or isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value


def is_canonical(value: Any) -> bool:
    """True when :func:`canonical` would change no key order. Runs for every event a ticket parses, so
    exact type checks first (an ``isinstance`` against ``Mapping`` costs several times more). A value
    that contains itself is not (:func:`canonical` then names where)."""
    try:
        return _in_order(value)
    except RecursionError:
        return False


def _in_order(value: Any) -> bool:
    kind = type(value)
    if kind is dict or kind is MappingProxyType:
        previous = None
        for key, item in value.items():
            if previous is not None and key < previous:
                return False
            previous = key
            if type(item) in _CONTAINERS and not _in_order(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) not in _CONTAINERS or _in_order(item) for item in value)
    if isinstance(value, Mapping):
        return _in_order(dict(value))
    return True


_CONTAINERS = frozenset({dict, list, tuple, MappingProxyType})
_SEQUENCES = frozenset({list, tuple})
_ATOMS = frozenset({str, int, float, bool, type(None)})
