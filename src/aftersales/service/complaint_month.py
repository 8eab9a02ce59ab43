"""The complaints registered in a month (seed 004 第五条 1(6): 用户意见 … 每月反馈给总经理及相关部门).

A letter received on 27 February and entered on 3 March was in no month's feedback: February's went out
on 2 March without it, March's listed only the complaints received in March. A month's complaints are
now those registered in it (:attr:`ComplaintFile.registered_month`): the ones received in it and entered
by its end, and the ones received earlier and entered in it — late, the month's feedback is the first
that could carry them. Each complaint is in one month's feedback, and a month's reads the same before
and after the next month's registrations. Files stored before session 27 record no month: theirs is the
month they were received in, as before.

The late ones are found through the file's ``registered_month`` index, never by reading older
complaints.

A complaint registered at the month's last instant whose month's feedback has already gone out (the job
read the month, and sent it, before the complaint was committed: a desk whose clock lags the job's, an
opening straddling midnight) is registered in the first month whose feedback is still to send
(:func:`registration_month`); the job, for its part, sends a month only if no complaint was registered in it
after it read the month (session 29: before, such a complaint was in no month's feedback). The two take
turns at the month gate (:mod:`aftersales.service.month_gate`, session 34).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import attrs

from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.contact import zone
from aftersales.domain.text import checked_month
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.queries import TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.complaint_base import all_tickets
from aftersales.service.job_marks import MONTHLY, JobMark
from aftersales.service.month_gate import hold_month_gate

__all__ = ["month_window", "registered_files", "registered_in", "registration_month", "registrations"]


def month_window(month: str, timezone: str) -> tuple[datetime, datetime]:
    """The first instant of ``month`` (``YYYY-MM``) and of the month after, in ``timezone``
    (``ValidationError`` naming ``month`` when malformed or the calendar's last)."""
    checked_month(month)
    year, number = int(month[:4]), int(month[5:])
    if (year, number) == (9999, 12):
        raise ValidationError("the last month with an end is 9999-11", field="month")
    local = zone(timezone)
    start = datetime(year, number, 1, tzinfo=local)
    return start, datetime(year + number // 12, number % 12 + 1, 1, tzinfo=local)


def registration_month(uow: UnitOfWork, now: datetime, timezone: str) -> str:
    """The month a complaint registered at ``now`` counts in: ``now``'s in ``timezone`` (the books'), or,
    when that month's feedback (or a later one's) went out already, the month after the latest sent — the
    first feedback that can still carry it (seed 004 第五条 1(6) 每月反馈). Holds the month gate
    (:mod:`aftersales.service.month_gate`) until ``uow`` ends."""
    return registrations(uow, timezone)(now)


def registrations(uow: UnitOfWork, timezone: str) -> Callable[[datetime], str]:
    """:func:`registration_month` for many complaints in one transaction (an import's batch): the month
    gate is held and the months sent are read once; the function returned gives the month each
    complaint registered at its instant counts in."""
    # Held to the commit: the job sending a month waits for this registration, or this reads it sent.
    hold_month_gate(uow, exclusive=False)
    latest = max(
        (mark.id.partition(":")[2] for mark in uow.documents.query(JobMark, job=MONTHLY)), default=None
    )
    local = zone(timezone)

    def month_of(at: datetime) -> str:
        month = at.astimezone(local).strftime("%Y-%m")
        if latest is None or month > latest:
            return month
        year, number = int(latest[:4]), int(latest[5:])
        return f"{year + number // 12:04d}-{number % 12 + 1:02d}"

    return month_of


def registered_files(uow: UnitOfWork, month: str) -> frozenset[str]:
    """The ids of the complaints whose file names ``month`` as the one they were registered in."""
    return frozenset(file.id for file in uow.documents.query(ComplaintFile, registered_month=month))


def registered_in(uow: UnitOfWork, query: TicketFilter, month: str, timezone: str) -> Iterator[Ticket]:
    """The complaints ``query`` matches that may have been registered in ``month``, oldest received
    first: those received earlier and registered in it, then those received in it (the caller drops the
    ones whose file names a later month: received at a month's end, entered after it)."""
    since, until = month_window(month, timezone)
    late: list[Ticket] = []
    for file in uow.documents.query(ComplaintFile, registered_month=month):
        try:
            ticket = uow.tickets.get(file.id)
        except NotFound:  # a file whose ticket is gone: nothing to list
            continue
        if ticket.received_at < since and _matches(ticket, query):
            late.append(ticket)
    yield from sorted(late, key=lambda t: (t.received_at, t.id))
    start = since if query.received_from is None else max(since, query.received_from)
    end = until if query.received_to is None else min(until, query.received_to)
    if start < end:
        yield from all_tickets(uow, attrs.evolve(query, received_from=start, received_to=end))


def _matches(ticket: Ticket, query: TicketFilter) -> bool:
    """Whether a complaint found by its file matches the log's own filters (kind, state, customer and
    the received window): the few fields the complaint log sets."""
    return (
        (query.kind is None or ticket.kind is query.kind)
        and (not query.states or ticket.state in query.states)
        and (query.customer_id is None or ticket.customer_id == query.customer_id)
        and (query.received_from is None or ticket.received_at >= query.received_from)
        and (query.received_to is None or ticket.received_at < query.received_to)
    )
