"""Repository ports: tickets (versioned aggregates) and the reference entities around them.

Reference entities (customers, assets, products, dealers, engineers) are immutable values that the
host maintains; ``save`` replaces them whole (an upsert). Tickets carry a ``version`` for optimistic
concurrency: ``save`` writes only if the stored version still equals ``ticket.version``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError
from aftersales.ports.queries import MAX_PAGE, CountField, Page, PageRequest, Sort, TicketFilter
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.ports.ticket_index import TicketRow

__all__ = ["Repository", "TicketRepository", "distinct_batch", "every_ticket"]

T = TypeVar("T")


@runtime_checkable
class Repository(Protocol[T]):
    """A keyed collection of one kind of reference entity (objects with a string ``id``)."""

    def add(self, obj: T) -> None:
        """Insert a new object; an id that already exists raises ``DuplicateError``."""
        ...

    def get(self, id: str) -> T:
        """The object with ``id``; raises ``NotFound``."""
        ...

    def save(self, obj: T) -> None:
        """Insert or replace the object with ``obj.id``."""
        ...

    def find(self, ids: Iterable[str]) -> dict[str, T]:
        """The objects among ``ids`` that exist, by id (missing ids are simply absent)."""
        ...

    def list(self, **equals: str | None) -> Sequence[T]:
        """All objects whose named top-level attributes equal the given values, by id.

        ``engineers.list(region="sh")``, ``assets.list(customer_id="C1")``; no arguments lists all.
        An attribute the entity does not have raises ``ValidationError``.
        """
        ...


@runtime_checkable
class TicketRepository(Protocol):
    """Tickets, with optimistic concurrency and the ledger queries."""

    def add(self, ticket: Ticket) -> None:
        """Insert a new ticket as is (its ``version`` is kept); an existing id raises ``DuplicateError``."""
        ...

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        """Insert many new tickets at once (a bulk import): all of them or, on any error, none.

        An id that already exists, or that appears twice in ``tickets``, raises ``DuplicateError`` naming
        it, and none of the batch is added. Stores write the batch in one statement where they can.
        """
        ...

    def get(self, id: str) -> Ticket:
        """A fresh copy of the stored ticket; raises ``NotFound``."""
        ...

    def get_for_update(self, id: str) -> Ticket:
        """:meth:`get`, holding the ticket's write lock until the unit of work ends.

        Commands load their ticket with it so concurrent writers of one ticket queue instead of
        conflicting: PostgreSQL takes the row lock (``SELECT … FOR UPDATE``); SQLite's unit of work
        already holds the database's write lock (``BEGIN IMMEDIATE``); the memory store checks
        versions on commit (a loser's command is re-run by the runner).
        """
        ...

    def save(self, ticket: Ticket) -> None:
        """Write ``ticket`` if the stored version equals ``ticket.version``, then bump ``ticket.version``.

        A stale copy raises ``ConcurrencyConflict`` and nothing is written; an unknown id raises
        ``NotFound``.
        """
        ...

    def query(self, filter: TicketFilter, page: PageRequest) -> Page[Ticket]:
        """One keyset page of the tickets matching ``filter`` in ``page.sort`` order."""
        ...

    def sla_candidates(self, filter: TicketFilter, page: PageRequest) -> Page[SlaCandidate]:
        """:meth:`query`'s page as the SLA sweep reads it: each ticket's id, version, resolution due time
        and its customer's tier, from the row and its indexes (no ticket is parsed)."""

    def query_rows(self, filter: TicketFilter, page: PageRequest) -> Page[TicketRow]:
        """:meth:`query`'s page as the tickets' indexed columns, without building the tickets.

        For lists that show a ticket's summary (an engineer's open tickets, a dealer's queue): a SQL
        store reads them from the row and never parses a ticket document (issue 21). Same filter,
        order and cursor as :meth:`query`.
        """
        ...

    def count(self, filter: TicketFilter) -> int:
        """How many tickets match ``filter``."""
        ...

    def count_by(self, field: CountField, filter: TicketFilter) -> dict[str, int]:
        """Matching tickets counted per value of ``field`` (``UNSET`` for tickets without one)."""
        ...


def distinct_batch(tickets: Iterable[Ticket]) -> list[Ticket]:
    """``tickets`` as a list, refusing (``DuplicateError``) an id that appears twice in it."""
    batch = list(tickets)
    seen: set[str] = set()
    for ticket in batch:
        if ticket.id in seen:
            raise DuplicateError(f"ticket {ticket.id!r} appears twice in the batch")
        seen.add(ticket.id)
    return batch


def every_ticket(tickets: TicketRepository, filter: TicketFilter) -> Iterator[Ticket]:
    """Every ticket matching ``filter``, oldest received first, read a largest page at a time (the
    reports and scans that need them all; the caller's unit of work stays open while it iterates)."""
    cursor: str | None = None
    while True:
        page = tickets.query(filter, PageRequest(MAX_PAGE, cursor, Sort.RECEIVED_ASC))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return
