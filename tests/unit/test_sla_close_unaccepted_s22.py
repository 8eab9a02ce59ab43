"""The SLA reading of ``close_unaccepted`` (a resolved ticket closed by its customer's erasure), by hand.

Resolution is met only by the acceptance (``SlaTargets.acceptance``): closed unaccepted, its clock stops
there unmet; a reopen (the problem came back) starts a new cycle whose clock runs again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.sla_clock import ClockPhase, SlaTarget, SlaTargets, sla_status
from aftersales.domain.ticket import Ticket

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
DPO = ActorRef("dpo-1", Role.PRIVACY_OFFICER)
H = timedelta(hours=1)
TARGETS = SlaTargets((SlaTarget("resolution", 8 * H, "working"),), acceptance=True)


def t(day: int, hour: int) -> datetime:
    return datetime(2025, 9, day, hour, tzinfo=SH)  # Mon 22 Sep 2025 onwards: working days


@pytest.fixture(scope="module")
def cn() -> BusinessCalendar:
    return china_mainland_calendar()


def _resolved() -> Ticket:
    tk = Ticket.open(
        id=TicketId("T-1"), customer_id=CustomerId("c-1"), channel=Channel.PHONE, category=Category.REPAIR,
        description="no water", received_at=t(22, 9), taken_by=AGENT,
    )  # fmt: skip
    tk.step("triage", AGENT, t(22, 9))
    tk.step("assign", AGENT, t(22, 9))
    tk.step("start_work", ENGINEER, t(22, 10))
    tk.step("resolve", ENGINEER, t(22, 11), reason="换阀")
    return tk


def test_closed_unaccepted_the_resolution_clock_stops_there_unmet(cn: BusinessCalendar) -> None:
    tk = _resolved()
    tk.close_unaccepted(DPO, t(22, 14), "customer_erased")
    status = sla_status(tk.events, TARGETS, cn, t(30, 9))
    resolution = status["resolution"]
    assert status.closed and resolution.phase is ClockPhase.STOPPED and resolution.met_at is None
    assert resolution.elapsed == 4 * H and not resolution.breached  # 09:00-12:00, 13:00-14:00
    assert tk.resolved_at is None and tk.closed_at == t(22, 14)


def test_a_reopen_after_it_runs_the_clock_again(cn: BusinessCalendar) -> None:
    tk = _resolved()
    tk.close_unaccepted(DPO, t(22, 14), "customer_erased")
    tk.step("reopen", AGENT, t(23, 9), reason="问题复发")
    resolution = sla_status(tk.events, TARGETS, cn, t(23, 11))["resolution"]
    assert resolution.phase is ClockPhase.RUNNING and resolution.elapsed == 2 * H
