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

__all__ = ["StoreFactory", "UnitOfWork"]


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
