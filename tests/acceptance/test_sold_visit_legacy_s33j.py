"""A unit sold before sales called visits off: the daily reminder calls the seller's visit off too.

Seed 000 售后维护服务流程 (派工处理: 前往客户现场; 服务回访), seed 002 分工 1 (乙方负责所售产品的全过程服务):
since session 33 ``transfer_asset`` calls off the seller's visit not yet begun. A unit sold before that
(or before plans followed their units) left the visit open, its plan naming the seller and waiting for
it: the daily generation never read the plan (it waits), so the plan was never moved to the buyer, and
the overdue reminder chased the seller's dealer every day about a visit that cannot take place. Now the
reminder calls it off as the sale does (ticket cancelled ``unit_sold``, the seller told, no reminder)
and the next generation moves the plan and opens the buyer's visit. A visit being worked stays the
seller's and is reminded of as before. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import attrs
from test_sold_unit_visit_s33e import BUYER_PHONE, SELLER_PHONE, Story, _seller_visit, story

from aftersales.domain.ids import CustomerId
from aftersales.domain.maintenance import VisitState
from aftersales.service.desk import ServiceDesk

__all__ = ["story"]


def _sold_the_old_way(desk: ServiceDesk) -> None:
    """The unit changed hands as a version before session 33 left it: the plan and the visit untouched."""
    with desk.store() as uow:
        unit = uow.assets.get("asset-1")
        uow.assets.save(attrs.evolve(unit, customer_id=CustomerId("cust-bj")))
        uow.commit()


def test_the_reminder_calls_off_a_sold_units_visit_and_the_buyer_gets_theirs(story: Story) -> None:
    desk, clock, world, notifier = story
    visit_id, ticket_id, due = _seller_visit(desk, clock, world)
    _sold_the_old_way(desk)
    clock.advance(timedelta(days=5))  # past due
    desk.deliver(1000)
    told = len(notifier.sent)
    assert desk.maintenance.remind_overdue(world.system) == ()  # nobody chased for it
    desk.deliver(1000)
    since = notifier.sent[told:]
    assert [m.subject for m in since if m.recipient == SELLER_PHONE] == [f"保养上门 {visit_id} 已取消"]
    assert not any("逾期" in m.subject for m in since)
    ticket = desk.ticket(world.manager, ticket_id)
    assert (ticket.state, ticket.events[-1].reason) == ("cancelled", "unit_sold")
    visit = desk.maintenance.visit(world.manager, visit_id)
    assert (visit.state, visit.changes[-1].reason) == (VisitState.MISSED, "unit_sold")
    (theirs,) = desk.maintenance.generate_due(world.system).generated
    assert (theirs.customer_id, theirs.dealer_id, theirs.due_on) == ("cust-bj", "dealer-bj", due)
    (plan,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert (plan.customer_id, plan.open_visit_id) == ("cust-bj", theirs.id)
    desk.deliver(1000)
    assert any(m.recipient == BUYER_PHONE for m in notifier.sent[told:])


def test_a_sold_units_visit_being_worked_is_still_reminded_of(story: Story) -> None:
    desk, clock, world, _notifier = story
    visit_id, ticket_id, _due = _seller_visit(desk, clock, world)
    desk.start_work(world.dealer_sh_staff, ticket_id)
    _sold_the_old_way(desk)
    clock.advance(timedelta(days=5))
    assert [v.id for v in desk.maintenance.remind_overdue(world.system)] == [visit_id]
    assert desk.ticket(world.manager, ticket_id).state == "in_progress"
