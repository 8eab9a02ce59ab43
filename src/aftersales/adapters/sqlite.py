"""The SQLite store (embedded default): stdlib ``sqlite3``, WAL, one transaction per unit of work.

``open_sqlite("sqlite:///service.db")`` (relative path), ``"sqlite:////var/lib/x.db"`` (absolute),
``"sqlite:///:memory:"`` (private, in this process). WAL checkpoints are left to the committing
connections (SQLite's default, ``?checkpoint=inline``); ``?checkpoint=background`` opts in to a
background thread (:mod:`aftersales.adapters.sqlite_checkpoint`), faster for heavy writers but a
thread a pre-forking server must not fork with (open the store after the fork);
``?ticket_cache=N`` keeps N recently written tickets parsed (:mod:`aftersales.adapters.ticket_memo`;
0 keeps none). Each unit of work takes a pooled connection and starts ``BEGIN IMMEDIATE`` at its first
statement, so writers in several threads or processes serialise cleanly (waiting up to
``?busy_timeout=SECONDS``, 10 by default, :mod:`aftersales.adapters.sqlite_busy`) instead of failing
half-way. Queried facts are columns with indexes; the rest is JSON from :mod:`aftersales.serialization`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import parse_qsl

import attrs

from aftersales.adapters.attachments_fs import FileSystemAttachmentStore, beside_sqlite
from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.erasure_memos import forget_parsed
from aftersales.adapters.fork_guard import ForkGuard
from aftersales.adapters.late_gap_backfill import LateGapProgress, backfill_late_gap
from aftersales.adapters.late_gap_pending import filter_gap_column
from aftersales.adapters.parsed_documents import ParsedDocuments
from aftersales.adapters.reporting_rows import (
    DELETE_COMPLETIONS,
    DELETE_FAULTS,
    INSERT_COMPLETION,
    INSERT_FAULT,
    REPORT_COLUMNS,
    UPSERT_FACTS,
    EventsRead,
    completion_values,
    fact_values_after,
    fault_values,
)
from aftersales.adapters.reporting_sqlite_schema import BackfillProgress, backfill_reporting
from aftersales.adapters.search_fold_step import SearchFoldProgress, fold_search_keys
from aftersales.adapters.sla_candidates_sql import (
    SQLITE_TIER,
    candidate_page,
    candidate_query,
    sqlite_sweep_query,
    sweep_page,
)
from aftersales.adapters.sla_sweep_ledger import DUE_SOURCE, ledger_source
from aftersales.adapters.sla_sweep_sqlite import FillProgress, fill_sweep_tables, sweep_tables_ready
from aftersales.adapters.sql_assignee_loads import open_loads_in
from aftersales.adapters.sql_ledger import ROW_COLUMNS, count_query, page_query, where
from aftersales.adapters.sql_repositories import SqlDocuments, SqlIdempotency, SqlOutbox
from aftersales.adapters.sqlite_busy import busy_timeout
from aftersales.adapters.sqlite_checkpoint import BackgroundCheckpointer
from aftersales.adapters.sqlite_fts_merge import FTS_TABLES, merge_words, settle_words, shred_words
from aftersales.adapters.sqlite_import import INSERT_TICKET, insert_tickets, party_words
from aftersales.adapters.sqlite_made import MadeOnFirstUse, drop_made, made_names
from aftersales.adapters.sqlite_schema import check_header, migrate
from aftersales.adapters.sqlite_ticket_events import (
    DROP_EVENTS,
    INSERT_EVENTS,
    SplitProgress,
    events_of,
    parse_stored,
    save_texts,
    split_stored_events,
)
from aftersales.adapters.sqlite_upkeep import BackupReport, backup_file, refresh_statistics
from aftersales.adapters.sqlite_wal import switch_to_wal
from aftersales.adapters.text_search import SqliteStoredTextIndex
from aftersales.adapters.ticket_memo import DEFAULT_LIMIT, TicketMemo, check_limit
from aftersales.adapters.ticket_search_sqlite import SqliteTicketSearch, forget_words
from aftersales.adapters.urgent_claim_step import UrgentClaimProgress, backfill_urgent_claims
from aftersales.adapters.wait_gap_step import register_wait_gap
from aftersales.domain.bounds import POSITIVE, Bounds
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.errors import (
    AftersalesError,
    ConcurrencyConflict,
    DuplicateError,
    InvalidStoreOption,
    NotFound,
    StorageError,
    StoreBusy,
    StoreDamaged,
    ValidationError,
)
from aftersales.ports.batch_search import PartyWords
from aftersales.ports.documents import D, Document, document_spec
from aftersales.ports.erasure import keeps_personal_copies
from aftersales.ports.ledger_rows import LedgerRows
from aftersales.ports.outbox import OutboxMessage, outbox_message, stored_outbox_record
from aftersales.ports.queries import UNSET, CountField, Page, PageRequest, Sort, TicketFilter, encode_cursor
from aftersales.ports.repositories import distinct_batch
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.ports.store_upkeep import UpkeepReport
from aftersales.ports.ticket_index import NO_DUE, TicketRow, micros, row_values, ticket_row_of
from aftersales.serialization import (
    EventsText,
    StoredEvents,
    decode_json,
    dumps,
    encode_json,
    encode_json_utf8,
    loads,
    ticket_text_utf8,
    unstructure,
)

if TYPE_CHECKING:
    from aftersales.adapters.sqlite_read import SqliteReadUnitOfWork

__all__ = ["SqliteStore", "SqliteUnitOfWork", "open_sqlite"]

T = TypeVar("T")

STAMP_KIND, STAMP_ID = "calendar_stamp", "calendar"
"""The document a command that moves a ticket's due times reads after its ticket (the store's calendar
stamp, ``aftersales.service.calendar_stamp``; a test holds the two equal): read in the ticket's statement,
it costs a key lookup there instead of a statement of its own (issue 21)."""

_STAMP_KEY = (STAMP_KIND, STAMP_ID)

# Read back as the UTF-8 bytes it is stored as: no decode to str, and the parser takes bytes. A command
# reads its ticket, then the customer, dealer and unit it names and the ticket's search position (a
# note's words are appended there): one statement for all of them, since a command pays per statement
# (~10 µs each) far more than for the few index lookups a join adds. Only the position of the search
# row: the unique ticket_id index covers it, so the row itself (its text grows with every note) is
# neither read nor copied into Python; the rare re-index reads it then (issue 21, ~6 µs a read).
_SELECT_TICKET = (
    "SELECT t.version, {data}, c.data, d.data, a.data, s.pos, {events}, k.version, k.data"
    " FROM tickets t"
    " LEFT JOIN entities c ON c.kind = 'customer' AND c.id = t.customer_id"
    " LEFT JOIN entities d ON d.kind = 'dealer' AND d.id = t.dealer_id"
    " LEFT JOIN entities a ON a.kind = 'asset' AND a.id = {asset}"
    " LEFT JOIN ticket_search s ON s.ticket_id = t.id"
    f" LEFT JOIN documents k ON k.kind = '{STAMP_KIND}' AND k.id = '{STAMP_ID}'"
    " WHERE t.id = ?"
)
# Without a kept ticket the unit comes from its column (NULLIF: '' is none); only a row written before
# the column existed (NULL until its next save) is looked up in the JSON, which parses the whole
# document (about 10 µs of a ~40 µs read of a 2 KB ticket).
_SELECT_TICKET_FOUND = _SELECT_TICKET.format(
    data="CAST(t.data AS BLOB)",
    asset="NULLIF(coalesce(t.unit, json_extract(t.data, '$.asset_id')), '')",
    events=events_of("t"),
)
# With a kept ticket, the document is read only if the row is not at the version the kept text was
# committed as (bound first; -1 when unknown): a hit reads no JSON (nor its overflow pages) and
# copies none into Python (see TicketMemo.recall_committed for why the version alone is enough).
_SELECT_TICKET_KEPT = _SELECT_TICKET.format(
    data="CASE WHEN t.version = ? THEN NULL ELSE CAST(t.data AS BLOB) END",
    asset="?",
    events=f"CASE WHEN t.version = ? THEN NULL ELSE {events_of('t')} END",
)
_SELECT_DATA = f"SELECT CAST(data AS BLOB), {events_of('tickets')} FROM tickets WHERE id = ?"
_PAGE_DATA = f"CAST(data AS BLOB), {events_of('tickets')}"
_ROW_SELECT = ", ".join(f"tickets.{c}" for c in ROW_COLUMNS)
_INLINE_CHECKPOINT = 4000
"""WAL pages after which a committing connection checkpoints (inline mode; ~16 MB)."""
_BULK_CHECKPOINT = 25_000
"""The same limit inside :meth:`SqliteStore.checkpoint_after` (~100 MB): a job's batches share checkpoints."""
_log = logging.getLogger("aftersales.storage")
_PARSED_LIMIT = 20_000  # entity texts remembered per store and kind, LRU (see _Entities._parse)
_UPDATES: dict[tuple[tuple[int, ...], int], str] = {}
_KEEP_EVENTS, _APPEND_EVENTS, _SET_EVENTS = 0, 1, 2
_EVENTS_SET = ("", ", events = CASE WHEN events > '' THEN events || ',' ELSE '' END || ?", ", events = ?")
_RESOLVED = REPORT_COLUMNS.index("resolved_us")  # the reporting row's resolution instant


