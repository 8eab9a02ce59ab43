"""Issue 21 (session 30): a command's SLA derivation looks up what was kept of the ticket's event log once
(the decision, the timeline and the held breaches all read it; each lookup checked it against the log and
moved it in the LRU again), and derives the same due times as a service that kept nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla import SlaService

from .factories import AGENT, ENGINEER, at, new_ticket

CN = china_mainland_calendar()
DUES = ("response_due_at", "resolution_due_at", "response_late_after", "resolution_late_after")

STEPS: list[Callable[[Ticket], object]] = [
    lambda t: t.triage(
        AGENT, at(2, 9, 7), Assessment("leak", Severity.HIGH, plan=Plan.ON_SITE), Priority.EXPEDITED
    ),
    lambda t: t.assign(AGENT, at(2, 9, 10), Assignee(AssigneeKind.DEALER, "dealer-sh", "浦东")),
    lambda t: t.step("start_work", ENGINEER, at(2, 14)),
]


def _service() -> SlaService:
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(at(2)), calendar=CN)
    return SlaService(desk.sla_service.policy, CN)


def test_derive_looks_the_log_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service()
    ticket = new_ticket()
    for step in STEPS[:2]:
        step(ticket)
    calls: list[str] = []
    real = SlaService._log

    def counted(self: SlaService, t: Ticket) -> Any:
        calls.append(t.id)
        return real(self, t)

    monkeypatch.setattr(SlaService, "_log", counted)
    service.derive(ticket, CustomerTier.REGULAR, at(2, 10))
    assert calls == [ticket.id]
    assert ticket.resolution_due_at is not None


@pytest.mark.parametrize("tier", [CustomerTier.REGULAR, CustomerTier.VIP])
def test_derive_equals_a_fresh_service_after_every_step(tier: CustomerTier) -> None:
    """One service derives after each step (keeping what it read); a new service derives the same log."""
    kept = _service()
    ticket = new_ticket()
    for done in range(len(STEPS) + 1):
        if done:
            STEPS[done - 1](ticket)
        now: datetime = ticket.events[-1].at + timedelta(minutes=1)
        kept.derive(ticket, tier, now)
        fresh = new_ticket()
        for step in STEPS[:done]:
            step(fresh)
        _service().derive(fresh, tier, now)
        assert [getattr(ticket, name) for name in DUES] == [getattr(fresh, name) for name in DUES]
        assert ticket.resolution_due_at is not None
