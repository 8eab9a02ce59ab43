"""Who is told about a maintenance visit opened before its unit was sold: seed 000 售后维护服务流程
(派工处理: 前往客户现场; 服务回访), seed 002 分工 1 (乙方负责所售产品的全过程服务).

A visit is opened for the unit's owner: its ticket names them, their address and their dealer. Sold on
before the work began, the unit is no longer at the seller's — the visit cannot take place there, and
the plan, which follows the unit, now serves the buyer. Before session 33 the seller's visit stayed
open: the plan (the buyer's) waited for it, the seller's dealer was reminded of it as overdue every
day, a visit done would have asked the seller to accept it and be called back, and the buyer was never
told of a visit at all. Now the sale calls it off (its ticket cancelled by the desk, reason
``unit_sold``; no miss of the dealer's in plan compliance) and the next daily run opens the buyer's
visit, with the buyer's dealer, who are told. A visit already being worked stays the seller's. On
memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.maintenance import VisitState
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.reports.maintenance import plan_compliance
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk

Story = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]
SELLER_PHONE, BUYER_PHONE = "13912345678", "13911112222"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    with noticed_desk(request.param, tmp_path, "sanitary_ware") as opened:
        desk, _clock, world, _notifier = opened
        buyer = Customer(
            CustomerId("cust-bj"), "李四", Contact("李四", phone=BUYER_PHONE), CustomerTier.REGULAR,
            region="BJ", dealer_id=world.dealer_bj.id,
        )  # fmt: skip
        desk.register_customer(world.manager, buyer)
        yield opened


def _seller_visit(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str, date]:
    """The seller's plan opens its visit (dispatched to the seller's dealer): the visit, its ticket, due."""
    due = clock.now().date() + timedelta(days=3)
    desk.maintenance.create_plan(world.manager, asset_id="asset-1", first_due=due)
    (visit,) = desk.maintenance.generate_due(world.system).generated
    assert visit.customer_id == world.cust_zh.id and visit.ticket_id is not None
    return visit.id, visit.ticket_id, due


def test_a_visit_not_begun_is_called_off_by_the_sale_and_the_buyer_gets_theirs(story: Story) -> None:
    desk, clock, world, notifier = story
    visit_id, ticket_id, due = _seller_visit(desk, clock, world)
    desk.deliver(1000)
    told = len(notifier.sent)
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")
    # The seller's visit is off: its ticket cancelled by the desk, the visit no miss of anyone's.
    ticket = desk.ticket(world.manager, ticket_id)
    assert (ticket.state, ticket.customer_id, ticket.events[-1].reason) == (
        "cancelled",
        "cust-zh",
        "unit_sold",
    )
    visit = desk.maintenance.visit(world.manager, visit_id)
    assert (visit.state, visit.changes[-1].reason) == (VisitState.MISSED, "unit_sold")
    (plan,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert (plan.customer_id, plan.dealer_id, plan.open_visit_id, plan.next_due) == (
        "cust-bj",
        "dealer-bj",
        None,
        due,
    )
    # The next daily run opens the buyer's visit, with the buyer's dealer, on the plan's due date.
    (theirs,) = desk.maintenance.generate_due(world.system).generated
    assert (theirs.customer_id, theirs.dealer_id, theirs.due_on) == ("cust-bj", "dealer-bj", due)
    clock.advance(timedelta(days=5))  # both past due: only the buyer's visit is overdue
    overdue = desk.maintenance.remind_overdue(world.system)
    assert [v.id for v in overdue] == [theirs.id]
    desk.deliver(1000)
    since = notifier.sent[told:]
    assert any(m.recipient == BUYER_PHONE for m in since)  # the buyer hears of their visit
    # Of a unit they sold the seller hears one thing: their visit is off (session 33 j).
    assert [m.subject for m in since if m.recipient == SELLER_PHONE] == [f"保养上门 {visit_id} 已取消"]
    rows = plan_compliance(desk.store, due, due, today=clock.now().date())
    assert [(r.group, r.due, r.missed) for r in rows] == [("dealer-bj", 1, 0), ("total", 1, 0)]


def test_a_visit_being_worked_at_the_sale_stays_the_sellers(story: Story) -> None:
    desk, clock, world, _notifier = story
    visit_id, ticket_id, _due = _seller_visit(desk, clock, world)
    desk.start_work(world.dealer_sh_staff, ticket_id)  # the fitter is at the unit
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")
    assert desk.ticket(world.manager, ticket_id).state == "in_progress"
    assert desk.maintenance.visit(world.manager, visit_id).state is VisitState.SCHEDULED
    (plan,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert plan.customer_id == "cust-bj"
    assert desk.maintenance.generate_due(world.system).generated == ()  # the plan waits for it
