"""Seed 002: a paid part sent back unused is taken into stock and paid back by the office.

材料收费 / 退料 / 其他: the dealer bought an out-of-warranty valve at the maker's price (款到发货), paid it,
received it, and the repair did not need it. It comes back to Taizhou (退料 2: 台州为退料的唯一接收地), is
counted and booked; being charged, it was never lent (退料 1 d: 已收费的材料不计入盘点表): surplus for review
(退料 4: 盘盈盘亏分析). Its purchase slip (《售后服务材料收费暨报销单》) stays, paid, until the office pays it
back (退料 5: 与用户沟通，进行相关收费工作; 其他 3: 相关费用及时与用户协商解决): a credit slip nets the sale
out of the month's income (其他 2: 售后服务销售收入的统计表为收费材料的清单) and the valve is in stock at
cost. On memory, SQLite and PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_seed002_materials_quote_slip import _bought_on_the_materials_desk
from test_seed002_money import PART, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.fee_slips import SlipOrigin
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.domain.surplus_review import SurplusOutcome
from aftersales.errors import PermissionDenied, PolicyError, ValidationError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"
DEALER = PartyRef.dealer("dealer-sh")


def _sent_back_unused(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str, str]:
    """The dealer's paid valve shipped, received, not fitted and sent back; Taizhou takes it in.
    Returns the ticket, the request and the return."""
    ticket_id, request_id = _bought_on_the_materials_desk(desk, clock, world)
    materials = desk.materials
    materials.record_payment(world.agent, request_id, amount=Money("75.00", CNY))
    materials.pick(world.agent, request_id)
    materials.ship(world.agent, request_id)
    materials.receive(world.dealer_sh_staff, request_id)
    clock.advance(timedelta(days=2))
    item = materials.register_return(world.agent, request_id=request_id, part=PART)
    materials.inspect_return(world.agent, item.id, accepted=True)
    materials.book_return(world.agent, item.id)
    return ticket_id, request_id, item.id


def test_the_unused_paid_part_is_paid_back_and_taken_into_stock(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id, return_id = _sent_back_unused(desk, clock, world)
    # Until the office pays it back: the slip stands, paid; the valve is surplus for review.
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.is_active, slip.is_paid, slip.total) == (True, True, Money("75.00", CNY))
    (surplus,) = desk.materials.ledger(world.agent, DEALER).surplus
    assert (surplus.part, surplus.quantity, surplus.reference) == (PART, 1, return_id)
    done = desk.materials.refund_unused_part(
        world.manager, return_id, reason="维修未使用，原包装退回", method="transfer", reference="TX-1"
    )
    credit = done.credit
    assert (credit.origin, credit.credits_slip, credit.payer_id) == (SlipOrigin.REFUND, slip.id, "dealer-sh")
    assert (credit.total, credit.paid) == (Money("75.00", CNY), Money("75.00", CNY))
    assert [(ln.item, ln.quantity) for ln in credit.lines] == [(PART, 1)]
    assert [r.code for r in credit.reasons] == ["refund_unused_part"]
    assert desk.fees.slip(world.manager, slip.id).is_active  # the purchase slip stays as it was
    assert (done.closure.outcome, done.closure.quantity) == (SurplusOutcome.INTO_STOCK, 1)
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert (ledger.surplus, ledger.issued, ledger.returned, ledger.charged) == ((), 0, 0, 0)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == Money("0.00", CNY) and march.paid == Money("0.00", CNY)
    month = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert month.revenue_total == Money("0.00", CNY)
    assert [(e.item, e.quantity) for e in month.surplus_into_stock] == [(PART, 1)]
    assert "materials_refunded" in [e.action for e in desk.ticket(world.manager, ticket_id).events]
    with pytest.raises(PolicyError) as again:
        desk.materials.refund_unused_part(world.manager, return_id, reason="再退一次")
    assert again.value.code == "surplus_closed"


def test_a_refund_is_the_offices_of_a_paid_part_taken_back(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id, return_id = _sent_back_unused(desk, clock, world)
    with pytest.raises(PermissionDenied):  # the dealer does not pay itself back
        desk.materials.refund_unused_part(world.dealer_sh_staff, return_id, reason="退款")
    with pytest.raises(ValidationError) as blank:
        desk.materials.refund_unused_part(world.manager, return_id, reason="  ")
    assert blank.value.field == "reason"
    with pytest.raises(ValidationError) as method:
        desk.materials.refund_unused_part(world.manager, return_id, reason="退款", method="Bank Transfer")
    assert method.value.field == "method"
    # A second part sent back and rejected at inspection (used, damaged) is not taken back.
    used = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, used.id, accepted=False, reason="part_used")
    with pytest.raises(PolicyError) as rejected:
        desk.materials.refund_unused_part(world.manager, used.id, reason="退款")
    assert rejected.value.code == "return_not_booked"
    assert len(desk.fees.slips_of(world.manager, ticket_id)) == 1
    assert len(desk.materials.ledger(world.agent, DEALER).surplus) == 1
