"""Seed 002 分工 4: money a dealer owes the maker is confirmed received by the maker's office, not the dealer.

保修期外甲方按成本价向乙方提供维修材料,款到发货: the maker ships once its money has arrived. Before session
32 the dealer's own staff recorded the payment of their purchase (desk.materials.record_payment,
desk.charges.record_payment) and of a part charged as kept (desk.fees.record_payment): the debtor cleared
its own parts for shipping with nothing received. Now each path refuses it (``PermissionDenied``, rule
``maker_confirms_payment``), nothing changes, and the office records it. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_seed002_materials_quote_slip import _bought_on_the_materials_desk
from test_seed002_money import PART, SH, _free_part_received, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.money import Money
from aftersales.errors import PermissionDenied
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def test_the_dealer_does_not_record_the_payment_of_its_purchase_on_the_materials_desk(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _bought_on_the_materials_desk(desk, clock, world)
    before = desk.materials.materials_request(world.agent, request_id)
    with pytest.raises(PermissionDenied) as refused:
        desk.materials.record_payment(world.dealer_sh_staff, request_id, amount=Money("75.00", CNY))
    assert refused.value.rule == "maker_confirms_payment"
    assert desk.materials.materials_request(world.agent, request_id).version == before.version
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.paid == Money(0, CNY)
    paid = desk.materials.record_payment(world.agent, request_id, amount=Money("75.00", CNY))
    assert paid.charges is not None and paid.charges.paid_on(paid.quote_id or "") == Money("75.00", CNY)
    assert desk.fees.slip(world.manager, slip.id).paid == Money("75.00", CNY)


def test_the_dealer_does_not_record_the_payment_of_its_purchase_on_the_charge_sheet(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    version = desk.ticket(world.agent, ticket_id).version
    with pytest.raises(PermissionDenied) as refused:
        desk.charges.record_payment(world.dealer_sh_staff, ticket_id, purchase.id, amount=purchase.total)
    assert refused.value.rule == "maker_confirms_payment"
    assert desk.ticket(world.agent, ticket_id).version == version
    sheet = desk.charges.record_payment(world.agent, ticket_id, purchase.id, amount=purchase.total)
    assert sheet.paid_on(purchase.id) == purchase.total
    # The user's quote is the dealer's to collect: its staff still record the user's payment.
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    sheet = desk.charges.record_payment(world.dealer_sh_staff, ticket_id, quote.id, amount=quote.total)
    assert sheet.paid_on(quote.id) == quote.total


def test_the_dealer_does_not_record_the_payment_of_a_part_charged_as_kept(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # past the deadline: 事实占有, charged at cost
    (charged,) = desk.materials.run_overdue_chargebacks(world.system)
    assert charged.part == PART
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_kind, slip.payer_id) == ("dealer", "dealer-sh")
    with pytest.raises(PermissionDenied) as refused:
        desk.fees.record_payment(world.dealer_sh_staff, slip.id, slip.total)
    assert refused.value.rule == "maker_confirms_payment"
    assert desk.fees.slip(world.manager, slip.id).version == slip.version
    assert desk.fees.record_payment(world.manager, slip.id, slip.total).is_paid
