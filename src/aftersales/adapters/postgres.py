"""The PostgreSQL store: ``psycopg`` 3 with a ``psycopg_pool`` pool, ``jsonb``, version-checked updates.

``open_postgres("postgresql://user@host:5432/db")``; add ``?schema=name`` to keep the tables in
their own schema (created if missing), e.g. one per test run. ``?synchronous_commit=off`` (or
``local``…) sets PostgreSQL's ``synchronous_commit`` for the store's sessions: a commit returns before
its WAL reaches the disk, several times more commands per second on one connection, and a server crash
may lose the last few hundred milliseconds of commits (never corrupts; the default ``on`` loses
nothing). ``?pool_min=N&pool_max=M`` size the connection pool (default 1 and 8);
``?prepare_threshold=N`` is psycopg's (default here 0: every statement is prepared on first use;
use a large N behind a transaction-pooling proxy). The schema is versioned like the SQLite one
(table ``aftersales_schema``) and migrated on open under an advisory lock, so several processes
may open the same database at once. A unit of work is one transaction on a pooled connection;
``UPDATE … WHERE version = %s`` refuses stale writes; inserts use ``ON CONFLICT DO NOTHING`` so a
duplicate is reported without aborting the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from aftersales.adapters.sql_ledger import ROW_COLUMNS, keyset, where
from aftersales.adapters.sql_repositories import SqlDocuments, SqlIdempotency, SqlOutbox
from aftersales.adapters.text_index_postgres import PostgresStoredTextIndex
from aftersales.adapters.ticket_search_postgres import SEARCH_MIGRATION, PostgresTicketSearch
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.errors import (
    AftersalesError,
    ConcurrencyConflict,
    ConfigurationError,
    DuplicateError,
    NotFound,
    StorageError,
    ValidationError,
)
from aftersales.ports.documents import D, Document
from aftersales.ports.outbox import OutboxMessage, outbox_message, outbox_record
from aftersales.ports.queries import UNSET, CountField, Page, PageRequest, TicketFilter, encode_cursor
from aftersales.ports.repositories import distinct_batch
from aftersales.ports.ticket_index import COUNT_COLUMNS, ticket_row
from aftersales.serialization import decode_json, encode_json, structure, unstructure

try:
    import psycopg
    from psycopg.types.json import Jsonb, set_json_loads
    from psycopg_pool import ConnectionPool
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

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
)
SCHEMA_VERSION = len(MIGRATIONS)
_LOCK_KEY = 0x41465453

_INSERT_TICKET = (
    f"INSERT INTO tickets ({', '.join(ROW_COLUMNS)}, data) "
    f"VALUES ({', '.join(['%s'] * (len(ROW_COLUMNS) + 1))}) ON CONFLICT (id) DO NOTHING"
)
_INSERT_TICKETS = _INSERT_TICKET.removesuffix(" ON CONFLICT (id) DO NOTHING")
_SETS = ", ".join(f"{c} = %s" for c in ROW_COLUMNS[1:])
_UPDATE_TICKET = f"UPDATE tickets SET {_SETS}, data = %s WHERE id = %s AND version = %s"


@contextmanager
def _translated(where: str) -> Iterator[None]:
    try:
        yield
    except AftersalesError:
        raise
    except psycopg.errors.UniqueViolation as exc:
        raise DuplicateError(f"{where}: {exc}") from exc
    except psycopg.errors.SerializationFailure as exc:
        raise ConcurrencyConflict(where, "?", -1, None) from exc
    except (psycopg.Error, OSError) as exc:
        raise StorageError(f"{where}: {exc}") from exc


_SYNCHRONOUS_COMMIT = ("on", "off", "local", "remote_write", "remote_apply")
_OPTIONS = ("schema", "synchronous_commit", "pool_min", "pool_max", "prepare_threshold")


@attrs.frozen
class _PgOptions:
    """What the aftersales part of a ``postgresql://`` URL says (the rest goes to libpq)."""

    conninfo: str
    schema: str | None = None
    synchronous_commit: str | None = None
    pool_min: int | None = None
    pool_max: int | None = None
    prepare_threshold: int | None = None


