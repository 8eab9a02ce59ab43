"""The SQLite store's read path: read-only units of work (``SqliteStore.reader()``, issue 18).

With ``reader(snapshot=False)`` no transaction is begun at all: each statement is a single autocommit
read of what was committed when it ran (for a read that is one statement: a ticket with its customer,
a ledger page, a count), two ``execute`` calls fewer than ``BEGIN`` … ``ROLLBACK``.

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
from collections.abc import Sequence
from typing import Any

from aftersales.adapters.read_only import RefusedEntityWrites, RefusedTicketWrites
from aftersales.adapters.sqlite import (
    _ENTITY_KINDS,
    _MADE_ON_FIRST_USE,
    SqliteStore,
    SqliteUnitOfWork,
    _Entities,
    _Tickets,
    _translate,
    new_repository,
)
from aftersales.adapters.sqlite_made import drop_made
from aftersales.adapters.sqlite_ticket_events import events_of, parse_stored
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ReadOnlyError
from aftersales.serialization import EventsText

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
_SELECT_DATA = f"SELECT CAST(data AS BLOB), {events_of('tickets')} FROM tickets WHERE id = ? AND version = ?"


def _first_word(sql: str) -> str:
    head = sql.lstrip()[:8].upper()
    return head.split(None, 1)[0] if head else ""


class SqliteReadUnitOfWork(SqliteUnitOfWork):
    """A deferred read transaction on a ``query_only`` connection: no write lock, one snapshot."""

    read_only = True

    def __init__(self, store: SqliteStore, snapshot: bool = True) -> None:
        self._store = store
        self._conn: sqlite3.Connection | None = None
        self._snapshot = snapshot
        # Made at once: nearly every read reads a ticket, and its customer (the scope, the tier) comes
        # with it; a repository made on first use costs a failed attribute lookup first.
        self.tickets = _ReadTickets(self)
        self.customers = _ReadEntities(self, "customer", _ENTITY_KINDS["customers"][1])
        self._others = False
        # Never filled: a read's ticket statement joins no document (the documents repository asks).
        self.primed_documents: dict[tuple[str, str], tuple[int, str] | None] = {}

    def made_on_first_use(self, name: str) -> Any:
        if name == "tickets":  # made again after the unit ended (see _drop_repositories)
            tickets = self.__dict__[name] = _ReadTickets(self)
            return tickets
        if name != "customers":
            self._others = True  # another repository made: _forget asks every one
        if name in _ENTITY_KINDS:
            made = self.__dict__[name] = _ReadEntities(self, *_ENTITY_KINDS[name])
            return made
        # No list of remembering repositories here: _forget asks the made ones by name.
        made = self.__dict__[name] = new_repository(self, name)
        return made

    def conn(self) -> sqlite3.Connection:
        """The connection, with the read transaction begun (deferred: the snapshot is taken at the
        first ``SELECT``); without a transaction for ``snapshot=False`` (each statement its own read)."""
        conn = self._conn
        if conn is None:
            store = self._store
            # list.pop is atomic: no lock for the common case (closing empties the list first).
            try:
                if store._closed:
                    raise IndexError
                conn = store._idle_readers.pop()
            except IndexError:  # none idle (another thread took the last one): a locked acquire
                conn = store.acquire_reader()
            if self._snapshot:
                try:
                    conn.execute("BEGIN")
                except sqlite3.Error as exc:
                    store.release_reader(conn)
                    raise _translate(exc, f"begin on {store.path}") from exc
            self._conn = conn
        return conn

    def _drop_repositories(self) -> None:
        """Drop every repository, those made with the unit too: each refers back to it (a cycle of
        three objects per read otherwise). Used again, the unit makes its read-only ones again."""
        drop_made(self, _MADE_ON_FIRST_USE)
        self._others = False

    def _forget(self) -> None:
        made = self.__dict__
        customers = made.get("customers")
        if customers is not None:  # not once the unit ended (it would be made again to forget nothing)
            customers.forget()
        if not self._others:
            return
        for name in _ENTITY_KINDS:
            repository = made.get(name)
            if repository is not None:
                repository.forget()
        search = made.get("search")
        if search is not None:
            search.forget()

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
            raise _translate(exc, f"sqlite on {self._store.path}") from exc

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
                conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise _translate(exc, f"rollback on {self._store.path}") from exc
        finally:
            store = self._store
            if store._memory or store._closed:
                store.release_reader(conn)
            else:
                store._idle_readers.append(conn)  # atomic; close() closes every connection it made


class _ReadTickets(RefusedTicketWrites, _Tickets):
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
        return self._read(id, True)

    def get_shared(self, id: str) -> Ticket:
        """The ticket as the store keeps it, not a copy: read it, never change it (a change would reach
        every later read of this version). For the desk's own reads that only look (``desk.sla``)."""
        return self._read(id, False)

    def _read(self, id: str, copy: bool) -> Ticket:
        uow = self._uow
        found = uow.run(_SELECT_VERSION, (id,)).fetchone()
        if found is None:
            raise NotFound("ticket", id)
        version = found[0]
        kept = self._kept
        ticket = kept.recall_committed(id, version, copy)
        if ticket is None:
            # The row at the version read above (the same snapshot; without one, a row changed since
            # is read again from the start).
            row = uow.run(_SELECT_DATA, (id, version)).fetchone()
            if row is None:
                return self._read(id, copy)
            text = row[0]
            if kept.confirm(id, version, text):
                ticket = kept.recall_committed(id, version, copy)
            if ticket is None:
                ticket, events, _logged = parse_stored(text, row[1])
                ticket.version = version
                # Kept from now on, confirmed: the next read of this committed version parses nothing
                # (and a command's save of it appends to its stored events).
                kept.remember(id, text, ticket, events if isinstance(events, EventsText) else None)
                kept.confirm(id, version, text)
        if copy:
            ticket.version = version  # (a kept ticket already has it: it is the one stored at it)
        uow.customers.prime(ticket.customer_id, found[1])
        return ticket


class _ReadEntities(RefusedEntityWrites, _Entities[Any]):
    """Customers, dealers, units … read as in a command; every write refused."""
