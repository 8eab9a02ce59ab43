"""The SQLite schema as forward migrations, and the checks that keep foreign files untouched.

``PRAGMA application_id`` marks a file as ours; ``PRAGMA user_version`` is its schema version.
Opening applies the missing steps in one transaction. A file that is not SQLite, a SQLite database
of another application, or one written by a newer aftersales raises ``StorageError`` and is left
exactly as it was.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from aftersales.adapters.late_gap_step import SQLITE_LATE_GAP_STEP
from aftersales.adapters.reporting_sqlite_schema import (
    ATTITUDE_REPORT_STEP,
    CALLBACK_REPORT_STEP,
    COMPLETION_CATEGORY_REPORT_STEP,
    COMPLETION_DEALER_REPORT_STEP,
    COMPLETIONS_REPORT_STEP,
    EARLIEST_CONTACT_REPORT_STEP,
    EXPECTED_REPORT_STEP,
    FIRST_CYCLE_RESPONSE_REPORT_STEP,
    HANDOVER_REPORT_STEP,
    HELD_DEALER_FIRST_STEP,
    HELD_DEALER_REPORT_STEP,
    LEDGER_DUES_REPORT_STEP,
    LEDGER_REPORT_STEP,
    OUTCOME_REPORT_STEP,
    REPORTING_STEP,
    SERVING_DEALER_REPORT_STEP,
    SERVING_PAUSE_REPORT_STEP,
    SOLUTION_REPORT_STEP,
    SOLVED_RESPONSE_REPORT_STEP,
)
from aftersales.adapters.search_fold_step import (
    SQLITE_SEARCH_COMPACT_39_STEP,
    SQLITE_SEARCH_FOLD_STEP,
    SQLITE_SEARCH_REFOLD_38_STEP,
    SQLITE_SEARCH_REFOLD_STEP,
)
from aftersales.adapters.sla_sweep_sqlite import SWEEP_FOLD_STEP, SWEEP_STEP
from aftersales.adapters.sqlite_fts_merge import FTS_MERGE_STEP
from aftersales.adapters.sqlite_ticket_events import EVENTS_STEP
from aftersales.adapters.ticket_search_sqlite import (
    SEARCH_MIGRATION,
    SEARCH_PEND_TRIGGER_MIGRATION,
    SEARCH_PENDING_MIGRATION,
)
from aftersales.adapters.urgent_claim_step import SQLITE_URGENT_CLAIM_STEP
from aftersales.adapters.wait_gap_step import SQLITE_WAIT_GAP_STEP, register_wait_gap
from aftersales.errors import StorageError, StoreDamaged

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Step",
    "check_header",
    "migrate",
    "not_a_desk_file",
    "ticket_indexes",
]

APPLICATION_ID = 0x41465453  # "AFTS"
_HEADER = b"SQLite format 3\x00"

DISPATCHED_DEALER_STEP: tuple[str, ...] = (
    "ALTER TABLE tickets ADD COLUMN dispatched_dealer TEXT",
    # Only rows assigned to a dealer's id are read (the assignee index, one range per dealer), and
    # their JSON says whether that assignee is the dealer (an engineer may share the id).
    "UPDATE tickets SET dispatched_dealer = assignee_id"
    " WHERE assignee_id IN (SELECT id FROM entities WHERE kind = 'dealer')"
    " AND json_extract(data, '$.assignee.kind') = 'dealer'",
    "CREATE INDEX IF NOT EXISTS tickets_dispatched_dealer ON tickets (dispatched_dealer, received_us, id)"
    " WHERE dispatched_dealer IS NOT NULL",
    # char(31) is FIELD_SEPARATOR; the instr() check keeps a re-applied step from adding the word twice.
    "UPDATE ticket_search SET scope = scope || char(31) || 'd:' || ("
    "SELECT t.dispatched_dealer FROM tickets t WHERE t.id = ticket_search.ticket_id)"
    " WHERE ticket_id IN (SELECT id FROM tickets WHERE dispatched_dealer IS NOT NULL"
    " AND dealer_id IS NOT dispatched_dealer)"
    " AND instr(char(31) || scope || char(31), char(31) || 'd:' || ("
    "SELECT t.dispatched_dealer FROM tickets t WHERE t.id = ticket_search.ticket_id) || char(31)) = 0",
)
"""Migration step 16 (see :data:`MIGRATIONS`)."""

Step = str | Callable[[sqlite3.Connection], None]
"""A migration statement, or a Python step run with the connection in the migration's transaction (for
a change that depends on the file's state, which SQL DDL cannot test)."""

MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    # 1: tickets with their indexed columns, reference entities, the outbox.
    (
        """CREATE TABLE tickets (
            id TEXT PRIMARY KEY, version INTEGER NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
            is_open INTEGER NOT NULL, unresolved INTEGER NOT NULL, priority TEXT, urgency INTEGER NOT NULL,
            category TEXT NOT NULL, customer_id TEXT NOT NULL, dealer_id TEXT, region TEXT,
            assignee_id TEXT, product_id TEXT, batch TEXT, received_us INTEGER NOT NULL,
            resolution_due_us INTEGER, due_key INTEGER NOT NULL, description TEXT NOT NULL,
            data TEXT NOT NULL)""",
        "CREATE INDEX tickets_received ON tickets (received_us, id)",
        "CREATE INDEX tickets_state ON tickets (state, received_us, id)",
        "CREATE INDEX tickets_customer ON tickets (customer_id, received_us, id)",
        """CREATE TABLE entities (
            kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id))""",
        """CREATE TABLE outbox (
            id TEXT PRIMARY KEY, sent INTEGER NOT NULL, created_us INTEGER NOT NULL, data TEXT NOT NULL)""",
        "CREATE INDEX outbox_pending ON outbox (created_us, id) WHERE sent = 0",
    ),
    # 2: idempotency keys and versioned documents with their index table.
    (
        "CREATE TABLE idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL)",
        """CREATE TABLE documents (
            kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL,
            PRIMARY KEY (kind, id))""",
        """CREATE TABLE document_index (
            kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT, id TEXT NOT NULL,
            PRIMARY KEY (kind, field, id))""",
        "CREATE INDEX document_index_value ON document_index (kind, field, value)",
    ),
    # 3: ledger indexes for the other filters and sort orders.
    (
        "CREATE INDEX tickets_dealer ON tickets (dealer_id, received_us, id)",
        "CREATE INDEX tickets_region ON tickets (region, received_us, id)",
        "CREATE INDEX tickets_assignee ON tickets (assignee_id, received_us, id)",
        "CREATE INDEX tickets_product ON tickets (product_id, batch, received_us, id)",
        "CREATE INDEX tickets_urgency ON tickets (urgency, received_us, id)",
        "CREATE INDEX tickets_due ON tickets (due_key, id) WHERE unresolved = 1",
    ),
    # 4: the assignee index leaves out unassigned tickets (every new one): a bulk import or an intake
    # writes one index fewer, and "assignee = ?" still uses it (it implies IS NOT NULL).
    (
        "DROP INDEX tickets_assignee",
        "CREATE INDEX tickets_assignee ON tickets (assignee_id, received_us, id)"
        " WHERE assignee_id IS NOT NULL",
    ),
    # 5 (issue 23): ticket search (FTS5 trigram + two-character tokens, exact keys) and ticket labels.
    SEARCH_MIGRATION,
    # 6 (issue 25): when the retention job first saw each idempotency key, so it can expire old ones.
    (
        "CREATE TABLE idempotency_seen (key TEXT PRIMARY KEY, seen_us INTEGER NOT NULL)",
        "CREATE INDEX idempotency_seen_at ON idempotency_seen (seen_us)",
    ),
    # 7: an engineer's open tickets without reading their closed ones (the list every engineer opens).
    (
        "CREATE INDEX tickets_assignee_open ON tickets (assignee_id, received_us, id)"
        " WHERE is_open = 1 AND assignee_id IS NOT NULL",
        # resolved but not closed (awaiting acceptance or the callback): the sweep's callback pass
        "CREATE INDEX tickets_resolved_open ON tickets (received_us, id)"
        " WHERE is_open = 1 AND unresolved = 0",
    ),
    # 8: the outbox never jams: next attempt (backoff), lease (claims), dead letters, sent time
    # (retention), each with a partial index. Messages sent before this step count as sent when made.
    (
        "ALTER TABLE outbox ADD COLUMN next_us INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE outbox ADD COLUMN lease_us INTEGER",
        "ALTER TABLE outbox ADD COLUMN dead_us INTEGER",
        "ALTER TABLE outbox ADD COLUMN sent_us INTEGER",
        "UPDATE outbox SET next_us = created_us, sent_us = CASE WHEN sent = 1 THEN created_us END",
        "DROP INDEX outbox_pending",
        "CREATE INDEX outbox_due ON outbox (next_us, id) WHERE sent = 0 AND dead_us IS NULL",
        "CREATE INDEX outbox_sent ON outbox (sent_us) WHERE sent = 1",
        "CREATE INDEX outbox_dead ON outbox (dead_us, id) WHERE dead_us IS NOT NULL",
    ),
    # 9: reporting side tables written by the store with each ticket (no triggers); the rows of tickets
    # already stored are back-filled in small batches by the first report (reporting_sqlite_schema).
    REPORTING_STEP,
    # 10 (issue 21): ticket search words written to FTS5 in batches (positions pending meanwhile).
    SEARCH_PENDING_MIGRATION,
    # 11 (issue 24): the ledger export's columns beside the facts; existing rows are rewritten by the
    # same small-batch back-fill (reporting_sqlite_schema), so an export never parses a document.
    LEDGER_REPORT_STEP,
    # 12 (issue 21): a re-indexed ticket's position is listed as pending by a trigger (one UPDATE).
    SEARCH_PEND_TRIGGER_MIGRATION,
    # 13 (issue 21): the unit (asset id) a ticket names, '' for none; NULL in rows written before this
    # step (read from the JSON until their next save). A command's read joins the unit's record by it
    # instead of json_extract, which parsed the whole document on every read that missed the memo.
    ("ALTER TABLE tickets ADD COLUMN unit TEXT",),
    # 14 (issue 21): append-only events. A save writes the events it added to ticket_events and a row
    # without them (sqlite_ticket_events); rows written before keep their events until their next save
    # or SqliteStore.split_events, which converts them in small resumable batches.
    EVENTS_STEP,
    # 15 (issue 21): what the SLA sweep reads of each due ticket and each customer's tier, in tables
    # of their own kept by triggers (sla_sweep_sqlite); a file's existing rows are copied in small
    # resumable batches by the first sweep, which reads the tables once they are complete.
    SWEEP_STEP,
    # 16 (seed 002): the dealer a ticket is dispatched to, beside the dealer it belongs to, so a dealer's
    # ledger lists both (TicketFilter.dealer_scope) from two index ranges. Rows stored before that are
    # assigned to a dealer are filled from their JSON (the rows of the assignee index under dealers'
    # ids only; 0.26 s for 12,500 of them, the index 0.18 s, on a 100,000-ticket file), and the search
    # scope of those dispatched to another dealer than their own gains that dealer's word (the trigger
    # of step 12 re-queues them for the FTS index).
    DISPATCHED_DEALER_STEP,
    # 17 (session 11): the ledger's handling result (处理结果, seed 001) beside the facts, and the
    # response instant re-derived as the first customer-facing contact; existing rows are rewritten by
    # the small-batch back-fill (reporting_sqlite_schema), as in step 11.
    OUTCOME_REPORT_STEP,
    # 18 (session 15): the callback judged against a ticket's callback due time is the one made after
    # that callback was scheduled (a reopened ticket's earlier callback answered an earlier cycle);
    # existing rows are rewritten by the small-batch back-fill, as in step 11.
    CALLBACK_REPORT_STEP,
    # 19 (session 16): the dealer doing the job (the dealer's monthly count follows the money, seed 002)
    # and where the current SLA pause began (a ticket awaiting the customer is not late in the KPI while
    # its clock stands) beside the facts; fault rows are one per fault occurrence. Existing rows are
    # rewritten by the small-batch back-fill, as in step 11.
    SERVING_PAUSE_REPORT_STEP,
    # 20 (session 20): the ledger's promised times (seed 003: the customer's 期望解决时间 and the 预计上门或
    # 解决时间 they were told) beside the facts; existing rows are rewritten by the small-batch back-fill.
    EXPECTED_REPORT_STEP,
    # 21 (session 21): the callback's attitude evaluation (seed 001 三(七)2) beside the satisfaction, for
    # the KPI's mean attitude; existing rows are rewritten by the small-batch back-fill.
    ATTITUDE_REPORT_STEP,
    # 22 (session 22): the due times the ledger export shows (the ticket's own, as on the other stores)
    # beside the KPI's judged ones; existing rows are rewritten by the small-batch back-fill.
    LEDGER_DUES_REPORT_STEP,
    # 23 (session 24): how long after the due a ticket's resolution still counts on time (to its late-after
    # instant: a working-time due outside working hours) beside the due, for the ledger's breached
    # filter; rows whose document stores a later instant are filled from it, the others keep 0.
    SQLITE_LATE_GAP_STEP,
    # 24 (session 24): each completion of a ticket's work (every acceptance, the ones a reopen ended too)
    # with an index on its instant, for a dealer's month (seed 002 分工 7/10); existing tickets are
    # written again by the small-batch back-fill.
    COMPLETIONS_REPORT_STEP,
    # 25 (session 25): the dealer who did each completion's work, so passing the rework to another dealer
    # leaves the first dealer's reported month as it was (seed 002 分工 7, 档案 b); back-filled as 24.
    COMPLETION_DEALER_REPORT_STEP,
    # 26 (session 25): a row's response instant is its first cycle's (a contact after a reopen answered no
    # response clock, and the KPI judged it against the fallback target); rows rewritten by the back-fill.
    FIRST_CYCLE_RESPONSE_REPORT_STEP,
    # 27 (session 26): the category each completion was completed under, so a reclassification after
    # the acceptance leaves a reported month's counts by category as they were (seed 002 分工 10);
    # back-filled as 24.
    COMPLETION_CATEGORY_REPORT_STEP,
    # 28 (session 29): the next step but one, placed here too by its merge (HELD_DEALER_FIRST_STEP).
    HELD_DEALER_FIRST_STEP,
    # 29 (session 26): the ledger rows of tickets stored waiting (for the customer, for parts) since
    # before their due by an earlier release get the late_gap session 25 gives them, from their documents
    # (the breached filter listed them until their next save).
    SQLITE_WAIT_GAP_STEP,
    # 30 (session 27): a row's response instant is the earliest contact by when it was made (one entered
    # after the fact kept the first one recorded until the ticket's next save); rows rewritten by the
    # back-fill.
    EARLIEST_CONTACT_REPORT_STEP,
    # 31 (session 29): a completion's dealer is the dealer who did the job (ports.reporting.doing_dealer),
    # none for one the maker's people did (seed 002 分工 10); rows rewritten by the back-fill.
    HELD_DEALER_REPORT_STEP,
    # 32 (session 30): a row's dealer for the KPIs by dealer is the dealer doing the job too, none for the
    # maker's own work (seed 002 分工 12); rows rewritten by the back-fill.
    SERVING_DEALER_REPORT_STEP,
    # 33 (session 33, issue 21): the ledger's indexes of the unresolved tickets by due and of the resolved
    # open ones go where the sweep tables hold the same keys (a dispatch wrote both: 2.2 WAL pages each);
    # the ledger reads those tables instead (sla_sweep_ledger). A file whose sweep tables are not filled
    # yet keeps them until the fill's last batch (sla_sweep_sqlite).
    SWEEP_FOLD_STEP,
    # 34 (session 34): a customer's own "urgent" (seed 001 三(二)2) as a ledger column, for the ticket
    # lists and exports; the rows stored before are filled by the small-batch back-fill (urgent_claim_step).
    SQLITE_URGENT_CLAIM_STEP,
    # 35 (session 34): a row's response instant is the work marked done by staff when no contact came
    # before it (a call solved by phone was answered then); rows rewritten by the back-fill.
    SOLVED_RESPONSE_REPORT_STEP,
    # 36 (session 35): search text folds traditional Chinese to simplified (ports.script_folding); the
    # rows stored before are folded by the small-batch fold (search_fold_step).
    SQLITE_SEARCH_FOLD_STEP,
    # 37 (session 35): where a complaint's resolution was met by its solution given (seed 003 二 5), a
    # column the KPI's time to resolve reads; NULL for every row stored before (no back-fill).
    SOLUTION_REPORT_STEP,
    # 38 (session 36): whether a row is a request handed over as a complaint (seed 004 第七条 3), which the
    # KPI leaves out (the complaint is that call); rows rewritten by the back-fill where any was cancelled.
    HANDOVER_REPORT_STEP,
    # 39 (session 36): the fold also takes 瞭, 覆, 藉 to 了, 复, 借 (ports.script_folding.WORD_FORMS); the
    # rows stored are folded again by the small-batch fold, and the fold they are keyed by is recorded.
    SQLITE_SEARCH_REFOLD_STEP,
    # 40 (session 38): the fold also takes 祇, 衹 to 只, 彷 to 仿, 甦 to 苏 (ports.script_folding.WORD_FORMS);
    # the rows stored are folded again by the small-batch fold (a search is right meanwhile), the fold
    # recorded.
    SQLITE_SEARCH_REFOLD_38_STEP,
    # 41 (session 39, issue 21): FTS5 merges no segments inside the writing transaction (automerge 0,
    # crisismerge 64 as a safety net); the writer merges a bounded slice after its commit, in a short
    # transaction of its own (sqlite_fts_merge). Settings in each table's _config only: no row moves.
    FTS_MERGE_STEP,
    # 42 (session 39, issue 23): a serial or batch is also indexed without its separators (sn1 finds
    # SN-1); the rows stored are walked again by the small-batch fold, which adds those forms.
    SQLITE_SEARCH_COMPACT_39_STEP,
)

