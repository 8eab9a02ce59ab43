"""One PostgreSQL transaction whose writes travel together: a command costs two round trips.

A command reads (one ``SELECT`` of the ticket and what it needs, see
:mod:`aftersales.adapters.postgres_tickets`) and then writes: the ticket, the outbox rows, the
idempotency record, the search index. Each statement on its own is a round trip to the server, and
on a busy host a round trip costs far more than the statement (the client and the server process
both wait to be scheduled). So once a unit of work holds a ticket it writes — locked by
``get_for_update`` or just added — the writes that can only fail on a duplicate key are *deferred*:
kept here and sent in one psycopg pipeline with the next statement that needs an answer (prepared
statements), or with ``COMMIT`` (one pipeline of bound values, or one multi-statement query). Their
errors (a duplicate key) then surface from that statement or from :meth:`Transaction.commit`, as the
same typed errors, and the transaction is rolled back whole; the command runner re-runs a command
that lost such a race. Before a unit of work holds a ticket, every statement runs at once, so direct
users of the repositories see each error where they caused it.

The connections are in psycopg's autocommit mode and the transaction is ours: ``BEGIN`` waits for
the first statement and travels with it, ``COMMIT`` travels with the last writes (psycopg's own
transaction handling would send ``BEGIN`` alone, and sync a pipeline twice at a commit: two more
round trips per command).
"""

from __future__ import annotations

import functools
import hashlib
import select
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aftersales.adapters.postgres_literals import (
    literals,
    literals_utf8,
    parameters_utf8,
    render,
    render_utf8,
    standard_strings,
)
from aftersales.adapters.postgres_wire_pipeline import Plain, Prepare, Prepared, numbered, run_pipeline
from aftersales.errors import AftersalesError, ConcurrencyConflict, DuplicateError, StorageError
from aftersales.serialization import decode_json

try:
    import psycopg
    import psycopg.abc
    from psycopg.adapt import Transformer
    from psycopg.errors import error_from_result
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

__all__ = ["Kept", "Transaction", "translated"]

Cursor = psycopg.Cursor[Any]
OnCommit = Callable[[Any], None]
"""Called after the commit with the first row its statement returned (``None`` if none)."""


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Driver errors as the library's typed errors (a duplicate key, a lost race, anything else)."""
    try:
        yield
    except AftersalesError:
        raise
    except psycopg.errors.UniqueViolation as exc:
        raise DuplicateError(f"{where}: {exc}") from exc
    except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as exc:
        # Both roll the whole transaction back: nothing was written, a lost race the runner runs again
        # (two desks taking the same two row locks in opposite orders, e.g. a counter and a ticket).
        # A document's save checked by the server names the document (aftersales_version_conflict).
        named = _conflict_named(exc.diag.message_detail)
        if named is not None:
            raise ConcurrencyConflict(*named, None) from exc
        raise ConcurrencyConflict(where, "?", -1, None) from exc
    except psycopg.errors.InFailedSqlTransaction as exc:
        # A statement after one that failed: the library goes on after a refusal only when it reads a
        # DuplicateError as a lost race (a stamp another desk wrote first), and an insert sent with the
        # next statement may have aborted the transaction meanwhile. A lost race too: the runner runs
        # the command again (as StorageError the host saw "transaction is aborted" and nothing retried).
        raise ConcurrencyConflict(where, "?", -1, None) from exc
    except (psycopg.Error, OSError) as exc:
        raise StorageError(f"{where}: {exc}") from exc


_DOCUMENTS = "documents"
"""A write whose text names this table drops the documents read along (:meth:`Transaction.keep_along`);
``document_index`` is another table and does not."""


def _conflict_named(detail: str | None) -> tuple[str, str, int] | None:
    """The document (kind, id, version expected) a failed checked save names in its error's detail."""
    if not detail or not detail.startswith("["):
        return None
    try:
        kind, id_, expected = decode_json(detail)
        return str(kind), str(id_), int(expected)
    except (ValueError, TypeError):
        return None


def _same(value: Any) -> Any:
    return value


class Kept:
    """The answer to a read made ahead (:meth:`Transaction.read_ahead`), served once: as much of a
    cursor as the repositories use."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


def _key(sql: str, params: Sequence[Any]) -> tuple[str, tuple[Any, ...]] | None:
    """A read's key among those made ahead (``None``: a parameter that cannot be a key, a list)."""
    key = (sql, tuple(params))
    try:
        hash(key)
    except TypeError:
        return None
    return key


_PREPARED: weakref.WeakKeyDictionary[psycopg.Connection[Any], dict[str, bool]] = weakref.WeakKeyDictionary()
"""The statements each connection holds under their own name (``PREPARE``, once per session):
``True`` prepared, ``False`` unknown (a query that began with its ``PREPARE`` failed)."""


_LOADERS: weakref.WeakKeyDictionary[psycopg.Connection[Any], psycopg.abc.Transformer] = (
    weakref.WeakKeyDictionary()
)
"""Each connection's row loader (its types' loaders, looked up once)."""


