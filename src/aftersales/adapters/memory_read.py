"""The memory store's read path: read-only units of work (``MemoryStore.reader()``, issue 18).

A read takes no writer turn (commands still take turns among themselves) and keeps no copy-on-write
bookkeeping: it reads the committed records as they are, each ``get`` a fresh copy as in any unit of
work. Every write is refused with :class:`~aftersales.errors.ReadOnlyError` before anything changes,
whatever repository it goes through.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from types import TracebackType
from typing import Any, NoReturn

from aftersales.adapters.memory import Key, MemoryStore, MemoryUnitOfWork, _Entities, _Record, _Tickets
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.domain.ticket import Ticket
from aftersales.errors import ReadOnlyError

__all__ = ["MemoryReadUnitOfWork"]


class _NoWrites(dict[Key, "_Record | None"]):
    """The write set of a read-only unit of work: always empty; adding to it is refused."""

    def __setitem__(self, key: Key, value: _Record | None) -> NoReturn:
        raise ReadOnlyError(f"{key[0]} write")


class MemoryReadUnitOfWork(MemoryUnitOfWork):
    """A read of the committed records: no writer turn, no write set."""

    read_only = True

    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store)
        self._writes = _NoWrites()

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
        return self  # no writer turn: a read never waits for a command, nor a command for it

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

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


class _ReadTickets(_Tickets):
    def get_for_update(self, id: str) -> Ticket:
        raise ReadOnlyError("tickets.get_for_update")

    def add(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.add")

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        raise ReadOnlyError("tickets.add_many")

    def save(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.save")


class _ReadEntities(_Entities[Any]):
    def add(self, obj: Any) -> None:
        raise ReadOnlyError(f"{self._name}s.add")

    def save(self, obj: Any) -> None:
        raise ReadOnlyError(f"{self._name}s.save")
