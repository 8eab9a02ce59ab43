"""Refuse a desk whose id generator counts in a store that waits for the desk's own writes.

Why: the desk asks for a call's number inside the command's write transaction. A generator bumping its
counter in its own transaction on the desk's SQLite file (``SequentialIds(store=<the desk's store>)``)
waits for that open transaction, which waits for the number: every intake stood the busy timeout, then
``StoreBusy``, and nothing could be numbered (session 34). Refused when the desk is built, naming ``ids``.
A store whose write transactions overlap (PostgreSQL, the memory store) is fine, as is another file.
"""

from __future__ import annotations

from aftersales.errors import ConfigurationError
from aftersales.ports.ids import IdGenerator
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.ports.write_lock import CountsInAStore, SharesWriteLock

__all__ = ["refuse_ids_waiting_on_the_desk"]


def refuse_ids_waiting_on_the_desk(store: StoreFactory, ids: IdGenerator | None) -> None:
    """``ConfigurationError`` (key ``ids``) if ``ids`` counts in a store whose writes wait for ``store``'s."""
    if not isinstance(ids, CountsInAStore) or not isinstance(store, SharesWriteLock):
        return
    counters = ids.counters_store
    if counters is not None and store.shares_write_lock(counters):
        raise ConfigurationError(
            "ids keeps its counters in the desk's own SQLite file: each number would wait for the "
            "command's open write transaction (StoreBusy on every intake); give the generator another "
            "file, no store (counters in memory), or leave ids out (the desk numbers in its transaction)",
            key="ids",
        )