def _update_sql(changed: tuple[int, ...], events: int) -> str:
    """``UPDATE`` of the version, the ``changed`` row columns (by position), the unit, the JSON and
    the list of logged events (``events``: kept, appended to or replaced; see sqlite_ticket_events).

    Naming only changed columns matters: SQLite rewrites the entries of every index on a column
    named in ``SET``, so a full-row update would touch all ledger indexes on each save. The unit has
    no index: it is always set, so a row written before its column existed gets it on its next save.
    """
    sql = _UPDATES.get((changed, events))
    if sql is None:
        sets = "".join(f"{ROW_COLUMNS[i]} = ?, " for i in changed)
        sql = _UPDATES[(changed, events)] = (
            f"UPDATE tickets SET version = ?, {sets}unit = ?, data = CAST(? AS TEXT){_EVENTS_SET[events]}"
            " WHERE id = ? AND version = ?"
        )
    return sql


_FACT_UPDATES: dict[tuple[int, ...], str] = {}


def _facts_update_sql(changed: tuple[int, ...]) -> str:
    """``UPDATE`` of the ``changed`` report columns (positions in ``REPORT_COLUMNS``): only their
    indexes are touched."""
    sql = _FACT_UPDATES.get(changed)
    if sql is None:
        sets = ", ".join(f"{REPORT_COLUMNS[i]} = ?" for i in changed)
        sql = _FACT_UPDATES[changed] = f"UPDATE report_tickets SET {sets} WHERE id = ?"
    return sql


_DAMAGED = frozenset({11, 26})
"""SQLITE_CORRUPT and SQLITE_NOTADB (primary result codes): the file is damaged or foreign; no retry helps."""


def _translate(exc: sqlite3.Error, where: str) -> AftersalesError:
    """A driver error as an aftersales error (the contract's error table)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return DuplicateError(f"{where}: {exc}")
    if isinstance(exc, sqlite3.OperationalError):
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreBusy(f"{where}: the database stayed locked by another writer ({exc})")
        return StorageError(f"{where}: {exc}")
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _DAMAGED:
        return StoreDamaged(f"{where}: {exc} (corrupt or unusable database)")
    return StorageError(f"{where}: {exc} (corrupt or unusable database)")


class _translated:
    """Driver errors inside the block become aftersales errors (a class: cheaper than a generator)."""

    __slots__ = ("_file", "_where")

    def __init__(self, where: str, file: str | None = None) -> None:
        self._where = where
        self._file = file  # named in the error only: no string is built on the way through

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, sqlite3.Error):
            where = self._where if self._file is None else f"{self._where} on {self._file}"
            raise _translate(exc, where) from exc


_CHECKPOINT_MODES = ("background", "inline")


@attrs.frozen
class _Options:
    """What a ``sqlite:///`` URL says: the file, the checkpoint mode, how many tickets to keep parsed."""

    path: str
    checkpoint: str = "inline"
    ticket_cache: int = DEFAULT_LIMIT
    busy_timeout: str | None = None


def _parse_url(url: str) -> _Options:
    """Read a ``sqlite:///`` URL; a malformed one or an unknown option raises ``ValidationError``."""
    if not url.startswith("sqlite:///"):
        raise ValidationError(
            "a SQLite URL is sqlite:///relative.db, sqlite:////absolute.db or sqlite:///:memory:, "
            f"got {url!r}",
            field="url",
        )
    path, _, query = url[len("sqlite:///") :].partition("?")
    if not path:
        raise ValidationError("the SQLite URL names no file", field="url")
    pairs = parse_qsl(query, keep_blank_values=True)  # decoded as PostgreSQL's: %31 is 1 on both
    options = dict(pairs)
    # Refused as PostgreSQL refuses its options: InvalidStoreOption (a ConfigurationError and a
    # ValidationError of "url") naming the option, so one except clause serves every store.
    if len(options) < len(pairs):  # the same option twice: which one holds is not for us to guess
        twice = sorted({name for name, _ in pairs if sum(1 for n, _ in pairs if n == name) > 1})
        raise InvalidStoreOption(f"SQLite URL option(s) given twice: {', '.join(twice)}", option=twice[0])
    unknown = sorted(set(options) - {"busy_timeout", "checkpoint", "ticket_cache"})
    if unknown:
        raise InvalidStoreOption(
            f"unknown SQLite URL option(s): {', '.join(unknown)} (known: busy_timeout, checkpoint, "
            "ticket_cache)",
            option=unknown[0],
        )
    mode = options.get("checkpoint", "inline")  # no thread unless asked: safe under a pre-forking server
    if mode not in _CHECKPOINT_MODES:
        raise InvalidStoreOption(
            f"checkpoint must be one of {', '.join(_CHECKPOINT_MODES)}, got {mode!r}", option="checkpoint"
        )
    if mode == "background" and path == ":memory:":  # no file, no WAL: nothing to checkpoint
        raise InvalidStoreOption(
            "checkpoint=background needs a database file, not :memory:", option="checkpoint"
        )
    limit = check_limit(options.get("ticket_cache", str(DEFAULT_LIMIT)))
    return _Options(path, mode, limit, options.get("busy_timeout"))


_SPLIT_BATCH = Bounds(1, 10_000)
"""Tickets per transaction of :meth:`SqliteStore.split_events` (more holds the write lock too long)."""


def _most_batches(max_batches: object) -> int | None:
    """``max_batches`` of a catch-up: ``None`` (to the end) or a whole number of at least one. Anything
    else is ``OutOfBounds``: a string let a ``TypeError`` out and ``0``, ``-1``, ``True`` or ``1.5`` ran
    a number of batches the caller did not ask for."""
    return None if max_batches is None else POSITIVE.check(max_batches, "max_batches")


