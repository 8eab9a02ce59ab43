"""Bulk import on PostgreSQL: a batch's rows go in by ``COPY``, not ``INSERT`` per row (issue 21).

``add_many`` ran ``executemany`` of the ticket ``INSERT`` and of the completions' upsert, and the search
index's ``put_many`` an ``INSERT … SELECT FROM unnest(arrays)``: psycopg adapted every parameter of every
row (every element of every array) in Python, and the server executed a statement per ticket.
``COPY … FROM STDIN`` sends the rows as one stream, formatted by psycopg's C row writer (text format:
each value as its type's text, the document as the JSON text it is). Measured on the development
server over 3,000 tickets: the tickets' insert alone 21.7 → 9.8 µs of client CPU a row (the ticket's
JSON, made before, costs the same either way); a whole ``desk.import_tickets`` of 3,000 new tickets
(with :mod:`.postgres_party_words`) 286 → 204 µs of client CPU a ticket (medians of 3 alternated runs
on a loaded host; the wall time is the server's index maintenance, 1.3–2 ms a ticket either way).
The rows stored are those the statements stored: the same values in the same columns, checked by
``tests/integration/test_postgres_import_copy_s34d.py`` and
``tests/acceptance/test_bulk_import_same_rows_s26.py``.

A ``COPY`` has no ``ON CONFLICT``: a row whose key is taken (an id stored by another transaction
since the batch's check) fails the whole ``COPY``. It runs inside a savepoint, so the batch stores
nothing, the unit of work stays usable and the error is the ``DuplicateError`` the ``INSERT`` raised.
The search keys and labels keep their ``INSERT … ON CONFLICT DO NOTHING`` (few rows a ticket).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from aftersales.adapters.postgres_pipeline import translated
from aftersales.adapters.sql_ledger import ROW_COLUMNS
from aftersales.domain.ticket import Ticket
from aftersales.errors import StorageError
from aftersales.ports.reporting import completion_facts

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresUnitOfWork

__all__ = ["COPY_COMPLETIONS", "COPY_SEARCH", "COPY_TICKETS", "completion_rows", "copy_rows"]

COPY_TICKETS = f"COPY tickets ({', '.join(ROW_COLUMNS)}, data) FROM STDIN"
"""The ticket rows of a bulk import: the ledger columns in :data:`ROW_COLUMNS` order, then the document."""
COPY_COMPLETIONS = (
    "COPY ticket_completions (ticket_id, seq, completed_us, serving_dealer, category) FROM STDIN"
)
"""The completion rows of a batch's tickets imported done (:func:`completion_rows`)."""
COPY_SEARCH = "COPY ticket_search (pos, ticket_id, text, idents) FROM STDIN"
"""The search rows of a batch none of whose tickets is indexed yet (``PostgresTicketSearch.put_many``)."""


def completion_rows(batch: Iterable[Ticket]) -> list[tuple[str, int, int, str | None, str]]:
    """The ``ticket_completions`` rows of ``batch``: per ticket, one per completion in order
    (:func:`~aftersales.ports.reporting.completion_facts`), as ``completion_params`` gives them to the
    upsert a single save sends. The tickets are new (their ids were checked, tickets are never
    deleted): no row of theirs is stored, so a plain ``COPY`` writes what the upsert wrote; a row
    left behind by hand under one of their ids fails the batch as a ``DuplicateError``."""
    return [
        (ticket.id, seq, at, dealer, category)
        for ticket in batch
        for seq, (at, dealer, category) in enumerate(completion_facts(ticket))
    ]


def copy_rows(uow: PostgresUnitOfWork, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """Stream ``rows`` through ``statement`` (a ``COPY … FROM STDIN``) inside a savepoint: on an error
    none of them is stored and the unit of work stays usable; a taken key is a ``DuplicateError``.
    Call it after another statement (the transaction must have begun), as ``run_many``."""
    if not uow.tx.begun:
        raise StorageError("copy_rows needs a transaction that has begun")
    conn = uow.tx.connection()
    with translated("postgresql"), conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
