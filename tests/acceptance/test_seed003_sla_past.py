"""The SLA status asked about a past instant (``desk.sla(actor, ticket_id, at=...)``) shows the targets the
ticket had then, after a callback reopened it or the maker took it back from a dealer.

Seed 003: 问题解决与确认…客服专员在24小时内对客户进行回访,确认问题是否解决 — a callback that finds the
problem back reopens the ticket, and the new cycle has tighter targets and no response target. Asked about an
instant of the first cycle, the status used to apply the reopened cycle's targets to it (no response target;
8 working hours to arrive instead of 24). Seed 002: the dealer's 24 hours — asked about an instant when the
ticket was with the dealer, after the maker took it back, the status used to judge it by the general target
and hide the dealer's breach. Memory and SQLite alike.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_first_cycle_keeps_its_own_targets_after_a_reopen(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
        clock.advance(timedelta(hours=1))
        desk.contact_customer(
            world.junior,
            ticket_id,
            expected_at=clock.now() + timedelta(hours=3),
            note="已联系客户，告知预计上门时间",
        )
        desk.start_work(world.junior, ticket_id)
        desk.resolve(world.junior, ticket_id, summary="清理搓纸轮")
        desk.confirm(world.junior, ticket_id, channel="service_slip")
        during_first = clock.now() + timedelta(hours=1)
        first = desk.sla(world.manager, ticket_id, at=during_first)

        clock.advance(timedelta(hours=5))
        desk.record_callback(world.agent, ticket_id, problem_back=True)
        now = desk.sla(world.manager, ticket_id)
        assert now.get("response") is None  # the reopened cycle: no new response target (the pack's rule)
        assert now.get("arrival").target.duration == timedelta(hours=8)  # type: ignore[union-attr]

        again = desk.sla(world.manager, ticket_id, at=during_first)
        assert again == first  # the past does not change when later events come
        response = again.get("response")
        assert (
            response is not None and response.state == "met" and response.met_at == START + timedelta(hours=1)
        )
        assert again.get("arrival").target.duration == timedelta(hours=24)  # type: ignore[union-attr]
        assert again.get("resolution").target.duration == timedelta(days=3)  # type: ignore[union-attr]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_dealers_breach_stays_visible_after_the_maker_takes_the_ticket_back(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        ticket_id = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="水箱漏水", asset_id=world.asset.id
        ).ticket.id
        desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id)
        clock.advance(timedelta(hours=26))  # the dealer let its 24 hours pass
        late = clock.now()
        clock.advance(timedelta(minutes=5))
        desk.dispatch(world.manager, ticket_id, engineer_id=world.eng_senior.id, reason="经销商超时未处理")
        clock.advance(timedelta(hours=1))

        then = desk.sla(world.manager, ticket_id, at=late).get("resolution")
        assert then is not None and then.target.basis == "calendar"
        assert then.state == "breached" and then.breach == timedelta(hours=2)
        now = desk.sla(world.manager, ticket_id).get("resolution")
        assert now is not None and now.target.basis == "working_days" and now.state == "running"
