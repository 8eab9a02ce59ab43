"""Versioned documents: a generic store for the aggregates that need no columns of their own.

Materials requests, complaint files, fee slips, knowledge articles… are stored whole as JSON (via
:mod:`aftersales.serialization`) under ``(kind, id)``, with a ``version`` for optimistic concurrency
and a few declared *index* fields that :meth:`DocumentStore.query` can match on. A class opts in with
two class variables, so the domain needs no import from here::

    @attrs.define
    class MaterialsRequest:
        DOCUMENT_KIND: ClassVar[str] = "materials_request"
        DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "state")
        id: MaterialsRequestId
        ticket_id: TicketId
        state: str
        version: int = 0

Index values are stored as text (``str(value)``; enums by value); ``None`` matches ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import attrs

from aftersales.errors import ValidationError

__all__ = ["Document", "DocumentSpec", "DocumentStore", "document_spec", "index_value", "with_version"]

_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")


class Document(Protocol):
    """What a stored document looks like: an attrs class with an id, a version and the two class variables."""

    DOCUMENT_KIND: ClassVar[str]
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]]

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...


D = TypeVar("D", bound=Document)


@attrs.frozen
class DocumentSpec:
    """A document class's kind name and index fields, checked once."""

    kind: str
    index: tuple[str, ...]


@cache
def document_spec(cls: type[Any]) -> DocumentSpec:
    """The checked :class:`DocumentSpec` of ``cls``; a non-document class raises ``ValidationError``."""
    if not attrs.has(cls):
        raise ValidationError(f"{cls.__name__} is not an attrs class, so it cannot be stored as a document")
    kind = getattr(cls, "DOCUMENT_KIND", None)
    index = getattr(cls, "DOCUMENT_INDEX", ())
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise ValidationError(
            f"{cls.__name__}.DOCUMENT_KIND must be a snake_case code, got {kind!r}", rule="snake_code"
        )
    names = {a.name for a in attrs.fields(cls)}
    missing = [n for n in ("id", "version", *index) if n not in names]
    if missing:
        raise ValidationError(f"{cls.__name__} has no field(s) {', '.join(missing)} for a document")
    return DocumentSpec(kind, tuple(index))


def index_value(value: object) -> str | None:
    """How an index field's value is stored and matched: text, or ``None``."""
    if value is None:
        return None
    return str(getattr(value, "value", value)) if not isinstance(value, str) else value


def with_version(obj: D, version: int) -> D:
    """``obj`` carrying ``version``: set in place on a mutable class, a copy of a frozen one."""
    try:
        obj.version = version  # type: ignore[misc]
    except attrs.exceptions.FrozenInstanceError:
        return attrs.evolve(obj, version=version)  # type: ignore[misc]
    return obj


@runtime_checkable
class DocumentStore(Protocol):
    """Documents of every registered kind, within a unit of work."""

    def get(self, cls: type[D], id: str) -> D:
        """The document of ``cls``'s kind with ``id``; raises ``NotFound``."""
        ...

    def add(self, obj: Document) -> None:
        """Insert a new document (its version kept); an existing ``(kind, id)`` raises ``DuplicateError``."""
        ...

    def save(self, obj: D) -> D:
        """Write ``obj`` if the stored version equals ``obj.version``; return it with ``version + 1``.

        A mutable document is updated in place (and returned); a frozen one is returned as a copy.
        A stale copy raises ``ConcurrencyConflict`` and nothing is written; an unknown id raises ``NotFound``.
        """
        ...

    def query(self, cls: type[D], **equals: object) -> Sequence[D]:
        """Documents of ``cls``'s kind whose index fields equal the values given, by id.

        Naming a field that is not in ``DOCUMENT_INDEX`` raises ``ValidationError``.
        """
        ...
