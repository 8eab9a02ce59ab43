"""Refuse a desk whose id generator counts in a store that waits for the desk's own units of work.

Why: the desk asks for a call's number inside the command's unit of work. A generator bumping its counter
in a unit of its own on the desk's SQLite file (``SequentialIds(store=<the desk's store>)``) waits for that
open transaction, which waits for the number: every intake stood the busy timeout, then ``StoreBusy``, and
nothing could be numbered. Given the desk's own PostgreSQL store it draws a second connection from the
pool the command holds one of: under as many concurrent commands as the pool holds, all but one failed
after the pool's timeout (session 34; :mod:`aftersales.ports.nested_units`). Refused when the desk is
built, naming ``ids``. Another file, another store object on PostgreSQL (a pool of its own) and the memory
store are fine.
"""

from __future__ import annotations

from aftersales.errors import ConfigurationError
from aftersales.ports.ids import IdGenerator
from aftersales.ports.nested_units import BlocksNestedUnits, CountsInAStore
from aftersales.ports.unit_of_work import StoreFactory

__all__ = ["refuse_ids_waiting_on_the_desk"]


def refuse_ids_waiting_on_the_desk(store: StoreFactory, ids: IdGenerator | None) -> None:
    """``ConfigurationError`` (key ``ids``) if ``ids`` counts in a store whose units of work may wait for
    those of ``store`` open around them."""
    if not isinstance(ids, CountsInAStore) or not isinstance(store, BlocksNestedUnits):
        return
    counters = ids.counters_store
    if counters is not None and store.blocks_nested_units(counters):
        raise ConfigurationError(
            "ids keeps its counters in the desk's own store (its SQLite file, or its PostgreSQL "
            "connection pool): each number would wait for the command's own unit of work (StoreBusy, or "
            "no connection under load); give the generator a store of its own (another file, or "
            "open_storage(url) again), no store (counters in memory), or leave ids out",
            key="ids",
        )
