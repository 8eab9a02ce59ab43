"""The last instant an answer still counts on time (domain.sla_late), and the ticket carrying it.

A working-time due at a window's end (18:00, 12:00) accrues nothing until the next window starts: the
live SLA calls an answer before then met, and the reports read that instant from the stored ticket.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.sla_late import late_after, working_late_after
from aftersales.domain.ticket import Ticket, ended_cycles
from aftersales.ports.reporting import judged_dues
from aftersales.ports.ticket_index import micros
from aftersales.serialization import dumps, loads

SH = ZoneInfo("Asia/Shanghai")
CN = china_mainland_calendar()
AGENT = ActorRef("agent-1", Role.AGENT)


def sh(d: int, h: int, mi: int = 0) -> datetime:
    return datetime(2026, 3, d, h, mi, tzinfo=SH)


@pytest.mark.parametrize(
    ("due", "basis", "expected"),
    [
        (sh(6, 18), "working", sh(9, 9)),  # Friday's end: Monday's start
        (sh(11, 12), "working", sh(11, 13)),  # before lunch: after it
        (sh(6, 18), "end_of_day", sh(9, 9)),  # a working-time basis too
        (sh(11, 10, 30), "working", None),  # inside a window: the due itself
        (sh(6, 18), "calendar", None),  # wall-clock: late the instant after
        (sh(6, 18), "calendar_days", None),
        (None, "working", None),
    ],
)
def test_a_working_due_outside_working_time_is_on_time_until_work_resumes(
    due: datetime | None, basis: str, expected: datetime | None
) -> None:
    assert working_late_after(due, basis, CN) == expected


def test_the_stored_instant_counts_only_when_not_before_the_due() -> None:
    assert late_after(sh(6, 18), sh(9, 9)) == sh(9, 9)
    assert late_after(sh(6, 18), None) == sh(6, 18)
    assert late_after(sh(9, 10), sh(9, 9)) == sh(9, 10)  # stale (the due moved later): the due
    assert late_after(None, sh(9, 9)) is None


def _ticket() -> Ticket:
    return Ticket.open(
        id=TicketId("T-1"),
        customer_id=CustomerId("c-1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="卡纸",
        received_at=sh(6, 17, 30),
        taken_by=AGENT,
    )


def test_the_ticket_keeps_its_late_after_instants_through_the_store() -> None:
    ticket = _ticket()
    ticket.response_due_at, ticket.response_late_after = sh(6, 18), sh(9, 9)
    ticket.resolution_due_at, ticket.resolution_late_after = sh(11, 12), sh(11, 13)
    again = loads(dumps(ticket), Ticket)
    assert (again.response_late_after, again.resolution_late_after) == (sh(9, 9), sh(11, 13))
    assert judged_dues(again, None) == (micros(sh(9, 9)), micros(sh(11, 13)))
    plain = loads(dumps(_ticket()), Ticket)
    assert (plain.response_late_after, plain.resolution_late_after) == (None, None)


def test_a_reopen_keeps_the_ended_cycles_late_after_instants() -> None:
    ticket = _ticket()
    ticket.response_due_at, ticket.response_late_after = sh(6, 18), sh(9, 9)
    ticket.resolution_due_at = sh(11, 12)
    for step in ("triage", "assign", "start_work", "resolve", "confirm"):
        ticket.step(step, AGENT, sh(10, 10), reason="r")
    ticket.reopen(AGENT, sh(10, 11), reason="problem back")
    ((_, cycle),) = ended_cycles(ticket.events)
    assert (cycle["response_late_after"], cycle["resolution_late_after"]) == (sh(9, 9), None)
