"""One PostgreSQL transaction whose writes travel together: a command costs two round trips.

A command reads (one ``SELECT`` of the ticket and what it needs, see
:mod:`aftersales.adapters.postgres_tickets`) and then writes: the ticket, the outbox rows, the
idempotency record, the search index. Each statement on its own is a round trip to the server, and
on a busy host a round trip costs far more than the statement (the client and the server process
both wait to be scheduled). So once a unit of work holds a ticket it writes — locked by
``get_for_update`` or just added — the writes that can only fail on a duplicate key are
*deferred*: kept here and sent in one psycopg pipeline with the next statement that needs an answer,
or with ``COMMIT``. Their errors (a duplicate key) then surface from that statement or from
:meth:`Transaction.commit`, as the same typed errors, and the transaction is rolled back whole; the
command runner re-runs a command that lost such a race. Before a unit of work holds a ticket, every
statement runs at once, so direct users of the repositories see each error where they caused it.

The connections are in psycopg's autocommit mode and the transaction is ours: ``BEGIN`` waits for
the first statement and travels with it, ``COMMIT`` travels with the last writes (psycopg's own
transaction handling would send ``BEGIN`` alone, and sync a pipeline twice at a commit: two more
round trips per command).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aftersales.errors import AftersalesError, ConcurrencyConflict, DuplicateError, StorageError

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

__all__ = ["Transaction", "translated"]

Cursor = psycopg.Cursor[Any]
OnCommit = Callable[[Cursor], None]


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Driver errors as the library's typed errors (a duplicate key, a lost race, anything else)."""
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


class Transaction:
    """The connection of one unit of work, its deferred writes and what runs after its commit.

    ``acquire``/``release`` take a connection from the pool and give it back; the connection is taken
    at the first statement and given back at commit or rollback.
    """

    def __init__(
        self,
        acquire: Callable[[], psycopg.Connection[Any]],
        release: Callable[[psycopg.Connection[Any]], None],
    ) -> None:
        self._acquire = acquire
        self._release = release
        self._conn: psycopg.Connection[Any] | None = None
        self._queued: list[tuple[str, Sequence[Any], OnCommit | None]] = []
        self._on_commit: list[tuple[Cursor, OnCommit]] = []
        self.deferring = False
        """True once the unit of work holds a ticket it writes: from then on :meth:`defer` queues."""

    @property
    def begun(self) -> bool:
        """Whether a statement has run (or waits) in this transaction."""
        return self._conn is not None

    def _begin(self) -> psycopg.Connection[Any]:
        conn = self._conn = self._acquire()
        self._queued.append(("BEGIN", (), None))
        return conn

    def connection(self) -> psycopg.Connection[Any]:
        """The transaction's connection, with every deferred write sent (for ``executemany`` …)."""
        conn = self._conn or self._begin()
        if self._queued:
            self._send(None, commit=False)
        return conn

    def run(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Execute ``sql`` now (with the deferred writes before it, in the same round trip)."""
        if self._conn is None:
            self._begin()
        assert self._conn is not None
        if self._queued:
            found = self._send((sql, params), commit=False)
            assert found is not None
            return found
        with translated("postgresql"):
            return self._conn.execute(sql, params)

    def defer(self, sql: str, params: Sequence[Any], on_commit: OnCommit | None = None) -> None:
        """A write whose only failure is an error the server raises (a duplicate key): queued while
        :attr:`deferring`, else run at once. ``on_commit(cursor)`` runs once the transaction committed
        (e.g. to keep what ``RETURNING`` said)."""
        if not self.deferring:
            cursor = self.run(sql, params)
            if on_commit is not None:
                self._on_commit.append((cursor, on_commit))
            return
        if self._conn is None:
            self._begin()
        self._queued.append((sql, params, on_commit))

    def after_commit(self, cursor: Cursor, on_commit: OnCommit) -> None:
        """Run ``on_commit(cursor)`` once the transaction committed."""
        self._on_commit.append((cursor, on_commit))

    def _send(self, last: tuple[str, Sequence[Any]] | None, *, commit: bool) -> Cursor | None:
        """One pipeline: the deferred writes, then ``last`` and/or ``COMMIT``; one round trip."""
        conn = self._conn
        assert conn is not None
        queued, self._queued = self._queued, []
        found = None
        with translated("postgresql"), conn.pipeline():
            for sql, params, on_commit in queued:
                cursor = conn.execute(sql, params)
                if on_commit is not None:
                    self._on_commit.append((cursor, on_commit))
            if last is not None:
                found = conn.execute(*last)
            if commit:
                conn.execute("COMMIT")
        return found

    def commit(self) -> None:
        """Send what is deferred and commit, in one round trip; on failure roll back and raise."""
        conn, self.deferring = self._conn, False
        if conn is None:
            return
        if self._queued == [("BEGIN", (), None)]:  # nothing was sent: nothing to commit
            self._queued.clear()
            self._end(conn, rollback=False)
            return
        try:
            self._send(None, commit=True)
        except BaseException:
            self._queued.clear()
            self._on_commit.clear()
            self._end(conn, rollback=True)
            raise
        on_commit, self._on_commit = self._on_commit, []
        self._end(conn, rollback=False)
        for cursor, then in on_commit:
            then(cursor)

    def rollback(self) -> None:
        """Forget what is deferred and roll back whatever is uncommitted."""
        sent = self._queued[:1] != [("BEGIN", (), None)]  # BEGIN waits for the first statement
        self._queued.clear()
        self._on_commit.clear()
        self.deferring = False
        if self._conn is not None:
            self._end(self._conn, rollback=sent)

    def _end(self, conn: psycopg.Connection[Any], *, rollback: bool) -> None:
        self._conn = None
        try:
            if rollback:
                with translated("rollback"):
                    conn.execute("ROLLBACK")
        finally:
            self._release(conn)
