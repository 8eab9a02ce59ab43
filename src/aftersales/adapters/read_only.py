"""The writes a read-only unit of work refuses, shared by the memory, SQLite and PostgreSQL readers.

Mixed in before a store's own ticket and record repositories: reads are inherited unchanged, and
every write raises :class:`~aftersales.errors.ReadOnlyError` naming what was attempted, before
anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aftersales.domain.ticket import Ticket
from aftersales.errors import ReadOnlyError

__all__ = ["RefusedEntityWrites", "RefusedTicketWrites"]


class RefusedTicketWrites:
    """A ticket repository's writes, refused."""

    def get_for_update(self, id: str) -> Ticket:
        raise ReadOnlyError("tickets.get_for_update")

    def add(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.add")

    def add_many(self, tickets: Iterable[Ticket]) -> None:
        raise ReadOnlyError("tickets.add_many")

    def save(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.save")

    def save_and_release(self, ticket: Ticket) -> None:
        raise ReadOnlyError("tickets.save")


class RefusedEntityWrites:
    """A record repository's writes (customers, dealers, units …), refused; ``_name`` is its kind."""

    _name: str

    def add(self, obj: Any) -> None:
        raise ReadOnlyError(f"{self._name}s.add")

    def save(self, obj: Any) -> None:
        raise ReadOnlyError(f"{self._name}s.save")
