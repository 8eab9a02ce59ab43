"""What is due: the plans' visits and the complaints' remedy visits together (seed 002 方案的落实).

:func:`~aftersales.reports.maintenance.due_visits` lists the plans' scheduled visits due soon or overdue
(``MaintenanceVisit`` values, unchanged for its callers). An extra maintenance visit granted to settle a
complaint (``grant_remedy``) is a maintenance ticket of the unit, not a visit of a plan, so that list never
showed one: a service manager planning the coming fortnight from it saw the routine visits and not the one
promised to a complaining customer (落实工作一定要及时到位), though the daily reminder chases it once overdue.
:func:`due_unit_visits` lists both, as :class:`~aftersales.domain.remedy_visit.UnitVisit` (the type a unit's
visit list already uses): a remedy visit while its ticket is open, due on the day agreed (or by the pack's
standard term), its dealer the ticket's. A remedy visit whose ticket is resolved or cancelled is not owed;
one reopened for rework after the reminder found it made is not listed again, as a plan's visit recorded
done is not (the rework runs on the ticket's own clocks).
"""

from __future__ import annotations

from datetime import date

from aftersales.domain.maintenance import MaintenanceVisit, VisitState
from aftersales.domain.remedy_visit import RemedyVisit, UnitVisit, VisitSource
from aftersales.domain.ticket import Ticket
from aftersales.ports.remedy_due import remedy_due_by
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports.maintenance import due_visits, look_ahead_end, visit_scope
from aftersales.reports.sources import ReportDesk

__all__ = ["due_unit_visits", "scoped_due_unit_visits"]


def _of_plan(visit: MaintenanceVisit) -> UnitVisit:
    return UnitVisit(
        VisitSource.PLAN, visit.asset_id, visit.due_on, visit.state, visit.ticket_id,
        visit_id=visit.id, plan_id=visit.plan_id,
    )  # fmt: skip


def _of_remedy(visit: RemedyVisit, ticket: Ticket) -> UnitVisit:
    return UnitVisit(
        VisitSource.REMEDY, visit.asset_id, visit.due_on, VisitState.SCHEDULED, ticket.id,
        complaint_id=visit.complaint_id, by_term=visit.by_term,
    )  # fmt: skip


def _order(visit: UnitVisit) -> tuple[date, str]:
    return visit.due_on, visit.visit_id or visit.ticket_id or ""


def due_unit_visits(
    store: StoreFactory, today: date, *, within_days: int = 14, dealer_id: str | None = None
) -> tuple[list[UnitVisit], list[UnitVisit]]:
    """Visits still owed due within ``within_days`` of ``today``, and those already overdue: the plans'
    scheduled visits (as :func:`~aftersales.reports.maintenance.due_visits`) and the remedy visits whose
    ticket is open, soonest due first. ``dealer_id``: a plan's dealer, a remedy visit's ticket's dealer.
    The arguments are checked as ``due_visits`` checks them (a ``ValidationError`` naming the one refused).

    One range of each due-day index, up to the end of the look-ahead: visits due later, and those done,
    missed or closed (and un-keyed by the reminder), are not read."""
    plans_soon, plans_late = due_visits(store, today, within_days=within_days, dealer_id=dealer_id)
    with store() as uow:
        remedies = remedy_due_by(uow, look_ahead_end(today, within_days))
    if dealer_id is not None:
        remedies = [(v, t) for v, t in remedies if t.dealer_id == dealer_id]
    soon = [_of_plan(v) for v in plans_soon]
    soon += (_of_remedy(v, t) for v, t in remedies if 0 <= (v.due_on - today).days <= within_days)
    late = [_of_plan(v) for v in plans_late]
    late += (_of_remedy(v, t) for v, t in remedies if v.due_on < today)
    return sorted(soon, key=_order), sorted(late, key=_order)


def scoped_due_unit_visits(
    desk: ReportDesk, actor: object, today: date, *, within_days: int = 14, dealer_id: str | None = None
) -> tuple[list[UnitVisit], list[UnitVisit]]:
    """:func:`due_unit_visits` as ``actor`` may read it through ``desk`` (``maintenance_report``): dealer
    staff read their own dealer's visits; asking for another dealer's (``dealer_id``) is a
    ``ValidationError`` naming ``dealer_id``."""
    dealer_id = visit_scope(desk, actor, dealer_id)
    return due_unit_visits(desk.store, today, within_days=within_days, dealer_id=dealer_id)
