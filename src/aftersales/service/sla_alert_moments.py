"""The SLA alerts of a page read newest first from their instant's index: a page costs a page.

Why: the day walk (:mod:`aftersales.service.sla_alert_days`) orders days, not the alerts of a day, so a
page of a full day read and sorted the whole day: after the first sweep of a 1 M-ticket file 461,647
alerts fall on one UTC day and the first page took some 3.5 s (issue 21). Each alert is also indexed by
its instant (:attr:`~aftersales.service.sla_watch.SlaAlert.moment`, fixed-width µs text), so the list
reads that index backwards from its cursor, a batch at a time, and stops once its page is full.

The list promises (announced µs, id) newest first; the index orders by µs only. So the alerts of the
cursor's own µs are read by equality (the cursor may fall among them), and a batch whose last µs may
continue past it is completed by an equality read of that µs: every batch holds whole instants, and the
list sorts by (µs, id) as before.

Alerts an older release stored have no such index row until the upgrade's catch-up
(``MarkRetention.index_marks``, run by the daily jobs) indexes them: :func:`moments_complete` says
whether it found every alert indexed less than ``RECHECK`` ago, and otherwise the list walks days as
before. The catch-up's marker runs out because an older release may still write alerts without the
index row; trusted after that, the list left every such alert out until the next check found it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from aftersales.domain.instants import EPOCH
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.index_backfill import IndexFilled, filled_key
from aftersales.service.sla_watch import SlaAlert, alert_moment

__all__ = ["moments_complete", "newest_alerts"]

_MOST = 8192
"""The largest batch: the first asks for one more than the page (the office's page is full then), each
next one for twice the last (a filter or a scope passing many over), up to this."""


def moments_complete(uow: UnitOfWork, now: datetime) -> bool:
    """Whether every SLA alert is indexed by its instant at ``now``: the store reads pages of that index
    (``query_newest``) and either has nothing to catch up (no ``backfill_index``: it indexes every field
    as it writes, the memory store) or the catch-up found none left and its marker has not run out yet
    (see the module: a marker past its ``until`` says nothing of the alerts written since)."""
    documents: Any = uow.documents
    if getattr(documents, "query_newest", None) is None:
        return False
    if getattr(documents, "backfill_index", None) is None:
        return True
    try:
        marker = uow.documents.get(IndexFilled, filled_key(SlaAlert, "moment"))
    except NotFound:
        return False
    return bool(now < marker.until)


def _moment_of(micros_: int, field: str) -> str:
    try:
        return alert_moment(EPOCH + timedelta(microseconds=micros_))
    except OverflowError as bad:
        raise ValidationError("cursor is not one this list gave", field=field) from bad


def newest_alerts(
    documents: Any,
    since: datetime | None,
    until: datetime | None,
    after: tuple[int, str] | None,
    limit: int,
) -> Iterator[Sequence[SlaAlert]]:
    """Batches of the alerts announced in ``[since, until)`` and not after the page cursor ``after``
    (announced µs, id), newest instant first, each batch whole instants (in any order within one).

    ``documents`` has ``query_newest`` (the caller checks). The caller stops once its page is full; a
    cursor past any date is a ``ValidationError`` naming it."""
    below = alert_moment(until) if until is not None else None
    if after is not None:
        cursor = _moment_of(after[0], "cursor")
        yield documents.query(SlaAlert, moment=cursor)  # the cursor's own instant: the ids before it
        below = cursor if below is None else min(below, cursor)
    floor = alert_moment(since) if since is not None else None
    size = limit + 1
    while True:
        batch = documents.query_newest(SlaAlert, "moment", below, limit=size)
        if not batch:
            return
        last = batch[-1][0]
        alerts = [alert for value, alert in batch if value != last]
        if len(batch) == size:  # the last instant may hold more alerts than the batch took
            alerts.extend(documents.query(SlaAlert, moment=last))
        else:
            alerts.extend(alert for value, alert in batch if value == last)
        yield alerts
        if len(batch) < size or (floor is not None and last <= floor):
            return
        below = last
        size = min(_MOST, size * 2)
