"""What the SLA sweep reads of every open ticket, kept in small SQLite tables of its own (issue 21).

A sweep reads (id, version, due, customer tier) of every unresolved ticket due before now, in (due, id)
order. Read from ``tickets`` each row costs a lookup of the (~2 kB) ticket row beside the due index and
a parse of the customer's JSON document for the tier: 2.5 s for 186k due tickets of a 1 M file, where
the due index alone takes 0.2 s. So the store keeps them apart:

- ``sla_due`` (due_key, id, version, customer_id), a WITHOUT ROWID table keyed in the sweep's order,
  holding exactly the unresolved tickets (``tickets.unresolved = 1``);
- ``sla_resolved`` (received_us, id, version, customer_id, due_us), the same for the resolved tickets
  not yet closed (awaiting acceptance or the callback), which the sweep's second pass reads in the
  order they were received;
- ``customer_tiers`` (id, tier), the tier of each registered customer whose document names one other
  than regular (a customer not listed reads as regular, as an unregistered one does).

Triggers keep both in step with every write, whatever path makes it (a command, an import, an erasure):
the ticket triggers copy a few columns (no JSON), and only a customer's write parses its (small)
document. A command on an open ticket writes one more row (a leaf of ``sla_due`` or ``sla_resolved``).

A file written before this step has tickets and customers but empty tables: :func:`fill_sweep_tables`
copies them in small resumable batches, each in its own short write transaction (about 10 ms), and
only then does the sweep read them (:func:`sweep_tables_ready`); until then it reads ``tickets`` as
before. The first sweep runs it (``SqliteStore.fill_sweep_tables``), not the store's opening: on a
1 M-ticket file it takes minutes. A new file starts ready.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from aftersales.adapters.sqlite_write_batch import write_batch
from aftersales.domain.parties import CustomerTier

__all__ = [
    "FOLDED_INDEXES",
    "SWEEP_FOLD_STEP",
    "SWEEP_STEP",
    "FillProgress",
    "drop_folded_indexes",
    "fill_sweep_tables",
    "sweep_tables_ready",
]

_CUSTOMERS, _UNRESOLVED, _RESOLVED, _READY = 0, 1, 2, 3
_REGULAR = CustomerTier.REGULAR.value
_LISTED = f"tier IS NOT NULL AND tier <> '{_REGULAR}'"
"""Which tiers ``customer_tiers`` lists: a regular customer (most) reads as an unregistered one does,
so it is left out and the table stays small (its lookups cheap)."""

SWEEP_STEP: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS sla_due (
        due_key INTEGER NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, customer_id TEXT NOT NULL,
        PRIMARY KEY (due_key, id)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS sla_resolved (
        received_us INTEGER NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
        customer_id TEXT NOT NULL, due_us INTEGER, PRIMARY KEY (received_us, id)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS customer_tiers (
        id TEXT PRIMARY KEY, tier TEXT NOT NULL) WITHOUT ROWID""",
    # The fill's position: stage 0 copies the customers (after customer_after), 1 the unresolved
    # tickets and 2 the resolved open ones (after (key_after, ticket_after) in the table's order), 3
    # is done. Done at once on a file with neither tickets nor customers.
    """CREATE TABLE IF NOT EXISTS sla_fill (
        id INTEGER PRIMARY KEY CHECK (id = 1), stage INTEGER NOT NULL, customer_after TEXT NOT NULL,
        key_after INTEGER NOT NULL, ticket_after TEXT NOT NULL)""",
    "INSERT OR IGNORE INTO sla_fill (id, stage, customer_after, key_after, ticket_after)"
    " SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM tickets) OR EXISTS"
    " (SELECT 1 FROM entities WHERE kind = 'customer') THEN 0 ELSE 3 END, '', -1, ''",
    # An unresolved ticket's row; one whose due time moved or that was resolved leaves its old key.
    """CREATE TRIGGER IF NOT EXISTS sla_due_insert AFTER INSERT ON tickets WHEN new.unresolved = 1
    BEGIN
        INSERT OR REPLACE INTO sla_due (due_key, id, version, customer_id)
        VALUES (new.due_key, new.id, new.version, new.customer_id);
    END""",
    """CREATE TRIGGER IF NOT EXISTS sla_due_leave
    AFTER UPDATE OF id, version, unresolved, due_key, customer_id ON tickets
    WHEN old.unresolved = 1 AND (new.unresolved <> 1 OR new.due_key <> old.due_key OR new.id <> old.id)
    BEGIN
        DELETE FROM sla_due WHERE due_key = old.due_key AND id = old.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS sla_due_keep
    AFTER UPDATE OF id, version, unresolved, due_key, customer_id ON tickets WHEN new.unresolved = 1
    BEGIN
        INSERT OR REPLACE INTO sla_due (due_key, id, version, customer_id)
        VALUES (new.due_key, new.id, new.version, new.customer_id);
    END""",
    """CREATE TRIGGER IF NOT EXISTS sla_due_delete AFTER DELETE ON tickets WHEN old.unresolved = 1
    BEGIN
        DELETE FROM sla_due WHERE due_key = old.due_key AND id = old.id;
    END""",
    # The same for a resolved ticket not yet closed (open, not unresolved), by when it was received.
    """CREATE TRIGGER IF NOT EXISTS sla_resolved_insert AFTER INSERT ON tickets
    WHEN new.is_open = 1 AND new.unresolved = 0
    BEGIN
        INSERT OR REPLACE INTO sla_resolved (received_us, id, version, customer_id, due_us)
        VALUES (new.received_us, new.id, new.version, new.customer_id, new.resolution_due_us);
    END""",
    """CREATE TRIGGER IF NOT EXISTS sla_resolved_leave
    AFTER UPDATE OF id, version, is_open, unresolved, received_us, customer_id, resolution_due_us
    ON tickets
    WHEN old.is_open = 1 AND old.unresolved = 0 AND (new.is_open <> 1 OR new.unresolved <> 0
        OR new.received_us <> old.received_us OR new.id <> old.id)
    BEGIN
        DELETE FROM sla_resolved WHERE received_us = old.received_us AND id = old.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS sla_resolved_keep
    AFTER UPDATE OF id, version, is_open, unresolved, received_us, customer_id, resolution_due_us
    ON tickets WHEN new.is_open = 1 AND new.unresolved = 0
    BEGIN
        INSERT OR REPLACE INTO sla_resolved (received_us, id, version, customer_id, due_us)
        VALUES (new.received_us, new.id, new.version, new.customer_id, new.resolution_due_us);
    END""",
    """CREATE TRIGGER IF NOT EXISTS sla_resolved_delete AFTER DELETE ON tickets
    WHEN old.is_open = 1 AND old.unresolved = 0
    BEGIN
        DELETE FROM sla_resolved WHERE received_us = old.received_us AND id = old.id;
    END""",
    # A customer's tier, from its document on each write of the customer (rare beside ticket writes).
    f"""CREATE TRIGGER IF NOT EXISTS customer_tier_insert AFTER INSERT ON entities
    WHEN new.kind = 'customer'
    BEGIN
        INSERT OR REPLACE INTO customer_tiers (id, tier)
        SELECT new.id, tier FROM (SELECT json_extract(new.data, '$.tier') AS tier) WHERE {_LISTED};
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS customer_tier_update AFTER UPDATE OF kind, id, data ON entities
    WHEN new.kind = 'customer' OR old.kind = 'customer'
    BEGIN
        DELETE FROM customer_tiers WHERE old.kind = 'customer' AND id = old.id;
        INSERT OR REPLACE INTO customer_tiers (id, tier)
        SELECT new.id, tier FROM (SELECT json_extract(new.data, '$.tier') AS tier)
        WHERE new.kind = 'customer' AND {_LISTED};
    END""",
    """CREATE TRIGGER IF NOT EXISTS customer_tier_delete AFTER DELETE ON entities
    WHEN old.kind = 'customer'
    BEGIN
        DELETE FROM customer_tiers WHERE id = old.id;
    END""",
)
"""The schema step (in :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`): the tables, the fill's
position and the triggers. It copies no row itself, so it stays quick on any file."""

