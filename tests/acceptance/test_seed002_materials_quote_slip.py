"""Seed 002: parts bought on the materials desk's own quote, through the ServiceDesk, on memory, SQLite and
PostgreSQL (when a DSN is set).

发料: 若不在保修期内，需计算维修费用，并与用户协商收费事宜…若用户同意支付相关费用，则开具《售后服务领料单》;
材料收费 工作程序: 填写《售后服务材料收费暨报销单》…按月统计售后服务销售收入;
其他 2: 售后服务销售收入的统计表为收费材料的清单. The dealer's purchase accepted on the materials desk
is on a fee slip and in the month's income, its payment on the slip; the charge sheet's quotes do not
sell the same valve again.
"""

from __future__ import annotations

import pytest
from test_seed002_money import PART, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.fee_slips import SlipState
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import PolicyError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def _bought_on_the_materials_desk(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """An out-of-warranty valve requested by the dealer, quoted at the maker's price and accepted."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    assert materials.check(world.agent, request.id).chargeable is True
    quoted = materials.quote(world.agent, request.id)
    assert quoted.charges is not None and quoted.charges.quotes[0].total == Money("75.00", CNY)
    materials.approve(world.dealer_sh_staff, request.id)
    return ticket_id, request.id


def test_the_accepted_materials_quote_is_on_a_slip_and_in_the_months_income(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _bought_on_the_materials_desk(desk, clock, world)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_kind, slip.payer_id, slip.total) == ("dealer", "dealer-sh", Money("75.00", CNY))
    assert slip.origin.value == "job" and [ln.item for ln in slip.lines] == [PART]
    desk.materials.record_payment(world.agent, request_id, amount=Money("75.00", CNY))
    assert desk.fees.slip(world.manager, slip.id).paid == Money("75.00", CNY)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == Money("75.00", CNY) and march.paid == Money("75.00", CNY)
    assert dict(march.income_by_payer) == {"dealer": Money("75.00", CNY)}
    assert desk.fees.monthly_revenue(world.manager, "2026-03").revenue_total == Money("75.00", CNY)


def test_the_sheet_does_not_sell_the_dealer_the_valve_again(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _bought_on_the_materials_desk(desk, clock, world)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    with pytest.raises(PolicyError) as info:
        desk.charges.dealer_purchase(world.agent, ticket_id)
    assert info.value.code == "nothing_to_charge"
    quote = desk.charges.quote(world.agent, ticket_id)  # the user still pays the repair at user prices
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.materials_request is None  # the valve is already on the materials desk's pick slip
    with desk.store() as uow:
        assert len(list(uow.documents.query(MaterialsRequest, ticket_id=ticket_id))) == 1
    slips = desk.fees.slips_of(world.manager, ticket_id)
    assert sorted((s.payer_kind, s.total.amount) for s in slips) == [
        ("customer", Money("220.00", CNY).amount),
        ("dealer", Money("75.00", CNY).amount),
    ]


def test_a_cancelled_request_cancels_its_slip(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _bought_on_the_materials_desk(desk, clock, world)
    desk.materials.cancel(world.agent, request_id, reason="用户改主意")
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.state is SlipState.CANCELLED
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").income == Money(0, CNY)


def test_a_request_filed_by_the_sheets_quote_is_paid_on_the_sheet(story: Story) -> None:
    # Paid on the materials desk, the valve shipped while the sheet and its slip showed nothing received.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    assert accepted.materials_request is not None
    request_id = accepted.materials_request.id
    with pytest.raises(PolicyError) as info:
        desk.materials.record_payment(world.customer_zh, request_id, amount=Money("220.00", CNY))
    assert info.value.code == "paid_on_the_charge_sheet"
    desk.materials.pick(world.agent, request_id)
    with pytest.raises(PolicyError):
        desk.materials.ship(world.agent, request_id)  # nothing was received
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("220.00", CNY))
    assert desk.materials.ship(world.agent, request_id).shipping_note is not None
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.paid == Money("220.00", CNY)


def test_accepting_a_new_quote_after_a_refused_one_lets_the_work_go_on(story: Story) -> None:
    # 用户不接受 → 上报上级处理: the refused quote made the ticket wait on the superior's decision; the user
    # then accepts a new quote (用户同意支付). Before, the ticket stayed waiting on the customer (its SLA
    # clock paused) though nobody was waited on any more.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    materials, dealer = desk.materials, world.dealer_sh_staff
    lines, party = [MaterialsLine(PART, 1)], PartyRef.dealer("dealer-sh")
    first = materials.request(dealer, ticket_id, party=party, lines=lines, urgent=True)
    materials.check(world.agent, first.id)
    materials.quote(world.agent, first.id)
    _declined, escalation = materials.decline(dealer, first.id, reason="价格太高")
    assert escalation is not None
    assert desk.ticket(world.manager, ticket_id).state == "awaiting_customer"
    second = materials.request(dealer, ticket_id, party=party, lines=lines, urgent=True)
    materials.check(world.agent, second.id)
    materials.quote(world.agent, second.id)
    materials.approve(dealer, second.id)
    view = desk.ticket(world.manager, ticket_id)
    assert view.state == "in_progress"
    resumed = view.events[-1]
    assert (resumed.action, resumed.actor.role.value) == ("resume", "system")
    assert resumed.payload["request_id"] == second.id
    # Accepting a quote on a ticket that waits on nothing moves nothing.
    third = materials.request(dealer, ticket_id, party=party, lines=lines, urgent=True)
    materials.check(world.agent, third.id)
    materials.quote(world.agent, third.id)
    before = len(desk.ticket(world.manager, ticket_id).events)
    materials.approve(dealer, third.id)
    after = desk.ticket(world.manager, ticket_id)
    assert after.state == "in_progress" and "resume" not in [e.action for e in after.events[before:]]
