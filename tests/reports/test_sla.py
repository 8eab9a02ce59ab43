"""SLA breaches by priority and week: late answers, late or overdue resolutions, scoped to the actor."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aftersales.domain.classification import Priority
from aftersales.errors import ValidationError
from aftersales.reports import sla_breaches
from aftersales.service.actors import Actor

from .data import MARCH, SH, report_desk, sla_tickets

AS_OF = datetime(2026, 4, 2, 12, tzinfo=SH)


def _expected(dealer: str | None = None) -> tuple[int, int, int, int]:
    due = resp = res = still = 0
    for t in sla_tickets():
        if t.resolution_due_at is None or (dealer and t.dealer_id != dealer):
            continue
        due += 1
        answered = t.events[1].at if len(t.events) > 1 else None
        resp += (answered or AS_OF) > t.response_due_at  # type: ignore[operator]
        late = (t.resolved_at or AS_OF) > t.resolution_due_at
        res += late and (t.resolved_at is not None or t.closed_at is None)
        still += t.resolved_at is None and t.closed_at is None and t.resolution_due_at < AS_OF
    return due, resp, res, still


def test_totals_match_the_tickets() -> None:
    report = sla_breaches(report_desk(), Actor.manager("m"), MARCH, as_of=AS_OF)
    total = report.total
    assert (total.due, total.response_breached, total.resolution_breached, total.open_breached) == _expected()
    assert report.weeks == ("2026-W10", "2026-W11", "2026-W12")
    assert report.priorities == ("critical", "expedited", "normal")
    assert sum(report.by_priority(p).due for p in report.priorities) == total.due
    critical = report.by_priority(Priority.CRITICAL.value)
    assert critical.breach_rate is not None and 0 < critical.breach_rate <= 1


def test_a_dealer_sees_its_own_breaches_only() -> None:
    dealer = Actor.dealer_staff("staff-a", "dealer-a", ["R0"])
    total = sla_breaches(report_desk(), dealer, MARCH, as_of=AS_OF).total
    assert (total.due, total.response_breached, total.resolution_breached, total.open_breached) == _expected(
        "dealer-a"
    )


def test_an_unanswered_ticket_past_its_response_due_is_late() -> None:
    desk = report_desk()
    with desk.store() as uow:
        t = uow.tickets.get("T-0010")  # never answered in the data
        t.response_due_at = t.received_at + timedelta(hours=1)
        t.resolution_due_at = t.received_at + timedelta(hours=8)
        uow.tickets.save(t)
        uow.commit()
    report = sla_breaches(desk, Actor.manager("m"), MARCH, as_of=AS_OF)
    untriaged = report.by_priority("")
    assert (untriaged.due, untriaged.response_breached, untriaged.open_breached) == (1, 1, 1)
    early = sla_breaches(desk, Actor.manager("m"), MARCH, as_of=t.received_at + timedelta(minutes=30))
    assert early.by_priority("").response_breached == 0


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValidationError):
        sla_breaches(report_desk(), Actor.manager("m"), MARCH, as_of=datetime(2026, 4, 2))
