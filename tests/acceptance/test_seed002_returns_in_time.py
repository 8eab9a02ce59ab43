"""Seed 002's old-part returns judged by their arrival, through the ServiceDesk, on memory, SQLite and
PostgreSQL (when a DSN is set).

退料: 督促用户在规定时间内退料。若在规定时间内未退料，则视用户对该材料为事实占有，需收取相关费用;
台州为退料的唯一接收地. A part that reached the receiving location within the 30 days was returned in time,
even when it is inspected and booked the next morning: the overnight chargeback run and a stock count
(盘点) wait for its inspection; rejected, the part is charged as kept.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_money import PART, SH, _free_part_received, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
DEALER = PartyRef.dealer("dealer-sh")
LAST_DAY_EVENING = datetime(2026, 4, 2, 22, 0, tzinfo=SH)  # repaired 3 March: the 30th day
NEXT_MORNING = datetime(2026, 4, 3, 9, 0, tzinfo=SH)


def test_a_part_arrived_on_the_last_day_is_not_charged_while_it_waits_for_inspection(
    story: Story,
) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(LAST_DAY_EVENING)
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    clock.set(NEXT_MORNING)
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    assert desk.materials.overdue(world.agent, DEALER) == []
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert (ledger.returned, ledger.charged, ledger.chargebacks) == (1, 0, ())
    assert desk.fees.slips_of(world.manager, ticket_id) == []
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-04").income == Money(0, "CNY")


def test_a_part_that_arrived_in_time_and_is_rejected_is_charged_as_kept(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(LAST_DAY_EVENING)
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    clock.set(NEXT_MORNING)
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    desk.materials.inspect_return(world.agent, item.id, accepted=False, reason="not_the_replaced_part")
    (chargeback,) = desk.materials.run_overdue_chargebacks(world.system)
    assert chargeback.part == PART and chargeback.line.amount == Money("75.00", "CNY")
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_kind, slip.payer_id, slip.total) == ("dealer", "dealer-sh", Money("75.00", "CNY"))


def test_a_part_that_arrived_a_day_late_is_charged_even_before_inspection(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 8, 0, tzinfo=SH))  # the 31st day
    desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    clock.set(NEXT_MORNING)
    (chargeback,) = desk.materials.run_overdue_chargebacks(world.system)
    assert chargeback.quantity == 1
    assert [s.total for s in desk.fees.slips_of(world.manager, ticket_id)] == [Money("75.00", "CNY")]


def test_a_stock_count_does_not_charge_a_part_that_arrived_in_time(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(LAST_DAY_EVENING)
    desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=SH))
    counted = desk.materials.reconcile(world.agent, DEALER, {PART: 0}, reference="PD-2026-04")
    assert counted.chargebacks == () and dict(counted.pending) == {PART: 1}
    assert desk.fees.slips_of(world.manager, ticket_id) == []
    assert desk.materials.ledger(world.agent, DEALER).charged == 0
