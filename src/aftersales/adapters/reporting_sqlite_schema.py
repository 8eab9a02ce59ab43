"""The reporting side tables of the SQLite store, and their back-fill on a file that had none.

``report_tickets`` holds :class:`~aftersales.ports.reporting.TicketFacts` per ticket and
``report_faults`` one row per fault occurrence. The store writes both with the ticket, computed in Python
(:mod:`aftersales.adapters.reporting_rows`), so nothing parses JSON inside SQLite on a write.

:data:`REPORTING_STEP` is a schema migration: it creates the tables (or keeps those an older version
filled by triggers, dropping the triggers) and records in ``report_backfill`` which tickets still
need their rows. It is quick whatever the file's size; the rows of existing tickets are then written
by :func:`backfill_reporting` in small batches (about 30 ms of work each, read and computed outside
the write lock, which is held only for the writes), in ticket-id order, with the position committed with each
batch: killed half-way, the next run continues where the last committed batch ended.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from aftersales.adapters.lock_paced_batch import LockPacedBatch
from aftersales.adapters.reporting_rows import (
    DELETE_COMPLETIONS,
    DELETE_FAULTS,
    INSERT_COMPLETION,
    INSERT_FAULT,
    LEDGER_COLUMNS,
    UPSERT_FACTS,
    completion_values,
    fact_values,
    fault_values,
)
from aftersales.adapters.sqlite_ticket_events import events_of, parse_stored
from aftersales.adapters.sqlite_write_batch import write_batch

__all__ = [
    "ATTITUDE_REPORT_STEP",
    "CALLBACK_REPORT_STEP",
    "COMPLETIONS_REPORT_STEP",
    "COMPLETION_CATEGORY_REPORT_STEP",
    "COMPLETION_DEALER_REPORT_STEP",
    "EARLIEST_CONTACT_REPORT_STEP",
    "EXPECTED_REPORT_STEP",
    "FIRST_CYCLE_RESPONSE_REPORT_STEP",
    "HANDOVER_REPORT_STEP",
    "HELD_DEALER_FIRST_STEP",
    "HELD_DEALER_REPORT_STEP",
    "LEDGER_DUES_REPORT_STEP",
    "LEDGER_REPORT_STEP",
    "OUTCOME_REPORT_STEP",
    "REPORTING_STEP",
    "SERVING_DEALER_REPORT_STEP",
    "SERVING_PAUSE_REPORT_STEP",
    "SOLUTION_REPORT_STEP",
    "SOLVED_RESPONSE_REPORT_STEP",
    "BackfillProgress",
    "backfill_reporting",
    "backfill_state",
    "ensure_reporting_schema",
]

_HAD_TRIGGERS = (
    "EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'report_tickets_update')"
)


def _rewrite_every_row(step: str) -> str:
    """The statement restarting the back-fill from the first ticket, naming ``step`` in a comment: SQLite
    runs it the same, and each step that is nothing else stays a value of its own (equal steps made
    ``MIGRATIONS.index`` answer the first of them, step 18, for five later ones: session 30)."""
    return (
        "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)"
        f" /* {step} */"
    )


REPORTING_STEP: tuple[str, ...] = (
    # done = 1: nothing to back-fill (a new file, or one whose triggers kept the tables complete).
    """CREATE TABLE report_backfill (
        id INTEGER PRIMARY KEY CHECK (id = 1), after_id TEXT NOT NULL, done INTEGER NOT NULL)""",
    f"""INSERT INTO report_backfill (id, after_id, done) VALUES
        (1, '', CASE WHEN {_HAD_TRIGGERS} OR NOT EXISTS (SELECT 1 FROM tickets) THEN 1 ELSE 0 END)""",
    "DROP TRIGGER IF EXISTS report_tickets_insert",
    "DROP TRIGGER IF EXISTS report_tickets_update",
    """CREATE TABLE IF NOT EXISTS report_tickets (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, category TEXT NOT NULL, state TEXT NOT NULL,
        dealer_id TEXT, region TEXT, assignee_id TEXT, product_id TEXT, batch TEXT, asset_id TEXT,
        received_us INTEGER NOT NULL, first_response_us INTEGER, response_due_us INTEGER,
        resolved_us INTEGER, resolution_due_us INTEGER, closed_us INTEGER, cancelled INTEGER NOT NULL,
        reworks INTEGER NOT NULL, visits INTEGER NOT NULL, callback_due_us INTEGER, callback_us INTEGER,
        satisfaction INTEGER)""",
    "CREATE INDEX IF NOT EXISTS report_tickets_received ON report_tickets (received_us)",
    """CREATE TABLE IF NOT EXISTS report_faults (
        ticket_id TEXT NOT NULL, seq INTEGER NOT NULL, asset_id TEXT, product_id TEXT, batch TEXT,
        received_us INTEGER NOT NULL, symptom TEXT NOT NULL, cause TEXT NOT NULL,
        PRIMARY KEY (ticket_id, seq))""",
    "CREATE INDEX IF NOT EXISTS report_faults_received ON report_faults (received_us)",
    "CREATE INDEX IF NOT EXISTS report_faults_batch ON report_faults (product_id, batch, symptom)",
)
"""The migration step that adds reporting (in :data:`~aftersales.adapters.sqlite_schema.MIGRATIONS`)."""

_ISSUE_24_COLUMNS = LEDGER_COLUMNS[: LEDGER_COLUMNS.index("outcome")]  # a step never changes once shipped

LEDGER_REPORT_STEP: tuple[str, ...] = (
    *(f"ALTER TABLE report_tickets ADD COLUMN {column} TEXT" for column in _ISSUE_24_COLUMNS),
    # the rows already written lack the new columns: the back-fill rewrites them all, from the start
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding the ledger columns to ``report_tickets`` (issue 24)."""