_LOCK_SECONDS = 0.01
"""Write-lock time a batch aims at: a tenth of the 100 ms a writer may wait (as the reporting back-fill)."""
_FIRST_BATCH = 200
_MAX_BATCH = 5000


class FillProgress:
    """What :func:`fill_sweep_tables` did: batches committed, rows copied, the longest lock held (s)."""

    def __init__(self) -> None:
        self.batches = 0
        self.rows = 0
        self.longest = 0.0


def sweep_tables_ready(conn: sqlite3.Connection) -> bool:
    """Whether ``sla_due``, ``sla_resolved`` and ``customer_tiers`` hold every open ticket and customer."""
    row = conn.execute("SELECT stage FROM sla_fill WHERE id = 1").fetchone()
    return row is None or row[0] == _READY


_STAGES = {
    # stage: (the ticket rows to copy after a position, in the table's key order; the insert)
    _UNRESOLVED: (
        "SELECT due_key, id, version, customer_id FROM tickets"
        " WHERE unresolved = 1 AND (due_key, id) > (?, ?) ORDER BY due_key, id LIMIT ?",
        "INSERT OR REPLACE INTO sla_due (due_key, id, version, customer_id) VALUES (?, ?, ?, ?)",
    ),
    _RESOLVED: (
        "SELECT received_us, id, version, customer_id, resolution_due_us FROM tickets"
        " WHERE is_open = 1 AND unresolved = 0 AND (received_us, id) > (?, ?)"
        " ORDER BY received_us, id LIMIT ?",
        "INSERT OR REPLACE INTO sla_resolved (received_us, id, version, customer_id, due_us)"
        " VALUES (?, ?, ?, ?, ?)",
    ),
}


