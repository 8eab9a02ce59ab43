"""Index fields back-filled for documents an older release stored without them (an upgrade's catch-up).

A store that indexes as it writes offers ``backfill_index(cls, field, limit)`` on its documents
repository; the catch-ups of the money index, the access log and the SLA alerts and job marks fill
several kinds in one transaction, up to one limit shared by all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["fill_index"]


def fill_index(uow: UnitOfWork, classes: Sequence[type], field: str, limit: int) -> int:
    """Index ``field`` of up to ``limit`` documents of ``classes`` stored without it, the kinds in order
    (a kind coming back short leaves the rest of the limit to the next); returns how many were indexed:
    0 once none is left, and always on a store without ``backfill_index`` (nothing to index)."""
    fill = getattr(uow.documents, "backfill_index", None)
    if fill is None:
        return 0
    done = 0
    for cls in classes:
        if done < limit:
            done += int(fill(cls, field, limit - done))
    return done
