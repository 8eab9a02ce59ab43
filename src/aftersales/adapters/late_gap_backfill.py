"""The ledger's ``late_gap`` column of a SQLite file from before it, filled in small resumable batches.

Steps 23 and 28 once filled the column inside the migration: step 23 read every ticket's document (an
``instr`` over each ``data``) under the write lock, so opening a 1 M-ticket file of schema 22 held every
writer off for the whole scan (issue 21: an upgrade never holds the write lock for more than 100 ms at a
time). They now only record here that rows need their gap; :func:`backfill_late_gap` then walks the
tickets in id order, reading and computing outside the write lock (only a document that names
``resolution_late_after`` or a ticket waiting now is parsed, by the index's own rule,
:func:`~aftersales.adapters.wait_gap_step.sqlite_wait_gap`), and writes each batch's changed rows and the
position in one short transaction: killed half-way, it continues after the last committed batch.

Until it is complete the breached filter reads the rows past the position through the same rule
(:func:`~aftersales.adapters.late_gap_pending.gap_expression`), so the ledger answers as it will
once they are written: slower, never wrong.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from aftersales.adapters.column_backfill import Changed, ColumnBackfillProgress, backfill_column
from aftersales.adapters.late_gap_pending import CANDIDATE, RULE, late_gap_state
from aftersales.adapters.sqlite_ticket_events import events_of
from aftersales.adapters.wait_gap_step import sqlite_wait_gap

__all__ = ["LateGapProgress", "backfill_late_gap"]


LateGapProgress = ColumnBackfillProgress
"""What :func:`backfill_late_gap` did: batches committed, rows read, rows rewritten, longest lock."""


_FIRST_BATCH = 200
_MAX_BATCH = 20_000  # rows read per batch (most carry no document): the rewrites are a few of them
_BATCH_SECONDS = 0.03


def _write(conn: sqlite3.Connection, after: str, last: str, finished: bool, changed: Changed) -> int | None:
    """Under the write lock: the changed gaps of ``(after, last]`` and the position, each written only
    if its row still has the version read; a row a writer saved in between is computed again from its
    current text (its save may have kept the stale gap: a save writes only the columns whose derived
    value changed). Only these rows are read here: a row whose gap was already its document's stays so
    through any save. ``None`` when another run moved on."""
    if late_gap_state(conn) != (after, False):
        return None
    for id_, (version, gap) in changed.items():
        if (
            conn.execute(
                "UPDATE tickets SET late_gap = ? WHERE id = ? AND version = ?", (gap, id_, version)
            ).rowcount
            == 0
        ):
            conn.execute(f"UPDATE tickets SET late_gap = {RULE} WHERE id = ?", (id_,))
    conn.execute("UPDATE late_gap_backfill SET after_id = ?, done = ? WHERE id = 1", (last, finished))
    return len(changed)


def backfill_late_gap(
    conn: sqlite3.Connection,
    *,
    max_batches: int | None = None,
    batch_seconds: float = _BATCH_SECONDS,
    after_batch: Callable[[LateGapProgress], None] | None = None,
) -> LateGapProgress:
    """Write the ``late_gap`` of the rows a step left to it, a small batch at a time (see the module).

    ``conn`` is outside any transaction and has ``aftersales_wait_gap`` registered
    (:func:`~aftersales.adapters.wait_gap_step.register_wait_gap`). ``max_batches`` stops early (the
    next call continues); ``after_batch`` is called after each commit; a complete file returns at once.
    """
    return backfill_column(
        conn,
        position=late_gap_state,
        rows_after=(
            f"SELECT id, version, late_gap, CASE WHEN {CANDIDATE} THEN CAST(data AS BLOB) END,"
            f" CASE WHEN {CANDIDATE} THEN {events_of('tickets')} END"
            " FROM tickets WHERE id > ? ORDER BY id LIMIT ?"
        ),
        value_of=sqlite_wait_gap,
        stored_as=lambda stored: stored,
        write=_write,
        first_size=_FIRST_BATCH,
        next_size=lambda size, rows, _locked, worked: max(
            10, min(_MAX_BATCH, size * 3 // 2, int(batch_seconds * rows / max(worked, 1e-7)))
        ),
        max_batches=max_batches,
        batch_seconds=batch_seconds,
        after_batch=after_batch,
    )