def _warm(conn: sqlite3.Connection, size: int) -> None:
    """Read the next batch's ticket rows before taking the write lock (in autocommit, a read of the
    WAL snapshot): their pages (a ~2 kB ticket row each, most of them not in memory on a large file)
    come from the disk now, not while writers wait for the batch."""
    stage, _, key_after, ticket_after = conn.execute(
        "SELECT stage, customer_after, key_after, ticket_after FROM sla_fill WHERE id = 1"
    ).fetchone()
    if stage in _STAGES:
        conn.execute(_STAGES[stage][0], (key_after, ticket_after, size)).fetchall()


def _batch(conn: sqlite3.Connection, size: int) -> tuple[int, bool]:
    """Copy up to ``size`` rows after the committed position and move it; (rows copied, done)."""
    stage, customer_after, key_after, ticket_after = conn.execute(
        "SELECT stage, customer_after, key_after, ticket_after FROM sla_fill WHERE id = 1"
    ).fetchone()
    if stage == _CUSTOMERS:
        customers = conn.execute(
            "SELECT id, json_extract(data, '$.tier') FROM entities"
            " WHERE kind = 'customer' AND id > ? ORDER BY id LIMIT ?",
            (customer_after, size),
        ).fetchall()
        conn.executemany(
            "INSERT OR REPLACE INTO customer_tiers (id, tier) VALUES (?, ?)",
            [(id_, tier) for id_, tier in customers if tier is not None and tier != _REGULAR],
        )
        if len(customers) < size:
            conn.execute("UPDATE sla_fill SET stage = ?, customer_after = '' WHERE id = 1", (_UNRESOLVED,))
        else:
            conn.execute("UPDATE sla_fill SET customer_after = ? WHERE id = 1", (customers[-1][0],))
        return len(customers), False
    if stage not in _STAGES:
        return 0, True
    # Over the ledger's partial index, in its order: a ticket written since the fill began already
    # has its row from the triggers; copying it again changes nothing.
    select, insert = _STAGES[stage]
    tickets = conn.execute(select, (key_after, ticket_after, size)).fetchall()
    conn.executemany(insert, tickets)
    if len(tickets) < size:
        conn.execute(
            "UPDATE sla_fill SET stage = ?, key_after = -1, ticket_after = '' WHERE id = 1", (stage + 1,)
        )
        if stage + 1 == _READY:
            drop_folded_indexes(conn)  # with the position that completes the tables: the ledger reads them
        return len(tickets), stage + 1 == _READY
    conn.execute(
        "UPDATE sla_fill SET key_after = ?, ticket_after = ? WHERE id = 1", (tickets[-1][0], tickets[-1][1])
    )
    return len(tickets), False