OUTCOME_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_tickets ADD COLUMN outcome TEXT",
    "ALTER TABLE report_tickets ADD COLUMN response_stop_us INTEGER",
    # Every row is written again by the back-fill: the new column, and first_response_us, which is now
    # the first customer-facing contact (the SLA's response) instead of the event after the opening.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding the ledger's handling result (处理结果) and re-deriving the response instant."""

CALLBACK_REPORT_STEP: tuple[str, ...] = (
    # Every row is written again by the back-fill: callback_us is now the callback made after the current
    # one was scheduled (ports.reporting.current_callback_us), not the first callback of all; and a
    # reopened ticket loaded in bulk (add_many) had its current cycle's due times, not the judged ones.
    _rewrite_every_row("step 18"),
)
"""The migration step re-deriving each row's callback instant (a reopened ticket's next callback)."""

SERVING_PAUSE_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_tickets ADD COLUMN serving_dealer_id TEXT",
    "ALTER TABLE report_tickets ADD COLUMN paused_us INTEGER",
    "ALTER TABLE report_tickets ADD COLUMN paused_parts_us INTEGER",
    # Every row is written again by the back-fill: the new columns, and report_faults, which now holds one
    # row per fault occurrence (a symptom and cause recorded again after a reopen is not a second one).
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding the dealer doing the job and the start of the current SLA pause to each row
(session 16), and re-deriving the fault rows."""

EXPECTED_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_tickets ADD COLUMN expected_by_us INTEGER",
    "ALTER TABLE report_tickets ADD COLUMN expected_at_us INTEGER",
    # Every row is written again by the back-fill, which fills the new columns.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding the ledger's promised times to each row (session 20): the customer's expected
resolution time and the visit or solution time they were last told (seed 003)."""

ATTITUDE_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_tickets ADD COLUMN attitude INTEGER",
    # Every row is written again by the back-fill, which fills the new column from the callbacks recorded.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding the callback's evaluation of the team's service attitude to each row
(session 21; seed 001 三(七)2: the survey asks the result's satisfaction and the attitude), which the KPI
report averages beside the satisfaction."""

LEDGER_DUES_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_tickets ADD COLUMN ledger_response_due_us INTEGER",
    "ALTER TABLE report_tickets ADD COLUMN ledger_resolution_due_us INTEGER",
    # Every row is written again by the back-fill, which fills the new columns.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding the due times the ledger export shows to each row (session 22): the ticket's
own, as every store's export shows them; the export read the KPI's judged due times, which for a reopened
ticket are an earlier cycle's (``response_due_us``, ``resolution_due_us``)."""

COMPLETIONS_REPORT_STEP: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS report_completions (
        ticket_id TEXT NOT NULL, seq INTEGER NOT NULL, completed_us INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, seq))""",
    # A dealer's month reads the completions in it by this index (no scan of the tickets received).
    "CREATE INDEX IF NOT EXISTS report_completions_at ON report_completions (completed_us)",
    # Every ticket is written again by the back-fill, which fills the new table from each ticket's log.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding each completion of a ticket's work (session 24): every acceptance, the one a
reopen ended too, so a dealer's month counts a repair accepted in it though it was reopened later (seed
002 分工 7/10), read by an index on the instant."""