_WRITE_NAMES: dict[str, str] = {}
"""Deferred writes whose callers said they may be prepared (:meth:`Transaction.defer` with
``prepare=True``), by text: the name each is prepared under (its text's digest). Bounded by the
fixed statements the repositories write (an outbox insert per chunk size at most)."""


def write_name(sql: str) -> str:
    """The name a deferred write ``sql`` is prepared under (the digest of its text: another text never
    meets this one's name in a session)."""
    name = _WRITE_NAMES.get(sql)
    if name is None:
        digest = hashlib.md5(sql.encode(), usedforsecurity=False).hexdigest()[:16]
        name = _WRITE_NAMES[sql] = f"aftersales_w_{digest}"
    return name


_READ_NAMES: dict[str, str] = {}
"""Reads made ahead, by text: the name each is prepared under (its text's digest). Bounded by the
repositories' fixed statements (an entity's read, a document's, a query per set of index fields)."""
_READ_NAMES_LIMIT = 1024


def read_name(sql: str) -> str:
    """The name a read made ahead ``sql`` is prepared under (its text's digest)."""
    name = _READ_NAMES.get(sql)
    if name is None:
        digest = hashlib.md5(sql.encode(), usedforsecurity=False).hexdigest()[:16]
        name = f"aftersales_r_{digest}"
        if len(_READ_NAMES) < _READ_NAMES_LIMIT:
            _READ_NAMES[sql] = name
    return name


def _unsure(known: dict[str, bool]) -> None:
    """Whether each of ``known`` is still prepared is unknown: looked up at its next use."""
    for name in known:
        known[name] = False


def _prepare_text(name: str, sql: str) -> str:
    pieces = sql.split("%s")
    return f"PREPARE {name} AS {pieces[0]}" + "".join(f"${n}{p}" for n, p in enumerate(pieces[1:], 1))


def _exec(conn: psycopg.Connection[Any], sql: bytes) -> Any:
    """``sql`` through libpq, outside psycopg's bookkeeping (it forgets its prepared statements when
    it sees a ``ROLLBACK``); a failure raises ``StorageError``."""
    with translated("postgresql"):
        result = conn.pgconn.exec_(sql)
        if result.status not in (psycopg.pq.ExecStatus.COMMAND_OK, psycopg.pq.ExecStatus.TUPLES_OK):
            message = (result.error_message or b"?").decode(errors="replace")
            raise StorageError(f"postgresql: {message.strip()}")
    return result


def _results(pgconn: Any, query: bytes) -> list[Any]:
    """Send ``query`` and collect its results, waiting for the socket in ``select`` (which lets other
    threads run: libpq's own wait inside ``get_result`` would hold the GIL while a statement waits
    for a row lock that another thread of this process is to release)."""
    pgconn.send_query(query)
    while pgconn.flush():  # the connection does not block: the rest of the query when writable
        select.select([], [pgconn.socket], [])
    results: list[Any] = []
    while True:
        pgconn.consume_input()
        if pgconn.is_busy():
            select.select([pgconn.socket], [], [])
            continue
        found = pgconn.get_result()
        if found is None:
            return results
        results.append(found)


def _encoding(conn: psycopg.Connection[Any]) -> str:
    """The connection's client encoding as Python names it (``conn.info`` makes an object per call)."""
    if conn.pgconn.parameter_status(b"client_encoding") == b"UTF8":
        return "utf-8"
    return conn.info.encoding


def _exec_reads(conn: psycopg.Connection[Any], text: str, count: int) -> list[Any]:
    """Run ``text``, one simple query, and return the results of its last ``count`` statements, reads
    (one blocking call when ``count`` is 1; else each result as it comes); the first error raises."""
    pgconn = conn.pgconn
    with translated("postgresql"):
        if count == 1:
            result = pgconn.exec_(text.encode(_encoding(conn)))
            results = [result]
        else:
            results = _results(pgconn, text.encode(_encoding(conn)))
        failed = next((r for r in results if r.status == psycopg.pq.ExecStatus.FATAL_ERROR), None)
        if failed is None and results[-1].status != psycopg.pq.ExecStatus.TUPLES_OK:
            failed = results[-1]
        if failed is not None:
            raise error_from_result(failed, encoding=conn.info.encoding)
    return results[-count:]


def _encoded(rendered: list[str] | None, encoding: str) -> list[bytes] | None:
    """Literals in the connection's encoding."""
    return None if rendered is None else [r.encode(encoding) for r in rendered]


def _loader(conn: psycopg.Connection[Any]) -> psycopg.abc.Transformer:
    """``conn``'s row loader (its types' loaders, looked up once per connection)."""
    loader = _LOADERS.get(conn)
    if loader is None:
        loader = _LOADERS[conn] = Transformer(conn)
    return loader


def _preparable(sql: str) -> bool:
    """Whether ``sql`` may be prepared by its own text (no ``%%`` that psycopg's parser would read)."""
    return sql.count("%") == sql.count("%s")


