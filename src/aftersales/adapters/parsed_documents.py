"""Documents a store has parsed lately, by their stored text: a document read again unchanged is copied,
not parsed (issue 21).

Every command that moves a ticket's due times reads the store's calendar stamp (joined into the
ticket's read on SQLite). Its text changes only when the desk is stamped again, yet each read parsed
it through the converter: about 9 µs of a triage or dispatch, against about 3 µs for a copy. Keyed by
the class and the exact text read, a changed document is a different key and is parsed anew, so a
kept value can never be stale.

Kept values are never handed out: each read gets its own copy, so a caller changing its document changes
nobody else's. Only documents whose every field holds an immutable value are kept (a copy shares its
field values); others are parsed on every read, as before. The copy is made field by field (the kept
value was checked by its class when parsed, and its fields are immutable): ``attrs.evolve`` ran the
class's ``__init__`` and validators again, four Python calls and a third of the read (issue 21).
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from aftersales.ports.documents import D, with_version

__all__ = ["ParsedDocuments"]

_IMMUTABLE = (str, bytes, int, float, type(None), datetime, date, time, timedelta, enum.Enum)
"""Field values a copy may share with the kept document (bool is an int)."""


def _shareable(obj: object) -> bool:
    """Whether every field of the attrs instance ``obj`` holds an immutable value."""
    if not attrs.has(type(obj)) or not hasattr(obj, "version"):
        return False
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(type(obj))  # type: ignore[arg-type]
    return all(isinstance(getattr(obj, field.name), _IMMUTABLE) for field in fields)


class ParsedDocuments:
    """Up to ``limit`` parsed documents by (class, stored text); safe to share between threads."""

    def __init__(self, limit: int = 16) -> None:
        self.limit = limit
        self._kept: dict[tuple[type[Any], str | bytes], tuple[Any, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def read(self, cls: type[D], text: str | bytes, version: int, parse: Callable[[Any, type[D]], D]) -> D:
        """A new ``cls`` document of the stored ``text`` at ``version``: a copy of the one kept for that
        text, else ``parse(text, cls)`` (kept when its fields are immutable values)."""
        key = (cls, text)
        kept = self._kept.get(key)
        if kept is None:
            parsed = parse(text, cls)
            if not _shareable(parsed):
                return with_version(parsed, version)
            names = tuple(field.name for field in attrs.fields(type(parsed)))  # type: ignore[arg-type]
            with self._lock:
                if len(self._kept) >= self.limit:
                    self._kept.clear()  # a handful of kinds is read this way: a full memo starts again
                self._kept[key] = kept = (parsed, names)
        document, names = kept
        copied: D = _NEW(type(document))
        for name in names:
            _SET(copied, name, getattr(document, name))
        _SET(copied, "version", version)
        return copied


_NEW = object.__new__
_SET = object.__setattr__