COMPLETION_DEALER_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_completions ADD COLUMN serving_dealer_id TEXT",
    # Every ticket is written again by the back-fill, which fills the dealer of each completion.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding to each completion the dealer who did that work (session 25): a dealer's
month counted every completion for the dealer serving the ticket now, so passing the rework to another
dealer moved the first dealer's accepted repair out of its reported month (seed 002 分工 7, 档案 b)."""
FIRST_CYCLE_RESPONSE_REPORT_STEP: tuple[str, ...] = (
    # Every row is written again by the back-fill: first_response_us is now the first cycle's response (a
    # contact after a reopen answers no response clock), as the SLA and the breach report judge it.
    _rewrite_every_row("step 26"),
)
"""The migration step re-deriving each row's response instant as the first cycle's (session 25)."""

COMPLETION_CATEGORY_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_completions ADD COLUMN category TEXT",
    # Every ticket is written again by the back-fill, which fills the category of each completion.
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM tickets)",
)
"""The migration step adding to each completion the category it was completed under (session 26): a
dealer's month counted every completion under the ticket's category now, so a reclassification after
the acceptance moved a repair between categories of a month already reported (seed 002 分工 10)."""

EARLIEST_CONTACT_REPORT_STEP: tuple[str, ...] = (
    # Every row is written again by the back-fill: first_response_us is now the earliest contact by when it
    # was made (a contact entered after the fact, ``contact_customer(at=)``, session 26), as the SLA, the
    # breach report and memory/PostgreSQL judge it; a row saved before kept the first contact recorded.
    _rewrite_every_row("step 30"),
)
"""The migration step re-deriving each row's response instant as the earliest contact made (session 27:
seed 003 二 3 与客户取得联系 and seed 001 沟通时间 judge when the customer was contacted, not when the
contact was entered)."""

HELD_DEALER_REPORT_STEP: tuple[str, ...] = (
    # Every ticket is written again by the back-fill: a completion of a job no dealer held is no dealer's
    # now; a row saved before counted it for the ticket's own dealer.
    _rewrite_every_row("step 31"),
)
"""The migration step re-deriving the dealer of each completion as the dealer who did the job
(session 29): a repair done by the maker's own engineer, or a call the office solved by phone, counted
as the customer's dealer's repair (seed 002 分工 10: 乙方…对所维修情况进行一次统计)."""

HELD_DEALER_FIRST_STEP: tuple[str, ...] = (_rewrite_every_row("step 28"),)
"""Step 28: session 29's merge listed :data:`HELD_DEALER_REPORT_STEP` twice, here and as step 31; a file
that ran it runs step 31 too, so the two are one back-fill. It stays at 28 so the steps after it keep the
numbers they shipped with (a file of an earlier release at 28 or 29 runs the wait-gap and earliest-contact
steps again, which rewrite the same rows)."""

SERVING_DEALER_REPORT_STEP: tuple[str, ...] = (
    # Every ticket is written again by the back-fill: a row's serving_dealer_id (the KPIs by dealer) is
    # the dealer doing the job, none for the maker's own; a row saved before kept the ticket's own dealer.
    _rewrite_every_row("step 32"),
)
"""The migration step re-deriving each row's dealer for the KPIs by dealer as the dealer doing the job
(session 30): a call the maker's engineer repaired or the office solved by phone was judged as the
customer's dealer's (seed 002 分工 12: 甲方…对乙方的服务情况进行抽查; 9/10: the month it stands beside)."""

SOLVED_RESPONSE_REPORT_STEP: tuple[str, ...] = (
    # Every row is written again by the back-fill: first_response_us is now the work marked done by staff
    # when no contact came before it (domain.sla_reading.solved), as the SLA and memory/PostgreSQL judge
    # it; a row saved before left such a ticket answered by nobody (neither on time nor late).
    _rewrite_every_row("step 35"),
)
"""The migration step re-deriving each row's response instant with a ticket solved before any contact
answered at the solution (session 34: seed 001 六(二)3 响应及时率)."""