SCHEMA_VERSION = len(MIGRATIONS)


def ticket_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Name and SQL of each secondary index on ``tickets`` (the id's implicit one has no SQL)."""
    found: list[tuple[str, str]] = conn.execute(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL"
    ).fetchall()
    return found


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)")


def _has_added_column(conn: sqlite3.Connection, statement: str) -> bool:
    """Whether ``statement`` adds a column the table has already (``ADD COLUMN`` has no ``IF NOT
    EXISTS``): a file whose version was set back by hand re-applies the later steps, as the
    ``CREATE … IF NOT EXISTS`` steps allow, instead of failing on the column it kept."""
    found = _ADD_COLUMN.match(statement)
    if found is None:
        return False
    table, column = found.groups()
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


def check_header(path: Path) -> None:
    """Refuse a non-empty file that is not a SQLite database, before SQLite touches it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc
    if head and head != _HEADER:
        raise StoreDamaged(f"{path} is not a SQLite database (corrupt or foreign file); it was not modified")


_APPLICATION_ID_AT = 68
"""Where the SQLite header keeps ``PRAGMA application_id`` (4 bytes, big-endian)."""


def not_a_desk_file(path: Path) -> str | None:
    """Why the file at ``path`` holds no aftersales database (``None``: it does), read from its header
    without opening it through SQLite, so nothing is created or changed.

    For a caller that only reads an existing desk (``aftersales report --db``): opening the store
    would create the schema in a missing, empty or blank SQLite file and report on nothing, so a
    mistyped path would look like an empty month. The store writes its application id while the file
    is still in rollback-journal mode (before WAL), so a file it made carries the id in its header.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_APPLICATION_ID_AT + 4)
    except FileNotFoundError:
        return "no such file"
    except IsADirectoryError:
        return "a folder, not a file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror})"
    if not head:
        return "the file is empty"
    if not head.startswith(_HEADER) or len(head) < _APPLICATION_ID_AT + 4:
        return "not a SQLite database"
    if int.from_bytes(head[_APPLICATION_ID_AT:], "big") != APPLICATION_ID:
        return "a SQLite database without the aftersales schema"
    return None


