"""The SQLite store's read path: read-only units of work (``SqliteStore.reader()``, issue 18).

A command's unit of work starts ``BEGIN IMMEDIATE`` and so holds the database's write lock from its
first statement; a read (a ticket view, ``desk.sla``, a ledger page, a report) needs none of that. A
read-only unit of work takes a connection from a pool of its own, whose connections have ``PRAGMA
query_only`` set, and starts a *deferred* transaction: its first ``SELECT`` fixes a WAL snapshot that
every later statement of the unit sees, and writers in other connections commit meanwhile (they never
wait for a reader, nor a reader for them). Ending it is a ``ROLLBACK`` of nothing.

Writes are refused before SQLite sees them (:class:`~aftersales.errors.ReadOnlyError`, naming what
was attempted): the repositories' write methods refuse by name, and any statement that is not a read
is refused by :meth:`SqliteReadUnitOfWork.run`; ``query_only`` is the database's own second guard.

A ticket read checks the store's kept tickets by the row's version (one indexed ``SELECT`` that also
reads the ticket's customer, which the permission scope and the SLA's tier read next) and reads the
stored JSON only when the kept ticket is not known to be that committed version
(:meth:`~aftersales.adapters.ticket_memo.TicketMemo.recall_committed`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from aftersales.adapters.sqlite import (
    _ENTITY_KINDS,
    SqliteStore,
    SqliteUnitOfWork,
    _Entities,
    _Tickets,
    _translate,
    _translated,
)
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ReadOnlyError
from aftersales.serialization import loads

__all__ = ["SqliteReadUnitOfWork"]

_READS = ("SELECT", "WITH", "EXPLAIN")
"""The statements a read-only unit of work runs (first word, upper case); anything else is a write."""

# The version (checked against the kept ticket) and the customer (read next, for the scope and the tier):
# one index lookup each, no JSON read.
_SELECT_VERSION = (
    "SELECT t.version, c.data FROM tickets t"
    " LEFT JOIN entities c ON c.kind = 'customer' AND c.id = t.customer_id"
    " WHERE t.id = ?"
)
_SELECT_DATA = "SELECT CAST(data AS BLOB) FROM tickets WHERE id = ?"


def _first_word(sql: str) -> str:
    head = sql.lstrip()[:8].upper()
    return head.split(None, 1)[0] if head else ""


class SqliteReadUnitOfWork(SqliteUnitOfWork):
    """A deferred read transaction on a ``query_only`` connection: no write lock, one snapshot."""

    read_only = True

    def __init__(self, store: SqliteStore) -> None:
        super().__init__(store)

    def __getattr__(self, name: str) -> Any:
        made: Any
        if name == "tickets":
            made = _ReadTickets(self)
        elif name in _ENTITY_KINDS:
            made = _ReadEntities(self, *_ENTITY_KINDS[name])
        else:
            return super().__getattr__(name)
        self.__dict__[name] = made
        return made

    def conn(self) -> sqlite3.Connection:
        """The connection, with the read transaction begun (deferred: the snapshot is taken at the
        first ``SELECT``)."""
        if self._conn is None:
            conn = self._store.acquire_reader()
            try:
                with _translated("begin"):
                    conn.execute("BEGIN")
            except BaseException:
                self._store.release_reader(conn)
                raise
            self._conn = conn
        return self._conn

    def run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        if not sql.startswith(_READS):
            word = _first_word(sql)
            if word not in _READS:
                raise ReadOnlyError(f"sqlite {word or 'statement'}")
        conn = self._conn if self._conn is not None else self.conn()
        try:
            return conn.execute(sql, params)
        except sqlite3.Error as exc:
            if "readonly" in str(exc):  # query_only's refusal (a data-changing WITH …)
                raise ReadOnlyError("sqlite statement") from exc
            raise _translate(exc, "sqlite") from exc

    def commit(self) -> None:
        """End the read (there is nothing to make durable)."""
        self.rollback()

    def rollback(self) -> None:
        """End the read transaction and give the connection back."""
        conn, self._conn = self._conn, None
        self._forget()
        if conn is None:
            return
        try:
            if conn.in_transaction:
                with _translated("rollback"):
                    conn.execute("ROLLBACK")
        finally:
            self._store.release_reader(conn)


class _ReadTickets(_Tickets):
    """Tickets read by version first; every write refused."""

    _uow: SqliteReadUnitOfWork

    def __init__(self, uow: SqliteReadUnitOfWork) -> None:
        # A read keeps no column snapshots (there is no save to compare them with): fewer objects per
        # read, which matters to the garbage collector when a store keeps thousands of tickets parsed.
        self._uow = uow
        self._kept = uow._store.tickets_kept

    def forget(self) -> None:
        return None

    def get(self, id: str) -> Ticket:
        uow = self._uow
        found = uow.run(_SELECT_VERSION, (id,)).fetchone()
        if found is None:
            raise NotFound("ticket", id)
        version = found[0]
        kept = self._kept
        ticket = kept.recall_committed(id, version)
        if ticket is None:
            # Same snapshot: the row read now is the one whose version was read above.
            text = uow.run(_SELECT_DATA, (id,)).fetchone()[0]
            if kept.confirm(id, version, text):
                ticket = kept.recall_committed(id, version)
            if ticket is None:
                ticket = loads(text, Ticket)
                # Kept from now on, confirmed: the next read of this committed version parses nothing.
                kept.remember(id, text, ticket)
                kept.confirm(id, version, text)
        ticket.version = version
        uow.customers.prime(ticket.customer_id, found[1])
        return ticket

    def get_for_update(self, id: str) -> Ticket:
        raise ReadOnlyError("tickets.get_for_update")

    def add(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.add")

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        raise ReadOnlyError("tickets.add_many")

    def save(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.save")


class _ReadEntities(_Entities[Any]):
    """Customers, dealers, units … read as in a command; every write refused."""

    def add(self, obj: Any) -> None:
        raise ReadOnlyError(f"{self._name}s.add")

    def save(self, obj: Any) -> None:
        raise ReadOnlyError(f"{self._name}s.save")
