"""One ledger column of the rows a PostgreSQL migration step left, filled a batch per transaction.

The PostgreSQL twin of :mod:`.column_backfill` (``late_gap``, ``urgent_claimed``): the server computes
the column from the document, so a batch is one ``UPDATE`` over an id range. Each column's table of one
row records how far it got; killed half-way, the next call continues after the last committed batch. A
command saving a row meanwhile waits for the batch's row lock, then writes its own value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresStore

__all__ = ["Runs", "backfill_column_postgres", "backfill_position"]


class Runs(Protocol):
    """What reads the position: a unit of work (or a repository's runner) of the store."""

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


def backfill_position(uow: Runs, table: str, lock: bool = False) -> tuple[str, bool]:
    """(the last ticket id written, whether every row is) of the back-fill kept in ``table``; complete
    without its row. ``lock`` holds the row to the transaction's end (one run at a time)."""
    found: Any = uow.run(
        f"SELECT after_id, done FROM {table} WHERE id = 1{' FOR UPDATE' if lock else ''}"
    ).fetchone()
    return ("", True) if found is None else (str(found[0]), bool(found[1]))


def backfill_column_postgres(
    store: PostgresStore, *, table: str, update: str, batch: int, max_batches: int | None
) -> int:
    """Run ``update`` (two parameters: the range's first id, exclusive, and its last) over ``batch`` ids
    a transaction in id order, moving the position in ``table``; the tickets read. A complete database
    returns at once; ``max_batches`` stops early (the next call continues)."""
    read = batches = 0
    with store() as uow:  # the common case, read without a lock: long done
        if backfill_position(uow, table)[1]:
            return read
    while max_batches is None or batches < max_batches:
        batches += 1
        with store() as uow:
            after, done = backfill_position(uow, table, lock=True)
            if done:
                return read
            ids = [
                str(row[0])
                for row in uow.run(
                    "SELECT id FROM tickets WHERE id > %s ORDER BY id LIMIT %s", (after, batch)
                ).fetchall()
            ]
            last = ids[-1] if ids else after
            if ids:
                uow.run(update, (after, last))
            finished = len(ids) < batch
            uow.run(f"UPDATE {table} SET after_id = %s, done = %s WHERE id = 1", (last, finished))
            uow.commit()
        read += len(ids)
        if finished:
            break
    return read
