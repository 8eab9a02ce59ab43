"""Issue 21: a dispatch to a dealer (sanitary_ware: the dealer's 24 hours from the dispatch, seed
002 乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24小时之内…) carries the desk's kept SLA clocks
on instead of measuring the whole log again, and the ticket's stored due times are those a fresh
measure gives. The service layer's memo alone is under test: memory store only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import aftersales.service.sla as sla_module
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.sla_clock import sla_status
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def desk() -> Iterator[tuple[ServiceDesk, ManualClock]]:
    # The Friday before the 2025 National Day: the maker's working clocks cross the holidays.
    clock = ManualClock(datetime(2025, 9, 30, 16, 40, tzinfo=SH))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    dealer = Dealer(
        DealerId("dealer-sh"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈店长", phone="13900000001")
    )
    desk.register_dealer(MANAGER, dealer)
    contact = Contact("客户", email="c@example.cn")
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "客户", contact, region="SH", dealer_id=dealer.id)
    )
    try:
        yield desk, clock
    finally:
        desk.shutdown()


def test_a_dispatch_to_the_dealer_measures_no_log_and_stores_the_fresh_dues(
    desk: tuple[ServiceDesk, ManualClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, clock = desk
    tid = service.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    clock.advance(timedelta(minutes=7))
    service.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    measured: list[int] = []
    real = sla_module.sla_timeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        measured.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sla_module, "sla_timeline", counted)
    clock.advance(timedelta(minutes=3))
    service.dispatch(AGENT, tid, dealer_id="dealer-sh")
    assert measured == []  # carried on: the log was not measured again
    sla = service.sla_watch.context.sla
    now = clock.now()
    with service.context.reader(snapshot=False) as uow:
        ticket = uow.tickets.get(tid)
        tier = service.runner.tier(uow, ticket)
    stored = (
        ticket.response_due_at,
        ticket.resolution_due_at,
        ticket.response_late_after,
        ticket.resolution_late_after,
    )
    # The dealer's 24 hours bind: due a day after the dispatch, on the wall clock across the holiday.
    assert ticket.resolution_due_at == now + timedelta(hours=24)
    found = sla.targets(ticket, tier)
    assert found is not None
    fresh = sla_status(ticket.events, found.outcome, sla.calendar, now + timedelta(hours=30))  # type: ignore[arg-type]
    assert sla.status(ticket, tier, now + timedelta(hours=30)) == fresh
    sla._kept.clear()  # what a desk that kept nothing derives
    sla.derive(ticket, tier, now)
    assert (
        ticket.response_due_at,
        ticket.resolution_due_at,
        ticket.response_late_after,
        ticket.resolution_late_after,
    ) == stored
