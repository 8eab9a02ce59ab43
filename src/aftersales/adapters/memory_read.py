"""The memory store's read path: read-only units of work (``MemoryStore.reader()``, issue 18).

A read keeps no copy-on-write bookkeeping: it reads the committed records as they are, each ``get`` a
fresh copy as in any unit of work. For one snapshot it holds the writer turn (no command publishes
meanwhile); with ``snapshot=False`` (a read that is one lookup) it takes no turn at all, so it never
waits for a command nor a command for it. Every write is refused with
:class:`~aftersales.errors.ReadOnlyError` before anything changes, whatever repository it goes through.
"""

from __future__ import annotations

import functools
from types import TracebackType
from typing import Any, NoReturn

from aftersales.adapters.memory import Key, MemoryStore, MemoryUnitOfWork, _Entities, _Record, _Tickets
from aftersales.adapters.read_only import RefusedEntityWrites, RefusedTicketWrites
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.errors import ReadOnlyError

__all__ = ["MemoryReadUnitOfWork"]


class _NoWrites(dict[Key, Any]):
    """The write set of a read-only unit of work: always empty; adding to it is refused."""

    def __setitem__(self, key: Key, value: Any) -> NoReturn:
        raise ReadOnlyError(f"{key[0]} write")

    def setdefault(self, key: Key, default: Any = None) -> NoReturn:
        raise ReadOnlyError(f"{key[0]} write")

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ReadOnlyError("write")


_NONE = _NoWrites()
"""Shared by every read-only unit of work: it never holds anything."""


class MemoryReadUnitOfWork(MemoryUnitOfWork):
    """A read of the committed records: no write set; the writer turn only for a snapshot."""

    read_only = True

    def __init__(self, store: MemoryStore, snapshot: bool = True) -> None:
        self._store = store
        self._snapshot = snapshot
        self._writes = _NONE
        self._expected = _NONE

    def _read(self, key: Key) -> _Record | None:
        return self._store._read(key)  # no write set to look in first

    @functools.cached_property
    def tickets(self) -> _Tickets:
        return _ReadTickets(self)

    @functools.cached_property
    def customers(self) -> _Entities[Customer]:
        return _ReadEntities(self, "customer", Customer)

    @functools.cached_property
    def assets(self) -> _Entities[Asset]:
        return _ReadEntities(self, "asset", Asset)

    @functools.cached_property
    def products(self) -> _Entities[Product]:
        return _ReadEntities(self, "product", Product)

    @functools.cached_property
    def dealers(self) -> _Entities[Dealer]:
        return _ReadEntities(self, "dealer", Dealer)

    @functools.cached_property
    def engineers(self) -> _Entities[Engineer]:
        return _ReadEntities(self, "engineer", Engineer)

    def __enter__(self) -> MemoryReadUnitOfWork:
        # One snapshot: no command publishes while the turn is held. Without: a read never waits for
        # a command, nor a command for it.
        if self._snapshot:
            self._store._turn.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._snapshot:
            self._store._turn.release()

    def commit(self) -> None:
        """Nothing to publish: ends the read."""

    def rollback(self) -> None:
        """Nothing to drop: ends the read."""

    def _insert(self, key: Key, record: _Record) -> None:
        raise ReadOnlyError(f"{key[0]} insert")

    def _update(self, key: Key, expected_version: int, record: _Record, kind: str) -> None:
        raise ReadOnlyError(f"{kind} update")

    def _upsert(self, key: Key, record: _Record | None) -> None:
        raise ReadOnlyError(f"{key[0]} write")


class _ReadTickets(RefusedTicketWrites, _Tickets):
    def get_shared(self, id: str) -> Ticket:
        """The ticket as the store keeps it parsed, not a copy: read it, never change it. For the
        desk's own reads that only look (``desk.sla``)."""
        record, kept = self._parsed(id)
        if kept.version != record.version:  # not the stored version's own text: a copy, as get gives
            return self.get(id)
        return kept


class _ReadEntities(RefusedEntityWrites, _Entities[Any]):
    """Customers, dealers, units … read as in a command; every write refused."""
