"""The PostgreSQL store: ``psycopg`` 3 with a ``psycopg_pool`` pool, ``jsonb``, version-checked updates.

``open_postgres("postgresql://user@host:5432/db")``; add ``?schema=name`` to keep the tables in
their own schema (created if missing), e.g. one per test run. ``?synchronous_commit=off`` (or
``local``…) sets PostgreSQL's ``synchronous_commit`` for the store's sessions: a commit returns
before its WAL reaches the disk, several times more commands per second on one connection, and a
server crash may lose the last few hundred milliseconds of commits (never corrupts; the default
``on`` loses nothing). ``?pool_min=N&pool_max=M`` size the connection pool (default 1 and 8);
``?prepare_threshold=N`` is psycopg's (default here 0: every statement is prepared on first use; use
a large N behind a transaction-pooling proxy). ``?ticket_cache=N`` keeps N tickets this process
wrote parsed (default 4096, 0 for none), each checked against its row on every read
(:mod:`aftersales.adapters.postgres_tickets`). A command costs two round trips: one ``SELECT`` of
the ticket and what the command reads with it (prepared once per connection, executed with ``BEGIN``
in one query), then its writes and ``COMMIT`` in one round trip, each write a statement prepared once
per connection, its values bound in one libpq pipeline
(:mod:`aftersales.adapters.postgres_wire_pipeline`; literals, :mod:`aftersales.adapters.postgres_literals`,
where a write cannot travel so; :mod:`aftersales.adapters.postgres_pipeline` says when their errors
surface). A unit of work's connection, given back idle, is kept for the next one
instead of going through the pool each time (:meth:`PostgresStore.release`). The schema is
versioned like the SQLite one (table ``aftersales_schema``) and migrated on open under an advisory
lock, so several processes may open the same database at once. A unit of work is one transaction
on a pooled connection; ``UPDATE … WHERE version = %s`` refuses stale writes (a command's ticket is
locked by ``SELECT … FOR UPDATE`` first); inserts that run at once use ``ON CONFLICT DO NOTHING`` so a
duplicate is reported without aborting the transaction.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import attrs

from aftersales.adapters.attachments_postgres import PostgresAttachmentStore
from aftersales.adapters.completions_postgres import (
    POSTGRES_COMPLETION_CATEGORY_STEP,
    POSTGRES_COMPLETIONS_STEP,
    POSTGRES_HELD_DEALER_STEP,
)
from aftersales.adapters.erasure_memos import forget_parsed
from aftersales.adapters.fork_guard import ForkGuard
from aftersales.adapters.late_gap_postgres import POSTGRES_LATE_GAP_TABLE_STEP
from aftersales.adapters.late_gap_step import POSTGRES_LATE_GAP_STEP
from aftersales.adapters.postgres_ahead import (
    DEALER_FIELD,
    FOLLOWED,
    by_unit_dealer,
    dealer_rows,
    followed_read,
    followed_row,
)
from aftersales.adapters.postgres_entity_reads import (
    BY_TICKET,
    OPTIONAL,
    VERSIONS,
    EntityReads,
    by_ticket,
    versions_of,
)
from aftersales.adapters.postgres_import import copy_rows
from aftersales.adapters.postgres_liveness import still_open
from aftersales.adapters.postgres_party_words import select_party_words
from aftersales.adapters.postgres_pipeline import Kept, Transaction, translated
from aftersales.adapters.postgres_tickets import PostgresTickets
from aftersales.adapters.search_fold_step import (
    POSTGRES_SEARCH_COMPACT_39_STEP,
    POSTGRES_SEARCH_FOLD_STEP,
    POSTGRES_SEARCH_REFOLD_38_STEP,
    POSTGRES_SEARCH_REFOLD_STEP,
    SearchFoldProgress,
    fold_search_keys_postgres,
)
from aftersales.adapters.sql_repositories import SqlDocuments, SqlIdempotency, SqlOutbox
from aftersales.adapters.sqlite_made import MadeOnFirstUse, drop_made, made_names
from aftersales.adapters.text_index_postgres import PostgresStoredTextIndex
from aftersales.adapters.ticket_memo import DEFAULT_LIMIT, TicketMemo, check_limit
from aftersales.adapters.ticket_search_postgres import (
    SEARCH_MIGRATION,
    SEARCH_NOTES_STEP,
    PostgresTicketSearch,
)
from aftersales.adapters.urgent_claim_step import POSTGRES_URGENT_CLAIM_STEP
from aftersales.adapters.wait_gap_step import POSTGRES_WAIT_GAP_STEP
from aftersales.domain.bounds import POSITIVE
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.errors import (
    ConfigurationError,
    DuplicateError,
    InvalidStoreOption,
    NotFound,
    StorageError,
    ValidationError,
)
from aftersales.ports.batch_search import PartyWords
from aftersales.ports.documents import D, Document, document_spec, index_value, with_version
from aftersales.ports.erasure import keeps_personal_copies
from aftersales.ports.ledger_rows import LedgerRows
from aftersales.ports.outbox import OutboxMessage, outbox_message, stored_outbox_record
from aftersales.ports.read_ahead import ReadAhead
from aftersales.ports.reporting import ReportingQueries
from aftersales.ports.store_upkeep import UpkeepReport
from aftersales.serialization import decode_json, encode_json, encode_json_utf8, loads, structure, unstructure

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.types.json import Jsonb, set_json_loads
    from psycopg_pool import ConnectionPool
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

_CONFLICT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION aftersales_version_conflict(kind TEXT, id TEXT, expected INTEGER)"
    " RETURNS INTEGER LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION USING"
    " ERRCODE = 'serialization_failure',"
    " MESSAGE = 'aftersales: ' || kind || ' ' || id || ' is no longer at version ' || expected,"
    " DETAIL = json_build_array(kind, id, expected)::text; END $$"
)
"""Raises a serialization failure (a lost race: ``ConcurrencyConflict``) naming a document whose save
found it at another version."""

_ADD_RETURNING = (
    "WITH added AS (INSERT INTO documents (kind, id, version, data) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT DO NOTHING RETURNING version, data)"
    " SELECT true, version, data FROM added UNION ALL SELECT false, version, data FROM documents"
    " WHERE kind = %s AND id = %s AND NOT EXISTS (SELECT 1 FROM added)"
)
"""A document's insert, giving back ``(True, version, data)`` as stored, or ``(False, …)`` the row already
stored under its id (no row: the id was taken by a transaction that committed while this waited, which
this statement's snapshot does not see)."""

_INSERT_LATER = "INSERT INTO documents (kind, id, version, data) VALUES (%s, %s, %s, %s)"
"""A document's insert sent later (a duplicate key fails the statement and the transaction with it)."""

_SAVE_CHECKED = (
    "WITH saved AS (UPDATE documents SET version = %s, data = %s WHERE kind = %s AND id = %s AND version = %s"
    " RETURNING 1) SELECT aftersales_version_conflict(%s, %s, %s) WHERE NOT EXISTS (SELECT 1 FROM saved)"
)
"""A document's save checked by the server: no row at the version read (another writer saved it, or
deleted it) fails the statement, the transaction with it."""


__all__ = ["MIGRATIONS", "PostgresStore", "PostgresUnitOfWork", "open_postgres"]

T = TypeVar("T")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE tickets (
            id TEXT PRIMARY KEY, version INTEGER NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
            is_open BOOLEAN NOT NULL, unresolved BOOLEAN NOT NULL, priority TEXT, urgency SMALLINT NOT NULL,
            category TEXT NOT NULL, customer_id TEXT NOT NULL, dealer_id TEXT, region TEXT,
            assignee_id TEXT, product_id TEXT, batch TEXT, received_us BIGINT NOT NULL,
            resolution_due_us BIGINT, due_key BIGINT NOT NULL, description TEXT NOT NULL,
            data JSONB NOT NULL)""",
        "CREATE INDEX tickets_received ON tickets (received_us, id)",
        "CREATE INDEX tickets_state ON tickets (state, received_us, id)",
        "CREATE INDEX tickets_customer ON tickets (customer_id, received_us, id)",
        """CREATE TABLE entities (
            kind TEXT NOT NULL, id TEXT NOT NULL, data JSONB NOT NULL, PRIMARY KEY (kind, id))""",
        """CREATE TABLE outbox (
            id TEXT PRIMARY KEY, sent BOOLEAN NOT NULL, created_us BIGINT NOT NULL, data JSONB NOT NULL)""",
        "CREATE INDEX outbox_pending ON outbox (created_us, id) WHERE NOT sent",
    ),
    (
        "CREATE TABLE idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL)",
        """CREATE TABLE documents (
            kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, data JSONB NOT NULL,
            PRIMARY KEY (kind, id))""",
        """CREATE TABLE document_index (
            kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT, id TEXT NOT NULL,
            PRIMARY KEY (kind, field, id))""",
        "CREATE INDEX document_index_value ON document_index (kind, field, value)",
    ),
    (
        "CREATE INDEX tickets_dealer ON tickets (dealer_id, received_us, id)",
        "CREATE INDEX tickets_region ON tickets (region, received_us, id)",
        "CREATE INDEX tickets_assignee ON tickets (assignee_id, received_us, id)",
        "CREATE INDEX tickets_product ON tickets (product_id, batch, received_us, id)",
        "CREATE INDEX tickets_urgency ON tickets (urgency, received_us, id)",
        "CREATE INDEX tickets_due ON tickets (due_key, id) WHERE unresolved",
    ),
    # Issue 23: ticket search (pg_trgm GIN, two-character tokens, exact keys) and ticket labels.
    SEARCH_MIGRATION,
    # issue 25: when the retention job first saw each idempotency key, so it can expire old ones.
    (
        "CREATE TABLE idempotency_seen (key TEXT PRIMARY KEY, seen_us BIGINT NOT NULL)",
        "CREATE INDEX idempotency_seen_at ON idempotency_seen (seen_us)",
    ),
    # 5: an engineer's open tickets without reading their closed ones.
    (
        "CREATE INDEX tickets_assignee_open ON tickets (assignee_id, received_us, id) WHERE is_open",
        "CREATE INDEX tickets_resolved_open ON tickets (received_us, id) WHERE is_open AND NOT unresolved",
    ),
    # The outbox never jams: next attempt, lease, dead letters, sent time (see sqlite_schema step 5).
    (
        "ALTER TABLE outbox ADD COLUMN next_us BIGINT NOT NULL DEFAULT 0, ADD COLUMN lease_us BIGINT,"
        " ADD COLUMN dead_us BIGINT, ADD COLUMN sent_us BIGINT",
        "UPDATE outbox SET next_us = created_us, sent_us = CASE WHEN sent THEN created_us END",
        "DROP INDEX outbox_pending",
        "CREATE INDEX outbox_due ON outbox (next_us, id) WHERE NOT sent AND dead_us IS NULL",
        "CREATE INDEX outbox_sent ON outbox (sent_us) WHERE sent",
        "CREATE INDEX outbox_dead ON outbox (dead_us, id) WHERE dead_us IS NOT NULL",
    ),
    # Issue 21: room on each page for a ticket's next version, so a command's update is HOT (no new
    # entry in the 12 ticket indexes) unless it changes an indexed column. No rewrite: pages written
    # from now on keep the room.
    ("ALTER TABLE tickets SET (fillfactor = 80)",),
    # Issue 21: a ticket's document (about 2 kB, stored compressed inline) is compressed on every save;
    # lz4 costs the server about 65 µs less per save than the default pglz (measured on the
    # development server). Only new writes use it, nothing is rewritten; a server built without lz4
    # (or older than PostgreSQL 14) keeps pglz.
    (
        "DO $$ BEGIN EXECUTE 'ALTER TABLE tickets ALTER COLUMN data SET COMPRESSION lz4';"
        " EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL; END $$",
    ),
    # Seed 002: the dealer a ticket is dispatched to, beside the dealer it belongs to, so a dealer's
    # ledger lists both (TicketFilter.dealer_scope) from two index ranges; rows stored before that are
    # assigned to a dealer's id are filled from their document (the assignee index under dealers' ids).
    # Search reads the ticket columns: nothing to re-index.
    (
        "ALTER TABLE tickets ADD COLUMN IF NOT EXISTS dispatched_dealer TEXT",
        "UPDATE tickets SET dispatched_dealer = assignee_id"
        " WHERE assignee_id IN (SELECT id FROM entities WHERE kind = 'dealer')"
        " AND data #>> '{assignee,kind}' = 'dealer'",
        "CREATE INDEX IF NOT EXISTS tickets_dispatched_dealer ON tickets (dispatched_dealer, received_us, id)"
        " WHERE dispatched_dealer IS NOT NULL",
    ),
    # Attachment bytes in the database, 1 MiB a row (:mod:`aftersales.adapters.attachments_postgres`):
    # a PostgreSQL desk has an attachment store of its own, as memory and SQLite desks do. Stored
    # uncompressed (EXTERNAL): photos and PDFs are compressed already.
    (
        "CREATE TABLE IF NOT EXISTS attachment_chunks"
        " (sha256 TEXT NOT NULL, n INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (sha256, n))",
        "ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
    ),
    # Session 24: how long after the due a ticket's resolution still counts on time (to its late-after
    # instant: a working-time due outside working hours) beside the due, for the ledger's breached
    # filter; rows whose document stores a later instant are filled from it, the others keep 0.
    POSTGRES_LATE_GAP_STEP,
    # Session 25: each completion of a ticket's work (its instant, the dealer who did it) by an index on
    # the instant, for a dealer's month (seed 002 分工 7/10; SQLite's report_completions); the tickets
    # stored before are written by a small-batch back-fill before the first read.
    POSTGRES_COMPLETIONS_STEP,
    # Session 26 (issue 21): a document's save whose version check fails raises a lost race from the
    # server, so a command's saves travel with its next statement or its commit
    # (:data:`_SAVE_CHECKED`) instead of a round trip each.
    (_CONFLICT_FUNCTION,),
    # Session 26: the category each completion was completed under (a reclassification after the
    # acceptance leaves a reported month's counts as they were); rows rewritten by the back-fill.
    POSTGRES_COMPLETION_CATEGORY_STEP,
    # Session 26: the rows of tickets stored waiting (for the customer, for parts) since before their due
    # by an earlier release get the late_gap session 25 gives them, from their documents' events.
    POSTGRES_WAIT_GAP_STEP,
    # Session 27 (issue 21): the late_gap back-fill's position (late_gap_postgres), complete where the
    # late_gap step above filled every row inside the migration (as it did until session 27).
    POSTGRES_LATE_GAP_TABLE_STEP,
    # Session 29: a completion's dealer is the dealer who held the job, none for one the maker's people
    # did (seed 002 分工 10); rows rewritten by the back-fill.
    POSTGRES_HELD_DEALER_STEP,
    # Session 32 (issue 21): a note's search text in a row of its own (ticket_search_postgres).
    SEARCH_NOTES_STEP,
    # Session 34: a customer's own "urgent" (seed 001 三(二)2) as a ledger column; the rows stored before
    # are filled by the small-batch back-fill (urgent_claim_step).
    POSTGRES_URGENT_CLAIM_STEP,
    # Session 35: search text folds traditional Chinese to simplified (ports.script_folding); the rows
    # stored before are folded by the small-batch fold (search_fold_step).
    POSTGRES_SEARCH_FOLD_STEP,
    # Session 36: the fold also takes 瞭, 覆, 藉 to 了, 复, 借 (ports.script_folding.WORD_FORMS); the rows
    # stored are folded again by the small-batch fold, and the fold they are keyed by is recorded.
    POSTGRES_SEARCH_REFOLD_STEP,
    # Session 38: the fold also takes 祇, 衹 to 只, 彷 to 仿, 甦 to 苏 (ports.script_folding.WORD_FORMS); the
    # rows stored are folded again by the small-batch fold in upkeep, the fold recorded.
    POSTGRES_SEARCH_REFOLD_38_STEP,
    # Session 39 (issue 23): a serial or batch is also indexed without its separators (sn1 finds SN-1);
    # the rows stored are walked again by the small-batch fold in upkeep, which adds those forms.
    POSTGRES_SEARCH_COMPACT_39_STEP,
)
SCHEMA_VERSION = len(MIGRATIONS)
_LOCK_KEY = 0x41465453
_translated = translated
_PARSED_LIMIT = 4096
"""Entities kept parsed per store, by their stored text (customers, engineers, dealers read per command)."""


_THROUGH_POOL = 64
"""One connection release in this many goes back to the pool (which retires old connections)."""
_OK = psycopg.pq.ConnStatus.OK
_IDLE = psycopg.pq.TransactionStatus.IDLE

_SYNCHRONOUS_COMMIT = ("on", "off", "local", "remote_write", "remote_apply")
_OPTIONS = ("schema", "synchronous_commit", "pool_min", "pool_max", "prepare_threshold", "ticket_cache")


@attrs.frozen
class _PgOptions:
    """What the aftersales part of a ``postgresql://`` URL says (the rest goes to libpq)."""

    conninfo: str
    schema: str | None = None
    synchronous_commit: str | None = None
    pool_min: int | None = None
    pool_max: int | None = None
    prepare_threshold: int | None = None
    ticket_cache: int | None = None


MAX_POOL = 1000
"""The most connections one store's pool may hold (``pool_min``, ``pool_max``). PostgreSQL serves 100 by
default, and one process rarely runs more units of work at once than it has threads: a larger pool is
a slip of the keyboard, and ``pool_min=100000`` opened connections until the server refused them."""


def _count(name: str, value: str | None, low: int, high: int | None = None) -> int | None:
    if value is None:
        return None
    if (
        not value.isascii()
        or not value.isdigit()
        or int(value) < low
        or (high is not None and int(value) > high)
    ):
        most = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise InvalidStoreOption(f"{name} is a whole number {most}, got {value!r}", option=name)
    return int(value)


def _parse_url(url: str) -> _PgOptions:
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ValidationError(f"not a PostgreSQL URL: {url!r}", field="url")
    query = parse_qsl(parts.query, keep_blank_values=True)  # "option=" is a bad value, not no option
    ours = {k: v for k, v in query if k in _OPTIONS}
    for name in ours:  # the same option twice: which one holds is not for us to guess
        if sum(1 for k, _ in query if k == name) > 1:
            raise InvalidStoreOption(f"{name} is given twice in the URL", option=name)
    # Percent-encoded as libpq decodes them: urlencode's default writes a space as "+", which libpq
    # keeps ("application_name=my%20desk" reached the server as "my+desk", libpq's "options" failed).
    rest = urlencode([(k, v) for k, v in query if k not in _OPTIONS], quote_via=quote)
    schema = ours.get("schema")
    if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
        raise InvalidStoreOption(
            f"schema must be a lower-case SQL identifier, got {schema!r}", option="schema"
        )
    sync = ours.get("synchronous_commit")
    if sync is not None and sync not in _SYNCHRONOUS_COMMIT:
        raise InvalidStoreOption(
            f"synchronous_commit must be one of {', '.join(_SYNCHRONOUS_COMMIT)}, got {sync!r}",
            option="synchronous_commit",
        )
    options = _PgOptions(
        urlunsplit(("postgresql", parts.netloc, parts.path, rest, parts.fragment)),
        schema,
        sync,
        _count("pool_min", ours.get("pool_min"), 0, MAX_POOL),
        _count("pool_max", ours.get("pool_max"), 1, MAX_POOL),
        _count("prepare_threshold", ours.get("prepare_threshold"), 0),
        None if ours.get("ticket_cache") is None else check_limit(ours["ticket_cache"]),
    )
    if options.pool_min is not None and options.pool_max is not None and options.pool_min > options.pool_max:
        raise InvalidStoreOption("pool_min is larger than pool_max", option="pool_min")
    try:  # the rest is libpq's: a parameter it does not know is refused here, not at the first connect
        libpq = conninfo_to_dict(options.conninfo)
    except psycopg.ProgrammingError as exc:
        # The same error as a bad option of ours (and as SQLite's unknown option), naming the option.
        named = re.search(r'"([^"]+)"', str(exc))
        raise InvalidStoreOption(
            f"{exc} (aftersales reads {', '.join(_OPTIONS)}; libpq the parameters it documents)",
            option=named.group(1) if named else "url",
        ) from None
    _refuse_twice(options, str(libpq.get("options") or ""))
    return options


_SETTING = re.compile(r"(?:^|\s)(?:-c\s*|--)([A-Za-z0-9_.-]+)=")
"""A server setting in libpq's ``options`` (``-c name=value`` or ``--name=value``)."""


def _refuse_twice(options: _PgOptions, libpq_options: str) -> None:
    """Refuse a server setting the store sets from one of its options (``schema``: the search path,
    ``synchronous_commit``) that libpq's own ``options`` parameter sets too: one of the two would be
    dropped, and which one is not for us to guess."""
    named = {m.group(1).lower().replace("-", "_") for m in _SETTING.finditer(libpq_options)}
    for option, setting, given in (
        ("schema", "search_path", options.schema),
        ("synchronous_commit", "synchronous_commit", options.synchronous_commit),
    ):
        if given is not None and setting in named:
            raise InvalidStoreOption(
                f"{option} is given twice in the URL: as the store option and as {setting}"
                " in libpq's options",
                option=option,
            )


def _session_options(conninfo: str, settings: list[str]) -> str | None:
    """libpq's ``options`` for the store's connections: those the URL gave libpq, then the store's own
    ``settings`` (``-c name=value``). Passed on their own, the store's replaced the URL's: a URL with
    ``options=-c statement_timeout=…`` and ``schema=…`` lost its timeout without a word."""
    theirs = str(conninfo_to_dict(conninfo).get("options") or "").strip()
    joined = " ".join([theirs, *settings] if theirs else settings)
    return joined or None


def _split_url(url: str) -> tuple[str, str | None]:
    options = _parse_url(url)
    return options.conninfo, options.schema


class PostgresStore:
    """A store factory on one PostgreSQL database (and schema), with a connection pool."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8, timeout: float = 10.0) -> None:
        self.url = url
        options = _parse_url(url)
        conninfo, self.schema = options.conninfo, options.schema
        min_size = options.pool_min if options.pool_min is not None else min_size
        max_size = options.pool_max if options.pool_max is not None else max(max_size, min_size)
        if min_size > max_size:
            raise InvalidStoreOption("pool_min is larger than the pool's size", option="pool_min")
        for name, size, low in (("pool_min", min_size, 0), ("pool_max", max_size, 1)):  # given as arguments
            if isinstance(size, bool) or not isinstance(size, int) or not low <= size <= MAX_POOL:
                raise InvalidStoreOption(f"{name} is a whole number from {low} to {MAX_POOL}", option=name)
        # Autocommit: the unit of work sends BEGIN and COMMIT itself, each with other statements.
        kwargs: dict[str, Any] = {"autocommit": True}
        # Statements this adapter runs on every command are few and fixed: prepared on their first use
        # (psycopg's default waits for the 5th) they skip parsing and planning from then on.
        kwargs["prepare_threshold"] = 0 if options.prepare_threshold is None else options.prepare_threshold
        settings = []
        if self.schema:
            settings.append(f"-c search_path={self.schema}")
        if options.synchronous_commit is not None:
            settings.append(f"-c synchronous_commit={options.synchronous_commit}")
        session = _session_options(conninfo, settings)
        if session is not None:
            kwargs["options"] = session
        self._closed = False
        self._attachments: PostgresAttachmentStore | None = None
        self.tickets_kept = TicketMemo(
            DEFAULT_LIMIT if options.ticket_cache is None else options.ticket_cache
        )
        self._parsed: OrderedDict[tuple[str, str], object] = OrderedDict()
        self.entity_reads = EntityReads()
        """Which entities a command's ticket read brings along (learned from what commands use)."""
        self._parsed_lock = threading.Lock()
        keeps_personal_copies(self)  # an erasure through any desk of this process reaches these memos
        self._idle: list[psycopg.Connection[Any]] = []
        """Connections taken from the pool and given back by a unit of work, kept for the next."""
        self._idle_lock = threading.Lock()
        self._waiting = 0
        """Threads waiting for the pool: while any is, released connections go back to it."""
        self._releases = 0
        with _translated("connect"):
            # One direct connection first, schema or not: a server that is down or refuses us fails the
            # open at once with the driver's reason, not after the pool's timeout of retries.
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=max(1, int(timeout))) as admin:
                if self.schema:
                    admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self._pool_args = (conninfo, min_size, max_size, kwargs, timeout)
            self._pool = self._open_pool()
        self._fork = ForkGuard()
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    def _migrate(self) -> None:
        with _translated("migrate"), self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute("CREATE TABLE IF NOT EXISTS aftersales_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM aftersales_schema").fetchone()
            if row is None:
                has = conn.execute(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_name = 'tickets'"
                ).fetchone()
                if has is not None and has[0]:
                    raise StorageError("the schema holds a 'tickets' table of another application")
                conn.execute("INSERT INTO aftersales_schema (version) VALUES (0)")
                version = 0
            else:
                version = int(row[0])
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"database schema version {version} is newer than this aftersales ({SCHEMA_VERSION})"
                )
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step]:
                    conn.execute(statement)
            conn.execute("UPDATE aftersales_schema SET version = %s", (SCHEMA_VERSION,))

    def __call__(self) -> PostgresUnitOfWork:
        if self._closed:
            raise StorageError("the PostgreSQL store is closed")
        self._fork.own(self._reopen_after_fork)  # before the unit of work takes this process's memos
        return PostgresUnitOfWork(self)

    def reader(self, *, snapshot: bool = True) -> PostgresUnitOfWork:
        """A read-only unit of work (issue 18, :mod:`aftersales.adapters.postgres_read`): repeatable
        read, or read committed with ``snapshot=False``."""
        if self._closed:
            raise StorageError("the PostgreSQL store is closed")
        self._fork.own(self._reopen_after_fork)
        from aftersales.adapters.postgres_read import PostgresReadUnitOfWork

        return PostgresReadUnitOfWork(self, snapshot)

    def acquire(self) -> psycopg.Connection[Any]:
        """A connection for one unit of work: the one the last unit of work gave back if it is
        idle, else one from the pool (see :meth:`release`)."""
        if self._closed:
            raise StorageError("the PostgreSQL store is closed")
        self._fork.own(self._reopen_after_fork)
        with self._idle_lock:
            kept = self._idle.pop() if self._idle else None
        if kept is not None:
            if still_open(kept):
                return kept
            self._pool.putconn(kept)  # closed: the pool drops it and opens another in its place
        with self._idle_lock:
            self._waiting += 1  # from now on, a released connection goes back to the pool, to us
        try:
            # After a server restart every pooled connection may be dead: each is given back (the
            # pool replaces it) until a live one comes, at most one more than the pool holds.
            for _ in range(self._pool.max_size + 1):
                with _translated("connect"):
                    conn = self._pool.getconn()
                if still_open(conn):
                    return conn
                self._pool.putconn(conn)
            raise StorageError("connect: the PostgreSQL server ends every new session")
        finally:
            with self._idle_lock:
                self._waiting -= 1

    def _reopen_after_fork(self) -> None:
        """In a process forked after the store was opened: a pool of this process's own (the
        parent's pool, its connections and its threads are the parent's; see :mod:`fork_guard`)."""
        ForkGuard.keep((self._pool, self._idle))
        self._idle, self._waiting = [], 0
        self._idle_lock, self._parsed_lock = threading.Lock(), threading.Lock()
        self.tickets_kept = TicketMemo(self.tickets_kept.limit)
        self._pool = self._open_pool()

    def _open_pool(self) -> ConnectionPool:
        conninfo, min_size, max_size, kwargs, timeout = self._pool_args
        return ConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            kwargs=kwargs,
            timeout=timeout,
            open=True,
            configure=_configure,
        )

    def blocks_nested_units(self, other: object) -> bool:
        """Whether a unit of work of ``other`` opened inside one of this store's may wait for it
        (:class:`~aftersales.ports.BlocksNestedUnits`): ``other`` is this store, whose pool a command
        already holds a connection of — under load every connection is held by a command waiting for a
        second. Another store object has a pool of its own."""
        return other is self

    def _connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled connection for the attachments, from this process's pool."""
        self._fork.own(self._reopen_after_fork)
        return self._pool.connection()

    def release(self, conn: psycopg.Connection[Any]) -> None:
        """Give back a unit of work's connection. A healthy one outside any transaction is kept for
        the next unit of work unless another is waiting for the pool: the pool's own check-out and
        return were a tenth of a command's client CPU. Every ``_THROUGH_POOL``-th one goes back to the
        pool anyway, so the pool still retires connections past their lifetime."""
        pgconn = conn.pgconn
        if pgconn.status == _OK and pgconn.transaction_status == _IDLE and not self._closed:
            with self._idle_lock:
                self._releases += 1
                if not self._waiting and self._releases % _THROUGH_POOL:
                    self._idle.append(conn)
                    return
        self._pool.putconn(conn)

    def parsed(self, kind: str, text: str, cls: type[T]) -> T:
        """The entity stored as ``text``: the same text always gives an equal immutable value, so
        customers, engineers and dealers read on every command are parsed once (least recent out)."""
        key = (kind, text)
        with self._parsed_lock:
            obj = self._parsed.get(key)
            if obj is not None:
                self._parsed.move_to_end(key)
                return obj  # type: ignore[return-value]
        found = loads(text, cls)
        with self._parsed_lock:
            self._parsed[key] = found
            while len(self._parsed) > _PARSED_LIMIT:
                self._parsed.popitem(last=False)
        return found

    def forget_erased(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop an erased customer from this store's memos (parsed entities, kept tickets):
        :class:`~aftersales.ports.erasure.KeepsPersonalCopies`."""
        with self._parsed_lock:
            entries = [(key, key[0], key[1], value) for key, value in self._parsed.items()]
            dropped = forget_parsed(self._parsed, entries, customer_id, needles)
        return dropped + self.tickets_kept.forget(ticket_ids, needles)

    def default_attachments(self) -> PostgresAttachmentStore:
        """Attachments in this database (table ``attachment_chunks``), unless the desk is given another
        store: one server holds the tickets and the bytes they name, in one backup."""
        if self._attachments is None:
            self._attachments = PostgresAttachmentStore(self._connection)
        return self._attachments

    def ledger_rows(self) -> LedgerRows:
        """Flat ledger records for exports, read without building tickets (see ``ports.ledger_rows``)."""
        from aftersales.adapters.ledger_rows_postgres import PostgresLedgerRows

        return PostgresLedgerRows(self)

    def fold_search_keys(self, *, max_batches: int | None = None) -> SearchFoldProgress:
        """Fold to simplified the traditional Chinese of the search rows stored before the session-35
        step (:mod:`.search_fold_step`): a batch per short transaction, resumable; until then a query does
        not find the traditional words of those rows. ``max_batches``: a positive integer, or None."""
        most = None if max_batches is None else POSITIVE.check(max_batches, "max_batches")
        return fold_search_keys_postgres(self, max_batches=most)

    searches_while_folding = True
    """A search finds the rows a pending fold has not reached (it looks for a term's traditional
    spellings there: :mod:`.ticket_search_postgres`), so the fold is paced by :meth:`upkeep` rather
    than run before a process's first search
    (:class:`~aftersales.ports.search_fold.SearchesWhileFolding`)."""

    def upkeep(self, *, max_batches: int = 8) -> UpkeepReport:
        """Bounded upkeep for the ``store_upkeep`` job: at most ``max_batches`` batches of the search
        fold an upgrade leaves (:meth:`fold_search_keys`). Statistics are autovacuum's."""
        folded = self.fold_search_keys(max_batches=POSITIVE.check(max_batches, "max_batches"))
        with self.reader() as uow:
            left = uow.run("SELECT done FROM search_fold_backfill WHERE id = 1").fetchone()
        return UpkeepReport(
            batches=folded.batches,
            rows=folded.rewritten,
            longest_lock=folded.longest,
            complete=left is None or bool(left[0]),
        )

    def reporting(self) -> ReportingQueries:
        """The reporting queries of this store: a dealer's month by the completions' index, the rest by
        the ticket scan (see :mod:`aftersales.adapters.completions_postgres`)."""
        from aftersales.adapters.completions_postgres import PostgresReportingQueries

        return PostgresReportingQueries(self)

    def close(self) -> None:
        """Close the pool; later units of work raise ``StorageError``."""
        self._closed = True
        if self._fork.moved():  # the parent's pool, in a forked child: left to the parent
            ForkGuard.keep((self._pool, self._idle))
            return
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            self._pool.putconn(conn)
        self._pool.close()


class PostgresUnitOfWork:
    """One transaction on a pooled connection.

    Its repositories are made when first used (:class:`~aftersales.adapters.sqlite_made.MadeOnFirstUse`)
    and dropped when it ends (:meth:`_drop_repositories`): each refers back to the unit of work, so kept
    they left a cycle of some 25 objects per command for the garbage collector (issue 21, as on SQLite).
    """

    tickets: MadeOnFirstUse[PostgresTickets] = MadeOnFirstUse()
    customers: MadeOnFirstUse[_Entities[Customer]] = MadeOnFirstUse()
    assets: MadeOnFirstUse[_Entities[Asset]] = MadeOnFirstUse()
    products: MadeOnFirstUse[_Entities[Product]] = MadeOnFirstUse()
    dealers: MadeOnFirstUse[_Entities[Dealer]] = MadeOnFirstUse()
    engineers: MadeOnFirstUse[_Entities[Engineer]] = MadeOnFirstUse()
    documents: MadeOnFirstUse[_Documents] = MadeOnFirstUse()
    outbox: MadeOnFirstUse[_Outbox] = MadeOnFirstUse()
    idempotency: MadeOnFirstUse[_Idempotency] = MadeOnFirstUse()
    search: MadeOnFirstUse[PostgresTicketSearch] = MadeOnFirstUse()
    texts: MadeOnFirstUse[PostgresStoredTextIndex] = MadeOnFirstUse()

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self.tx = Transaction(store.acquire, store.release)
        self.entity_texts: dict[tuple[str, str], str | None] = {}
        """Entities read in this transaction, as stored (``None``: not there), by (kind, id)."""
        self.entities_seen: dict[tuple[str, str], object] = {}
        """Entities read or written in this transaction, parsed."""
        self.entity_reads = store.entity_reads
        self.entities_brought: frozenset[str] | None = None
        """The entity kinds this transaction's locking ticket read brought along (``None``: none made)."""
        self.entities_used: set[str] = set()
        """The optional entity kinds asked for in this transaction (see :attr:`entity_reads`)."""
        self.entities_state: str | None = None
        """The state of the ticket the locking read read, as the store last kept it (``None``: not kept)."""

    def made_on_first_use(self, name: str) -> Any:
        """Make the repository ``name`` and keep it until the unit of work ends (called by its class
        attribute when it is not kept)."""
        made = self.__dict__[name] = new_pg_repository(self, name)
        return made

    def _drop_repositories(self) -> None:
        """Drop the repositories made so far (the unit of work ended): no cycle through them is left
        for the garbage collector. A repository used after the end is made again on first use."""
        drop_made(self, _PG_REPOSITORIES)

    def __enter__(self) -> PostgresUnitOfWork:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.rollback()
        finally:
            self._drop_repositories()

    def run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any] | Kept:
        """Execute ``sql`` now (after any deferred writes, in the same round trip), or answer it from
        what :meth:`read_ahead` read."""
        return self.tx.run(sql, params)

    def read_ahead(self, ahead: ReadAhead) -> None:
        """Make the reads ``ahead`` names in one round trip (see :mod:`aftersales.ports.read_ahead`):
        each is the statement its repository call runs, so that call takes the answer kept. Names of
        no entity repository, and documents not stored here, are left to be read when asked for.
        A read-only unit of work reads each when asked (it locks nothing, not even ahead)."""
        if getattr(self, "read_only", False):
            return
        reads: list[tuple[str, Sequence[Any]]] = []
        for name, id_ in ahead.locked:  # first: what follows is read once the locks are held
            repo = getattr(self, name, None)
            if isinstance(repo, _Entities):
                reads.append(repo.locked_statement(id_))
        for name, id_ in ahead.held:
            repo = getattr(self, name, None)
            if isinstance(repo, _Entities):
                reads.append(repo.held_statement(id_))
        for name, id_ in ahead.entities:
            repo = getattr(self, name, None)
            key = (getattr(repo, "_name", ""), id_)
            if isinstance(repo, _Entities) and key not in self.entities_seen and key not in self.entity_texts:
                reads.append(repo.statement(id_))
        # Those a ticket's read brought along already are left to their kept answers (a close's fault
        # statistics, postgres_entity_reads.FAULT_STATS).
        by_id = [self.documents.get_statement(cls, id_) for cls, id_ in ahead.documents]
        by_id = [read for read in by_id if not self.tx.kept_along(*read)]
        reads.extend(by_id)
        for cls, field, value in ahead.queries:
            found = self.documents.query_statement(cls, {field: value})
            if found is not None:
                reads.append(found)
        reads.extend(self.idempotency.get_statement(key) for key in ahead.keys)
        if ahead.with_ticket and not self.tx.begun:
            self.tx.read_with_first(reads)  # with the ticket's locking read, after its lock
            return
        # The same queries by the named unit's dealer, known once the unit is read (postgres_ahead).
        units = [id_ for name, id_ in ahead.entities if name == "assets"]
        dealers = [
            (cls, by_unit_dealer(document_spec(cls).kind, unit))
            for cls in dict.fromkeys(cls for cls, _field, _value in ahead.queries)
            if DEALER_FIELD in document_spec(cls).index
            for unit in units[:1]
        ]
        follows = [(named, read) for cls, id_ in ahead.documents for named, read in _followed(cls, id_)]
        self.tx.read_ahead([*reads, *(read for _cls, read in dealers), *(read for _named, read in follows)])
        for sql, (kind, id_) in by_id:
            if self.tx.read_none_ahead(sql, (kind, id_)):
                # Found absent, as documents.get would note it: its insert may go with the commit.
                self.tx.note_absent(kind, id_)
        for cls, read in dealers:
            kept = self.tx.take_ahead(*read)
            dealt = dealer_rows(kept.fetchone() if kept is not None else None)
            query = None if dealt is None else self.documents.query_statement(cls, {DEALER_FIELD: dealt[0]})
            if dealt is not None and query is not None:
                self.tx.keep_ahead(*query, dealt[1])
        for named, follow in follows:  # the incident a batch's tally names (postgres_ahead.FOLLOWED)
            kept = self.tx.take_ahead(*follow)
            followed = followed_row(kept.fetchone() if kept is not None else None)
            if followed is not None:
                self.documents.keep_along(named, *followed)

    def hold_gate(self, name: str, *, exclusive: bool) -> None:
        """Hold the gate ``name`` to the end of the transaction (``service.month_gate``): an advisory
        transaction lock keyed on the schema and the name, shared or exclusive. Two desks' transactions
        overlap here, so a registration and the month's send take turns on it; stores of other schemas
        in the same database hold locks of their own."""
        lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        self.run(f"SELECT {lock}(hashtext(current_schema() || ':' || %s))", (name,))

    def known_absent(self, cls: type[Document], id: str) -> None:
        """The document ``id`` of ``cls`` is known not stored (``ports.read_ahead.known_absent``): noted
        absent, as a read finding nothing notes it, so its ``add`` may go with the commit."""
        self.tx.note_absent(document_spec(cls).kind, id)

    def defer(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        prepare: bool = False,
        kind: str | None = None,
        id: str | None = None,
    ) -> None:
        """A write that can only fail on a duplicate key: sent with the command's next read or commit
        once the unit of work holds a ticket (:mod:`aftersales.adapters.postgres_pipeline`);
        ``prepare``: its parameters' types follow from its text, so it may be sent prepared; ``kind``:
        the one kind of document it changes, if that is all it changes; ``id``: the one document of
        that kind it inserts or saves (``Transaction.defer``)."""
        self.tx.defer(sql, params, prepare=prepare, kind=kind, id=id)

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """``executemany`` inside a savepoint: on an error none of ``rows`` is written and the unit of
        work stays usable. Call it after another statement (the transaction must have begun)."""
        if not self.tx.begun:
            raise StorageError("run_many needs a transaction that has begun")
        conn = self.tx.connection()
        with _translated("postgresql"), conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def party_words(
        self, customer_ids: Iterable[str], dealer_ids: Iterable[str], asset_ids: Iterable[str]
    ) -> PartyWords:
        """The searchable words of these stored parties, taken out of their JSON by the server instead of
        building each record (a bulk import's search documents: :mod:`.postgres_party_words`)."""
        return select_party_words(self.run, customer_ids, dealer_ids, asset_ids)

    def copy_rows(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        """Stream ``rows`` through ``statement`` (a ``COPY … FROM STDIN``) as :meth:`run_many` writes
        them: in a savepoint, none stored on an error (:func:`.postgres_import.copy_rows`)."""
        copy_rows(self, statement, rows)

    def remember_entities(self, kinds: Sequence[str], found: Sequence[Any]) -> None:
        """Keep entities read with a ticket: ``found`` holds (id asked for, stored JSON or None) per kind."""
        for n, kind in enumerate(kinds):
            id_, text = found[2 * n], found[2 * n + 1]
            if id_ is not None:
                self.entity_texts.setdefault((kind, id_), text)

    def parsed(self, kind: str, text: str, cls: type[T]) -> T:
        """``text`` as a ``cls`` (parsed once per store)."""
        return self._store.parsed(kind, text, cls)

    def _forget(self) -> None:
        if self.entities_brought is not None:
            self.entity_reads.record(self.entities_used, self.entities_state)
            self.entities_brought = None
        self.entities_used.clear()
        self.entity_texts.clear()
        self.entities_seen.clear()
        made = self.__dict__  # only the repositories made (reading one here would make it)
        if "documents" in made:
            made["documents"]._locked.clear()
        if "tickets" in made:
            made["tickets"].forget()
        if "search" in made:
            made["search"].known.clear()

    def commit(self) -> None:
        """Commit; on failure the transaction is rolled back and the error raised."""
        try:
            self.tx.commit()
        finally:
            self._forget()

    def rollback(self) -> None:
        """Roll back whatever is uncommitted."""
        try:
            self.tx.rollback()
        finally:
            self._forget()


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Read ``jsonb`` with the library's JSON parser (orjson), on this connection only."""
    set_json_loads(decode_json, conn)


def _followed(cls: type[Document], id_: str) -> list[tuple[str, tuple[str, tuple[str, ...]]]]:
    """The document ``cls``/``id_``'s field names, to read with it (:data:`.postgres_ahead.FOLLOWED`):
    its kind and read, or nothing."""
    kind = document_spec(cls).kind
    read = followed_read(kind, id_)
    return [] if read is None else [(FOLLOWED[kind][1], read)]


def _row_copy(row: Any) -> tuple[int, Any]:
    """A document row ``(version, data)`` whose ``data`` shares nothing with ``row``'s."""
    return (row[0], decode_json(encode_json(row[1])))


def _json(obj: object, version: int | None = None) -> Jsonb:
    """``obj`` as a ``jsonb`` value (with ``version`` in it, for versioned documents)."""
    data = unstructure(obj)
    if version is not None:
        data["version"] = version
    return Jsonb(data, dumps=encode_json)


_ASSET_WITH_PRODUCT = (
    "SELECT a.data::text, a.data->>'product_id',"
    " (SELECT p.data::text FROM entities p WHERE p.kind = 'product' AND p.id = a.data->>'product_id'),"
    " a.data->>'dealer_id',"
    " (SELECT d.data::text FROM entities d WHERE d.kind = 'dealer' AND d.id = a.data->>'dealer_id')"
    " FROM entities a WHERE a.kind = 'asset' AND a.id = %s"
)
_CUSTOMER_WITH_DEALER = (
    "SELECT c.data::text, c.data->>'dealer_id',"
    " (SELECT d.data::text FROM entities d WHERE d.kind = 'dealer' AND d.id = c.data->>'dealer_id')"
    " FROM entities c WHERE c.kind = 'customer' AND c.id = %s"
)
_CUSTOMER_WITH_DEALER_HELD = f"{_CUSTOMER_WITH_DEALER} FOR KEY SHARE OF c"
"""The same, the customer's row held (an intake: an erasure of the customer waits for it, or it for one)."""
# Scalar subqueries, not joins: these reads travel as text (not prepared) and the server plans them on
# every command; a join each cost some 120 µs more of its CPU to plan, a subquery about 20 µs.
_ALONG: dict[str, tuple[tuple[str, int], ...]] = {
    "asset": (("product", 1), ("dealer", 3)),
    "customer": (("dealer", 1),),
}
"""What the read of an entity brings along: (kind, column of its id; its stored JSON in the next)."""


class _Entities(Generic[T]):
    def __init__(self, uow: PostgresUnitOfWork, name: str, cls: type[T]) -> None:
        self._uow = uow
        self._name = name
        self._cls = cls

    def add(self, obj: T) -> None:
        id_ = obj.id  # type: ignore[attr-defined]
        cursor = self._uow.run(
            "INSERT INTO entities (kind, id, data) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (self._name, id_, _json(obj)),
        )
        if cursor.rowcount != 1:
            raise DuplicateError(f"{self._name} {id_!r} already exists")
        self._uow.entities_seen[(self._name, id_)] = obj

    def get(self, id: str) -> T:
        # Entities are immutable values: one read per transaction (often with its ticket, see
        # PostgresTickets), parsed once per stored text per store.
        key = (self._name, id)
        if self._name in OPTIONAL:
            self._uow.entities_used.add(self._name)
        seen = self._uow.entities_seen.get(key)
        if seen is not None:
            return seen  # type: ignore[return-value]
        texts = self._uow.entity_texts
        if key in texts:
            text = texts[key]
        else:
            found = self._uow.run(*self.statement(id)).fetchone()
            text = texts[key] = found[0] if found is not None else None
            if found is not None:
                self._along(found)
        if text is None:
            raise NotFound(self._name, id)
        obj = self._uow.entities_seen[key] = self._uow.parsed(self._name, text, self._cls)
        return obj

    def _along(self, found: Sequence[Any]) -> None:
        """Keep the entities a read of this kind brought along (:data:`_ALONG`)."""
        texts = self._uow.entity_texts
        for kind, column in _ALONG.get(self._name, ()):
            if found[column] is not None:
                texts.setdefault((kind, found[column]), found[column + 1])

    def get_for_update(self, id: str) -> T:
        """:meth:`get`, the row locked to the end of the transaction and read as last committed.

        For a command that rewrites the record from what it read (a unit transferred, its warranty
        dates corrected, a record registered again after its scope was checked against the stored
        one): under READ COMMITTED a plain read took no lock, so a second desk's command that read the
        record before the first committed wrote over it from that stale read. This read waits for the
        first to commit and then sees its record. SQLite (``BEGIN IMMEDIATE``) and the memory store
        (units of work take turns) already run such commands one after the other.
        """
        return self._read_locked(id, self.locked_statement(id))

    def get_held(self, id: str) -> T:
        """:meth:`get`, the row held to the end of the transaction against a rewrite (``FOR KEY SHARE``):
        other holders and readers go on; a writer's :meth:`get_for_update` (an erasure, a registration)
        waits for this transaction, or this read for it, and then reads what it wrote. For a command that
        decides on the record without rewriting it (an intake: its customer not erased meanwhile)."""
        return self._read_locked(id, self.held_statement(id))

    def _read_locked(self, id: str, read: tuple[str, tuple[str, ...]]) -> T:
        key = (self._name, id)
        found = self._uow.run(*read).fetchone()
        text = self._uow.entity_texts[key] = found[0] if found is not None else None
        if text is None:
            self._uow.entities_seen.pop(key, None)
            raise NotFound(self._name, id)
        if found is not None and len(found) > 1:  # what came along, as with a plain read
            self._along(found)
        obj = self._uow.entities_seen[key] = self._uow.parsed(self._name, text, self._cls)
        return obj

    def hold(self, ids: Iterable[str]) -> None:
        """Lock the stored rows of ``ids`` against a rewrite to the end of the transaction, in id order
        (``FOR KEY SHARE``: other holders and readers go on; an erasure's or a registration's ``FOR
        UPDATE`` waits for this transaction, or this for it and then reads what it wrote). One round
        trip for a batch (a bulk import's customers)."""
        wanted = sorted(set(ids))
        if wanted:
            self._uow.run(
                "SELECT id FROM entities WHERE kind = %s AND id = ANY(%s) ORDER BY id FOR KEY SHARE",
                (self._name, wanted),
            ).fetchall()

    def locked_statement(self, id: str) -> tuple[str, tuple[str, ...]]:
        """The read :meth:`get_for_update` makes of ``id``."""
        return "SELECT data::text FROM entities WHERE kind = %s AND id = %s FOR UPDATE", (self._name, id)

    def held_statement(self, id: str) -> tuple[str, tuple[str, ...]]:
        """The read :meth:`get_held` makes of ``id`` (a customer's, held at every intake, brings its
        dealer along as :meth:`statement` does)."""
        if self._name == "customer":
            return _CUSTOMER_WITH_DEALER_HELD, (id,)
        return "SELECT data::text FROM entities WHERE kind = %s AND id = %s FOR KEY SHARE", (self._name, id)

    def statement(self, id: str) -> tuple[str, tuple[str, ...]]:
        """The read :meth:`get` makes of ``id`` (first column: the stored JSON text)."""
        if self._name == "asset":
            # A unit's product is read next when a ticket is opened on it: one round trip for both;
            # and the dealer the ticket is then the job of (indexed for search with it, issue 21).
            return _ASSET_WITH_PRODUCT, (id,)
        if self._name == "customer":
            return _CUSTOMER_WITH_DEALER, (id,)  # the customer's dealer, as the unit's (above)
        return "SELECT data::text FROM entities WHERE kind = %s AND id = %s", (self._name, id)

    def save(self, obj: T) -> None:
        id_ = obj.id  # type: ignore[attr-defined]
        self._uow.defer(
            "INSERT INTO entities (kind, id, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (self._name, id_, _json(obj)),
            prepare=True,
        )
        self._uow.entities_seen[(self._name, id_)] = obj

    def find(self, ids: Iterable[str]) -> dict[str, T]:
        rows = self._uow.run(
            "SELECT id, data FROM entities WHERE kind = %s AND id = ANY(%s)", (self._name, list(ids))
        )
        return {id_: structure(data, self._cls) for id_, data in rows}

    def list(self, **equals: str | None) -> Sequence[T]:
        unknown = set(equals) - {a.name for a in attrs.fields(self._cls)}  # type: ignore[arg-type]
        if unknown:
            raise ValidationError(f"{self._name} has no field(s) {', '.join(sorted(unknown))}")
        parts = ["kind = %s"]
        params: list[object] = [self._name]
        for name, value in equals.items():
            if value is None:
                parts.append("data->>%s IS NULL")
                params.append(name)
            else:
                parts.append("data->>%s = %s")
                params.extend((name, value))
        sql = f"SELECT data FROM entities WHERE {' AND '.join(parts)} ORDER BY id"
        return [structure(data, self._cls) for (data,) in self._uow.run(sql, params)]


class _Documents(SqlDocuments):
    placeholder = "%s"

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow
        self._locked: dict[tuple[str, str], int] = {}
        """Documents read ``FOR UPDATE`` in this transaction, at the version read."""
        self._again = False
        """True while :meth:`query` runs: its read may be answered again (``Transaction.run_again``)."""

    def get(self, cls: type[D], id: str) -> D:
        """A document whose class sets ``DOCUMENT_LOCK_ON_READ`` (a number counter: read to be
        rewritten at once) is read ``FOR UPDATE``: concurrent commands queue on its row instead of
        failing their version check and re-running (8 concurrent intakes ran out of retries), and its
        save goes with the command's next statement or commit (the lock makes the check pass)."""
        if not getattr(cls, "DOCUMENT_LOCK_ON_READ", False):
            kind = document_spec(cls).kind
            if kind in OPTIONAL:  # a document a ticket's read may bring along: it was used
                self._uow.entities_used.add(kind)
            try:
                return super().get(cls, id)
            except NotFound:
                self._uow.tx.note_absent(kind, id)  # its insert may then wait for the commit (add)
                raise
        spec = document_spec(cls)
        found = self._uow.run(*self.get_statement(cls, id)).fetchone()
        if found is None:
            self._uow.tx.note_absent(spec.kind, id)
            raise NotFound(spec.kind, id)
        self._locked[(spec.kind, id)] = found[0]
        self._uow.tx.deferring = True
        return with_version(self._decode(found[1], cls), found[0])

    def keep_along(self, kind: str, id: str, stored: str | None) -> None:
        """Keep the document ``kind``/``id`` a ticket's locking read brought along (``stored``: its version
        and JSON, space-separated; ``None``: not stored) as the answer to :meth:`get`'s read of it."""
        rows = []
        if stored is not None:
            version, _, data = stored.partition(" ")
            rows.append((int(version), decode_json(data)))
        self._uow.tx.keep_along(self._sql["get"], (kind, id), rows)

    def keep_found_along(self, kind: str, stored: str | None) -> None:
        """Keep the documents of ``kind`` a ticket's locking read brought along by id (``stored``: their
        ``[id, version, data]`` as JSON, version and data ``null`` for one not stored; ``None``: none) as
        the answers to :meth:`get`'s reads of them, as :meth:`keep_along` does: one not stored is found
        absent by that read, so its insert may go with the commit."""
        for id_, version, data in decode_json(stored) if stored else ():
            rows = [] if version is None else [(int(version), data)]
            self._uow.tx.keep_along(self._sql["get"], (kind, str(id_)), rows)

    def keep_query_along(self, kind: str, ticket_id: str, stored: str | None) -> None:
        """Keep the documents of ``kind`` indexed under ``ticket_id`` that a ticket's locking read
        brought along (``stored``: their ``[version, data]`` pairs as JSON; ``None``: none) as the
        answer to :meth:`query`'s read of ``ticket_id=ticket_id``, as :meth:`keep_along` does."""
        rows = [(int(version), data) for version, data in decode_json(stored)] if stored else []
        sql, params = self._matching(kind, {"ticket_id": ticket_id})
        self._uow.tx.keep_along(sql + " ORDER BY d.id", params, rows)

    def keep_versions_along(self, kind: str, field: str, value: str, stored: str | None) -> None:
        """Keep the ids and versions of ``kind``'s documents whose ``field`` is ``value`` that a ticket's
        locking read brought along (``stored``: their ``[id, version]`` pairs as JSON; ``None``: none)
        as the answer to :meth:`versions`' read of them, as :meth:`keep_along` does."""
        rows = [(str(id_), int(version)) for id_, version in decode_json(stored)] if stored else []
        self._uow.tx.keep_along(*self._versions_read(kind, {field: value}), rows)

    def _versions_read(self, kind: str, equals: dict[str, object]) -> tuple[str, list[object]]:
        """The statement :meth:`versions` runs for ``equals`` and its parameters (as the base class
        makes it)."""
        sql, params = self._matching(kind, equals)
        return sql.replace("SELECT d.version, d.data", "SELECT d.id, d.version", 1), params

    def versions(self, cls: type[Document], **equals: object) -> dict[str, int]:
        """As :class:`SqlDocuments`; the emergency teams' (:data:`VERSIONS`) are answered from the
        ticket's locking read when it brought them along, and counted as used."""
        kind = document_spec(cls).kind
        if len(equals) == 1:
            ((field, value),) = equals.items()
            if (kind, field, index_value(value)) in VERSIONS:
                self._uow.entities_used.add(versions_of(kind, field, str(index_value(value))))
        return super().versions(cls, **equals)

    def get_for_update(self, cls: type[D], id: str) -> D:
        """:meth:`get`, the row locked to the end of the transaction and read as last committed: a write
        that decides on a document it does not rewrite (a complaint finding its ticket's batch incident
        through the batch's tally) waits for a command rewriting it, and the command for it."""
        spec = document_spec(cls)
        found = self._uow.run(
            "SELECT version, data FROM documents WHERE kind = %s AND id = %s FOR UPDATE", (spec.kind, id)
        ).fetchone()
        if found is None:
            raise NotFound(spec.kind, id)
        self._note_stored(spec.kind, id, found[0], found[1], spec.index)
        return with_version(self._decode(found[1], cls), found[0])

    def get_statement(self, cls: type[Document], id: str) -> tuple[str, tuple[str, str]]:
        """The read :meth:`get` makes of ``id``."""
        kind = document_spec(cls).kind
        if getattr(cls, "DOCUMENT_LOCK_ON_READ", False):
            return "SELECT version, data FROM documents WHERE kind = %s AND id = %s FOR UPDATE", (kind, id)
        return self._sql["get"], (kind, id)

    def query_statement(
        self, cls: type[Document], equals: dict[str, object]
    ) -> tuple[str, list[object]] | None:
        """The read :meth:`query` makes for ``equals`` (``None``: a field it refuses)."""
        spec = document_spec(cls)
        if set(equals) - set(spec.index):
            return None
        sql, params = self._matching(spec.kind, equals)
        return sql + " ORDER BY d.id", params

    def add(self, obj: Document) -> None:
        """Insert ``obj`` at once (a duplicate is a ``DuplicateError`` here). The statement gives back the
        row inserted, or the row already stored under that id, and that answers this transaction's next
        :meth:`get` of it (until a write to the documents) instead of a round trip: a batch unit counted
        already is read on its ``DuplicateError`` (a fault record), a unit just added may be read back."""
        if getattr(self._uow, "read_only", False):
            super().add(obj)  # refused before anything is sent, naming the INSERT
            return
        spec = document_spec(type(obj))
        if self._uow.tx.deferring and self._uow.tx.absent(spec.kind, obj.id):
            # Read and found absent in this transaction (a close's fault learning, brought along with
            # its ticket): the insert goes with the next statement or the commit, a round trip less;
            # one stored meanwhile by another transaction fails the commit (DuplicateError: re-run).
            data = self._encode(obj, obj.version)
            self._uow.defer(
                _INSERT_LATER, (spec.kind, obj.id, obj.version, data), prepare=True, kind=spec.kind, id=obj.id
            )
            self._write_index(obj, spec.kind, spec.index, new=True, written=obj.version)
            return
        if self._uow.tx.deferring and self._uow.tx.found_ahead(*self.get_statement(type(obj), obj.id)):
            # Read and found stored in this transaction (a fault's batch unit counted already, read with
            # the unit's lock): documents are never deleted, so the insert could only be refused; the
            # row read stays the answer to the next get (a round trip less, issue 21).
            raise DuplicateError(f"{spec.kind} {obj.id!r} already exists")
        params = (spec.kind, obj.id, obj.version, self._encode(obj, obj.version), spec.kind, obj.id)
        found = self._run(_ADD_RETURNING, params).fetchone()
        if found is None or not found[0]:
            if found is not None:  # the stored row, as a read at this moment would find it
                self._uow.tx.keep_along(self._sql["get"], (spec.kind, obj.id), [(found[1], found[2])])
            raise DuplicateError(f"{spec.kind} {obj.id!r} already exists")
        self._write_index(obj, spec.kind, spec.index, new=True, written=obj.version)
        self._uow.tx.keep_along(self._sql["get"], (spec.kind, obj.id), [(found[1], found[2])])

    def query(self, cls: type[D], **equals: object) -> Sequence[D]:
        """As :class:`SqlDocuments`; the same query asked again with nothing run between is answered
        once (``Transaction.run_again``)."""
        kind = document_spec(cls).kind
        if kind in BY_TICKET and "ticket_id" in equals:  # a ticket's read may bring it along
            self._uow.entities_used.add(by_ticket(kind))
            if len(equals) > 1:
                narrowed = self._narrowed(cls, kind, equals)
                if narrowed is not None:
                    return narrowed
        self._again = True
        try:
            return super().query(cls, **equals)
        finally:
            self._again = False

    def _narrowed(self, cls: type[D], kind: str, equals: dict[str, object]) -> list[D] | None:
        """The documents of ``kind`` matching ``equals`` (``ticket_id`` and more index fields), taken
        from those of the ticket its locking read brought along (``None``: none brought, or a write
        since): a ticket's pending callback tasks were a round trip of their own on every callback,
        confirmation and reclassification. Each field is matched as the index stores it
        (``index_value`` of the document's field: the value its index row was written from)."""
        sql, params = self._matching(kind, {"ticket_id": equals["ticket_id"]})
        rows = self._uow.tx.along(sql + " ORDER BY d.id", params, _row_copy)
        if rows is None:
            return None
        wanted = [(name, index_value(value)) for name, value in equals.items() if name != "ticket_id"]
        found = []
        for version, data in rows:
            obj = self._decode(data, cls)
            if all(index_value(getattr(obj, name)) == value for name, value in wanted):
                found.append(with_version(obj, version))
        return found

    def save(self, obj: D) -> D:
        """Once the unit of work holds a ticket it writes, the save (and its index rows) goes with the
        command's next statement or its commit: a document read ``FOR UPDATE`` here cannot have moved;
        any other is checked by the server (:data:`_SAVE_CHECKED`), and a save that finds another
        version fails the transaction with ``ConcurrencyConflict`` (the runner runs the command again)
        instead of at once. Before that, the save runs at once, as the other stores' do."""
        if not self._uow.tx.deferring:
            return super().save(obj)
        spec = document_spec(type(obj))
        key = (spec.kind, obj.id)
        new = obj.version + 1
        data = self._encode(obj, new)
        if self._locked.get(key) == obj.version:
            save = (new, data, spec.kind, obj.id, obj.version)
            self._uow.defer(self._sql["save"], save, prepare=True, kind=spec.kind, id=obj.id)
            self._locked[key] = new
        else:
            # Of this kind's reads by id only this document's is dropped, and the others found absent stay
            # so: a close saving one fault statistic and inserting another sends both with its commit.
            params = (new, data, spec.kind, obj.id, obj.version, spec.kind, obj.id, obj.version)
            self._uow.defer(_SAVE_CHECKED, params, prepare=True, kind=spec.kind, id=obj.id)
        self._write_index(obj, spec.kind, spec.index, written=new)
        return with_version(obj, new)

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any] | Kept:
        if self._again:
            return self._uow.tx.run_again(sql, params, _row_copy)
        return self._uow.run(sql, params)

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        # Index rows of a document this transaction just wrote: the document's row lock keeps other
        # writers of them waiting, so once a command holds its ticket they travel with its next
        # statement or its commit (a round trip each before: a callback record took four).
        self._uow.defer(sql, params, prepare=True)

    def _encode(self, obj: Document, version: int) -> Jsonb:
        return _json(obj, version)

    prefix_by_range = False  # collations need not compare byte-wise: prefixes by substr

    def _decode(self, data: Any, cls: type[D]) -> D:
        return structure(data, cls)


