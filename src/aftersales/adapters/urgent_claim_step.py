"""The ledger's ``urgent_claimed`` column (a customer's own "urgent", seed 001 三(二)2) added to a stored
``tickets`` table, and filled in small resumable batches.

A customer opening a call may say it is urgent; the claim grades nothing until the specialist marks it
(``triage(urgent=True)``) and is kept on the ``opened`` event (``urgent_claimed``). The ticket view showed
it, but the ticket lists and exports served from the ledger's rows (``desk.ticket_rows``,
:class:`~aftersales.ports.ticket_index.TicketRow`) did not: the specialist scanning the new calls could not
see which customers said "urgent". The column is the index's own rule
(:func:`~aftersales.ports.ticket_index.claimed_urgent`), written with every save.

The step adds the column with a default (no row rewritten: quick on any file) and records that the rows
stored before it need their value; :func:`backfill_urgent_claims` (SQLite) and
:func:`backfill_urgent_claims_postgres` then walk the tickets in id order, a batch per short transaction
that also moves the committed position (killed half-way, the next call continues where it stopped). A
ticket is parsed only when its stored text names the claim. Until the back-fill is complete, a row past
its position reads ``False``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from aftersales.adapters.column_backfill import Changed, ColumnBackfillProgress, backfill_column
from aftersales.adapters.column_backfill_postgres import backfill_column_postgres
from aftersales.adapters.lock_paced_batch import LockPacedBatch
from aftersales.adapters.sqlite_ticket_events import events_of, parse_stored
from aftersales.ports.ticket_index import ticket_row

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresStore

__all__ = [
    "POSTGRES_URGENT_CLAIM_STEP",
    "SQLITE_URGENT_CLAIM_STEP",
    "UrgentClaimProgress",
    "backfill_urgent_claims",
    "backfill_urgent_claims_postgres",
    "urgent_claims_state",
]

_TABLE = (
    "CREATE TABLE IF NOT EXISTS urgent_claim_backfill"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), after_id TEXT NOT NULL, done {flag} NOT NULL)"
)

SQLITE_URGENT_CLAIM_STEP: tuple[str, ...] = (
    "ALTER TABLE tickets ADD COLUMN urgent_claimed INTEGER NOT NULL DEFAULT 0",  # a default: no rewrite
    _TABLE.format(flag="INTEGER"),
    "INSERT OR IGNORE INTO urgent_claim_backfill (id, after_id, done) VALUES (1, '', 1)",
    "UPDATE urgent_claim_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""SQLite migration step 34 (see :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`)."""

POSTGRES_URGENT_CLAIM_STEP: tuple[str, ...] = (
    "ALTER TABLE tickets ADD COLUMN IF NOT EXISTS urgent_claimed BOOLEAN NOT NULL DEFAULT FALSE",
    _TABLE.format(flag="BOOLEAN"),
    "INSERT INTO urgent_claim_backfill (id, after_id, done) VALUES (1, '', TRUE) ON CONFLICT (id) DO NOTHING",
    "UPDATE urgent_claim_backfill SET after_id = '', done = NOT EXISTS (SELECT 1 FROM tickets) WHERE id = 1",
)
"""The PostgreSQL migration step of the same column (see :data:`~aftersales.adapters.postgres.MIGRATIONS`)."""

_NAMED = "instr(CAST(data AS BLOB), CAST('urgent_claimed' AS BLOB)) > 0"
"""A stored ticket whose own text names the claim (the opened event not yet moved to the event log)."""
_LOGGED = f"instr({events_of('tickets')}, CAST('urgent_claimed' AS BLOB)) > 0"
"""One whose logged events name it."""
_NAMES = f"({_NAMED} OR {_LOGGED})"


UrgentClaimProgress = ColumnBackfillProgress
"""What :func:`backfill_urgent_claims` did: batches committed, rows read, rows set, longest lock."""


