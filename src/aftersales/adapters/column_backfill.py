"""One ledger column of the rows a SQLite migration step left, filled in small resumable batches.

Steps that add or re-derive a column from the stored documents (``late_gap``, steps 23/28;
``urgent_claimed``, step 34) must not read every document under the write lock (issue 21: an upgrade never
holds it above 100 ms at a time). Each records a position; :func:`backfill_column` walks the tickets in id
order from it, reads and computes a batch outside the write lock, and writes the batch's changed rows and
the new position in one short transaction: killed half-way, the next call continues after the last
committed batch. The column's own module gives the query, the value's rule and the guarded write.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from aftersales.adapters.sqlite_write_batch import write_batch

__all__ = ["ColumnBackfillProgress", "backfill_column"]


class ColumnBackfillProgress:
    """What a back-fill did: batches committed, rows read, rows rewritten, longest lock."""

    def __init__(self) -> None:
        self.batches = 0
        self.tickets = 0
        self.rewritten = 0
        self.longest = 0.0
        """Seconds the longest batch held the write lock."""


Changed = dict[str, tuple[int, Any]]
"""Per ticket id whose stored value is not its document's: (the version read, the document's value)."""


def backfill_column(
    conn: sqlite3.Connection,
    *,
    position: Callable[[sqlite3.Connection], tuple[str, bool]],
    rows_after: str,
    value_of: Callable[[Any, Any], Any],
    stored_as: Callable[[Any], Any],
    write: Callable[[sqlite3.Connection, str, str, bool, Changed], int | None],
    first_size: int,
    next_size: Callable[[int, int, float, float], int],
    max_batches: int | None,
    batch_seconds: float,
    after_batch: Callable[[ColumnBackfillProgress], None] | None,
) -> ColumnBackfillProgress:
    """Fill a column batch by batch (see the module).

    ``position(conn)`` is (the last id written, whether every row is); ``rows_after`` selects
    ``(id, version, stored value, data or NULL, events or NULL)`` of the ``LIMIT ?`` tickets after an id, a
    document only where the column's rule may need it; ``value_of(data, events)`` is the rule and
    ``stored_as`` reads a stored value for comparison; ``write(conn, after, last, finished, changed)`` runs
    under the write lock and returns the rows written, or ``None`` when another run moved on.
    ``next_size(size, rows, locked, worked)`` sizes the next batch. ``conn`` is outside any transaction.
    """
    progress = ColumnBackfillProgress()
    size = first_size
    while max_batches is None or progress.batches < max_batches:
        if progress.batches:
            time.sleep(batch_seconds)  # writers go first between batches
        after, done = position(conn)
        if done:
            break
        began = time.perf_counter()
        rows = conn.execute(rows_after, (after, size)).fetchall()
        changed: Changed = {}
        for id_, version, stored, data, chunks in rows:
            if data is not None and (value := value_of(data, chunks)) != stored_as(stored):
                changed[id_] = (version, value)
        worked = time.perf_counter() - began
        last = rows[-1][0] if rows else after
        written, took = write_batch(conn, write, conn, after, last, len(rows) < size, changed)
        if written is None:
            continue
        # Copy the batch's pages into the file now, taking no lock (passive): the next writer's WAL then
        # starts over, so it stays one batch long; without this a 1 M-ticket back-fill's WAL grew for its
        # whole run wherever commits leave checkpoints to a thread or a far limit (issue 21).
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        progress.batches += 1
        progress.tickets += len(rows)
        progress.rewritten += written
        progress.longest = max(progress.longest, took)
        if after_batch is not None:
            after_batch(progress)
        if len(rows) < size:
            break
        size = next_size(size, len(rows), took, worked)
    return progress
