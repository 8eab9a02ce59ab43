"""Read-ahead: the reads a command is about to make, named before it makes them.

A command reads one thing after another (opening a ticket: the customer, the unit and its product,
the contracts covering the unit, the number counter), each read deciding what comes next. On a
store across a network each read is a round trip, and on a busy host a round trip costs far more
than the read. A command that knows what it will read names it first with :func:`read_ahead`; a
store that implements ``read_ahead(ahead)`` on its unit of work makes all those reads in one round
trip and answers the repository calls that follow from what it read. A store that reads locally
(memory, SQLite) has no such method and the call does nothing.

The reads keep their meaning: each is exactly the read the repository call would make, made a
moment earlier in the same transaction (a document class read ``FOR UPDATE`` is locked by the
read-ahead), and a read named here that the command never makes costs only its transfer. Any write
the unit of work makes ends the read-ahead: reads not yet used are made again when asked for.
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.ports.documents import Document

__all__ = ["ReadAhead", "known_absent", "read_ahead"]


@attrs.frozen
class ReadAhead:
    """What a command will read next, in the terms of the unit of work's repositories."""

    entities: tuple[tuple[str, str], ...] = ()
    """``(repository, id)`` read with ``get``: ``("customers", "C1")``, ``("assets", "A7")``."""
    documents: tuple[tuple[type[Document], str], ...] = ()
    """``(document class, id)`` read with ``documents.get``."""
    queries: tuple[tuple[type[Document], str, object], ...] = ()
    """``(document class, index field, value)`` read with ``documents.query(cls, field=value)``."""
    with_ticket: bool = False
    """Named before a command's ticket is read (:meth:`CommandRunner.execute`'s ``ahead``): a store may
    make these reads with the ticket's locking read, once its lock is held, in its round trip."""
    locked: tuple[tuple[str, str], ...] = ()
    """``(repository, id)`` read with ``get_for_update`` (:func:`aftersales.service.row_locks.for_update`):
    read first, so the reads named beside it are made once its lock is held, as they would be after it."""
    held: tuple[tuple[str, str], ...] = ()
    """``(repository, id)`` read with ``get_held`` (:func:`aftersales.service.row_locks.held`): read with
    the locked ones, first, the record held against a rewrite (not against other holders) to the end."""
    keys: tuple[str, ...] = ()
    """Idempotency keys (as scoped) read with ``idempotency.get``: with ``with_ticket``, a keyed command's
    look-up travels with its ticket's locking read and is made once the lock is held, so it sees an
    original that committed while this command waited for the ticket."""


def read_ahead(uow: Any, ahead: ReadAhead) -> None:
    """Tell ``uow`` what the command reads next, if its store can use that (else nothing)."""
    hook = getattr(uow, "read_ahead", None)
    if hook is not None:
        hook(ahead)


def known_absent(uow: Any, cls: type[Document], id: str) -> None:
    """Tell ``uow`` that document ``id`` of ``cls`` is not stored, without a read: its id is minted
    under a row this transaction holds locked (a ticket's n-th callback task, n counted from the
    ticket's tasks). A store that sends inserts later may then send its ``add`` with the commit (a
    duplicate after all fails the commit, and the command runner runs the command again, as a
    duplicate from ``add`` itself makes it do); others do nothing."""
    hook = getattr(uow, "known_absent", None)
    if hook is not None:
        hook(cls, id)
