"""The ``UnitOfWork`` port: one transaction, with every repository a command needs.

Use it as a context manager and call :meth:`UnitOfWork.commit` at the end; leaving the block
without committing (or with an exception) rolls everything back, outbox messages included::

    with uow_factory() as uow:
        ticket = uow.tickets.get(ticket_id)
        ticket.assign(actor, now, assignee)
        uow.tickets.save(ticket)
        uow.outbox.put([...])
        uow.commit()

A ``StoreFactory`` (what ``open_storage(url)`` returns) makes fresh units of work and owns the
connection or pool; ``close()`` releases it.

Reads that change nothing (a ticket view, an SLA status, a ledger page, a report) take a **read-only**
unit of work instead, from :func:`reader_of` (``store.reader()`` where the store offers one,
:class:`ReadingStore`)::

    with reader_of(store) as uow:
        ticket = uow.tickets.get(ticket_id)

It takes no write lock (SQLite: a deferred read transaction on the WAL snapshot, never ``BEGIN
IMMEDIATE``; PostgreSQL: a repeatable-read ``READ ONLY`` transaction), so a long report never blocks
writers, and every read inside it sees one snapshot (the first statement's; the memory store holds its
writer turn for that). A read that is one statement (a ticket with its customer, a ledger page, a count)
asks for ``snapshot=False``: each statement then sees what was committed when it ran (SQLite: a single
autocommit ``SELECT``, no ``BEGIN``/``ROLLBACK``; PostgreSQL: ``READ ONLY`` at read committed; memory:
no writer turn, no copy-on-write bookkeeping). Any write through either is refused with
:class:`~aftersales.errors.ReadOnlyError` before anything changes. ``commit()`` and ``rollback()`` both
just end the read.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, runtime_checkable

from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.ports.documents import DocumentStore
from aftersales.ports.idempotency import IdempotencyStore
from aftersales.ports.outbox import Outbox
from aftersales.ports.repositories import Repository, TicketRepository
from aftersales.ports.text_search import StoredTextIndex
from aftersales.ports.ticket_search import TicketSearchIndex

__all__ = ["ReadingStore", "StoreFactory", "UnitOfWork", "reader_of"]


@runtime_checkable
class UnitOfWork(Protocol):
    """A transaction over the store. Not thread-safe: one per command, in one thread."""

    tickets: TicketRepository
    customers: Repository[Customer]
    assets: Repository[Asset]
    products: Repository[Product]
    dealers: Repository[Dealer]
    engineers: Repository[Engineer]
    documents: DocumentStore
    outbox: Outbox
    idempotency: IdempotencyStore
    search: TicketSearchIndex
    """The ticket search index, written in this transaction (issue 23)."""
    texts: StoredTextIndex
    """Persisted text indexes (the knowledge base's), written in this transaction (issue 23)."""

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed; never swallows the exception."""
        ...

    def commit(self) -> None:
        """Make every change of this unit of work durable, atomically."""
        ...

    def rollback(self) -> None:
        """Discard every uncommitted change."""
        ...


@runtime_checkable
class StoreFactory(Protocol):
    """Makes units of work on one store; holds its connection or pool."""

    url: str

    def __call__(self) -> UnitOfWork:
        """A fresh unit of work (enter it with ``with``)."""
        ...

    def close(self) -> None:
        """Release connections; units of work made afterwards raise ``StorageError``."""
        ...


@runtime_checkable
class ReadingStore(Protocol):
    """A store factory that also makes read-only units of work (the bundled stores all do).

    Optional for a host's own store: :func:`reader_of` falls back to an ordinary unit of work.
    """

    def reader(self, *, snapshot: bool = True) -> UnitOfWork:
        """A fresh read-only unit of work: no write lock, writes refused with
        :class:`~aftersales.errors.ReadOnlyError`; one snapshot for all its statements, or with
        ``snapshot=False`` each statement's own (for a read that is one statement)."""
        ...


def reader_of(store: StoreFactory, *, snapshot: bool = True) -> UnitOfWork:
    """A read-only unit of work on ``store`` (``store.reader(snapshot=…)``), or an ordinary one from a
    store that offers no read path (correct, only without the read path's savings and write refusal)."""
    reader = getattr(store, "reader", None)
    if reader is None:
        return store()
    found: UnitOfWork = reader(snapshot=snapshot)
    return found
