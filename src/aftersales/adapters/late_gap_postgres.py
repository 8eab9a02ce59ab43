"""The ledger's ``late_gap`` of a PostgreSQL database from before it, filled in small resumable batches.

The step that added the column filled it in the migration: an ``UPDATE`` reading every ticket's document
while its ``ADD COLUMN`` held the table's ``ACCESS EXCLUSIVE`` lock to the migration's commit (0.8 s at
100,000 tickets, so seconds at a million, every read and write of ``tickets`` waiting; issue 21). The step
now fills only the rows of tickets waiting now (one range of the state index: the wait-gap step after it
reads their gap) and records that the others need theirs; :func:`backfill_late_gap_postgres` writes them a
batch of ids at a time, each batch one short transaction that moves the committed position (killed
half-way, the next call continues). Until it is complete the breached filter reads the rows past the
position from their documents (:func:`pg_gap_column`): the same answers, slower.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aftersales.adapters.column_backfill_postgres import Runs, backfill_column_postgres, backfill_position
from aftersales.ports.queries import TicketFilter

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresStore

__all__ = [
    "POSTGRES_LATE_GAP_TABLE_STEP",
    "backfill_late_gap_postgres",
    "late_gap_rows",
    "pg_filter_gap_column",
    "pg_gap_column",
    "pg_late_gap_step",
]

_WAITING = "('awaiting_customer', 'awaiting_parts')"
_KEY = "data ? 'resolution_late_after'"
_GAP = (
    "GREATEST(0, round(extract(epoch FROM split_part(data ->> 'resolution_late_after', '[', 1)::timestamptz)"
    " * 1000000)::bigint - resolution_due_us)"
)
"""The gap a document's late-after instant gives (the index's rule for a ticket not waiting)."""
_LEFT = f"resolution_due_us IS NOT NULL AND {_KEY} AND state NOT IN {_WAITING}"
"""The rows the back-fill fills: the waiting ones the step fills itself."""


def late_gap_rows(condition: str) -> str:
    """The ``UPDATE`` giving the rows matching ``condition`` (and naming the key) their document's gap."""
    return (
        f"UPDATE tickets SET late_gap = {_GAP} WHERE resolution_due_us IS NOT NULL AND {_KEY} AND {condition}"
    )


def pg_late_gap_step(add_column: str) -> tuple[str, ...]:
    """The migration step: the column (``add_column``), the waiting rows' gaps (few, by the state index),
    and the back-fill's position (nothing to do on a database without tickets)."""
    return (
        add_column,
        late_gap_rows(f"state IN {_WAITING}"),
        *POSTGRES_LATE_GAP_TABLE_STEP[:1],
        *POSTGRES_LATE_GAP_TABLE_STEP[1:],
        "UPDATE late_gap_backfill SET after_id = '', done = NOT EXISTS (SELECT 1 FROM tickets) WHERE id = 1",
    )


POSTGRES_LATE_GAP_TABLE_STEP: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS late_gap_backfill"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), after_id TEXT NOT NULL, done BOOLEAN NOT NULL)",
    # a database whose column was filled by the earlier step: complete
    "INSERT INTO late_gap_backfill (id, after_id, done) VALUES (1, '', TRUE) ON CONFLICT (id) DO NOTHING",
)
"""The migration step (session 27) giving every database the table, complete where the earlier step
filled the column in its migration."""

_BATCH = 2000


def _position(uow: Runs, lock: bool = False) -> tuple[str, bool]:
    return backfill_position(uow, "late_gap_backfill", lock)


def backfill_late_gap_postgres(
    store: PostgresStore, batch: int = _BATCH, max_batches: int | None = None
) -> int:
    """Write the ``late_gap`` of the rows the migration left (see the module), ``batch`` ids a transaction
    in id order; the tickets read. A complete database returns at once; killed half-way (or stopped
    after ``max_batches``), the next call continues. A command saving a row meanwhile waits for the
    batch's row lock, then writes its own."""
    return backfill_column_postgres(
        store,
        table="late_gap_backfill",
        update=late_gap_rows("id > %s AND id <= %s AND " + f"state NOT IN {_WAITING}"),
        batch=batch,
        max_batches=max_batches,
    )


def pg_gap_column(uow: Runs) -> str:
    """How the breached filter reads ``late_gap``: the column, or while the back-fill is not complete the
    document's gap for the rows past its position it fills (an id literal, quotes doubled)."""
    after, done = _position(uow)
    if done:
        return "late_gap"
    quoted = after.replace("'", "''")
    return f"(CASE WHEN tickets.id > '{quoted}' AND {_LEFT} THEN {_GAP} ELSE late_gap END)"


def pg_filter_gap_column(uow: Runs, f: TicketFilter) -> str:
    """How ``f``'s breached filter reads ``late_gap`` (the ledger's and search's one reading): the
    column without a breached filter (no read), else :func:`pg_gap_column`."""
    return "late_gap" if f.breached_at is None else pg_gap_column(uow)