def urgent_claims_state(conn: sqlite3.Connection) -> tuple[str, bool]:
    """(the last ticket id whose claim is written, whether every row's is); complete without the table."""
    try:
        row = conn.execute("SELECT after_id, done FROM urgent_claim_backfill WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: a file the step has not reached
        return "", True
    return ("", True) if row is None else (str(row[0]), bool(row[1]))


def _claimed(data: bytes, chunks: bytes | None) -> bool:
    return ticket_row(parse_stored(data, chunks)[0]).urgent_claimed


def _write(conn: sqlite3.Connection, after: str, last: str, finished: bool, changed: Changed) -> int | None:
    """Under the write lock: the claims of ``(after, last]`` and the position; a row saved since it was
    read is parsed again here (its save kept the column as it found it). ``None``: another run moved on."""
    if urgent_claims_state(conn) != (after, False):
        return None
    for id_, (version, claimed) in changed.items():
        done = conn.execute(
            "UPDATE tickets SET urgent_claimed = ? WHERE id = ? AND version = ?", (claimed, id_, version)
        ).rowcount
        if done == 0:
            row = conn.execute(
                f"SELECT CAST(data AS BLOB), {events_of('tickets')} FROM tickets WHERE id = ?", (id_,)
            ).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE tickets SET urgent_claimed = ? WHERE id = ?", (_claimed(row[0], row[1]), id_)
                )
    conn.execute("UPDATE urgent_claim_backfill SET after_id = ?, done = ? WHERE id = 1", (last, finished))
    return len(changed)


_FIRST_BATCH = 200
_MAX_BATCH = 20_000
_BATCH_SECONDS = 0.03
_LOCK_SECONDS = 0.02  # aimed at under the write lock
_LOCK_CEILING = 0.05  # a batch held longer halves the next (issue 21: a writer waits 100 ms at most)


def backfill_urgent_claims(
    conn: sqlite3.Connection,
    *,
    max_batches: int | None = None,
    batch_seconds: float = _BATCH_SECONDS,
    after_batch: Callable[[UrgentClaimProgress], None] | None = None,
) -> UrgentClaimProgress:
    """Write the ``urgent_claimed`` of the rows the step left (see the module), reading and parsing
    outside the write lock, each batch's changes and position in one short transaction. ``conn`` is
    outside any transaction; ``max_batches`` stops early (the next call continues)."""
    # Sized by the lock each batch held, not only by its reading: a batch of many claims writes many rows.
    pace = LockPacedBatch(_FIRST_BATCH, 10, _MAX_BATCH, _LOCK_SECONDS, _LOCK_CEILING, batch_seconds)
    return backfill_column(
        conn,
        position=urgent_claims_state,
        rows_after=(
            f"SELECT id, version, urgent_claimed, CASE WHEN {_NAMES} THEN CAST(data AS BLOB) END,"
            f" CASE WHEN {_NAMES} THEN {events_of('tickets')} END"
            " FROM tickets WHERE id > ? ORDER BY id LIMIT ?"
        ),
        value_of=_claimed,
        stored_as=bool,
        write=_write,
        first_size=pace.size,
        next_size=lambda _size, rows, locked, worked: pace.taken(rows, locked, worked),
        max_batches=max_batches,
        batch_seconds=batch_seconds,
        after_batch=after_batch,
    )


_PG_CLAIMED = (
    "(data -> 'events' -> 0 ->> 'action') = 'opened'"
    " AND (data -> 'events' -> 0 -> 'payload' -> 'urgent_claimed') = 'true'::jsonb"
    " AND NOT coalesce((data -> 'urgent')::boolean, FALSE)"
)
"""The index's rule over a PostgreSQL ticket document (the events are in it)."""


def backfill_urgent_claims_postgres(
    store: PostgresStore, batch: int = 2000, max_batches: int | None = None
) -> int:
    """The same on PostgreSQL: ``batch`` ids a transaction in id order (one ``UPDATE`` of the rows whose
    document holds the claim); the tickets read. A command saving a row meanwhile waits for the batch's
    row lock, then writes its own value."""
    return backfill_column_postgres(
        store,
        table="urgent_claim_backfill",
        update=(
            "UPDATE tickets SET urgent_claimed = TRUE"
            f" WHERE id > %s AND id <= %s AND NOT urgent_claimed AND {_PG_CLAIMED}"
        ),
        batch=batch,
        max_batches=max_batches,
    )
