"""The refusal of a value whose recursive walk overflowed: it contains itself, or is nested too deeply.

Why: the walks that write a value out (an event's payload put in key order, the store's serialization,
``to_dict``, a policy's fingerprint) recurse; a list or mapping that holds itself made Python's
``RecursionError`` escape the public API. Each walk catches the overflow once, at its entry, and asks
:func:`self_containing` why: an explicit-stack walk (the recursive one is what overflowed) finds the
first place where the value contains itself. Looked for only after the overflow, so a good write pays
nothing for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

import attrs

from aftersales.errors import ValidationError

__all__ = ["cycle_at", "self_containing"]


def self_containing(value: object, field: str) -> ValidationError:
    """The ``ValidationError`` naming ``field`` for ``value``, whose walk overflowed: the path where it
    contains itself, or else its depth."""
    path = cycle_at(value, field)
    if path is None:
        return ValidationError(f"{field} is nested too deeply to be written out", field=field)
    return ValidationError(f"{path} contains itself: it cannot be written out", field=field)


def _children(value: object, path: str) -> list[tuple[object, str]]:
    if isinstance(value, str | bytes | int | float | Decimal | date | timedelta | Enum) or value is None:
        return []
    if isinstance(value, Mapping):
        return [(item, f"{path}[{key!r}]") for key, item in value.items()]
    if isinstance(value, list | tuple | set | frozenset):
        return [(item, f"{path}[{i}]") for i, item in enumerate(value)]
    cls = type(value)
    if attrs.has(cls):
        return [(getattr(value, a.name, None), f"{path}.{a.name}") for a in attrs.fields(cls)]
    own = getattr(value, "__dict__", None)  # a host's plain object (a policy's own attributes)
    if isinstance(own, dict):
        return [(item, f"{path}.{name}") for name, item in own.items() if isinstance(name, str)]
    return []


def cycle_at(value: object, root: str = "obj") -> str | None:
    """The path (``obj[1]``) of the first container that holds one of its own ancestors, if any;
    walked with an explicit stack, since the recursive walk is what overflowed."""
    open_ids: set[int] = set()
    stack: list[tuple[object, str, bool]] = [(value, root, True)]
    while stack:
        item, path, entering = stack.pop()
        if not entering:
            open_ids.discard(id(item))
            continue
        if id(item) in open_ids:
            return f"{path} ({type(item).__name__})"
        children = _children(item, path)
        if children:
            open_ids.add(id(item))
            stack.append((item, path, False))
            stack.extend((child, where, True) for child, where in reversed(children))
    return None
