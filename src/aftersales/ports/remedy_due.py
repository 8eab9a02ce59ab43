"""Remedy visits still owed by a day, read as one range of their due-day key (reads only).

An extra maintenance visit a complaint's remedy grants (:class:`~aftersales.domain.remedy_visit.RemedyVisit`)
carries its due day as an index field (``open_due``) until the daily overdue reminder finds its ticket
closed. The reminder (:mod:`aftersales.service.remedy_overdue`) and the reports' due list
(:func:`aftersales.reports.due_unit_visits.due_unit_visits`) read the one range the same way: visits
keyed due by a day whose ticket is still open. Until the reminder's first run has keyed the visits stored
before the key existed — and on a store without index ranges — reads fall back to every remedy visit,
which gives the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aftersales.domain.remedy_visit import RemedyVisit
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound
from aftersales.ports.daily_cursor import DailyCursor
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["REMEDY_INDEXED", "keyed_due_by", "remedy_closed", "remedy_due_by", "remedy_made"]

REMEDY_INDEXED = "remedy_visit_open_due"
"""The marker (a daily cursor: the day it was done) that every remedy visit has its due-day row."""


def remedy_made(ticket: Ticket) -> bool:
    """Whether a remedy visit's ticket was resolved, now or in an earlier cycle: the visit was made; its
    rework (the customer's acceptance refused, the problem back at the callback) runs on the ticket's own
    clocks. The unit's visit list (``done``), the due list and the reminder (not owed) all read it here."""
    return ticket.resolved_at is not None or any(e.action == "resolve" for e in ticket.events)


def remedy_closed(ticket: Ticket) -> bool:
    """Whether a remedy visit's ticket no longer owes the visit: cancelled, or made (:func:`remedy_made`).
    Read from the ticket alone, so the answer does not depend on whether the reminder happened to run
    while the ticket stood resolved."""
    return ticket.state == TicketState.CANCELLED.value or remedy_made(ticket)


def keyed_due_by(uow: UnitOfWork, last: str, *, indexed: bool) -> list[RemedyVisit]:
    """Remedy visits whose due-day key is ``last`` (ISO) or before: one range of the key when the store
    has ranges and the visits are ``indexed``, else every remedy visit, filtered."""
    ranged = getattr(uow.documents, "query_range", None)
    found: Sequence[RemedyVisit] = (
        ranged(RemedyVisit, "open_due", last) if ranged is not None and indexed
        else uow.documents.query(RemedyVisit)
    )  # fmt: skip
    return [v for v in found if v.open_due is not None and v.open_due <= last]


def remedy_due_by(uow: UnitOfWork, last_day: date) -> list[tuple[RemedyVisit, Ticket]]:
    """Remedy visits keyed due on ``last_day`` or before whose ticket is still open, with the ticket, by
    due day then id. Nothing is written: a visit found closed is left for the reminder to un-key."""
    try:
        uow.documents.get(DailyCursor, REMEDY_INDEXED)
        indexed = True
    except NotFound:
        indexed = False
    out: list[tuple[RemedyVisit, Ticket]] = []
    for visit in keyed_due_by(uow, last_day.isoformat(), indexed=indexed):
        try:
            ticket = uow.tickets.get(visit.id)
        except NotFound:
            continue  # erased with its customer
        if not remedy_closed(ticket):
            out.append((visit, ticket))
    return sorted(out, key=lambda pair: (pair[0].due_on, pair[0].id))