def _bound(
    queued: list[tuple[str, Sequence[Any], OnCommit | None]], begin: str
) -> list[tuple[str | None, list[bytes | None]]] | None:
    """Each deferred write as the name it is prepared under and its values as text-format parameters
    (``None`` name: the transaction's ``begin``), or ``None`` when one cannot travel so (a write not
    allowed to be prepared, a value :func:`.postgres_literals.parameters_utf8` does not write)."""
    out: list[tuple[str | None, list[bytes | None]]] = []
    for sql, params, _then in queued:
        if sql == begin and not params:
            out.append((None, []))
            continue
        name = _WRITE_NAMES.get(sql)
        values = parameters_utf8(params) if name is not None else None
        if name is None or values is None:
            return None
        out.append((name, values))
    return out


def _to_prepare(
    conn: psycopg.Connection[Any], name: str, known: dict[str, bool], preparing: list[str]
) -> bool:
    """Whether ``name`` must be prepared at the head of the batch being built: not known prepared on
    ``conn`` nor queued already (then added to ``preparing``). A name a failed batch may or may not have
    prepared (``known`` False) is looked up first."""
    if known.get(name) is False:
        known[name] = _is_prepared(conn, name)
    if known.get(name) or name in preparing:
        return False
    preparing.append(name)
    return True


def _is_prepared(conn: psycopg.Connection[Any], name: str) -> bool:
    """Whether ``conn``'s session holds a statement prepared as ``name`` (one round trip)."""
    return bool(_exec(conn, f"SELECT 1 FROM pg_prepared_statements WHERE name = '{name}'".encode()).ntuples)


