"""Whether two store factories write through one lock, and which store an id generator counts in.

Why: a desk numbers a call while its command's write transaction is open. A host's
``SequentialIds(store=...)`` bumps its counter in a transaction of its own, through the store it was
given: on SQLite, whose writers take turns on the file, a generator counting in the desk's own file waits
for the desk's open transaction, which waits for the number: every intake stood the whole busy timeout,
then ``StoreBusy`` (session 34). The desk refuses that pairing when it is built
(:mod:`aftersales.service.ids_store_check`); these protocols let it ask without knowing the adapters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["CountsInAStore", "SharesWriteLock"]


@runtime_checkable
class SharesWriteLock(Protocol):
    """A store factory whose write transactions exclude every other one on the same database."""

    def shares_write_lock(self, other: object) -> bool:
        """Whether a write transaction of ``other`` (another store factory) waits for one of this store's
        (the same database file), so neither can be opened while the other is."""
        ...


@runtime_checkable
class CountsInAStore(Protocol):
    """An id generator keeping its counters in a store of its own (``None``: in memory)."""

    @property
    def counters_store(self) -> Callable[[], UnitOfWork] | None:
        """The store factory its counters are bumped in, each in a transaction of its own."""
        ...