def _count(name: str, value: str | None, low: int) -> int | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < low:
        raise ValidationError(f"{name} is a whole number of at least {low}, got {value!r}", field="url")
    return int(value)


def _parse_url(url: str) -> _PgOptions:
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ValidationError(f"not a PostgreSQL URL: {url!r}", field="url")
    query = parse_qsl(parts.query)
    ours = {k: v for k, v in query if k in _OPTIONS}
    rest = urlencode([(k, v) for k, v in query if k not in _OPTIONS])
    schema = ours.get("schema")
    if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
        raise ValidationError(f"schema must be a lower-case SQL identifier, got {schema!r}", field="url")
    sync = ours.get("synchronous_commit")
    if sync is not None and sync not in _SYNCHRONOUS_COMMIT:
        raise ValidationError(
            f"synchronous_commit must be one of {', '.join(_SYNCHRONOUS_COMMIT)}, got {sync!r}", field="url"
        )
    options = _PgOptions(
        urlunsplit(("postgresql", parts.netloc, parts.path, rest, parts.fragment)),
        schema,
        sync,
        _count("pool_min", ours.get("pool_min"), 0),
        _count("pool_max", ours.get("pool_max"), 1),
        _count("prepare_threshold", ours.get("prepare_threshold"), 0),
    )
    if options.pool_min is not None and options.pool_max is not None and options.pool_min > options.pool_max:
        raise ValidationError("pool_min is larger than pool_max", field="url")
    return options


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
            raise ValidationError("pool_min is larger than the pool's size", field="url")
        kwargs: dict[str, Any] = {"autocommit": False}
        # Statements this adapter runs on every command are few and fixed: prepared on their first use
        # (psycopg's default waits for the 5th) they skip parsing and planning from then on.
        kwargs["prepare_threshold"] = 0 if options.prepare_threshold is None else options.prepare_threshold
        settings = []
        if self.schema:
            settings.append(f"-c search_path={self.schema}")
        if options.synchronous_commit is not None:
            settings.append(f"-c synchronous_commit={options.synchronous_commit}")
        if settings:
            kwargs["options"] = " ".join(settings)
        self._closed = False
        with _translated("connect"):
            if self.schema:
                with psycopg.connect(conninfo, autocommit=True) as admin:
                    admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self._pool = ConnectionPool(
                conninfo,
                min_size=min_size,
                max_size=max_size,
                kwargs=kwargs,
                timeout=timeout,
                open=True,
                configure=_configure,
            )
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    def _migrate(self) -> None:
        with _translated("migrate"), self._pool.connection() as conn:
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
        return PostgresUnitOfWork(self)

    def acquire(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StorageError("the PostgreSQL store is closed")
        with _translated("connect"):
            return self._pool.getconn()

    def release(self, conn: psycopg.Connection[Any]) -> None:
        self._pool.putconn(conn)

    def close(self) -> None:
        """Close the pool; later units of work raise ``StorageError``."""
        self._closed = True
        self._pool.close()


class PostgresUnitOfWork:
    """One transaction on a pooled connection."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._conn: psycopg.Connection[Any] | None = None
        self.tickets = _Tickets(self)
        self.customers: _Entities[Customer] = _Entities(self, "customer", Customer)
        self.assets: _Entities[Asset] = _Entities(self, "asset", Asset)
        self.products: _Entities[Product] = _Entities(self, "product", Product)
        self.dealers: _Entities[Dealer] = _Entities(self, "dealer", Dealer)
        self.engineers: _Entities[Engineer] = _Entities(self, "engineer", Engineer)
        self.documents = _Documents(self)
        self.outbox = _Outbox(self)
        self.idempotency = _Idempotency(self)
        self.search = PostgresTicketSearch(self)
        self.texts = PostgresStoredTextIndex(self)

    def __enter__(self) -> PostgresUnitOfWork:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()

    def run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        if self._conn is None:
            self._conn = self._store.acquire()
        with _translated("postgresql"):
            return self._conn.execute(sql, params)

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """``executemany`` inside a savepoint: on an error none of ``rows`` is written and the unit of
        work stays usable. Call it after another statement (the transaction must have begun)."""
        conn = self._conn
        if conn is None:
            raise StorageError("run_many needs a transaction that has begun")
        with _translated("postgresql"), conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def commit(self) -> None:
        """Commit; on failure the transaction is rolled back and the error raised."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            with _translated("commit"):
                conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            self._store.release(conn)

    def rollback(self) -> None:
        """Roll back whatever is uncommitted."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            with _translated("rollback"):
                conn.rollback()
        finally:
            self._store.release(conn)


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Read ``jsonb`` with the library's JSON parser (orjson), on this connection only."""
    set_json_loads(decode_json, conn)


def _json(obj: object, version: int | None = None) -> Jsonb:
    data = unstructure(obj)
    if version is not None:
        data["version"] = version
    return Jsonb(data, dumps=encode_json)


class _Tickets:
    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, ticket: Ticket) -> None:
        row = attrs.astuple(ticket_row(ticket), recurse=False)
        if self._uow.run(_INSERT_TICKET, (*row, _json(ticket))).rowcount != 1:
            raise DuplicateError(f"ticket {ticket.id!r} already exists")

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        batch = distinct_batch(tickets)
        if not batch:
            return
        taken = self._uow.run(
            "SELECT id FROM tickets WHERE id = ANY(%s) LIMIT 1", ([t.id for t in batch],)
        ).fetchone()
        if taken is not None:
            raise DuplicateError(f"ticket {taken[0]!r} already exists")
        rows = [(*attrs.astuple(ticket_row(t), recurse=False), _json(t)) for t in batch]
        # Without ON CONFLICT: a concurrent insert of one of these ids fails the whole batch.
        self._uow.run_many(_INSERT_TICKETS, rows)

    def _load(self, version: int, data: Any) -> Ticket:
        ticket = structure(data, Ticket)
        ticket.version = version
        return ticket

    def get(self, id: str) -> Ticket:
        found = self._uow.run("SELECT version, data FROM tickets WHERE id = %s", (id,)).fetchone()
        if found is None:
            raise NotFound("ticket", id)
        return self._load(*found)

    def get_for_update(self, id: str) -> Ticket:
        # The row lock queues concurrent commands on one ticket (instead of failing their version check).
        found = self._uow.run("SELECT version, data FROM tickets WHERE id = %s FOR UPDATE", (id,)).fetchone()
        if found is None:
            raise NotFound("ticket", id)
        return self._load(*found)

    def save(self, ticket: Ticket) -> None:
        new = ticket.version + 1
        row = attrs.astuple(attrs.evolve(ticket_row(ticket), version=new), recurse=False)
        cursor = self._uow.run(_UPDATE_TICKET, (*row[1:], _json(ticket, new), ticket.id, ticket.version))
        if cursor.rowcount != 1:
            found = self._uow.run("SELECT version FROM tickets WHERE id = %s", (ticket.id,)).fetchone()
            if found is None:
                raise NotFound("ticket", ticket.id)
            raise ConcurrencyConflict("ticket", ticket.id, ticket.version, found[0])
        ticket.version = new

    @staticmethod
    def _select(filter: TicketFilter, page: PageRequest) -> tuple[str, list[object]]:
        parts, params = where(filter, "%s", "ILIKE", "TRUE", "FALSE")
        order, after, after_params, columns = keyset(page.sort, page.cursor, "%s")
        if after is not None:
            parts.append(after)
            params.extend(after_params)
        sql = (
            f"SELECT version, data, {', '.join(columns)} FROM tickets"
            f"{' WHERE ' + ' AND '.join(parts) if parts else ''} ORDER BY {order} LIMIT %s"
        )
        return sql, [*params, page.limit + 1]

    def explain(self, filter: TicketFilter, page: PageRequest) -> list[str]:
        """PostgreSQL's plan for :meth:`query` (``EXPLAIN``), one line per node."""
        sql, params = self._select(filter, page)
        return [str(row[0]) for row in self._uow.run(f"EXPLAIN {sql}", params)]

    def query(self, filter: TicketFilter, page: PageRequest) -> Page[Ticket]:
        sql, params = self._select(filter, page)
        rows = self._uow.run(sql, params).fetchall()
        items = [self._load(r[0], r[1]) for r in rows[: page.limit]]
        cursor = encode_cursor(page.sort, rows[page.limit - 1][2:]) if len(rows) > page.limit else None
        return Page(items, cursor)

    def count(self, filter: TicketFilter) -> int:
        parts, params = where(filter, "%s", "ILIKE", "TRUE", "FALSE")
        sql = f"SELECT count(*) FROM tickets{' WHERE ' + ' AND '.join(parts) if parts else ''}"
        found = self._uow.run(sql, params).fetchone()
        return int(found[0]) if found is not None else 0

    def count_by(self, field: CountField, filter: TicketFilter) -> dict[str, int]:
        column = COUNT_COLUMNS[CountField(field)]
        parts, params = where(filter, "%s", "ILIKE", "TRUE", "FALSE")
        sql = (
            f"SELECT {column}, count(*) FROM tickets"
            f"{' WHERE ' + ' AND '.join(parts) if parts else ''} GROUP BY {column}"
        )
        return {(value or UNSET): int(n) for value, n in self._uow.run(sql, params)}