class SqliteStore:
    """A store factory on one SQLite database; calling it gives a unit of work."""

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        self.url = url
        options = _parse_url(url)
        self.path = options.path
        self._memory = self.path == ":memory:"
        self._background = options.checkpoint == "background" and not self._memory
        self._checkpointer: BackgroundCheckpointer | None = None
        self._timeout = busy_timeout(options.busy_timeout, timeout)  # checked before anything is opened
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._idle_readers: list[sqlite3.Connection] = []  # read-only units of work (issue 18)
        self._all: list[sqlite3.Connection] = []
        self._closed = False
        self._fork = ForkGuard()
        self._bulk = threading.local()  # this thread's checkpoint_after depth
        self.parsed: dict[str, OrderedDict[str, Any]] = {}
        """Recently parsed entity texts (immutable values) per kind, shared by this store's units of
        work. Per kind: a daily job reading thousands of units once each must not push out the few
        thousand customers and dealers read again every day (issue 26)."""
        self.tickets_kept = TicketMemo(options.ticket_cache)
        """Recently stored tickets, kept parsed (``?ticket_cache=N`` in the URL; 0 keeps none)."""
        self.documents_parsed = ParsedDocuments()
        """The documents joined into tickets' reads (the calendar stamp), kept parsed by their text."""
        keeps_personal_copies(self)  # an erasure through any desk of this process reaches these memos
        where = self.path
        if not self._memory:
            check_header(Path(self.path))
        conn = self._connect(wal=False)  # WAL changes the header: only once the file is known to be ours
        try:
            with _translated(where):
                migrate(conn, where=where)
                if not self._memory:
                    switch_to_wal(
                        conn, self._timeout
                    )  # another desk creating the file: wait, as for a writer
        except BaseException:
            self._idle.append(conn)  # idle: close() closes it at once
            self.close()
            raise
        self._idle.append(conn)
        self._checkpointer = BackgroundCheckpointer(self.path) if self._background else None

    @property
    def busy_timeout(self) -> float:
        """Seconds a write waits for another writer's lock before ``StoreBusy`` (``?busy_timeout=``): the
        command runner re-runs a command that met a busy store only within this time of its start."""
        return self._timeout

    def blocks_nested_units(self, other: object) -> bool:
        """Whether ``other`` is a store on this same file (:class:`~aftersales.ports.BlocksNestedUnits`):
        SQLite's writers take turns on a file, so a write transaction of one waits for the other's. A
        ``:memory:`` store allows one unit of work at a time (this very store); two are two databases."""
        if other is self:
            return True
        if not isinstance(other, SqliteStore) or self._memory or other._memory:
            return False
        try:
            return os.path.samefile(self.path, other.path)
        except OSError:  # a file gone meanwhile: not the same one
            return False

    def _connect(self, *, wal: bool = True) -> sqlite3.Connection:
        with _translated(self.path):
            # Statements are prepared once per connection and reused: room for every shape a desk
            # issues (the ledger's filters, the changed-column updates), not only the default 128.
            conn = sqlite3.connect(
                self.path,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
                cached_statements=512,
            )
            self._all.append(conn)
            if wal and not self._memory:
                switch_to_wal(conn, self._timeout)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Freed row space is zeroed, so an updated or erased row leaves no old bytes in the file (PIPL).
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA cache_size = -65536")
            # Inline: checkpoint every ~16 MB of WAL instead of ~4 MB (fewer checkpoint syncs). In the
            # background mode this is only the safety limit (~64 MB) if the checkpoint thread falls
            # behind. synchronous=NORMAL either way: commits survive a process crash; a power loss may
            # drop the commits since the last checkpoint.
            conn.execute(f"PRAGMA wal_autocheckpoint = {16000 if self._background else _INLINE_CHECKPOINT}")
            conn.execute("PRAGMA journal_size_limit = 67108864")  # a bulk import's WAL shrinks back to 64 MB
            register_wait_gap(conn)  # the ledger's late_gap rule, for rows an upgrade left to its back-fill
        return conn

    def acquire(self) -> sqlite3.Connection:
        """A connection for one unit of work (the in-memory database has exactly one)."""
        self._fork.own(self._reopen_after_fork)
        with self._lock:
            if self._closed:
                raise StorageError(f"the SQLite store {self.path} is closed")
            if self._idle:
                conn = self._idle.pop()
            elif self._memory:
                raise StorageError("sqlite:///:memory: allows one unit of work at a time")
            else:
                conn = None
        if conn is None:
            conn = self._connect()
        if getattr(self._bulk, "depth", 0):
            with _translated(self.path):
                conn.execute(f"PRAGMA wal_autocheckpoint = {_BULK_CHECKPOINT}")
        return conn

    def _reopen_after_fork(self) -> None:
        """In a process forked after the store was opened: connections of this process's own (SQLite
        must not carry one across a fork; see :mod:`fork_guard`). The in-memory database is this
        process's copy, so its one connection stays."""
        self._lock, self._bulk = threading.Lock(), threading.local()
        self.tickets_kept = TicketMemo(self.tickets_kept.limit)
        if self._memory:
            return
        ForkGuard.keep((self._all, self._checkpointer))
        self._all, self._idle, self._idle_readers = [], [], []
        if self._checkpointer is not None:  # its thread stayed in the parent
            self._checkpointer = BackgroundCheckpointer(self.path)

    @contextlib.contextmanager
    def checkpoint_after(self) -> Iterator[None]:
        """Units of work of this thread inside the block checkpoint the WAL rarely, and once at its end.

        For a job that commits many batches in a row (the daily maintenance run): inline, every commit
        past ~16 MB of WAL copies the pages into the file and syncs it, so batches of some 4,000 pages
        each paid a checkpoint apiece, and pages written by several batches were copied each time
        (issue 26: 11 checkpoints of a 1 M-unit run, ~2 s of waiting). Inside the block the limit is
        ~100 MB; the block ends with one passive checkpoint (it waits for no reader or writer), in the
        job's time. Durability is unchanged (``synchronous = NORMAL``); other threads keep their limit.
        Nothing to do in memory or with the background checkpointer.
        """
        if self._memory or self._background:
            yield
            return
        bulk = self._bulk
        bulk.depth = getattr(bulk, "depth", 0) + 1
        try:
            yield
        finally:
            bulk.depth -= 1
        if bulk.depth == 0:
            self._checkpoint("PASSIVE")

    def _checkpoint(self, mode: str) -> None:
        """Run ``PRAGMA wal_checkpoint(mode)`` on a connection of the pool."""
        conn = self.acquire()
        try:
            with _translated(self.path):
                conn.execute(f"PRAGMA wal_checkpoint({mode})")
        finally:
            self.release(conn)

    # -- the read path (issue 18): read-only connections, see aftersales.adapters.sqlite_read --------

    def reader(self, *, snapshot: bool = True) -> SqliteReadUnitOfWork:
        """A read-only unit of work (:class:`~aftersales.adapters.sqlite_read.SqliteReadUnitOfWork`):
        one deferred read transaction, or autocommit statements with ``snapshot=False``."""
        if self._closed:
            raise StorageError(f"the SQLite store {self.path} is closed")
        self._fork.own(self._reopen_after_fork)
        return _read_unit(self, snapshot)

    def acquire_reader(self) -> sqlite3.Connection:
        """A connection for one read-only unit of work: ``PRAGMA query_only`` set, pooled apart from the
        writers' (the in-memory database's one connection serves both, without the pragma)."""
        if self._memory:
            return self.acquire()
        self._fork.own(self._reopen_after_fork)
        with self._lock:
            if self._closed:
                raise StorageError(f"the SQLite store {self.path} is closed")
            if self._idle_readers:
                return self._idle_readers.pop()
        conn = self._connect()
        with _translated(self.path):
            conn.execute("PRAGMA query_only = ON")
        return conn

    def release_reader(self, conn: sqlite3.Connection) -> None:
        if self._memory:
            self.release(conn)
            return
        with self._lock:
            if not self._closed:
                self._idle_readers.append(conn)
                return
            self._forget(conn)
        conn.close()

    def committed(self) -> None:
        """A unit of work committed (the checkpoint thread counts them)."""
        if self._checkpointer is not None:
            self._checkpointer.committed()

    def merge_words(self, written: Mapping[str, int]) -> bool:
        """Bounded FTS5 merge steps on each table of ``written`` (rows of words written to it), after a
        commit that wrote them (:mod:`.sqlite_fts_merge`); never raises: the commit is done, a skipped
        step is caught up by the next. Whether every step ran."""
        try:
            conn = self.acquire()
        except AftersalesError as exc:  # closed meanwhile, or the in-memory connection taken
            _log.info("FTS merge steps skipped: %s", exc)
            return False
        try:
            return merge_words(conn, written)
        finally:
            self.release(conn)

    def release(self, conn: sqlite3.Connection) -> None:
        if getattr(self._bulk, "depth", 0) and not self._closed:
            with contextlib.suppress(sqlite3.Error):  # back to the usual limit for other units of work
                conn.execute(f"PRAGMA wal_autocheckpoint = {_INLINE_CHECKPOINT}")
        with self._lock:
            if not self._closed:
                self._idle.append(conn)
                return
            self._forget(conn)
        conn.close()

    def _forget(self, conn: sqlite3.Connection) -> None:
        """Drop a connection given back after :meth:`close` from the store's list (under its lock)."""
        self._all = [each for each in self._all if each is not conn]

    def backfill_reporting(self, *, max_batches: int | None = None) -> BackfillProgress:
        """Write the reporting rows of tickets stored before reporting existed (the first report does).

        Small transactions of about 30 ms each with pauses between, the position committed with
        each: writers wait one batch at most, and a run that is killed continues where it stopped.
        """
        max_batches = _most_batches(max_batches)
        conn = self.acquire()
        try:
            with _translated(f"reporting back-fill of {self.path}"):
                return backfill_reporting(conn, max_batches=max_batches)
        finally:
            self.release(conn)

    def backfill_late_gap(self, *, max_batches: int | None = None) -> LateGapProgress:
        """Write the ledger's ``late_gap`` of the rows an upgrade from before schema steps 23/28 left
        (:mod:`.late_gap_backfill`): short resumable batches, reading outside the write lock. Until it
        completes the breached filter reads those rows' gaps from their documents (same answers)."""
        max_batches = _most_batches(max_batches)
        conn = self.acquire()
        try:
            with _translated(f"late-gap back-fill of {self.path}"):
                return backfill_late_gap(conn, max_batches=max_batches)
        finally:
            self.release(conn)

    def backfill_urgent_claims(self, *, max_batches: int | None = None) -> UrgentClaimProgress:
        """Write the ledger's ``urgent_claimed`` of the rows stored before schema step 34
        (:mod:`.urgent_claim_step`): short resumable batches, parsing outside the write lock."""
        max_batches = _most_batches(max_batches)
        conn = self.acquire()
        try:
            with _translated(f"urgent-claim back-fill of {self.path}"):
                return backfill_urgent_claims(conn, max_batches=max_batches)
        finally:
            self.release(conn)

    def fold_search_keys(self, *, max_batches: int | None = None) -> SearchFoldProgress:
        """Fold to simplified the traditional Chinese of the search rows stored before schema step 36
        (:mod:`.search_fold_step`): short resumable batches; until then a query does not find the
        traditional words of those rows."""
        max_batches = _most_batches(max_batches)
        conn = self.acquire()
        try:
            with _translated(f"search fold of {self.path}"):
                return fold_search_keys(conn, max_batches=max_batches)
        finally:
            self.release(conn)

    searches_while_folding = True
    """A search finds the rows a pending fold has not reached (it looks for a term's traditional
    spellings there: :mod:`.ticket_search_sqlite`), so the fold is paced by :meth:`upkeep` rather than
    run whole before a process's first search (session 38, issue 21: a large file's first search waited
    for all of it; :class:`~aftersales.ports.search_fold.SearchesWhileFolding`)."""

    def fill_sweep_tables(self, *, max_batches: int | None = None) -> FillProgress:
        """Copy the open tickets and customer tiers of a file written before schema step 15 into the
        SLA sweep's tables, in short resumable batches (writers wait one batch at most); the next
        call continues a stopped one, and on a complete file it returns at once.

        Not at open: on a 1 M-ticket file it takes minutes, and a host's process must start at once.
        The first sweep does it (as the first report back-fills reporting); an operator may run it
        ahead. Until the tables are complete the sweep reads the ticket rows: the same answers, slower.
        """
        max_batches = _most_batches(max_batches)
        conn = self.acquire()
        try:
            with _translated(f"filling the SLA sweep's tables of {self.path}"):
                return fill_sweep_tables(conn, max_batches=max_batches)
        finally:
            self.release(conn)

    def split_events(self, *, batch: int = 200, max_batches: int | None = None) -> SplitProgress:
        """Move the events of open tickets stored whole (new tickets, and every row of a file written
        before schema step 14) to the event log, at most ``batch`` tickets per short transaction;
        resumable (the position is committed with each batch). Not needed for correctness: such a row
        is read as it is and its first save moves them (writing all its events once). Returns what was
        done; a second call does nothing."""
        batch = _SPLIT_BATCH.check(batch, "batch")
        max_batches = _most_batches(max_batches)
        conn = self.acquire()
        try:
            with _translated(f"splitting the events of {self.path}"):
                return split_stored_events(conn, batch=batch, max_batches=max_batches)
        finally:
            self.release(conn)

    def upkeep(self, *, max_batches: int = 8) -> UpkeepReport:
        """Bounded upkeep for the ``store_upkeep`` job: at most ``max_batches`` batches of each catch-up
        an upgrade leaves (:meth:`split_events`, :meth:`fill_sweep_tables`, :meth:`backfill_reporting`,
        :meth:`backfill_late_gap`, :meth:`backfill_urgent_claims`, :meth:`fold_search_keys`), the FTS
        merge steps commits left undone (:func:`.sqlite_fts_merge.settle_words`), then fresh planner
        statistics when they are missing or stale (:mod:`.sqlite_upkeep`)."""
        POSITIVE.check(max_batches, "max_batches")  # before any step runs a batch
        split = self.split_events(max_batches=max_batches)
        filled = self.fill_sweep_tables(max_batches=max_batches)
        reporting = self.backfill_reporting(max_batches=max_batches)
        gaps = self.backfill_late_gap(max_batches=max_batches)
        claims = self.backfill_urgent_claims(max_batches=max_batches)
        folded = self.fold_search_keys(max_batches=max_batches)
        conn = self.acquire()
        try:
            with _translated(f"merging the search words of {self.path}"):
                merged, merge_lock, settled = settle_words(conn, FTS_TABLES, most=max_batches)
            with _translated(f"refreshing the planner statistics of {self.path}"):
                analysed = refresh_statistics(conn)
        finally:
            self.release(conn)
        steps = (
            split.batches,
            filled.batches,
            reporting.batches,
            gaps.batches,
            claims.batches,
            folded.batches,
        )
        return UpkeepReport(
            batches=sum(steps) + merged,
            rows=split.tickets
            + filled.rows
            + reporting.tickets
            + gaps.rewritten
            + claims.rewritten
            + folded.rewritten,
            analyzed=analysed is not None,
            longest_lock=max(
                split.longest,
                filled.longest,
                reporting.longest,
                gaps.longest,
                claims.longest,
                folded.longest,
                merge_lock,
                analysed or 0.0,
            ),
            complete=settled and all(done < max_batches for done in steps),
        )

    def backup(
        self, target: str | os.PathLike[str], *, attachments: bool = True, verify: bool = True
    ) -> BackupReport:
        """Write a consistent, compacted copy of this file to ``target`` while commands go on, and its
        attachment blobs beside it (``<target>.attachments``); see :mod:`.sqlite_upkeep`.

        ``target`` must not exist (a backup never overwrites). ``verify`` reads the copy once more
        (``PRAGMA quick_check``): a backup that cannot be restored is found now, not on the day it is
        needed. Open the copy as any file: ``ServiceDesk.open(f"sqlite:///{target}", …)``.
        """
        if self._closed:
            raise StorageError(f"the SQLite store {self.path} is closed")
        if self._memory:
            raise ValidationError("an in-memory SQLite store has no file to back up", field="target")
        if not isinstance(target, (str, os.PathLike)) or not os.fspath(target):
            raise ValidationError("target is the path of the backup file", field="target")
        folder = beside_sqlite(self.url) if attachments else None
        return backup_file(
            Path(self.path), Path(target), timeout=self._timeout, attachments=folder, verify=verify
        )

    def default_attachments(self) -> FileSystemAttachmentStore | MemoryAttachmentStore:
        """Attachments in a folder beside the database file (``<file>.attachments``).

        In memory for ``:memory:``.
        """
        folder = beside_sqlite(self.url)
        return FileSystemAttachmentStore(folder) if folder is not None else MemoryAttachmentStore()

    def shred(self) -> None:
        """Copy the WAL into the database and truncate it, so old row versions leave no bytes behind.

        Called after an erasure commits: ``secure_delete`` zeroes freed space in the database pages,
        and this removes the WAL frames that still hold the pages as they were before.
        """
        # Pending search words are written first: the words the FTS index held before the erasure
        # wait in ticket_search_pending (for the delete) until they are.
        with self() as uow:
            uow.search.flush()
            uow.commit()
        # A contentless FTS5 table keeps a deleted row's words in its old segments (a delete only adds
        # a tombstone) until they are merged: the erased phone and name stayed readable in the file.
        # Every segment is merged, as ``'optimize'`` does, in bounded slices (sqlite_fts_merge): one
        # ``'optimize'`` held the write lock for the whole index.
        conn = self.acquire()
        try:
            with _translated("merging the search words after an erasure", self.path):
                shred_words(conn, FTS_TABLES)
        finally:
            self.release(conn)
        if not self._memory:
            self._checkpoint("TRUNCATE")

    def __call__(self) -> SqliteUnitOfWork:
        if self._closed:
            raise StorageError(f"the SQLite store {self.path} is closed")
        self._fork.own(self._reopen_after_fork)  # before the unit of work takes this process's memos
        return SqliteUnitOfWork(self)

    def forget_erased(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop an erased customer from this store's memos (parsed entities, kept tickets) and from the
        search words (:class:`~aftersales.ports.erasure.KeepsPersonalCopies`)."""
        dropped = self.tickets_kept.forget(ticket_ids, needles) + forget_words(needles)
        for kind, memo in list(self.parsed.items()):
            entries = ((text, kind, text, value) for text, value in list(memo.items()))
            dropped += forget_parsed(memo, entries, customer_id, needles)
        return dropped

    def ledger_rows(self) -> LedgerRows:
        """Flat ledger records for exports, read without building tickets (see ``ports.ledger_rows``)."""
        from aftersales.adapters.ledger_rows_sqlite import SqliteLedgerRows

        return SqliteLedgerRows(self)

    def close(self) -> None:
        """Close every connection; later units of work raise ``StorageError``."""
        if self._fork.moved():  # the parent's connections, in a forked child: left to the parent
            self._closed = True
            ForkGuard.keep((self._all, self._checkpointer))
            return
        checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.close()
        with self._lock:
            self._closed = True
            idle = [*self._idle, *self._idle_readers]
            self._idle.clear()
            self._idle_readers.clear()
            # A connection a unit of work holds is closed when given back (release): closed under a
            # statement of another thread, SQLite crashed the process (a host stopping mid-request).
            self._all = [conn for conn in self._all if not any(conn is each for each in idle)]
        for conn in idle:
            conn.close()


_ENTITY_KINDS: dict[str, tuple[str, type[Any]]] = {
    "customers": ("customer", Customer),
    "assets": ("asset", Asset),
    "products": ("product", Product),
    "dealers": ("dealer", Dealer),
    "engineers": ("engineer", Engineer),
}


_REMEMBERING = frozenset({"tickets", "search", *_ENTITY_KINDS})


def new_repository(uow: SqliteUnitOfWork, name: str) -> Any:
    """A new repository ``name`` of ``uow`` (``AttributeError`` for a name that is none)."""
    if name == "tickets":
        return _Tickets(uow)
    if name in _ENTITY_KINDS:
        return _Entities(uow, *_ENTITY_KINDS[name])
    maker = _MAKERS.get(name)
    if maker is None:
        raise AttributeError(f"{type(uow).__name__!r} object has no attribute {name!r}")
    return maker(uow)


class SqliteUnitOfWork:
    """One ``BEGIN IMMEDIATE`` … ``COMMIT`` on a pooled connection.

    Its repositories are made when first used (:class:`~aftersales.adapters.sqlite_made.MadeOnFirstUse`):
    a command uses four or five of the eleven, and making all of them was a tenth of a unit of work's
    own cost.
    """

    tickets: MadeOnFirstUse[_Tickets] = MadeOnFirstUse()
    customers: MadeOnFirstUse[_Entities[Customer]] = MadeOnFirstUse()
    assets: MadeOnFirstUse[_Entities[Asset]] = MadeOnFirstUse()
    products: MadeOnFirstUse[_Entities[Product]] = MadeOnFirstUse()
    dealers: MadeOnFirstUse[_Entities[Dealer]] = MadeOnFirstUse()
    engineers: MadeOnFirstUse[_Entities[Engineer]] = MadeOnFirstUse()
    documents: MadeOnFirstUse[_Documents] = MadeOnFirstUse()
    outbox: MadeOnFirstUse[_Outbox] = MadeOnFirstUse()
    idempotency: MadeOnFirstUse[_Idempotency] = MadeOnFirstUse()
    search: MadeOnFirstUse[SqliteTicketSearch] = MadeOnFirstUse()
    texts: MadeOnFirstUse[SqliteStoredTextIndex] = MadeOnFirstUse()

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._conn: sqlite3.Connection | None = None
        # The repositories made so far that remember what this transaction read (see _forget).
        self._remembering: list[Any] = []
        # (id, version, text) of each ticket written in this transaction: once it commits, the store's
        # kept tickets learn that these texts are the committed rows (TicketMemo.confirm).
        self.written: list[tuple[str, int, bytes]] = []
        # Documents a ticket's read joined in, by (kind, id): (version, data), None for none stored. The
        # documents repository answers a get from them until this transaction ends or writes a document.
        self.primed_documents: dict[tuple[str, str], tuple[int, str] | None] = {}
        # What a ticket's read joined in for repositories not made yet, (name, id, row) in read order:
        # handed over when one is made (see prime).
        self._unmade_primes: list[tuple[str, str, Any]] = []
        # The FTS tables this transaction wrote words to: merged after its commit (sqlite_fts_merge).
        self.words_written: dict[str, int] = {}

    def made_on_first_use(self, name: str) -> Any:
        """Make the repository ``name`` and keep it (called once per name, by its class attribute)."""
        made = self.__dict__[name] = new_repository(self, name)
        if name in _REMEMBERING:
            self._remembering.append(made)
        if self._unmade_primes:
            for each, id_, row in self._unmade_primes:
                if each == name:
                    made.prime(id_, row)
        return made

    def __enter__(self) -> SqliteUnitOfWork:
        return self

    def _forget(self) -> None:
        """The transaction ended: what it read may change before the next one."""
        self.primed_documents.clear()
        self._unmade_primes.clear()
        for repository in self._remembering:
            repository.forget()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.rollback()
        finally:
            self._drop_repositories()

    def _drop_repositories(self) -> None:
        """Drop the repositories made so far (the unit of work ended).

        Each refers back to this unit of work: kept, every command left a cycle of some 17 objects (the
        unit, its repositories, their dicts, lists and sets) for the garbage collector, whose collections
        set the mean command time (issue 21). A repository used after the end is made again on first use.
        """
        drop_made(self, _MADE_ON_FIRST_USE)
        self._remembering.clear()
        self._unmade_primes.clear()

    def prime(self, ticket: Ticket, found: Sequence[Any], *, asset: bool = True) -> None:
        """Hand what the ticket's read joined in (its customer, dealer and unit, its search position) to
        the repositories that read them next in this transaction, so they issue no statement
        (``asset=False``: the unit joined may not be this ticket's).

        A repository not made yet is not made for it: it gets the row when first used (a triage or a
        dispatch never uses the search index's, and making a repository costs ~2 µs; issue 21)."""
        made = self.__dict__
        self._prime(made, "customers", ticket.customer_id, found[2])
        if ticket.dealer_id is not None:
            self._prime(made, "dealers", ticket.dealer_id, found[3])
        if asset and ticket.asset_id is not None:
            self._prime(made, "assets", ticket.asset_id, found[4])
        if found[5] is not None:
            self._prime(made, "search", ticket.id, found[5])
        self.primed_documents[_STAMP_KEY] = None if found[7] is None else (found[7], found[8])

    def _prime(self, made: dict[str, Any], name: str, id_: str, row: Any) -> None:
        repository = made.get(name)
        if repository is not None:
            repository.prime(id_, row)
        else:
            self._unmade_primes.append((name, id_, row))

    def party_words(
        self, customer_ids: Iterable[str], dealer_ids: Iterable[str], asset_ids: Iterable[str]
    ) -> PartyWords:
        """The searchable words of these stored parties, selected without parsing their records (a bulk
        import's search documents: :mod:`aftersales.ports.batch_search`)."""
        conn = self.conn()
        with _translated("sqlite", self._store.path):
            return party_words(conn, customer_ids, dealer_ids, asset_ids)

    def conn(self) -> sqlite3.Connection:
        """The connection, with the transaction begun."""
        if self._conn is None:
            conn = self._store.acquire()
            try:
                with _translated("begin", self._store.path):
                    conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._store.release(conn)
                raise
            self._conn = conn
        return self._conn

    def run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        conn = self._conn if self._conn is not None else self.conn()
        try:
            return conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise _translate(exc, f"sqlite on {self._store.path}") from exc

    def wrote_words(self, table: str, rows: int = 1) -> None:
        """This transaction wrote FTS words of ``rows`` rows to ``table``: bounded merge steps follow its
        commit, in transactions of their own (automatic merging inside the writer's is off: issue 21)."""
        self.words_written[table] = self.words_written.get(table, 0) + rows

    def commit(self) -> None:
        """``COMMIT``; on failure everything is rolled back and ``StorageError`` raised."""
        conn, self._conn = self._conn, None
        self._forget()
        if conn is None:
            return
        written, worded = self.written, self.words_written
        if worded:  # a new dict only then: most commands write no FTS words
            self.words_written = {}
        try:
            with _translated("commit", self._store.path):
                conn.execute("COMMIT")
        except BaseException:
            written.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._store.release(conn)
        self._store.committed()
        if written:
            confirm = self._store.tickets_kept.confirm
            for id_, version, text in written:
                confirm(id_, version, text)
            written.clear()
        if worded:  # after the commit, never inside it: the command's lock hold stays its own work
            self._store.merge_words(worded)

    def rollback(self) -> None:
        """``ROLLBACK`` whatever is uncommitted."""
        conn, self._conn = self._conn, None
        if conn is None:
            return  # nothing read or written since the last commit or rollback (nothing to forget)
        self._forget()
        self.written.clear()
        self.words_written.clear()
        try:
            if conn.in_transaction:
                with _translated("rollback", self._store.path):
                    conn.execute("ROLLBACK")
        finally:
            self._store.release(conn)


_MADE_ON_FIRST_USE = made_names(SqliteUnitOfWork)
"""The names of a unit of work's repositories made on first use (see ``SqliteUnitOfWork.__exit__``)."""


class _Tickets:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow
        self._kept = uow._store.tickets_kept
        # The stored columns of each ticket read or written in this transaction: a save then
        # updates only the columns that changed (and so only their indexes).
        self._stored: dict[str, tuple[object, ...]] = {}
        # The fault rows of each ticket read in this transaction: a save rewrites them only if changed.
        self._faults: dict[str, list[tuple[object, ...]]] = {}
        # The events of each ticket read, as stored (their text, or a whole row's parsed list; None:
        # unknown): a save writes only the new ones to the log, or all of them without converting each.
        self._events: dict[str, EventsText | StoredEvents | None] = {}
        # The ticket object those events were read into or saved from: a save of another object (one
        # rebuilt with rewritten events, as an erasure does) writes all its events, never the known text.
        self._owners: dict[str, Ticket] = {}
        # The tickets read in this transaction whose events the log does not hold (rows written whole):
        # a save writes all of them to the log.
        self._whole: set[str] = set()
        # Of those, the ones with no log row at all (nothing to drop first).
        self._unlogged: set[str] = set()
        # The reporting row of each ticket read in this transaction: a save writes only what changed
        # (a note changes no fact, so it writes no reporting row and touches no reporting index).
        self._facts: dict[str, tuple[object, ...]] = {}
        # What the reporting row read of each ticket's events (read or saved in this transaction): its
        # save reads only the events it added (reporting_rows.fact_values_after).
        self._reads: dict[str, EventsRead] = {}

    def forget(self) -> None:
        """Drop the column snapshots (the transaction ended)."""
        self._stored.clear()
        self._faults.clear()
        self._events.clear()
        self._owners.clear()
        self._whole.clear()
        self._unlogged.clear()
        self._facts.clear()
        self._reads.clear()

    def _report(self, ticket: Ticket, *, new: bool, read: EventsRead | None = None) -> None:
        """Write the ticket's reporting rows (computed here, in Python, from the ticket in hand; ``read``:
        what was read of this very ticket's events before)."""
        run = self._uow.run
        facts, self._reads[ticket.id] = fact_values_after(ticket, read)
        known = None if new else self._facts.get(ticket.id)
        if known is None:
            run(UPSERT_FACTS, facts)
        elif known != facts:
            changed = tuple(i for i in range(1, len(facts)) if facts[i] != known[i])
            cursor = run(_facts_update_sql(changed), (*[facts[i] for i in changed], ticket.id))
            if cursor.rowcount != 1:  # not back-filled yet: the whole row
                run(UPSERT_FACTS, facts)
        self._facts[ticket.id] = facts
        # The completions change only with the resolution instant (a reopen keeps the one it ended): the
        # same instant as read, no write; else (or not read) its rows again.
        if known is None or known[_RESOLVED] != facts[_RESOLVED]:
            if not new:
                run(DELETE_COMPLETIONS, (ticket.id,))
            for completion in completion_values(ticket):
                run(INSERT_COMPLETION, completion)
        faults = fault_values(ticket)
        if not new:
            # Known only for a ticket read in this transaction (no faults then: not kept, so []).
            before = self._faults.get(ticket.id, [] if ticket.id in self._stored else None)
            if before == faults:
                return
            run(DELETE_FAULTS, (ticket.id,))
        for fault in faults:
            run(INSERT_FAULT, fault)
        self._faults[ticket.id] = faults

    def add(self, ticket: Ticket) -> None:
        row = row_values(ticket)
        # Written whole (events inside, none in the log): most tickets a desk or an import writes are
        # saved a few times or never again, and a whole row is one row. Its first save moves the events
        # out (see save).
        text, events = ticket_text_utf8(ticket, ticket.version, None)
        try:
            self._uow.run(INSERT_TICKET, (*row, text, ticket.asset_id or ""))
        except DuplicateError:
            raise DuplicateError(f"ticket {ticket.id!r} already exists") from None
        self._report(ticket, new=True)
        self._stored[ticket.id] = row
        derived = (row, self._facts[ticket.id], False, self._reads[ticket.id])
        self._kept.remember(ticket.id, text, ticket, events, derived)
        self._uow.written.append((ticket.id, ticket.version, text))

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        batch = distinct_batch(tickets)
        conn = self._uow.conn()
        # One executemany per table inside a savepoint: the whole batch, or none of it if an id is taken.
        conn.execute("SAVEPOINT add_many")
        try:
            insert_tickets(conn, batch)
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK TO add_many")
            conn.execute("RELEASE add_many")
            if isinstance(exc, sqlite3.IntegrityError):
                raise DuplicateError(f"ticket {self._taken(batch)!r} already exists") from None
            raise _translate(exc, f"sqlite on {self._uow._store.path}") from exc
        conn.execute("RELEASE add_many")

    def _taken(self, batch: list[Ticket]) -> str:
        """The first id of ``batch`` already stored (for the error message)."""
        for start in range(0, len(batch), 500):
            ids = [ticket.id for ticket in batch[start : start + 500]]
            sql = f"SELECT id FROM tickets WHERE id IN ({', '.join('?' * len(ids))}) LIMIT 1"
            found = self._uow.run(sql, ids).fetchone()
            if found is not None:
                return str(found[0])
        return "?"

    def get(self, id: str) -> Ticket:
        peeked = self._kept.peek_committed(id)
        if peeked is None:
            found = self._uow.run(_SELECT_TICKET_FOUND, (id,)).fetchone()
        else:
            found = self._uow.run(
                _SELECT_TICKET_KEPT, (peeked[1], peeked[1], peeked[0].asset_id, id)
            ).fetchone()
        if found is None:
            raise NotFound("ticket", id)
        version, text, chunks = found[0], found[1], found[6]
        # Tickets are kept when written, not when read: a read that misses (a report, a page of the
        # ledger, a ticket another process wrote) pays no copy for a ticket it may never read again.
        kept = None
        if text is None:  # the row is at the version the kept text was committed as
            kept = self._kept.recall_committed_entry(id, version)
            if kept is None:  # replaced or dropped since the peek (another unit of work of this store)
                text, chunks = self._uow.run(_SELECT_DATA, (id,)).fetchone()
        if kept is None:
            # A text written by this process but not known committed (a save in this very transaction,
            # or one rolled back) is used only when it is the row's text.
            kept = self._kept.recall_entry(id, text)
        self._kept.tally(kept is not None)
        derived: tuple[tuple[object, ...], tuple[object, ...], bool, EventsRead] | None = None
        if kept is None:
            # The stored text of its events is kept too: a save then appends to it (see save).
            ticket, self._events[id], logged = parse_stored(text, chunks)
            if not logged:
                self._whole.add(id)
                if chunks is None:
                    self._unlogged.add(id)
        else:
            ticket, self._events[id], derived = kept
        self._owners[id] = ticket
        ticket.version = version
        # A unit read by the memo's asset id is only the ticket's when the memo's text was the one read.
        self._uow.prime(ticket, found, asset=peeked is None or kept is not None)
        # The columns are derived from the JSON on every write (and kept with a memoised ticket, whose
        # text is the same), so recomputing them is cheaper than selecting them.
        if derived is None:
            facts, read = fact_values_after(ticket, None)
            derived = (row_values(ticket), facts, True, read)
        elif not derived[2]:  # kept as written whole (add): its events are not in the log yet
            self._whole.add(id)
            self._unlogged.add(id)
        self._stored[id], self._facts[id], self._reads[id] = derived[0], derived[1], derived[3]
        if ticket.fault_records:
            self._faults[id] = fault_values(ticket)
        return ticket

    def _known_events(self, ticket: Ticket) -> EventsText | StoredEvents | None:
        """The stored text of ``ticket``'s events, if this very object was read or saved with it."""
        known = self._events.pop(ticket.id, None)
        return known if self._owners.pop(ticket.id, None) is ticket else None

    def get_for_update(self, id: str) -> Ticket:
        # BEGIN IMMEDIATE at the unit of work's first statement holds the database's write lock already.
        return self.get(id)

    def save(self, ticket: Ticket) -> None:
        self._save(ticket, release=False)

    def save_and_release(self, ticket: Ticket) -> None:
        """:meth:`save`, for a caller that never changes ``ticket`` again (the desk's command runner,
        whose result reads it through a read-only view): the kept tickets keep ``ticket`` itself
        instead of a copy (one ticket fewer made per command)."""
        self._save(ticket, release=True)

    def _save(self, ticket: Ticket, *, release: bool) -> None:
        old_version = ticket.version
        new = old_version + 1
        row = row_values(ticket, new)
        stored = self._stored.get(ticket.id)
        if stored is not None and stored[1] == old_version:
            # Booleans are stored as 0/1 and compare equal to False/True.
            changed = tuple(i for i in range(2, len(row)) if row[i] != stored[i])
        else:
            changed = tuple(range(2, len(row)))
        # Only the events the ticket gained are written (one row appended to the log); the state row
        # keeps its size, so it is rewritten in place.
        run = self._uow.run
        whole = ticket.id in self._whole
        # What the reporting row read of the events, trusted as their text is: for this very object.
        read = self._reads.pop(ticket.id, None) if self._owners.get(ticket.id) is ticket else None
        text, events, append, body = save_texts(ticket, new, self._known_events(ticket), not whole)
        if not append and ticket.id not in self._unlogged:
            # Its logged events are unknown (or the row replaced them): all of them again.
            run(DROP_EVENTS, (ticket.id, old_version))
        self._whole.discard(ticket.id)
        self._unlogged.discard(ticket.id)
        seq = None if body is None else run(INSERT_EVENTS, (body,)).lastrowid
        if append:
            mode, logged = (_KEEP_EVENTS, ()) if seq is None else (_APPEND_EVENTS, (str(seq),))
        else:
            mode, logged = _SET_EVENTS, ("" if seq is None else str(seq),)
        params = (
            new,
            *[row[i] for i in changed],
            ticket.asset_id or "",
            text,
            *logged,
            ticket.id,
            old_version,
        )
        cursor = run(_update_sql(changed, mode), params)
        if cursor.rowcount != 1:
            if seq is not None:  # not the row's: leave no stray log row should the caller commit
                run("DELETE FROM ticket_events WHERE seq = ?", (seq,))
            found = run("SELECT version FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
            if found is None:
                raise NotFound("ticket", ticket.id)
            raise ConcurrencyConflict("ticket", ticket.id, ticket.version, found[0])
        self._report(ticket, new=False, read=read)
        self._stored[ticket.id] = row
        ticket.version = new
        self._events[ticket.id] = events
        self._owners[ticket.id] = ticket
        self._kept.remember(
            ticket.id,
            text,
            ticket,
            events,
            (row, self._facts[ticket.id], True, self._reads[ticket.id]),
            copy=not release,
        )
        self._uow.written.append((ticket.id, new, text))

    def _gap_column(self, filter: TicketFilter) -> str:
        """How the breached filter reads ``late_gap`` (the column, or while an upgrade's back-fill is
        not complete the document's rule past its position: :mod:`.late_gap_pending`)."""
        return filter_gap_column(self._uow.conn(), filter)

    def _source(self, filter: TicketFilter, sort: Sort | None = None) -> str:
        """The FROM clause for ``filter`` in ``sort`` (None: a count): a sweep table joined where it
        replaced the ledger's index (:func:`~aftersales.adapters.sla_sweep_ledger.ledger_source`)."""
        return ledger_source(self._uow.conn(), filter, sort)

    def _select(self, filter: TicketFilter, page: PageRequest) -> tuple[str, list[object]]:
        gap, source = self._gap_column(filter), self._source(filter, page.sort)
        return page_query(filter, page, _PAGE_DATA, "?", "LIKE", gap_column=gap, source=source)

    def explain(self, filter: TicketFilter, page: PageRequest) -> list[str]:
        """SQLite's plan for :meth:`query` (``EXPLAIN QUERY PLAN``), one line per step.

        An operator checks a slow ledger view with it: every shape the library issues is served by an
        index (``SEARCH … USING INDEX``), never ``SCAN tickets`` or ``USE TEMP B-TREE FOR ORDER BY``.
        """
        sql, params = self._select(filter, page)
        return [str(row[3]) for row in self._uow.run(f"EXPLAIN QUERY PLAN {sql}", params)]

    def query(self, filter: TicketFilter, page: PageRequest) -> Page[Ticket]:
        sql, params = self._select(filter, page)
        rows = self._uow.run(sql, params).fetchall()
        items: list[Ticket] = []
        recall = self._kept.recall
        for row in rows[: page.limit]:
            version, data, id_ = row[0], row[1], row[-1]  # the sort key ends with the id
            ticket = recall(id_, data)
            if ticket is None:
                ticket = parse_stored(data, row[2])[0]  # (a page's tickets are not saved from it)
            ticket.version = version
            items.append(ticket)
        cursor = encode_cursor(page.sort, rows[page.limit - 1][3:]) if len(rows) > page.limit else None
        return Page(items, cursor)

    def sla_candidates(self, filter: TicketFilter, page: PageRequest) -> Page[SlaCandidate]:
        # The sweep's own shape from its tables (sla_sweep_sqlite) once they hold every row.
        sweep = sqlite_sweep_query(filter, page)
        if sweep is not None and sweep_tables_ready(self._uow.conn()):
            return sweep_page(self._uow.run(*sweep).fetchall(), page)
        # The breached filter reads late_gap as the ledger does (unfilled rows from their documents).
        gap, source = self._gap_column(filter), self._source(filter, page.sort)
        sql, params = candidate_query(filter, page, "?", "LIKE", SQLITE_TIER, gap_column=gap, source=source)
        return candidate_page(self._uow.run(sql, params).fetchall(), page)

    def query_rows(self, filter: TicketFilter, page: PageRequest) -> Page[TicketRow]:
        # The row columns only: no document is read, so a page is the index range and its rows.
        gap, source = self._gap_column(filter), self._source(filter, page.sort)
        sql, params = page_query(filter, page, _ROW_SELECT, "?", "LIKE", gap_column=gap, source=source)
        rows = self._uow.run(sql, params).fetchall()
        items = [ticket_row_of(row[1 : 1 + len(ROW_COLUMNS)]) for row in rows[: page.limit]]
        after = 1 + len(ROW_COLUMNS)
        cursor = encode_cursor(page.sort, rows[page.limit - 1][after:]) if len(rows) > page.limit else None
        return Page(items, cursor)

    def count(self, filter: TicketFilter) -> int:
        source = self._source(filter)
        if source == DUE_SOURCE and filter == TicketFilter(unresolved=True, due_before=filter.due_before):
            # every sla_due row is an unresolved ticket: its key range alone, no ticket row read
            due = [] if filter.due_before is None else [min(micros(filter.due_before), NO_DUE)]
            sql = f"SELECT count(*) FROM sla_due{' WHERE due_key < ?' if due else ''}"
            return int(self._uow.run(sql, due).fetchone()[0])
        parts, params = where(filter, "?", "LIKE", gap_column=self._gap_column(filter))
        sql = f"SELECT count(*) FROM {source}{' WHERE ' + ' AND '.join(parts) if parts else ''}"
        return int(self._uow.run(sql, params).fetchone()[0])

    def count_by(self, field: CountField, filter: TicketFilter) -> dict[str, int]:
        gap, source = self._gap_column(filter), self._source(filter)
        sql, params = count_query(field, filter, "?", "LIKE", gap_column=gap, source=source)  # issue 20
        return {(value or UNSET): n for value, n in self._uow.run(sql, params)}

    def open_loads(self, assignee_ids: Collection[str], states: Sequence[str]) -> dict[str, int]:
        """Open tickets of the named assignees only (issue 26: dispatch's loads; the open-assignee index)."""
        return open_loads_in(self._uow.run, assignee_ids, states, "?", "1")


class _Entities(Generic[T]):
    def __init__(self, uow: SqliteUnitOfWork, name: str, cls: type[T]) -> None:
        self._uow = uow
        self._name = name
        self._cls = cls
        # Entities are immutable: one read per transaction serves every later get of the same id
        # (a command reads its dealer for routing and again for the notification).
        self._seen: dict[str, T] = {}
        # Texts read by a ticket's joined read (None: no such row), parsed when first asked for.
        self._primed: dict[str, str | None] = {}
        memos = uow._store.parsed
        self._parsed = memos.get(name) or memos.setdefault(name, OrderedDict())

    def forget(self) -> None:
        """Drop what this transaction read (it ended)."""
        self._seen.clear()
        self._primed.clear()

    def prime(self, id: str, text: str | None) -> None:
        """The stored text of ``id`` (None: not stored), read by another statement of this transaction."""
        if id not in self._seen:
            self._primed[id] = text

    @property
    def _fields(self) -> set[str]:
        return {a.name for a in attrs.fields(self._cls)}  # type: ignore[arg-type]

    def add(self, obj: T) -> None:
        id_ = obj.id  # type: ignore[attr-defined]
        try:
            self._uow.run(
                "INSERT INTO entities (kind, id, data) VALUES (?, ?, ?)", (self._name, id_, dumps(obj))
            )
        except DuplicateError:
            raise DuplicateError(f"{self._name} {id_!r} already exists") from None
        self._primed.pop(id_, None)

    def get(self, id: str) -> T:
        seen = self._seen.get(id)
        if seen is not None:
            return seen
        if id in self._primed:
            text = self._primed.pop(id)
            if text is None:
                raise NotFound(self._name, id)
            obj = self._seen[id] = self._parse(text)
            return obj
        found = self._uow.run(
            "SELECT data FROM entities WHERE kind = ? AND id = ?", (self._name, id)
        ).fetchone()
        if found is None:
            raise NotFound(self._name, id)
        obj = self._seen[id] = self._parse(found[0])
        return obj

    def _parse(self, text: str) -> T:
        """The entity stored as ``text``: the same text always gives an equal immutable value, so a
        store-wide memo of recent texts skips re-parsing customers and dealers read on every command."""
        parsed = self._parsed
        obj: T | None = parsed.get(text)
        if obj is None:
            obj = loads(text, self._cls)
            parsed[text] = obj
            if len(parsed) > _PARSED_LIMIT:  # least recently used out (not the whole memo)
                with contextlib.suppress(KeyError):
                    parsed.popitem(last=False)
        else:
            with contextlib.suppress(KeyError):  # another thread may have evicted it meanwhile
                parsed.move_to_end(text)
        return obj

    def save(self, obj: T) -> None:
        id_: str = obj.id  # type: ignore[attr-defined]
        self._uow.run(
            "INSERT INTO entities (kind, id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (self._name, id_, dumps(obj)),
        )
        self._seen.pop(id_, None)
        self._primed.pop(id_, None)

    def find(self, ids: Iterable[str]) -> dict[str, T]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, T] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = f"SELECT id, data FROM entities WHERE kind = ? AND id IN ({', '.join('?' * len(chunk))})"
            for id_, data in self._uow.run(sql, (self._name, *chunk)):
                # Remembered like a get: a batch reads its records at once, then gets them one by one.
                found[id_] = self._seen[id_] = self._parse(data)
        return found

    def list(self, **equals: str | None) -> Sequence[T]:
        unknown = set(equals) - self._fields
        if unknown:
            raise ValidationError(f"{self._name} has no field(s) {', '.join(sorted(unknown))}")
        parts = ["kind = ?"]
        params: list[object] = [self._name]
        for name, value in equals.items():
            if value is None:
                parts.append(f"json_extract(data, '$.{name}') IS NULL")
            else:
                parts.append(f"json_extract(data, '$.{name}') = ?")
                params.append(value)
        sql = f"SELECT data FROM entities WHERE {' AND '.join(parts)} ORDER BY id"
        return [self._parse(data) for (data,) in self._uow.run(sql, params)]


class _Documents(SqlDocuments):
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow
        self._get_sql = self._sql["get"]

    def _run(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        if sql is not self._get_sql:  # any other statement may write a document: the primed ones go
            self._uow.primed_documents.clear()
        return self._uow.run(sql, params)

    def get(self, cls: type[D], id: str) -> D:
        """A document joined into this transaction's ticket read (the calendar stamp) is answered from
        what that statement read; any other, or after a document write, from the table."""
        primed = self._uow.primed_documents
        if primed:
            spec = document_spec(cls)
            key = (spec.kind, id)
            if key in primed:
                found = primed[key]
                if found is None:
                    raise NotFound(spec.kind, id)
                self._note_stored(spec.kind, id, found[0], found[1], spec.index)
                # Read on every command that moves due times, and changed only by a new stamp: copied
                # from the one parsed last time its text was read (issue 21).
                return self._uow._store.documents_parsed.read(cls, found[1], found[0], self._decode)
        return super().get(cls, id)

    def _encode(self, obj: Document, version: int) -> str:
        data = unstructure(obj)
        data["version"] = version
        return encode_json(data)

    def _decode(self, data: Any, cls: type[D]) -> D:
        return loads(data, cls)


class _Outbox(SqlOutbox):
    data_value = "CAST(? AS TEXT)"  # the JSON's UTF-8 bytes, stored as text
    # One-statement claims need UPDATE … RETURNING (SQLite 3.35); older libraries claim row by row.
    claim_patch = (
        "json_set(data, '$.attempts', json_extract(data, '$.attempts') + 1,"
        " '$.last_attempt_at', ?, '$.lease_until', ?, '$.lease_owner', ?)"
        if sqlite3.sqlite_version_info >= (3, 35)
        else ""
    )
    sent_patch = "json_set(data, '$.sent_at', ?, '$.lease_until', NULL, '$.lease_owner', NULL)"

    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def _run(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        return self._uow.run(sql, params)

    def _encode(self, message: OutboxMessage) -> bytes:
        # Without its null members: a new message's seven (half a WAL page per command, issue 21).
        return encode_json_utf8(stored_outbox_record(message))

    def _decode(self, data: Any) -> OutboxMessage:
        return outbox_message(decode_json(data))

    def _decode_raw(self, data: Any) -> Mapping[str, Any]:
        found: Mapping[str, Any] = decode_json(data)
        return found

    def _encode_raw(self, record: Mapping[str, Any]) -> bytes:
        return encode_json_utf8(record)


class _Idempotency(SqlIdempotency):
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def _run(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        return self._uow.run(sql, params)


_MAKERS: dict[str, Callable[[SqliteUnitOfWork], Any]] = {
    "documents": _Documents,
    "outbox": _Outbox,
    "idempotency": _Idempotency,
    "search": SqliteTicketSearch,
    "texts": SqliteStoredTextIndex,
}
"""The repositories of a unit of work other than its tickets and entities, by name."""


_READER: list[type[SqliteReadUnitOfWork]] = []


def _read_unit(store: SqliteStore, snapshot: bool) -> SqliteReadUnitOfWork:
    """A read-only unit of work on ``store`` (its module imports this one: imported on first use)."""
    if not _READER:
        from aftersales.adapters.sqlite_read import SqliteReadUnitOfWork

        _READER.append(SqliteReadUnitOfWork)
    return _READER[0](store, snapshot)


def open_sqlite(url: str) -> SqliteStore:
    """Entry point for ``sqlite:///…``: open (creating or migrating) the database."""
    return SqliteStore(url)
