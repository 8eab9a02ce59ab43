"""Records read to be rewritten, or to decide a write: locked until the transaction ends.

PostgreSQL runs each command at read committed: a plain read takes no lock, so two desks' commands that
read the same record before either committed both decide on what it was. A command that rewrites a
record, or checks a rule across records before adding one (a unit covered by one contract at a time),
reads the record with :func:`for_update` instead: the second command waits for the first and then reads
what it wrote. A store whose writers take turns anyway (SQLite, memory) reads it as ``get`` does.
"""

from __future__ import annotations

from typing import TypeVar

from aftersales.ports.documents import D, DocumentStore
from aftersales.ports.repositories import Repository

__all__ = ["document_for_update", "for_update"]

R_ = TypeVar("R_")


def for_update(repository: Repository[R_], id: str) -> R_:
    """The stored record ``id``, read to be rewritten in this transaction: locked until it ends where
    the store offers it (``get_for_update``: PostgreSQL), so a concurrent command on the record waits
    for this one and then reads what it wrote instead of writing over it from an older read. A store
    whose writers take turns anyway (SQLite, memory) reads it as ``get`` does."""
    locked = getattr(repository, "get_for_update", None)
    found: R_ = locked(id) if locked is not None else repository.get(id)
    return found


def document_for_update(documents: DocumentStore, cls: type[D], id: str) -> D:
    """The stored document ``id`` of ``cls``, locked until the transaction ends where the store offers
    it (``get_for_update``: PostgreSQL), for a write that decides on it without rewriting it; a store
    whose writers take turns (SQLite, memory) or a host's own reads it as ``get`` does."""
    locked = getattr(documents, "get_for_update", None)
    found: D = locked(cls, id) if locked is not None else documents.get(cls, id)
    return found