class Transaction:
    """The connection of one unit of work, its deferred writes and what runs after its commit.

    ``acquire``/``release`` take a connection from the pool and give it back; the connection is taken
    at the first statement and given back at commit or rollback.
    """

    def __init__(
        self,
        acquire: Callable[[], psycopg.Connection[Any]],
        release: Callable[[psycopg.Connection[Any]], None],
        begin: str = "BEGIN",
    ) -> None:
        # ``begin``: how the transaction starts ("BEGIN READ ONLY" for a read-only unit of work).
        self._begin_entry: tuple[str, Sequence[Any], OnCommit | None] = (begin, (), None)
        self._acquire = acquire
        self._release = release
        self._conn: psycopg.Connection[Any] | None = None
        self._queued: list[tuple[str, Sequence[Any], OnCommit | None]] = []
        self._on_commit: list[tuple[Callable[[], Any], OnCommit]] = []
        self._ahead: dict[tuple[str, tuple[Any, ...]], Kept] = {}
        """Reads made ahead and not yet asked for, by statement and parameters."""
        self._along: dict[tuple[str, tuple[Any, ...]], Kept] = {}
        """Documents read along with a ticket (:meth:`keep_along`) and not yet asked for."""
        self._absent: set[tuple[str, str]] = set()
        """Documents (kind, id) this transaction read and found not stored, with no write to the
        documents since that could have stored them (:meth:`note_absent`)."""
        self.deferring = False
        """True once the unit of work holds a ticket it writes: from then on :meth:`defer` queues."""
        self._last: tuple[tuple[str, tuple[Any, ...]], list[Any], int, Callable[[Any], Any]] | None = None
        """The last read made by :meth:`run_again`, while nothing else has run since."""
        self._pending: list[tuple[str, Sequence[Any]]] = []
        """Reads named to travel with the transaction's first statement (:meth:`read_with_first`)."""

    @property
    def begun(self) -> bool:
        """Whether a statement has run (or waits) in this transaction."""
        return self._conn is not None

    def _begin(self) -> psycopg.Connection[Any]:
        conn = self._conn = self._acquire()
        self._queued.append(self._begin_entry)
        return conn

    def connection(self) -> psycopg.Connection[Any]:
        """The transaction's connection, with every deferred write sent (for ``executemany`` …)."""
        self._flush_pending()
        conn = self._conn or self._begin()
        self._last = None
        self._ahead.clear()  # for a write (executemany): what was read ahead may no longer be so
        self._along.clear()
        self._absent.clear()
        if self._queued:
            self._send(None)
        return conn

    def run(self, sql: str, params: Sequence[Any] = ()) -> Cursor | Kept:
        """Execute ``sql`` now (with the deferred writes before it, in the same round trip), or
        answer it from the reads made ahead or along."""
        self._flush_pending()
        self._last = None
        if self._along:
            key = _key(sql, params)
            kept = self._along.pop(key, None) if key is not None else None
            if kept is not None:
                return kept
        if (self._along or self._absent) and not sql.startswith("SELECT") and _DOCUMENTS in sql:
            self._along.clear()  # a write to the documents: what was read along may no longer be so
            self._absent.clear()
        if self._ahead:
            key = _key(sql, params)
            kept = self._ahead.pop(key, None) if key is not None else None
            if kept is not None:
                return kept
            if not sql.startswith("SELECT"):
                self._ahead.clear()  # a write: what was read ahead may no longer be so
        if self._conn is None:
            self._begin()
        assert self._conn is not None
        if self._queued:
            found = self._send((sql, params))
            assert found is not None
            return found
        with translated("postgresql"):
            return self._conn.execute(sql, params)

    def run_again(self, sql: str, params: Sequence[Any], copy: Callable[[Any], Any]) -> Kept:
        """:meth:`run` a read, except that the same read asked again with nothing else run, deferred
        or read in this transaction since gets the first answer again (``copy(row)`` of each row: the
        caller may change what it was handed) instead of a round trip.

        Under READ COMMITTED that is the answer the second read could have had (nothing locks what it
        reads), and this transaction wrote nothing between (a write queued or run ends it): a command
        checking its ticket's pending callback tasks and then completing them read them twice."""
        key = _key(sql, params)
        last = self._last
        if key is not None and last is not None and last[0] == key:
            return Kept([last[3](row) for row in last[1]], last[2])
        cursor = self.run(sql, params)
        rows = cursor.fetchall()
        if key is not None:
            self._last = (key, [copy(row) for row in rows], cursor.rowcount, copy)
        return Kept(rows, cursor.rowcount)

    def begin_with(
        self,
        name: str,
        sql: str,
        params: Sequence[Any],
        then: tuple[str, str, Sequence[Any]] | None = None,
    ) -> tuple[Cursor | Kept, Cursor | Kept | None]:
        """Run ``sql``, a read, as ``EXECUTE name(…)`` in one simple query, with ``BEGIN`` if it is
        the transaction's first statement; and ``then`` (name, read, parameters), if given, as a
        statement of its own after it in the same query. Returns both answers.

        ``sql`` is prepared under ``name`` once per connection (its ``PREPARE`` travels in the same
        query the first time); its parameters travel as literals. A command's first statement then
        costs one round trip and far less client work than psycopg's pipeline of ``BEGIN`` and a
        prepared statement. ``then`` takes its own snapshot once ``sql`` is done (READ COMMITTED): a
        read after a lock sees what the lock's last holder wrote. With deferred writes waiting, or
        where the store must not keep statements prepared (``prepare_threshold`` other than 0, e.g.
        behind a transaction-pooling proxy), each simply runs (:meth:`run`)."""
        self._last = None
        conn = self._conn or self._begin()
        begin = self._queued == [self._begin_entry]
        usable = conn.prepare_threshold == 0 and (begin or not self._queued) and standard_strings(conn)
        pending = self._pending if usable and all(_preparable(read[0]) for read in self._pending) else []
        reads = [
            (name, sql, params),
            *([then] if then is not None else []),
            *((read_name(text), text, args) for text, args in pending),
        ]
        rendered = [literals(read[2]) if usable else None for read in reads]
        if any(r is None for r in rendered) and pending:
            self._flush_pending()  # on their own, as before: then this read
            return self.begin_with(name, sql, params, then)
        if any(r is None for r in rendered):
            self._flush_pending()
            if then is None:
                return self.run(sql, params), None
            return self._pipelined(conn, (sql, params), then[1:])
        self._queued.clear()
        known = _PREPARED.setdefault(conn, {})
        parts = [self._begin_entry[0]] if begin else []
        preparing: set[str] = set()  # (a read named twice is prepared once)
        for (each, text, _params), values in zip(reads, rendered, strict=True):
            if known.get(each) is False:  # a failed first query may or may not have prepared it
                known[each] = _is_prepared(conn, each)
            if not known.get(each) and each not in preparing:
                preparing.add(each)
                parts.insert(0, _prepare_text(each, text))
            parts.append(f"EXECUTE {each}({', '.join(values or ())})")
        try:
            # Through libpq alone: psycopg's cursor machinery was a tenth of a command's client time.
            # Rows are loaded by psycopg's own loaders (jsonb by the library's parser, arrays, integers).
            results = _exec_reads(conn, "; ".join(parts), len(reads))
        except BaseException as exc:
            # Any failure (a deadlock, a lost race, an interrupt too): a PREPARE of this query may or may
            # not have run before it (it outlives the aborted transaction), so each name is looked up at
            # its next use; a name left unknown here was prepared again there: "already exists" (42P05).
            names = [read[0] for read in reads]
            lost = isinstance(exc.__cause__, psycopg.errors.InvalidSqlStatementName)
            gone = lost and any(known.get(each) for each in names)
            if gone:
                _unsure(known)  # others may be gone too (DISCARD ALL?): each is looked up at its next use
            for each in names:
                known[each] = False
            if not (gone and begin):
                raise
            # Gone from the session (a DISCARD ALL?): undo the BEGIN and prepare it again.
            _exec(conn, b"ROLLBACK")
            self._queued.append(self._begin_entry)
            return self.begin_with(name, sql, params, then)
        for read in reads:
            known[read[0]] = True
        loader = _loader(conn)
        answers = []
        for result in results:
            loader.set_pgresult(result)
            answers.append(Kept(loader.load_rows(0, result.ntuples, tuple), result.ntuples))
        if pending:
            self._pending = []
            for (text, args), kept in zip(pending, answers[len(answers) - len(pending) :], strict=True):
                key = _key(text, args)
                if key is not None:
                    self._ahead[key] = kept
        return answers[0], (answers[1] if then is not None else None)

    def _pipelined(
        self, conn: psycopg.Connection[Any], first: tuple[str, Sequence[Any]], then: tuple[str, Sequence[Any]]
    ) -> tuple[Cursor, Cursor]:
        """What is queued (``BEGIN``, deferred writes), then the reads ``first`` and ``then``, as
        statements of their own in one psycopg pipeline: one round trip where nothing is kept prepared."""
        queued, self._queued = self._queued, []
        with translated("postgresql"), conn.pipeline():
            for sql, params, on_commit in queued:
                cursor = conn.execute(sql, params)
                if on_commit is not None:
                    self._on_commit.append((cursor.fetchone, on_commit))
            answers = conn.execute(*first), conn.execute(*then)
        return answers

    def read_ahead(self, reads: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Make ``reads`` now, in one simple query (with ``BEGIN`` if it is the transaction's first
        statement), and keep their answers: :meth:`run` of the same statement with the same
        parameters takes its answer from here (once) instead of a round trip. Any write ends the
        read-ahead (answers not taken are dropped). Only at the start of a transaction, with no
        write waiting, on a server reading literals the standard way; else nothing is done and
        each read runs when asked for."""
        if self._pending:
            reads, self._pending = [*self._pending, *reads], []
        self._last = None
        conn = self._conn or self._begin()
        begin = self._queued == [self._begin_entry]
        if not reads or not (begin or not self._queued) or not standard_strings(conn):
            return
        keys = [_key(sql, params) for sql, params in reads]
        wanted = [(read, key) for read, key in zip(reads, keys, strict=True) if key is not None]
        if not wanted:
            return

        self._queued.clear()
        results = self._read_prepared(conn, [read for read, _key in wanted], begin)
        loader = _loader(conn)
        for result, (_read, key) in zip(results, wanted, strict=True):
            assert key is not None
            loader.set_pgresult(result)
            self._ahead[key] = Kept(loader.load_rows(0, result.ntuples, tuple), result.ntuples)

    def read_with_first(self, reads: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Make ``reads`` with the transaction's first statement, kept as :meth:`read_ahead` keeps
        them: after the locking read of :meth:`begin_with` (a command's ticket), in its round trip and
        once its lock is held; before any other first statement, in a round trip of their own (as
        :meth:`read_ahead`). Once the transaction has begun they are made now (:meth:`read_ahead`)."""
        if self._conn is None:
            self._pending.extend(reads)
        else:
            self.read_ahead(reads)

    def _flush_pending(self) -> None:
        """Make the reads waiting for the first statement now, in a round trip of their own."""
        if self._pending:
            self.read_ahead([])

    def take_ahead(self, sql: str, params: Sequence[Any]) -> Kept | None:
        """The answer :meth:`read_ahead` kept for ``sql`` with ``params``, taken (``None``: none kept)."""
        key = _key(sql, params)
        return self._ahead.pop(key, None) if key is not None else None

    def read_none_ahead(self, sql: str, params: Sequence[Any]) -> bool:
        """Whether :meth:`read_ahead` kept an answer for ``sql`` with ``params`` and it has no row
        (the answer stays kept)."""
        key = _key(sql, params)
        kept = self._ahead.get(key) if key is not None else None
        return kept is not None and kept.rowcount == 0

    def found_ahead(self, sql: str, params: Sequence[Any]) -> bool:
        """Whether a read made ahead or along (:meth:`read_ahead`, :meth:`keep_along`) and not taken
        yet answered ``sql`` with ``params`` with a row (the answer stays kept)."""
        key = _key(sql, params)
        if key is None:
            return False
        kept = self._ahead.get(key) or self._along.get(key)
        return kept is not None and kept.rowcount > 0

    def kept_along(self, sql: str, params: Sequence[Any]) -> bool:
        """Whether :meth:`keep_along` keeps an answer (rows or none) for ``sql`` with ``params``, not
        taken yet: a read ahead of it would only make it again."""
        key = _key(sql, params)
        return key is not None and key in self._along

    def keep_ahead(self, sql: str, params: Sequence[Any], rows: list[Any]) -> None:
        """Keep ``rows`` as the answer to the read ``sql`` with ``params``, made with the reads
        :meth:`read_ahead` made (derived from one of them): answered as theirs are, until a write."""
        key = _key(sql, params)
        if key is not None:
            self._ahead[key] = Kept(rows, len(rows))

    def along(self, sql: str, params: Sequence[Any], copy: Callable[[Any], Any]) -> list[Any] | None:
        """A copy (``copy(row)`` of each row) of the answer :meth:`keep_along` keeps for ``sql`` with
        ``params``, left kept (``None``: none kept, or dropped by a write): a narrower query of the
        same documents is answered from it."""
        key = _key(sql, params)
        kept = self._along.get(key) if key is not None else None
        return None if kept is None else [copy(row) for row in kept._rows]

    def _read_prepared(
        self, conn: psycopg.Connection[Any], reads: list[tuple[str, Sequence[Any]]], begin: bool
    ) -> list[Any]:
        """Run ``reads`` in one simple query (after ``BEGIN`` if ``begin``), each as ``EXECUTE`` of
        the statement prepared under its text's digest once per connection (its ``PREPARE`` at the
        head of the query the first time), parameters as literals; a read whose parameters this side
        does not write, or on a store not keeping statements prepared (``prepare_threshold``), goes as
        text. Returns the reads' results. Sent as text, an intake's five reads were parsed and planned
        by the server on every intake (session 29)."""

        def mogrify(sql: str, params: Sequence[Any]) -> str:
            return psycopg.ClientCursor(conn).mogrify(sql, params)

        known = _PREPARED.setdefault(conn, {}) if conn.prepare_threshold == 0 else None
        preparing: list[str] = []
        parts = [self._begin_entry[0]] if begin else []
        for sql, params in reads:
            values = literals(params) if known is not None else None
            if values is None or known is None or sql.count("%") != sql.count("%s"):
                parts.append(render(sql, params, mogrify))
                continue
            name = read_name(sql)
            if _to_prepare(conn, name, known, preparing):
                parts.insert(len(preparing) - 1, _prepare_text(name, sql))
            parts.append(f"EXECUTE {name}({', '.join(values)})")
        try:
            # Through libpq, rows loaded by psycopg's own loaders (as :meth:`begin_with`): psycopg's
            # cursor and its result sets were some 200 Python calls of an intake's 1,600.
            results = _exec_reads(conn, "; ".join(parts), len(reads))
        except BaseException as exc:  # any failure, as in :meth:`begin_with`: a deadlock too
            assert known is not None or not preparing
            for name in preparing:
                known[name] = False  # type: ignore[index]
            lost = isinstance(exc.__cause__, psycopg.errors.InvalidSqlStatementName)
            if not lost or known is None:
                raise
            _unsure(known)  # gone from the session (a DISCARD ALL?): each is looked up at its next use
            if not begin:
                raise
            _exec(conn, b"ROLLBACK")  # undo the BEGIN, then prepare them again
            return self._read_prepared(conn, reads, begin)
        for name in preparing:
            known[name] = True  # type: ignore[index]
        return results

    def keep_along(self, sql: str, params: Sequence[Any], rows: list[Any]) -> None:
        """Keep ``rows`` as the answer to the read ``sql`` with ``params``, read along with another
        statement of this transaction (a document with a ticket's locking read): :meth:`run` of that
        read takes it from here, once, instead of a round trip, until a write to the table
        ``documents`` (any statement naming it) drops it. Under READ COMMITTED the answer is the
        document as committed when the ticket was read: nothing locks it, so a read a moment later
        in the same transaction promises no more. The read's first parameter is the kind of the
        documents it reads (a save of another kind leaves it kept)."""
        key = _key(sql, params)
        if key is not None:
            self._along[key] = Kept(rows, len(rows))

    def defer(
        self,
        sql: str,
        params: Sequence[Any],
        on_commit: OnCommit | None = None,
        *,
        prepare: bool = False,
        kind: str | None = None,
        id: str | None = None,
    ) -> None:
        """A write whose only failure is an error the server raises (a duplicate key): queued while
        :attr:`deferring`, else run at once. ``on_commit(row)`` runs once the transaction committed,
        with the first row the statement returned (e.g. what ``RETURNING`` said). ``prepare``: the
        statement's parameter types follow from its text alone (columns it writes, casts), so it may
        travel with ``COMMIT`` as ``EXECUTE`` of a statement prepared once per connection. ``kind``: the
        one kind of document the write changes (a document's save), whose documents read along it drops
        (the others' rows and index rows it leaves as they were); ``None``: all of them. ``id``: the one
        document of that kind it changes (an insert or a save): of that kind's documents read by id,
        only that one is dropped (see :meth:`_drop_along`)."""
        if prepare and sql not in _WRITE_NAMES and sql.count("%") == sql.count("%s"):
            write_name(sql)  # (a text with "%%" would need psycopg's parser: not prepared)
        self._last = None
        self._ahead.clear()  # a write: what was read ahead may no longer be so
        if _DOCUMENTS in sql:
            self._drop_along(kind, id)
        if not self.deferring:
            cursor = self.run(sql, params)
            if on_commit is not None:
                self._on_commit.append((cursor.fetchone, on_commit))
            return
        self._flush_pending()
        if self._conn is None:
            self._begin()
        self._queued.append((sql, params, on_commit))

    def _drop_along(self, kind: str | None, id: str | None = None) -> None:
        """Drop what was read along of document ``kind`` (each kept read's first parameter is its
        kind, see :meth:`keep_along`), or everything (``None``); and what was found absent of it.
        With ``id`` (the one document an insert or a save writes): of the reads by id (two parameters,
        kind and id) only that document's; every query of the kind (its index rows change). A write of
        one document cannot store another, so the others found absent stay so."""
        if kind is None:
            self._along.clear()
            self._absent.clear()
            return
        for key in [key for key in self._along if key[1][:1] == (kind,)]:
            if id is None or len(key[1]) != 2 or key[1][1] == id:
                del self._along[key]
        if id is None:
            self._absent = {found for found in self._absent if found[0] != kind}
        else:
            self._absent.discard((kind, id))

    def note_absent(self, kind: str, id: str) -> None:
        """This transaction read document ``kind``/``id`` and found it not stored: until a write to the
        documents that could store it (any but the save or insert of another document), an insert of
        it may go with the next statement or the commit (:meth:`absent`)."""
        self._absent.add((kind, id))

    def absent(self, kind: str, id: str) -> bool:
        """Whether :meth:`note_absent` holds for ``kind``/``id``. Another transaction may still store it
        before this one commits: the deferred insert then fails the commit with ``DuplicateError`` and
        the command runner runs the command again, as after any lost race."""
        return (kind, id) in self._absent

    def then(self, on_commit: OnCommit, row: Any) -> None:
        """Run ``on_commit(row)`` once the transaction committed."""
        self._on_commit.append((functools.partial(_same, row), on_commit))

    def after_commit(self, cursor: Cursor | Kept, on_commit: OnCommit) -> None:
        """Run ``on_commit(row)`` once the transaction committed (``row``: the cursor's next row)."""
        self._on_commit.append((cursor.fetchone, on_commit))

    def _send(self, last: tuple[str, Sequence[Any]] | None) -> Cursor | None:
        """One pipeline: the deferred writes, then ``last`` (prepared); one round trip."""
        conn = self._conn
        assert conn is not None
        queued, self._queued = self._queued, []
        found = None
        with translated("postgresql"), conn.pipeline():
            for sql, params, on_commit in queued:
                cursor = conn.execute(sql, params)
                if on_commit is not None:
                    self._on_commit.append((cursor.fetchone, on_commit))
            if last is not None:
                found = conn.execute(*last)
        return found

    def _send_and_commit(self) -> None:
        """The deferred writes and ``COMMIT`` in one round trip: as one libpq pipeline of prepared
        statements with bound values where every write allows it (:meth:`_pipeline_commit`), else as
        one multi-statement query: one write to the socket, one answer.
        (psycopg's own pipeline talks to the socket after every statement; on a busy host each
        exchange may wait for the scheduler: measured 4 times slower for a command's writes.) In the
        query, parameters are rendered on this side, as literals (:mod:`.postgres_literals`). A write its
        caller allowed to be prepared travels as ``EXECUTE name(literals)``, its ``PREPARE`` at the head
        of the query the first time on a connection: the server then neither parses nor plans it on
        every command (measured: a ticket's 21-column ``UPDATE`` cost the server 520 µs as text,
        260 µs executed prepared)."""
        conn = self._conn
        assert conn is not None
        queued, self._queued = self._queued, []

        def mogrify(sql: str, params: Sequence[Any]) -> str:
            return psycopg.ClientCursor(conn).mogrify(sql, params)

        fast = standard_strings(conn)  # else psycopg writes every literal (E'…' strings)
        known = _PREPARED.setdefault(conn, {}) if fast and conn.prepare_threshold == 0 else None
        encoding = _encoding(conn)
        utf8 = fast and encoding == "utf-8"  # the query as UTF-8 bytes, documents as they are
        bound = _bound(queued, self._begin_entry[0]) if utf8 and known is not None else None
        if bound is not None and known is not None and any(name is not None for name, _ in bound):
            self._pipeline_commit(conn, queued, bound, known)
            return
        preparing: list[str] = []
        parts: list[bytes] = []
        for sql, params, _ in queued:
            name = _WRITE_NAMES.get(sql) if known is not None else None
            if name is None or known is None:
                if utf8:
                    parts.append(render_utf8(sql, params, mogrify))
                else:
                    written = render(sql, params, mogrify) if fast or not params else mogrify(sql, params)
                    parts.append(written.encode(encoding))
                continue
            rendered = literals_utf8(params) if utf8 else _encoded(literals(params), encoding)
            if rendered is None:
                parts.append(render(sql, params, mogrify).encode(encoding))
                continue
            if _to_prepare(conn, name, known, preparing):
                parts.insert(len(preparing) - 1, _prepare_text(name, sql).encode(encoding))
            parts.append(b"EXECUTE " + name.encode() + b"(" + b", ".join(rendered) + b")")
        query = b"; ".join([*parts, b"COMMIT"])
        try:
            self._run_commit(conn, query, queued, len(preparing))
        except BaseException as exc:
            for name in preparing:
                known[name] = False  # type: ignore[index]  # known is set whenever preparing is
            if known is not None and isinstance(exc.__cause__, psycopg.errors.InvalidSqlStatementName):
                _unsure(known)  # the session lost prepared statements (DISCARD ALL?): each is looked up
            raise
        for name in preparing:
            known[name] = True  # type: ignore[index]

    def _pipeline_commit(
        self,
        conn: psycopg.Connection[Any],
        queued: list[tuple[str, Sequence[Any], OnCommit | None]],
        bound: list[tuple[str | None, list[bytes | None]]],
        known: dict[str, bool],
    ) -> None:
        """The deferred writes and ``COMMIT`` as one libpq pipeline of prepared statements with bound
        parameters (:mod:`.postgres_wire_pipeline`): ``bound`` gives each write's prepared name and
        values (``None`` name: a statement without parameters, ``BEGIN``). A statement not yet prepared
        on the connection is prepared in the same pipeline."""
        preparing: list[str] = []
        steps: list[Prepare | Prepared | Plain] = []
        for (sql, _params, _then), (name, values) in zip(queued, bound, strict=True):
            if name is None:
                steps.append(sql)
                continue
            if _to_prepare(conn, name, known, preparing):
                steps.insert(len(preparing) - 1, (name, numbered(sql)))
            steps.append((name, values))
        steps.append("COMMIT")
        try:
            with translated("postgresql"):
                results = run_pipeline(conn.pgconn, steps, "utf-8")
                failed = next((r for r in results if r.status == psycopg.pq.ExecStatus.FATAL_ERROR), None)
                if failed is not None:
                    raise error_from_result(failed, encoding=conn.info.encoding)
        except BaseException as exc:
            for name in preparing:
                known[name] = False
            if isinstance(exc.__cause__, psycopg.errors.InvalidSqlStatementName):
                _unsure(known)  # the session lost prepared statements (DISCARD ALL?): each is looked up
            raise
        for name in preparing:
            known[name] = True
        loader = _loader(conn)
        answers = results[len(preparing) : len(preparing) + len(queued)]
        for (_sql, _params, on_commit), result in zip(queued, answers, strict=True):
            if on_commit is not None:
                row = None
                if result.ntuples:
                    loader.set_pgresult(result)
                    row = loader.load_rows(0, 1, tuple)[0]
                self._on_commit.append((functools.partial(_same, row), on_commit))

    def _run_commit(
        self,
        conn: psycopg.Connection[Any],
        query: bytes,
        queued: list[tuple[str, Sequence[Any], OnCommit | None]],
        preparing: int,
    ) -> None:
        """Send the commit query ``query``: ``preparing`` ``PREPARE`` statements, then one statement
        per ``queued`` write, then ``COMMIT``."""
        if all(on_commit is None for _sql, _params, on_commit in queued):
            # No statement's answer is needed: libpq alone runs the query (psycopg's cursor machinery
            # was a third of the commit's client time); the last result says whether all went through.
            with translated("postgresql"):
                result = conn.pgconn.exec_(query)
                if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
                    raise error_from_result(result, encoding=conn.info.encoding)
            return
        with translated("postgresql"), conn.cursor() as cursor:
            cursor.execute(query, prepare=False)
            for _ in range(preparing):
                cursor.nextset()
            for _sql, _params, on_commit in queued:  # one result per statement, in order
                if on_commit is not None:
                    row = cursor.fetchone() if cursor.description is not None else None
                    self._on_commit.append((functools.partial(_same, row), on_commit))
                cursor.nextset()

    def commit(self) -> None:
        """Send what is deferred and commit, in one round trip; on failure roll back and raise."""
        conn, self.deferring = self._conn, False
        self._pending = []  # never sent: nothing read
        if conn is None:
            return
        if self._queued == [self._begin_entry]:  # nothing was sent: nothing to commit
            self._queued.clear()
            self._end(conn, rollback=False)
            return
        try:
            self._send_and_commit()
        except BaseException:
            self._queued.clear()
            self._on_commit.clear()
            self._end(conn, rollback=True)
            raise
        on_commit, self._on_commit = self._on_commit, []
        self._end(conn, rollback=False)
        for row, then in on_commit:
            then(row())

    def rollback(self) -> None:
        """Forget what is deferred and roll back whatever is uncommitted."""
        sent = self._queued[:1] != [self._begin_entry]  # BEGIN waits for the first statement
        self._queued.clear()
        self._pending = []
        self._on_commit.clear()
        self.deferring = False
        if self._conn is not None:
            self._end(self._conn, rollback=sent)

    def _end(self, conn: psycopg.Connection[Any], *, rollback: bool) -> None:
        self._conn = None
        self._pending = []
        self._last = None
        self._ahead.clear()
        self._along.clear()
        self._absent.clear()
        try:
            if rollback and not conn.closed:  # (closed: a pipeline cut short, see postgres_wire_pipeline)
                # Through libpq: psycopg forgets every prepared statement when it sees a ROLLBACK go
                # by (in case it undid a table they name; units of work never create tables), and
                # re-preparing costs a round trip per statement after every read-only unit of work.
                _exec(conn, b"ROLLBACK")
        finally:
            self._release(conn)
