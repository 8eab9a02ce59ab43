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
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote
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


def test_late_afters_are_derived_again_only_when_an_input_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    import aftersales.service.sla as sla_module

    service = _service()
    ticket = new_ticket()
    STEPS[0](ticket)
    calls: list[object] = []
    real = sla_module._late_afters

    def counted(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sla_module, "_late_afters", counted)
    service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 6))
    first = (ticket.response_late_after, ticket.resolution_late_after)
    assert len(calls) == 1
    # A note changes no due: the late-afters are given again, not derived again.
    ticket.note_to_customer(AGENT, at(2, 9, 8), CustomerNote("内部备注", visible_to_customer=False))
    service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 9))
    assert len(calls) == 1 and (ticket.response_late_after, ticket.resolution_late_after) == first
    # Another calendar (an equal one, but not the same object): derived again, and the same.
    other = SlaService(service.policy, china_mainland_calendar())
    other._kept = service._kept
    other.derive(ticket, CustomerTier.REGULAR, at(2, 9, 9))
    assert len(calls) == 2 and (ticket.response_late_after, ticket.resolution_late_after) == first
    # A dispatch to a dealer adds the dealer's clock: a due changed, derived again, as a fresh service does.
    STEPS[1](ticket)
    service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 11))
    assert len(calls) == 3
    fresh = new_ticket()
    STEPS[0](fresh)
    fresh.note_to_customer(AGENT, at(2, 9, 8), CustomerNote("内部备注", visible_to_customer=False))
    STEPS[1](fresh)
    _service().derive(fresh, CustomerTier.REGULAR, at(2, 9, 11))
    assert [getattr(ticket, name) for name in DUES] == [getattr(fresh, name) for name in DUES]


def test_the_same_instant_in_another_zone_or_fold_is_not_the_same_due() -> None:
    from zoneinfo import ZoneInfo

    from aftersales.service.sla import _same_instants

    due = at(2, 18)
    utc = due.astimezone(ZoneInfo("UTC"))
    assert due == utc
    assert _same_instants((due, None), (due, None))
    assert not _same_instants((due, None), (utc, None))
    assert not _same_instants((due, None), (due.replace(fold=1), None))
    assert not _same_instants((due, None), (None, None))
    assert not _same_instants((due, due), (due, due + timedelta(minutes=1)))
