"""JSON-ready values in one canonical form: every mapping's keys in sorted order.

A payload or a snapshot is an unordered mapping, but its JSON text (an export, a web client's view)
shows an order. PostgreSQL's ``jsonb`` keeps none of its own (it orders keys by length), memory and
SQLite keep the writer's: held in sorted order, the three stores read back and write out the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["canonical", "is_canonical"]


def canonical(value: Any) -> Any:
    """``value`` with the keys of every mapping in it (at any depth) in sorted order, as plain dicts.

    Runs for every event whose payload a step built in its own key order: exact type checks first, as
    in :func:`is_canonical` (the ``Mapping`` check, an ABC's, was a third of a triage's event)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict or kind is MappingProxyType or (kind not in _SEQUENCES and isinstance(value, Mapping)):
        return {k: canonical(value[k]) for k in sorted(value)}
    if kind in _SEQUENCES or isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def is_canonical(value: Any) -> bool:
    """True when :func:`canonical` would change no key order. Runs for every event a ticket parses, so
    exact type checks first (an ``isinstance`` against ``Mapping`` costs several times more)."""
    kind = type(value)
    if kind is dict or kind is MappingProxyType:
        previous = None
        for key, item in value.items():
            if previous is not None and key < previous:
                return False
            previous = key
            if type(item) in _CONTAINERS and not is_canonical(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) not in _CONTAINERS or is_canonical(item) for item in value)
    if isinstance(value, Mapping):
        return is_canonical(dict(value))
    return True


_CONTAINERS = frozenset({dict, list, tuple, MappingProxyType})
_SEQUENCES = frozenset({list, tuple})
_ATOMS = frozenset({str, int, float, bool, type(None)})
