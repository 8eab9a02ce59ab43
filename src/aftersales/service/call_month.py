"""The month a call is registered in (seed 004 第五条 1(6): 外部质量信息 … 每月反馈给总经理及相关部门).

The month's feedback counted the problems found on units by the calls received in the month: a call
of 28 March entered on 3 April, after March's feedback went out on 1 April, was in no month's feedback.
As a complaint entered late (:mod:`aftersales.service.complaint_month`, session 27) and a sale registered
late (:mod:`aftersales.service.unit_month`, session 37) are, such a call now counts in the first month
whose feedback is still to send. Only those calls are noted (:class:`LateCall`, written by the opening,
never by a host): every other call counts in the month it was received in, as before, so nothing
stored moves and nothing needs back-filling. Seed 002's phase report over any period still reads calls
by their received date (:func:`aftersales.service.phase_feedback.phase_feedback` without
``registered_in``).

An opening whose call was received in an earlier month than the desk's today holds the month gate
(:mod:`aftersales.service.month_gate`) while it reads which months were sent; the feedback job sends a
month only if the month's calls read the same under the gate as when it read the month
(:func:`calls_key`). A call received and entered in the same month (the desk's today) is not noted: the
job sends a month once it has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.classification import TicketKind
from aftersales.domain.contact import zone
from aftersales.domain.ticket import Ticket
from aftersales.ports.queries import TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.complaint_month import month_window, registrations

__all__ = ["LateCall", "calls_key", "late_calls", "note_imported_calls", "note_late_call"]


@attrs.define
class LateCall:
    """A call entered after the feedback of the month it was received in went out, stored under its
    ticket's id: it counts in ``registered_month`` (the first month then still to send), not in
    ``received_month``. Ids and months only."""

    DOCUMENT_KIND: ClassVar[str] = "late_call"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("registered_month", "received_month")

    id: str
    received_month: str
    registered_month: str
    version: int = 0


def note_late_call(uow: UnitOfWork, timezone: str, ticket: Ticket, now: datetime) -> None:
    """Note ``ticket`` (being opened at ``now``) as a :class:`LateCall` when the feedback of the month
    it was received in went out already. Complaints count by their own file's month, not here."""
    if ticket.kind is TicketKind.COMPLAINT:
        return
    local = zone(timezone)
    received = ticket.received_at.astimezone(local).strftime("%Y-%m")
    if received >= now.astimezone(local).strftime("%Y-%m"):
        return  # received this month: its month's feedback is still to send
    registered = registrations(uow, timezone)(ticket.received_at)
    if registered != received:
        uow.documents.add(LateCall(ticket.id, received, registered))


def note_imported_calls(uow: UnitOfWork, timezone: str, batch: Sequence[Ticket], now: datetime) -> int:
    """:func:`note_late_call` for a bulk import's ``batch`` written at ``now`` (each call as one entered
    then, as an imported complaint is filed: :mod:`aftersales.service.import_complaints`): the month gate
    held and the months sent read once, and only when a call of the batch was received before ``now``'s
    month. The number noted."""
    local = zone(timezone)
    this_month = now.astimezone(local).strftime("%Y-%m")
    earlier = [
        (t, month)
        for t in batch
        if t.kind is not TicketKind.COMPLAINT
        and (month := t.received_at.astimezone(local).strftime("%Y-%m")) < this_month
    ]
    if not earlier:
        return 0
    month_of = registrations(uow, timezone)
    late = [LateCall(t.id, month, month_of(t.received_at)) for t, month in earlier]
    late = [c for c in late if c.registered_month != c.received_month]
    for note in late:
        uow.documents.add(note)
    return len(late)


def late_calls(uow: UnitOfWork, month: str) -> tuple[frozenset[str], frozenset[str]]:
    """The calls noted late that count in ``month`` (received earlier), and those received in
    ``month`` that count in a later one, by ticket id."""
    into = frozenset(c.id for c in uow.documents.query(LateCall, registered_month=month))
    out = frozenset(c.id for c in uow.documents.query(LateCall, received_month=month))
    return into, out


def calls_key(uow: UnitOfWork, month: str, timezone: str) -> tuple[int, frozenset[str]]:
    """What the feedback job compares before sending ``month``: how many tickets were received in it and
    which late calls count in it. A call committed since the job read the month changes it, and the
    month is read again by the next run (as for complaints and sales)."""
    since, until = month_window(month, timezone)
    received = uow.tickets.count(TicketFilter(received_from=since, received_to=until))
    return received, late_calls(uow, month)[0]
