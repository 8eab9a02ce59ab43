"""Which rows of a SQLite file still wait for their ``late_gap`` (steps 23 and 28 leave them to
:mod:`aftersales.adapters.late_gap_backfill`), and how the breached filter reads them meanwhile."""

from __future__ import annotations

import sqlite3

from aftersales.adapters.sqlite_ticket_events import events_of
from aftersales.ports.queries import TicketFilter

__all__ = [
    "CANDIDATE",
    "RULE",
    "filter_gap_column",
    "gap_expression",
    "late_gap_pending",
    "late_gap_state",
    "pending_step",
]

_WAITING = "('awaiting_customer', 'awaiting_parts')"
CANDIDATE = (
    f"(state IN {_WAITING} AND resolution_due_us IS NOT NULL)"
    " OR (resolution_due_us IS NOT NULL AND instr(data, '\"resolution_late_after\"') > 0)"
)
"""A row whose gap may differ from 0: the only ones whose document is parsed."""
RULE = f"aftersales_wait_gap(CAST(data AS BLOB), {events_of('tickets')})"
"""The index's own rule in SQL (registered on every connection of the store)."""


def pending_step(rows: str) -> tuple[str, ...]:
    """The statements of a step that leaves the gap of the tickets matching ``rows`` (a condition on
    ``tickets``) to :func:`~aftersales.adapters.late_gap_backfill.backfill_late_gap`: quick whatever
    the file's size (one ``EXISTS``)."""
    return (
        """CREATE TABLE IF NOT EXISTS late_gap_backfill (
            id INTEGER PRIMARY KEY CHECK (id = 1), after_id TEXT NOT NULL, done INTEGER NOT NULL)""",
        "INSERT OR IGNORE INTO late_gap_backfill (id, after_id, done) VALUES (1, '', 1)",
        "UPDATE late_gap_backfill SET after_id = '', done = 0"
        f" WHERE EXISTS (SELECT 1 FROM tickets WHERE {rows})",
    )


def late_gap_state(conn: sqlite3.Connection) -> tuple[str, bool]:
    """(the last ticket id whose gap is written, whether every row's is); complete on a file whose
    steps filled the column themselves (no table)."""
    try:
        row = conn.execute("SELECT after_id, done FROM late_gap_backfill WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: written complete by an earlier release's steps
        return "", True
    if row is None:
        return "", True
    return str(row[0]), bool(row[1])


def late_gap_pending(conn: sqlite3.Connection) -> str | None:
    """The last ticket id whose gap is written while the back-fill is not complete, else ``None``."""
    after, done = late_gap_state(conn)
    return None if done else after


def gap_expression(after: str) -> str:
    """``late_gap`` as the breached filter reads it while rows past ``after`` still wait for their gap:
    the stored column up to ``after``, the index's rule from the document past it (a literal: the id
    is the file's own, quotes doubled)."""
    quoted = after.replace("'", "''")
    # only a candidate's document is parsed (the expression is read several times per row)
    return f"(CASE WHEN tickets.id <= '{quoted}' OR NOT ({CANDIDATE}) THEN tickets.late_gap ELSE {RULE} END)"


def filter_gap_column(conn: sqlite3.Connection, f: TicketFilter) -> str:
    """How ``f``'s breached filter reads ``late_gap`` on ``conn`` (the ledger's and search's one
    reading): the column, or while the back-fill is not complete :func:`gap_expression` past its
    position."""
    if f.breached_at is None:
        return "late_gap"
    after = late_gap_pending(conn)
    return "late_gap" if after is None else gap_expression(after)