class _Outbox(SqlOutbox):
    placeholder = "%s"
    unsent = "NOT sent"
    is_sent = "sent"
    true = "TRUE"
    for_update = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    claim_patch = (
        "data || jsonb_build_object('attempts', (data->>'attempts')::int + 1,"
        " 'last_attempt_at', ?::text, 'lease_until', ?::text, 'lease_owner', ?::text)"
    )
    sent_patch = "data || jsonb_build_object('sent_at', ?::text, 'lease_until', NULL, 'lease_owner', NULL)"

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any] | Kept:
        return self._uow.run(sql, params)

    def put(self, messages: Iterable[OutboxMessage]) -> None:
        if not self._uow.tx.deferring:
            super().put(messages)
            return
        # Sent with the commit: an id already stored fails it (DuplicateError), the whole command with it.
        for sql, params, _chunk in self._inserts(messages):
            self._uow.defer(sql, params, prepare=True)

    def _encode(self, message: OutboxMessage) -> Jsonb:
        return Jsonb(stored_outbox_record(message), dumps=encode_json_utf8)

    def _decode(self, data: Any) -> OutboxMessage:
        return outbox_message(data)  # jsonb arrives parsed

    def _decode_raw(self, data: Any) -> Mapping[str, Any]:
        found: Mapping[str, Any] = data  # jsonb arrives parsed
        return found

    def _encode_raw(self, record: Mapping[str, Any]) -> Jsonb:
        return Jsonb(dict(record), dumps=encode_json_utf8)


