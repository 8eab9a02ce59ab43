"""The ledger rows of tickets stored waiting before session 25: their ``late_gap`` rewritten on upgrade.

Session 25 gave the index row of a ticket waiting since before it was late a ``late_gap`` saying so
(:func:`~aftersales.ports.ticket_index.row_values`: waiting for the customer, no due to be late against;
waiting for parts, ``-1 - gap`` where the pack pauses on parts, ``TicketFilter.parts_pause``). A row is
rewritten only when its ticket is saved, so a ticket stored waiting by an earlier release kept its old
gap and the ledger's breached filter listed it as late until its next command, while ``desk.sla()``, the
breach report and the KPI said paused. The step rewrites the rows of tickets waiting now (few: the open
ones in ``awaiting_customer`` or ``awaiting_parts`` with a due), from their documents:

* SQLite, by the index's own rule: :func:`sqlite_wait_gap` (registered on the migrating connection by
  :func:`register_wait_gap`) parses each such row's ticket and returns its ``late_gap``;
* PostgreSQL, by the same rule in SQL over the document's events (the start of the latest unbroken run of
  waiting events, against the due plus the row's gap); rows already marked are left as they are.
"""

from __future__ import annotations

import sqlite3

from aftersales.adapters.late_gap_pending import pending_step
from aftersales.adapters.sqlite_ticket_events import parse_stored
from aftersales.ports.ticket_index import NO_DUE, ticket_row

__all__ = ["POSTGRES_WAIT_GAP_STEP", "SQLITE_WAIT_GAP_STEP", "register_wait_gap", "sqlite_wait_gap"]

_WAITING = "('awaiting_customer', 'awaiting_parts')"

SQLITE_WAIT_GAP_STEP: tuple[str, ...] = (
    # Left to the small-batch back-fill (late_gap_backfill, the same rule): parsing each waiting ticket
    # under the migration's write lock held writers off as long as there were waiting tickets.
    *pending_step(f"state IN {_WAITING} AND resolution_due_us IS NOT NULL"),
)
"""SQLite migration step 28 (see :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`)."""


def sqlite_wait_gap(data: bytes, chunks: bytes | None) -> int:
    """The ``late_gap`` of the ticket stored as ``data`` and ``chunks`` (``tickets.data`` and its logged
    events), as :func:`~aftersales.ports.ticket_index.row_values` gives it."""
    return ticket_row(parse_stored(data, chunks)[0]).late_gap


def register_wait_gap(conn: sqlite3.Connection) -> None:
    """Make :func:`sqlite_wait_gap` callable as ``aftersales_wait_gap`` on ``conn`` (the step's)."""
    conn.create_function("aftersales_wait_gap", 2, sqlite_wait_gap, deterministic=True)


_EVENTS = "jsonb_array_elements(t.data -> 'events') WITH ORDINALITY AS x(e, n)"
_US = "round(extract(epoch FROM split_part(e ->> 'at', '[', 1)::timestamptz) * 1000000)::bigint"

POSTGRES_WAIT_GAP_STEP: tuple[str, ...] = (
    "UPDATE tickets SET late_gap = CASE"
    " WHEN w.customer_since <= tickets.resolution_due_us + tickets.late_gap"
    f" THEN {NO_DUE} - tickets.resolution_due_us"
    " WHEN w.wait_since <= tickets.resolution_due_us + tickets.late_gap THEN -1 - tickets.late_gap"
    " ELSE tickets.late_gap END"
    " FROM (SELECT t.id, s.customer_since, s.wait_since FROM tickets t"
    # where each of the two runs of waiting events at the log's end was broken last (0: never)
    " CROSS JOIN LATERAL (SELECT"
    " coalesce(max(n) FILTER (WHERE coalesce(e ->> 'to_state', '') <> 'awaiting_customer'), 0) AS cb,"
    f" coalesce(max(n) FILTER (WHERE coalesce(e ->> 'to_state', '') NOT IN {_WAITING}), 0) AS wb"
    f" FROM {_EVENTS}) b"
    # the first event of each run: where the wait began
    " CROSS JOIN LATERAL (SELECT min(us) FILTER (WHERE n > b.cb) AS customer_since,"
    " min(us) FILTER (WHERE n > b.wb) AS wait_since"
    f" FROM (SELECT n, {_US} AS us FROM {_EVENTS}) y) s"
    f" WHERE t.state IN {_WAITING} AND t.resolution_due_us IS NOT NULL"
    f" AND t.late_gap >= 0 AND t.late_gap < {NO_DUE} - t.resolution_due_us) w"
    " WHERE tickets.id = w.id",
)
"""The PostgreSQL migration step of the same rewrite (:data:`~aftersales.adapters.postgres.MIGRATIONS`)."""