SOLUTION_REPORT_STEP: tuple[str, ...] = ("ALTER TABLE report_tickets ADD COLUMN solution_us INTEGER",)
"""The migration step adding where a complaint's resolution was met by its solution given (session 35,
seed 003 二 5: :data:`~aftersales.adapters.reporting_rows.SOLUTION_COLUMNS`). No row is rewritten and no
back-fill is needed: the column is NULL unless the ticket records solution steps
(``Ticket.resolution_steps``), which no document stored before this step does; a ticket gains them at its
next command, whose save writes the row."""

HANDOVER_REPORT_STEP: tuple[str, ...] = (
    "ALTER TABLE report_tickets ADD COLUMN handed_over INTEGER",
    # Only a cancelled ticket can have been handed over: a file with none rewrites no row; one with some
    # has every row written again by the back-fill, which fills the column (NULL reads as not handed over).
    "UPDATE report_backfill SET after_id = '', done = 0 WHERE EXISTS (SELECT 1 FROM report_tickets"
    " WHERE cancelled) /* step 38 */",
)
"""The migration step marking each row of a request handed over as a complaint (session 36, seed 004 第七条
3: :data:`~aftersales.adapters.reporting_rows.HANDOVER_COLUMNS`): the complaint is that call, and the
request counted beside it in the KPI — its call back a second response met, the call a second ticket."""

_BATCH_SECONDS = 0.03  # each batch's reading and parsing (outside the write lock)
_FIRST_BATCH = 50
_MAX_BATCH = 1000  # tickets written under one lock: a few milliseconds of inserts
_LOCK_SECONDS = 0.01
"""Write-lock time a batch aims at: a tenth of the 100 ms a writer may wait, so a batch that a busy
machine slows tenfold (or preempts) still leaves every writer within it."""
_LOCK_CEILING = 0.03
"""A batch that held the lock longer halves the next (:class:`~.lock_paced_batch.LockPacedBatch`)."""


class BackfillProgress:
    """What :func:`backfill_reporting` did: batches committed, tickets written, the longest batch."""

    def __init__(self) -> None:
        self.batches = 0
        self.tickets = 0
        self.longest = 0.0
        """Seconds the longest batch held the write lock."""


def backfill_state(conn: sqlite3.Connection) -> tuple[str, bool]:
    """(the last ticket id back-filled, whether the back-fill is complete)."""
    row = conn.execute("SELECT after_id, done FROM report_backfill WHERE id = 1").fetchone()
    if row is None:
        return "", True
    return str(row[0]), bool(row[1])


_Rows = tuple[tuple[object, ...], list[tuple[object, ...]], list[tuple[object, ...]]]
"""A ticket's reporting rows: its facts, its fault rows, its completion rows."""
_Computed = tuple[int, tuple[object, ...], list[tuple[object, ...]], list[tuple[object, ...]]]
"""A ticket's version and the reporting rows computed from it."""


def _rows_of(data: bytes, chunks: bytes | None, version: int) -> _Rows:
    ticket = parse_stored(data, chunks)[0]
    ticket.version = version
    return fact_values(ticket), fault_values(ticket), completion_values(ticket)


def _write_rows(
    conn: sqlite3.Connection,
    after: str,
    last: str,
    finished: bool,
    computed: dict[str, _Computed],
) -> int | None:
    """Under the write lock: the rows computed for the tickets in ``(after, last]``, each checked
    against its current version first (one a writer changed in between is computed again from its
    current text), and the position moved; the tickets written, or ``None`` when another back-fill
    moved the position meanwhile (then nothing is written)."""
    if backfill_state(conn) != (after, False):
        return None
    current = conn.execute(
        "SELECT id, version FROM tickets WHERE id > ? AND id <= ?", (after, last)
    ).fetchall()
    facts: list[tuple[object, ...]] = []
    faults: list[tuple[object, ...]] = []
    completions: list[tuple[object, ...]] = []
    for id_, version in current:
        found = computed.get(id_)
        if found is None:
            continue  # stored after the read: the store wrote its rows with it
        if found[0] != version:  # changed after the read: its rows from its current text
            data, chunks = conn.execute(
                f"SELECT CAST(data AS BLOB), {events_of('tickets')} FROM tickets WHERE id = ?", (id_,)
            ).fetchone()
            found = (version, *_rows_of(data, chunks, version))
        facts.append(found[1])
        faults.extend(found[2])
        completions.extend(found[3])
    if facts:
        conn.executemany(DELETE_FAULTS, [(fact[0],) for fact in facts])
        conn.executemany(DELETE_COMPLETIONS, [(fact[0],) for fact in facts])
        conn.executemany(UPSERT_FACTS, facts)
        conn.executemany(INSERT_FAULT, faults)
        conn.executemany(INSERT_COMPLETION, completions)
    conn.execute("UPDATE report_backfill SET after_id = ?, done = ? WHERE id = 1", (last, finished))
    return len(facts)