class _Idempotency(SqlIdempotency):
    placeholder = "%s"
    byte_order = ' COLLATE "C"'

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def put(self, key: str, result_json: str) -> None:
        if not self._uow.tx.deferring:
            super().put(key, result_json)
            return
        # Sent with the commit: a key another command stored meanwhile fails it (DuplicateError).
        self._uow.defer(
            "INSERT INTO idempotency (key, result) VALUES (%s, %s)", (key, result_json), prepare=True
        )

    def get_statement(self, key: str) -> tuple[str, tuple[str]]:
        """The read :meth:`get` makes of ``key`` (named ahead: ``ReadAhead.keys``)."""
        return self._sql["get"], (key,)

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any] | Kept:
        return self._uow.run(sql, params)


def open_postgres(url: str) -> PostgresStore:
    """Entry point for ``postgresql://…``: connect, create or migrate the schema."""
    return PostgresStore(url)


_PG_ENTITIES: dict[str, tuple[str, type[Any]]] = {
    "customers": ("customer", Customer),
    "assets": ("asset", Asset),
    "products": ("product", Product),
    "dealers": ("dealer", Dealer),
    "engineers": ("engineer", Engineer),
}
_PG_MAKERS: dict[str, Any] = {
    "documents": _Documents,
    "outbox": _Outbox,
    "idempotency": _Idempotency,
    "search": PostgresTicketSearch,
    "texts": PostgresStoredTextIndex,
}
_PG_REPOSITORIES = made_names(PostgresUnitOfWork)


def new_pg_repository(uow: PostgresUnitOfWork, name: str) -> Any:
    """A new repository ``name`` of ``uow`` (``AttributeError`` for a name that is none)."""
    if name == "tickets":
        return PostgresTickets(uow, uow._store.tickets_kept)
    if name in _PG_ENTITIES:
        return _Entities(uow, *_PG_ENTITIES[name])
    maker = _PG_MAKERS.get(name)
    if maker is None:
        raise AttributeError(f"{type(uow).__name__!r} object has no attribute {name!r}")
    return maker(uow)
