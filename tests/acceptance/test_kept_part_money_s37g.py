"""Seed 002 工作程序 c (三包 money) with 退料 1 / 其他 3: a paid kept-part charge stays, and a materials
quote's payment is held to what its slip still owes after its credit slips (session 37, g).

A part kept past its return deadline is charged to the dealer on a slip of origin
``unreturned_materials`` (视用户对该材料为事实占有,需收取相关费用); the office may waive the charge by
cancelling the slip (相关费用及时与用户协商解决). Before session 37 a slip the dealer had paid was waived
as readily: the money received left the month's books while nothing paid it back (no refund path writes
a credit slip for these slips). Now ``desk.fees.cancel_slip`` refuses it (``money_received``) and
nothing changes.

``desk.materials.record_payment`` did not read the credit slips of its quote's slip, where
``desk.charges.record_payment`` refuses a payment beyond what the slip still owes net of them (session
36): both now share that one rule (``charge_refunds.check_net_owed``). On memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest
from test_seed002_materials_quote_slip import _bought_on_the_materials_desk
from test_seed002_money import PART, SH, _free_part_received, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish, SlipOrigin
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import PolicyError, ValidationError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def test_a_paid_kept_part_charge_is_not_waived(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # past the deadline: 事实占有, charged at cost
    (charged,) = desk.materials.run_overdue_chargebacks(world.system)
    assert charged.part == PART
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.origin is SlipOrigin.UNRETURNED_MATERIALS
    part = Money("10.00", CNY)
    paid = desk.fees.record_payment(world.manager, slip.id, part)  # the dealer paid part of it
    with desk.store() as uow:
        april = month_money(uow.documents, "2026-04")
    assert april.paid == part
    with pytest.raises(PolicyError) as refused:
        desk.fees.cancel_slip(world.manager, slip.id, "waived after talking with the dealer")
    assert refused.value.code == "money_received"
    kept = desk.fees.slip(world.manager, slip.id)
    assert kept.is_active and kept.paid == part and kept.version == paid.version
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-04") == april  # the money received stays in the books
    ledger = desk.materials.ledger(world.agent, PartyRef.dealer("dealer-sh"))
    assert [c.line.item for c in ledger.chargebacks] == [PART]  # the charge stays on the ledger too


def test_a_materials_quote_is_not_paid_beyond_what_its_credit_slips_left(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _bought_on_the_materials_desk(desk, clock, world)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    # A credit slip writing 50.00 of the 75.00 valve off (as a stored history may hold one): 25.00 owed.
    credit = FeeSlip(
        "FS-CREDIT-1", ticket_id, slip.customer_id, CNY, clock.now(), world.manager.ref, slip.month,
        (attrs.evolve(slip.lines[0], unit_price=Money("50.00", CNY)),),
        "transfer", InvoiceWish.NEVER, SlipOrigin.REFUND, slip.dealer_id, None,
        payer_kind=slip.payer_kind, payer_id=slip.payer_id,
        reasons=(Reason("refund_unused_part", {"slip_id": slip.id}),), credits_slip=slip.id,
    )  # fmt: skip
    with desk.store() as uow:
        uow.documents.add(credit)
        uow.commit()
    before = desk.materials.materials_request(world.agent, request_id)
    with pytest.raises(ValidationError) as refused:
        desk.materials.record_payment(world.agent, request_id, amount=Money("75.00", CNY))
    assert refused.value.field == "amount"
    assert desk.materials.materials_request(world.agent, request_id).version == before.version
    assert desk.fees.slip(world.manager, slip.id).paid == Money(0, CNY)  # nothing stored
    paid = desk.materials.record_payment(world.agent, request_id, amount=Money("25.00", CNY))
    assert paid.charges is not None and paid.charges.paid_on(paid.quote_id or "") == Money("25.00", CNY)
    assert desk.fees.slip(world.manager, slip.id).paid == Money("25.00", CNY)
