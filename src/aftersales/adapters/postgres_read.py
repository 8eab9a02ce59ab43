"""The PostgreSQL store's read path: read-only units of work (``PostgresStore.reader()``, issue 18).

The transaction starts ``BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`` (sent with its first
statement, as every unit of work's ``BEGIN`` is): every statement sees the snapshot of the first, it
takes no row lock, and the server itself refuses any write in it (a read-only transaction never fails
to serialise). With ``snapshot=False`` it is ``BEGIN READ ONLY`` at read committed: each statement
sees what was committed when it ran. Writes are refused
here first, before anything is sent (:class:`~aftersales.errors.ReadOnlyError`, naming what was
attempted): the repositories' write methods by name, any other statement that is not a read by
:meth:`PostgresReadUnitOfWork.run`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.adapters.postgres import _PG_ENTITIES, PostgresStore, PostgresUnitOfWork, _Entities
from aftersales.adapters.postgres_pipeline import Kept, Transaction
from aftersales.adapters.postgres_tickets import PostgresTickets
from aftersales.adapters.read_only import RefusedEntityWrites, RefusedTicketWrites
from aftersales.errors import ReadOnlyError, StorageError

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

__all__ = ["PostgresReadUnitOfWork"]

_READS = ("SELECT", "WITH", "EXPLAIN")


class PostgresReadUnitOfWork(PostgresUnitOfWork):
    """One repeatable-read, read-only transaction on a pooled connection; writes refused."""

    read_only = True

    def __init__(self, store: PostgresStore, snapshot: bool = True) -> None:
        super().__init__(store)
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" if snapshot else "BEGIN READ ONLY"
        self.tx = Transaction(store.acquire, store.release, begin=begin)

    def made_on_first_use(self, name: str) -> Any:
        """Tickets and entities made read-only (again after the unit ended); the others as a command's."""
        if name == "tickets":
            tickets = self.__dict__[name] = _ReadTickets(self, self._store.tickets_kept)
            return tickets
        if name in _PG_ENTITIES:
            made = self.__dict__[name] = _ReadEntities(self, *_PG_ENTITIES[name])
            return made
        return super().made_on_first_use(name)

    def run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any] | Kept:
        if not sql.lstrip().upper().startswith(_READS):
            head = sql.split(None, 1)
            raise ReadOnlyError(f"postgresql {head[0].upper() if head else 'statement'}")
        try:
            return super().run(sql, params)
        except StorageError as exc:
            if isinstance(exc.__cause__, psycopg.errors.ReadOnlySqlTransaction):
                raise ReadOnlyError("postgresql statement") from exc
            raise

    def defer(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        prepare: bool = False,
        kind: str | None = None,
        id: str | None = None,
    ) -> None:
        head = sql.split(None, 1)
        raise ReadOnlyError(f"postgresql {head[0].upper() if head else 'statement'}")

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.defer(sql, ())


class _ReadTickets(RefusedTicketWrites, PostgresTickets):
    """Tickets read as in a command; every write refused."""


class _ReadEntities(RefusedEntityWrites, _Entities[Any]):
    """Customers, dealers, units … read as in a command; every write refused."""
