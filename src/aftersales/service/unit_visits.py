"""A unit's visits as a service manager reads them: its plans' and its complaints' remedy visits together.

Seed 004 第五条 1(6) has the service centre keep each product's service information, and seed 002 方案的
落实 asks that a remedy agreed with a complaining customer be carried out in time (落实工作一定要及时到位).
The extra maintenance visits a remedy grants are maintenance tickets of the complaint's unit, not visits
of its plan, so the plan's visit list never showed them: a manager checking what the unit is owed saw the
routine visits and not the one promised to settle a complaint. This read lists both, each with its due
day and state, soonest first (:class:`~aftersales.domain.remedy_visit.UnitVisit`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit, VisitState
from aftersales.domain.remedy_visit import RemedyVisit, UnitVisit, VisitSource
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound
from aftersales.ports.remedy_due import remedy_made
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["read_unit_visits"]


def read_unit_visits(
    uow: UnitOfWork,
    asset_id: str,
    visit_visible: Callable[[MaintenanceVisit], bool],
    ticket_visible: Callable[[Ticket], bool],
) -> tuple[tuple[UnitVisit, ...], list[str]]:
    """The visits of unit ``asset_id`` a reader may see (``visit_visible`` for a plan's visit,
    ``ticket_visible`` for a remedy visit's ticket), soonest due first, and the customers they are of
    (for the access log)."""
    found: list[UnitVisit] = []
    customers: list[str] = []
    for plan in uow.documents.query(MaintenancePlan, asset_id=asset_id):
        for visit in uow.documents.query(MaintenanceVisit, plan_id=plan.id):
            if visit.asset_id != asset_id or not visit_visible(visit):
                continue
            customers.append(visit.customer_id)
            found.append(
                UnitVisit(
                    VisitSource.PLAN,
                    asset_id,
                    visit.due_on,
                    visit.state,
                    visit.ticket_id,
                    visit_id=visit.id,
                    plan_id=visit.plan_id,
                )
            )
    for granted in uow.documents.query(RemedyVisit, asset_id=asset_id):
        try:
            ticket = uow.tickets.get(granted.id)
        except NotFound:
            continue  # erased with its customer
        if not ticket_visible(ticket):
            continue
        customers.append(ticket.customer_id)
        found.append(
            UnitVisit(
                VisitSource.REMEDY,
                asset_id,
                granted.due_on,
                _state(ticket),
                ticket.id,
                complaint_id=granted.complaint_id,
                by_term=granted.by_term,
            )
        )
    found.sort(key=_order)
    return tuple(found), customers


def _state(ticket: Ticket) -> VisitState:
    """A remedy visit's state, read from its ticket: missed when cancelled, done once resolved — in any
    cycle, as the due list and the reminder read it (:func:`~aftersales.ports.remedy_due.remedy_made`):
    sent back for rework, it showed ``scheduled`` here while they treated it as made (session 34)."""
    if ticket.state == TicketState.CANCELLED.value:
        return VisitState.MISSED
    if remedy_made(ticket):
        return VisitState.DONE
    return VisitState.SCHEDULED


def _order(visit: UnitVisit) -> tuple[date, str]:
    return visit.due_on, visit.visit_id or visit.ticket_id or ""