def fill_sweep_tables(
    conn: sqlite3.Connection,
    *,
    max_batches: int | None = None,
    lock_seconds: float = _LOCK_SECONDS,
    pause: float | None = None,
) -> FillProgress:
    """Copy the customers' tiers and the open tickets of a file written before the sweep's tables
    existed, a short write transaction per batch.

    Each batch first reads its ticket rows without the lock (their pages come from the disk then),
    and then holds the write lock for about ``lock_seconds`` (its size follows the last batch's rate,
    as the reporting back-fill's does) to copy them and commit its position with its rows, so a
    writer waits one batch at most and a run that is killed continues where it stopped. Between
    batches it sleeps ``pause`` (default ``lock_seconds``), so waiting writers get the lock.
    ``max_batches`` stops early (the next call continues). A ready file returns at once. ``conn`` is
    outside any transaction.
    """
    progress = FillProgress()
    size = _FIRST_BATCH
    rest = lock_seconds if pause is None else pause
    while max_batches is None or progress.batches < max_batches:
        if sweep_tables_ready(conn):
            break
        if progress.batches:
            time.sleep(rest)
        _warm(conn, size)
        (copied, done), took = write_batch(conn, _batch, conn, size)
        # Copy the batch's pages into the database now, outside the write lock (a passive checkpoint
        # waits for no one), as the reporting back-fill does: else a later commit, ours or a
        # writer's, would copy thousands of them inline.
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        progress.batches += 1
        progress.rows += copied
        progress.longest = max(progress.longest, took)
        if done:
            break
        per_row = took / max(copied, 1)
        size = max(10, min(_MAX_BATCH, size * 2, int(lock_seconds / max(per_row, 1e-7))))
    return progress


FOLDED_INDEXES = ("tickets_due", "tickets_resolved_open")
"""The ledger's indexes that held the keys of ``sla_due`` (the unresolved tickets by (due, id)) and of
``sla_resolved`` (the resolved open ones by (received, id)): dropped where those are complete
(:func:`drop_folded_indexes`); the ledger reads the tables instead (:mod:`.sla_sweep_ledger`)."""


def drop_folded_indexes(conn: sqlite3.Connection) -> None:
    """Drop :data:`FOLDED_INDEXES` once the sweep tables hold every open ticket.

    Each kept the same keys as a sweep table, so a command moving a ticket's due (or resolving, accepting
    it) wrote both (a dispatch: ``tickets_due`` 2.2 WAL pages, ``sla_due`` 2.2; issue 21). On a file whose
    sweep tables are still being filled they stay until the fill's last batch, which calls this in its
    transaction. Freeing an index's pages is quick (a few thousand pages on a 1 M-ticket file). ``conn``
    is in a write transaction.
    """
    if sweep_tables_ready(conn):
        for name in FOLDED_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")


SWEEP_FOLD_STEP: tuple[Callable[[sqlite3.Connection], None], ...] = (drop_folded_indexes,)
"""Migration step 33 (see :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`): the ledger's two
indexes the sweep tables duplicate go where those are complete (every new file); on others the fill
drops them."""
