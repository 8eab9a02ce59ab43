"""Index fields back-filled for documents an older release stored without them (an upgrade's catch-up).

A store that indexes as it writes offers ``backfill_index(cls, field, limit)`` on its documents
repository; the catch-ups of the money index, the access log and the SLA alerts and job marks fill
several kinds in one transaction, up to one limit shared by all of them.

Finding none left costs a scan of every document of the kind (each looked up in the index), and the
day-index catch-ups run before their daily purges for ever. Given ``now``, a kind found complete is
remembered (an :class:`IndexFilled` marker, keyed by kind, field and the kind's index fields) and not
scanned again until :data:`RECHECK` has passed: an older release may still write to the store (the last
process of a rolling upgrade, a rollback, a second site not yet upgraded: the index fields came without
a schema change, so nothing refuses it) and nothing in the store says which release wrote a document,
so the marker cannot be trusted for ever. Its documents are then indexed at the next check, at most
:data:`RECHECK` late; the day-index purges drop records years or at least days old, so a record is kept
at most that much longer, never dropped early. A check finding documents to index leaves the marker
run out: the kind is scanned each run again until none is left. A person who knows an older release
wrote to the store runs the catch-up by hand with ``recheck=True``: every kind is scanned at once. The
money index passes no ``now``: revenue read a week short would be wrong, not late.

A kind is checked again from :data:`RENEW_BEFORE` before its marker runs out, so the daily catch-up
renews a marker before it lapses: the SLA alert list reads pages by instant only while the marker holds
(:mod:`aftersales.service.sla_alert_moments`) and would otherwise walk whole days from the lapse until
the next daily run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

import attrs

from aftersales.errors import NotFound
from aftersales.ports.documents import document_spec
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["RECHECK", "RENEW_BEFORE", "IndexFilled", "fill_index", "filled_key"]

RECHECK = timedelta(days=7)
"""How long a kind found complete is trusted (an older writer's documents wait that long)."""

RENEW_BEFORE = timedelta(days=1)
"""How long before its marker runs out a kind is scanned again: the daily jobs' period, so a daily run
renews the marker before it lapses."""


@attrs.define
class IndexFilled:
    """That every document of a kind had its index row for a field when last checked: not scanned again
    before ``until`` (the check plus :data:`RECHECK`)."""

    DOCUMENT_KIND: ClassVar[str] = "index_filled"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    until: datetime
    version: int = 0


def fill_index(
    uow: UnitOfWork,
    classes: Sequence[type],
    field: str,
    limit: int,
    *,
    now: datetime | None = None,
    recheck: bool = False,
) -> int:
    """Index ``field`` of up to ``limit`` documents of ``classes`` stored without it, the kinds in order
    (a kind coming back short leaves the rest of the limit to the next); returns how many were indexed:
    0 once none is left, and always on a store without ``backfill_index`` (nothing to index). With
    ``now``, a kind whose marker holds for more than :data:`RENEW_BEFORE` yet is skipped (see the
    module), unless ``recheck`` (a person's run after an older release wrote to the store: every kind
    scanned now)."""
    fill = getattr(uow.documents, "backfill_index", None)
    if fill is None:
        return 0
    done = 0
    for cls in classes:
        if done >= limit:
            break
        key = filled_key(cls, field)
        marker = _marker(uow, key) if now is not None else None
        if now is not None and marker is not None and now < marker.until - RENEW_BEFORE and not recheck:
            continue
        asked = limit - done
        found = int(fill(cls, field, asked))
        done += found
        if now is None:
            continue
        if found == 0:  # none left: remembered (a run indexing the last ones checks once more)
            if marker is None:
                uow.documents.add(IndexFilled(key, now + RECHECK))
            else:
                marker.until = now + RECHECK
                uow.documents.save(marker)
    return done


def filled_key(cls: type, field: str) -> str:
    """The id of the :class:`IndexFilled` marker of ``cls``'s ``field`` (with the kind's index fields:
    a release indexing other fields checks again)."""
    spec = document_spec(cls)
    return f"{spec.kind}:{field}:{'+'.join(spec.index)}"


def _marker(uow: UnitOfWork, key: str) -> IndexFilled | None:
    try:
        found: IndexFilled = uow.documents.get(IndexFilled, key)
    except NotFound:
        return None
    return found
