"""Remedy visits past their due day, chased by the daily overdue reminder as a plan's visits are.

Seed 002 方案的落实 asks that what was agreed with a complaining customer be carried out in time (落实工作
一定要及时到位), and seed 004 第五条 1(6) has the service centre keep each product's service information.
An extra maintenance visit a remedy grants (``service.remedy_work``) is a maintenance ticket of the unit,
not a visit of its plan, so ``remind_overdue`` — which reads the plans' visits — never chased one that
was not made: the visit promised to settle a complaint could lie forgotten.

The reminder now also tells whoever has an overdue remedy visit (its ticket's assignee, else the ticket's
dealer — the same people a plan's visit goes to), once per day it stays overdue, with its own message
(``remedy_visit_overdue``; the messages are made by :mod:`aftersales.service.overdue_notices`, as the
plans' are). ``remind_overdue`` still returns the plans' visits only.

The daily read is bounded by a due-day key: a remedy visit carries ``open_due`` (its due day) as an index
field, and the reminder reads one range of it up to yesterday. A remedy visit's state lives on its ticket,
which the ticket workflow closes without knowing of the visit, so the key is cleared lazily: the first run
that finds the ticket resolved, cancelled or erased saves the visit without it, and it leaves the range.
A ticket resolved once and sent back for rework is not chased again, as a plan's visit recorded done is
not: the visit was made; the rework is the ticket's own clocks' business. That is read from the ticket's
history (:func:`aftersales.ports.remedy_due.remedy_closed`, session 34), not from whether a run happened to
find it resolved.
Visits stored before the key existed are re-saved once (a marker cursor), as the plans' visits were.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

import attrs

from aftersales.domain.remedy_visit import RemedyVisit
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError, NotFound
from aftersales.ports.daily_cursor import DailyCursor
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.remedy_due import REMEDY_INDEXED, keyed_due_by, remedy_closed
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.overdue_notices import Render, overdue_messages

__all__ = ["chase", "overdue_remedy_visits"]


def _ensure_index(uow: UnitOfWork, today: date) -> None:
    """Give every remedy visit stored before the due-day key its index row, once per store."""
    if getattr(uow.documents, "query_range", None) is None:
        return
    try:
        uow.documents.get(DailyCursor, REMEDY_INDEXED)
        return
    except NotFound:
        pass
    for visit in uow.documents.query(RemedyVisit):
        uow.documents.save(visit)  # written again: its index rows now include the due day
    with contextlib.suppress(DuplicateError):  # another process finished first: the rows are there
        uow.documents.add(DailyCursor(REMEDY_INDEXED, today))


def overdue_remedy_visits(uow: UnitOfWork, day: date) -> list[tuple[RemedyVisit, Ticket]]:
    """Remedy visits due before ``day`` whose ticket is still open, with the ticket, by due day then id.

    A visit found closed (its ticket resolved, cancelled or erased) loses its due-day key here, in the
    caller's transaction, so later runs no longer read it."""
    if day == date.min:
        return []
    _ensure_index(uow, day)
    last = (day - timedelta(days=1)).isoformat()
    out: list[tuple[RemedyVisit, Ticket]] = []
    for visit in keyed_due_by(uow, last, indexed=True):  # _ensure_index keyed them all
        try:
            ticket = uow.tickets.get(visit.id)
        except NotFound:
            ticket = None  # erased with its customer
        if ticket is None or remedy_closed(ticket):
            uow.documents.save(attrs.evolve(visit, open_due=None))
            continue
        out.append((visit, ticket))
    return sorted(out, key=lambda pair: (pair[0].due_on, pair[0].id))


def _holder(ticket: Ticket) -> tuple[str, str] | None:
    """Who has the visit: its ticket's assignee, else the ticket's dealer (as for a plan's visit)."""
    if ticket.assignee is not None:
        return ticket.assignee.kind.value, ticket.assignee.id
    return ("dealer", ticket.dealer_id) if ticket.dealer_id is not None else None


def chase(
    uow: UnitOfWork, day: date, now: datetime, render: Render, *, reminded: bool
) -> list[OutboxMessage]:
    """One ``remedy_visit_overdue`` message per holder of the remedy visits overdue on ``day`` (keyed by
    holder and day: sent once), none when the day's reminder already ran (``reminded``; the read still
    clears the keys of visits found closed)."""
    overdue = overdue_remedy_visits(uow, day)
    groups: dict[tuple[str, str], list[RemedyVisit]] = {}
    for visit, ticket in overdue:
        holder = _holder(ticket)
        if holder is not None:
            groups.setdefault(holder, []).append(visit)
    if reminded:
        return []
    return overdue_messages(
        uow, "remedy_visit_overdue", groups, lambda v: f"{v.id} ({v.complaint_id})", day, now, render
    )