def not_current_schema(path: Path) -> str | None:
    """Why the aftersales database at ``path`` cannot be read as it is (``None``: its schema is this
    aftersales's), asked through a read-only connection, so nothing is migrated or changed.

    For a caller that only reads (``aftersales report --db``): opening the store brings an older schema
    up to date, which is a write to a file the caller only meant to read (a copy, a backup, a file another
    version of the service still writes). The version is read through SQLite rather than from the header,
    so a migration still in the write-ahead log counts.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError) as exc:
        return f"cannot read its schema version ({exc})"
    if version < SCHEMA_VERSION:
        return (
            f"its schema is version {version}, older than this aftersales's ({SCHEMA_VERSION}); a report "
            "does not upgrade it: open it once with the service desk (ServiceDesk.open), then report"
        )
    if version > SCHEMA_VERSION:
        return (
            f"its schema is version {version}, newer than this aftersales knows ({SCHEMA_VERSION}): upgrade"
        )
    return None


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION, where: str = "database") -> int:
    """Bring the schema up to ``target`` (in one transaction); return the version found before.

    A database already at ``target`` is left without taking the write lock (a committed version read
    outside a transaction is the version: a migration in progress elsewhere has not committed it yet, and
    then this one waits for it below), so opening a desk, or a report, does not wait behind a command.
    """
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID and conn.execute("PRAGMA user_version").fetchone()[0] == target:
        return int(target)
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != 0 or has_tables:
                raise StoreDamaged(
                    f"{where} is a SQLite database of another application; it was not modified"
                )
            version = 0
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{where} has schema version {version}, newer than this aftersales knows "
                f"({SCHEMA_VERSION}); upgrade aftersales"
            )
        register_wait_gap(conn)  # the Python rule a step calls (adapters/wait_gap_step)
        for step in range(version, target):
            for statement in MIGRATIONS[step]:
                if not isinstance(statement, str):
                    statement(conn)
                elif not _has_added_column(conn, statement):
                    conn.execute(statement)
        if target > version:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
        return int(version)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