class _Entities(Generic[T]):
    def __init__(self, uow: PostgresUnitOfWork, name: str, cls: type[T]) -> None:
        self._uow = uow
        self._name = name
        self._cls = cls
        self._fields = {a.name for a in attrs.fields(cls)}  # type: ignore[arg-type]

    def add(self, obj: T) -> None:
        id_ = obj.id  # type: ignore[attr-defined]
        cursor = self._uow.run(
            "INSERT INTO entities (kind, id, data) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (self._name, id_, _json(obj)),
        )
        if cursor.rowcount != 1:
            raise DuplicateError(f"{self._name} {id_!r} already exists")

    def get(self, id: str) -> T:
        found = self._uow.run(
            "SELECT data FROM entities WHERE kind = %s AND id = %s", (self._name, id)
        ).fetchone()
        if found is None:
            raise NotFound(self._name, id)
        return structure(found[0], self._cls)

    def save(self, obj: T) -> None:
        self._uow.run(
            "INSERT INTO entities (kind, id, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (self._name, obj.id, _json(obj)),  # type: ignore[attr-defined]
        )

    def find(self, ids: Iterable[str]) -> dict[str, T]:
        rows = self._uow.run(
            "SELECT id, data FROM entities WHERE kind = %s AND id = ANY(%s)", (self._name, list(ids))
        )
        return {id_: structure(data, self._cls) for id_, data in rows}

    def list(self, **equals: str | None) -> Sequence[T]:
        unknown = set(equals) - self._fields
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

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any]:
        return self._uow.run(sql, params)

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

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any]:
        return self._uow.run(sql, params)

    def _encode(self, message: OutboxMessage) -> Jsonb:
        return Jsonb(outbox_record(message), dumps=encode_json)

    def _decode(self, data: Any) -> OutboxMessage:
        return outbox_message(data)  # jsonb arrives parsed

    def _decode_raw(self, data: Any) -> Mapping[str, Any]:
        found: Mapping[str, Any] = data  # jsonb arrives parsed
        return found

    def _encode_raw(self, record: Mapping[str, Any]) -> Jsonb:
        return Jsonb(dict(record), dumps=encode_json)


class _Idempotency(SqlIdempotency):
    placeholder = "%s"

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any]:
        return self._uow.run(sql, params)


def open_postgres(url: str) -> PostgresStore:
    """Entry point for ``postgresql://…``: connect, create or migrate the schema."""
    return PostgresStore(url)
