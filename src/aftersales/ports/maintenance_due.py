"""Scheduled maintenance visits due by a day, read as one range of their due-day index (issue 26).

The overdue reminder ran over every scheduled visit: at 1 M units the 14-day lead time alone keeps some
77,000 visits open that are not yet due, and dealers that fall behind add more, so the job grew with
the open visits rather than with the overdue ones. A visit carries its due day as an index field while
it is scheduled (``MaintenanceVisit.open_due``), so the stores with index ranges hand out the visits
due up to a day and nothing else.

Visits written before that index existed have no row in it. The first reminder run re-saves the
scheduled visits once (their rows are written with them) and records that it did; until then — and on a
store without index ranges — reads fall back to every scheduled visit, which gives the same answer.

Beside the ports (reads through the unit of work only) so that the service's reminder and the reports'
due list (:func:`aftersales.reports.maintenance.due_visits`) read the one range the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, timedelta

from aftersales.domain.maintenance import MaintenanceVisit, VisitState
from aftersales.errors import DuplicateError, NotFound
from aftersales.ports.daily_cursor import DailyCursor
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["ensure_due_index", "overdue_on", "scheduled_due_by"]

_INDEXED = "maintenance_visit_open_due"
"""The marker (a daily cursor: the day it was done) that every scheduled visit has its due-day row."""


def _indexed(uow: UnitOfWork) -> bool:
    try:
        uow.documents.get(DailyCursor, _INDEXED)
    except NotFound:
        return False
    return True


def ensure_due_index(uow: UnitOfWork, today: date) -> None:
    """Give every scheduled visit its due-day index row, once per store (in the caller's transaction)."""
    if getattr(uow.documents, "query_range", None) is None or _indexed(uow):
        return
    for visit in uow.documents.query(MaintenanceVisit, state=VisitState.SCHEDULED.value):
        uow.documents.save(visit)  # written again: its index rows now include the due day
    with contextlib.suppress(DuplicateError):  # another process finished first: the rows are there
        uow.documents.add(DailyCursor(_INDEXED, today))


def scheduled_due_by(uow: UnitOfWork, last_day: date) -> list[MaintenanceVisit]:
    """Scheduled visits due on ``last_day`` or before, by due day then id."""
    ranged = getattr(uow.documents, "query_range", None)
    found: Sequence[MaintenanceVisit]
    if ranged is not None and _indexed(uow):
        found = ranged(MaintenanceVisit, "open_due", last_day.isoformat())
    else:
        found = uow.documents.query(MaintenanceVisit, state=VisitState.SCHEDULED.value)
    # The state is checked again: the index is a copy, the document is the record.
    due = [v for v in found if v.state is VisitState.SCHEDULED and v.due_on <= last_day]
    return sorted(due, key=lambda v: (v.due_on, v.id))


def overdue_on(uow: UnitOfWork, day: date) -> list[MaintenanceVisit]:
    """Scheduled visits whose due day is before ``day``."""
    if day == date.min:
        return []
    return scheduled_due_by(uow, day - timedelta(days=1))
