"""Whether a store's unit of work opened inside another of its own may wait for it, and which store an id
generator counts in.

Why: a desk numbers a call while its command's unit of work is open. A host's ``SequentialIds(store=...)``
bumps its counter in a unit of work of its own, through the store it was given. On SQLite, whose writers
take turns on a file, a generator counting in the desk's own file waits for the desk's open transaction,
which waits for the number: every intake stood the whole busy timeout, then ``StoreBusy``. On PostgreSQL a
generator given the desk's own store draws a second connection from the desk's pool while the command holds
one: as many concurrent commands as the pool holds each waited for a second connection, and all but one
failed after the pool's timeout (measured: 3 of 4 intakes on ``pool_max=2``, 10 s each). The desk refuses
those pairings when it is built (:mod:`aftersales.service.ids_store_check`, session 34); these protocols let
it ask without knowing the adapters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["BlocksNestedUnits", "CountsInAStore"]


@runtime_checkable
class BlocksNestedUnits(Protocol):
    """A store factory whose units of work may wait for one of its own still open."""

    def blocks_nested_units(self, other: object) -> bool:
        """Whether a unit of work of ``other`` (a store factory), opened while one of this store's is open
        in the same thread, may wait for that one to end: the same SQLite file, the same connection pool."""
        ...


@runtime_checkable
class CountsInAStore(Protocol):
    """An id generator keeping its counters in a store of its own (``None``: in memory)."""

    @property
    def counters_store(self) -> Callable[[], UnitOfWork] | None:
        """The store factory its counters are bumped in, each in a unit of work of its own."""
        ...
