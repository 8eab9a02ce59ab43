"""Bulk import on PostgreSQL: a batch's ticket rows go in by ``COPY``, not ``INSERT`` per row (issue 21).

``executemany`` of the ticket ``INSERT`` had psycopg adapt every parameter of every row in Python
and the server parse and execute one statement per ticket; ``COPY … FROM STDIN`` sends the rows as
one stream, formatted by psycopg's C row writer (text format: each value as its type's text, the
document as the JSON text it is). Measured on the development server over 3,000 tickets: the
insert's own client CPU 17–20 µs → about 7 µs a row (the ticket's JSON, made before, costs the same
either way). The rows stored are those the ``INSERT`` stored: the same values in the same columns,
checked column by column by ``tests/integration/test_postgres_import_copy_s34d.py``.

A ``COPY`` has no ``ON CONFLICT``: a row whose id is taken (an id stored by another transaction
since the batch's check) fails the whole ``COPY``. It runs inside a savepoint, so the batch stores
nothing, the unit of work stays usable and the error is the ``DuplicateError`` the ``INSERT`` raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from aftersales.adapters.postgres_pipeline import translated
from aftersales.adapters.sql_ledger import ROW_COLUMNS
from aftersales.errors import StorageError

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresUnitOfWork

__all__ = ["COPY_TICKETS", "copy_rows"]

COPY_TICKETS = f"COPY tickets ({', '.join(ROW_COLUMNS)}, data) FROM STDIN"
"""The ticket rows of a bulk import: the ledger columns in :data:`ROW_COLUMNS` order, then the document."""


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