def backfill_reporting(
    conn: sqlite3.Connection,
    *,
    max_batches: int | None = None,
    batch_seconds: float = _BATCH_SECONDS,
    pause: float | None = None,
    after_batch: Callable[[BackfillProgress], None] | None = None,
) -> BackfillProgress:
    """Write the reporting rows of tickets stored before reporting existed, a small batch at a time.

    Each batch reads tickets after the committed position (id order) and computes their rows
    *without* the write lock (a read of the WAL snapshot: writers go on meanwhile), stopping after
    ``batch_seconds`` of work however many it read (the next batch asks for about as many as fitted).
    Then one short ``BEGIN IMMEDIATE`` … ``COMMIT`` writes them and moves the position: it checks
    each ticket's version first and computes again the few a writer changed in between, so the lock
    is held for the writes only (milliseconds), never for the parsing. Before each batch's writes it
    sleeps ``pause`` (default ``batch_seconds``): writers go first, and the writes start on a fresh time
    slice. Batches are sized by :class:`~.lock_paced_batch.LockPacedBatch`. Tickets written meanwhile
    by the store already have their rows; rewriting them from their current text gives the same rows.
    ``max_batches`` stops early (the next call continues); ``after_batch`` is called after each commit.
    ``conn`` is outside any transaction.
    """
    progress = BackfillProgress()
    pace = LockPacedBatch(_FIRST_BATCH, 10, _MAX_BATCH, _LOCK_SECONDS, _LOCK_CEILING, batch_seconds)
    size = pace.size
    rest = batch_seconds if pause is None else pause
    while max_batches is None or progress.batches < max_batches:
        after, done = backfill_state(conn)
        if done:
            break
        began = time.perf_counter()
        rows = conn.execute(
            f"SELECT id, version, CAST(data AS BLOB), {events_of('tickets')} FROM tickets"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (after, size),
        ).fetchall()
        fetched = len(rows)
        computed: dict[str, _Computed] = {}
        for index, (id_, version, data, chunks) in enumerate(rows):
            computed[id_] = (version, *_rows_of(data, chunks, version))
            if time.perf_counter() - began > batch_seconds and index + 1 < fetched:
                rows = rows[: index + 1]  # out of time: the rest waits for the next batch
                break
        worked = time.perf_counter() - began
        last = rows[-1][0] if rows else after
        # Done when the read reached the last ticket and none of it was left for the next batch.
        finished = fetched < size and len(rows) == fetched
        # The pause for writers comes here, between the reading and the lock: woken from it the
        # back-fill starts the locked writes on a fresh time slice, so a loaded machine is less likely
        # to take the core from it while it holds the lock (it did so after a batch's parsing had used
        # the slice up: holds of 65-217 ms with ~1 ms the median).
        time.sleep(rest)
        written, took = write_batch(conn, _write_rows, conn, after, last, finished, computed)
        if written is None:  # another back-fill moved on meanwhile
            continue
        # Copy this batch's pages into the database now, outside the write lock (a passive checkpoint
        # takes no writer lock): otherwise the next writer's commit would do it inline, thousands of
        # pages after a large batch, and wait for it.
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        progress.batches += 1
        progress.tickets += written
        progress.longest = max(progress.longest, took)
        if after_batch is not None:
            after_batch(progress)
        if finished:
            break
        # Ask next time for about as many as fit in batch_seconds and whose writes fit in _LOCK_SECONDS
        # at the dearest rates of the last batches; after a batch over _LOCK_CEILING, half as many.
        size = pace.taken(len(rows), took, worked)
    return progress


def ensure_reporting_schema(conn: sqlite3.Connection) -> bool:
    """Make the reporting rows complete before reading them: the tables exist from the migration, and
    a file that predates them is back-filled here (small batches; see :func:`backfill_reporting`).

    True when rows were written. ``conn`` is outside any transaction.
    """
    if backfill_state(conn)[1]:
        return False
    return backfill_reporting(conn).tickets > 0
