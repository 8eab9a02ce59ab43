"""Paying back a part payment (session 36, developer n), on memory, SQLite and PostgreSQL.

Seed 002 款到发货 with seed 000's remedy 延长免费售后服务期: the customer paid 100.00 of a 250.00
quote, then a complaint's warranty extension made the repair free (or the job was cancelled).
``refund`` refused the slip (``slip_not_paid``) and ``fees.cancel_slip`` refuses it too
(``money_received``): the 100.00 could not go back. Now the credit slip credits the lines and pays back
only what was received; the ticket's sheet, the months' money and the invoice net agree, and the quote
takes no further payment.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_seed002_money import PART, SH, _repair, story
from test_seed002_quotes_again import _extend_warranty

from aftersales.adapters.clock import ManualClock
from aftersales.domain.fee_slips import InvoiceWish
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import PolicyError, ValidationError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def _part_paid(desk: ServiceDesk, clock: ManualClock, world: World, paid: str) -> tuple[str, str, str]:
    """An out-of-warranty repair quoted 250.00, accepted for a later invoice, ``paid`` received."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, invoice=InvoiceWish.LATER)
    assert accepted.fee_slip is not None and accepted.fee_slip.total == Money("250.00", CNY)
    if paid != "0":
        desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money(paid, CNY))
    return ticket_id, quote.id, accepted.fee_slip.id


def test_a_part_payment_is_paid_back_when_the_repair_becomes_free(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, slip_id = _part_paid(desk, clock, world, "100.00")
    unpaid_ticket, unpaid_quote, unpaid_slip = _part_paid(desk, clock, world, "0")
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    for ticket in (ticket_id, unpaid_ticket):
        _extend_warranty(desk, world, ticket)
        desk.charges.assess(world.dealer_sh_staff, ticket, travel_zone="pudong")
    with pytest.raises(PolicyError) as nothing:  # nothing received: nothing to pay back (cancel the slip)
        desk.charges.refund(world.manager, unpaid_ticket, unpaid_quote, reason="延保")
    assert nothing.value.code == "slip_not_paid"
    desk.fees.cancel_slip(world.manager, unpaid_slip, "延保后免费")  # what its message says to do

    credit = desk.charges.refund(world.manager, ticket_id, quote_id, reason="投诉处理: 延保后免费")
    assert (credit.credits_slip, credit.total, credit.paid) == (
        slip_id,
        Money("250.00", CNY),
        Money("100.00", CNY),
    )
    view = desk.ticket(world.agent, ticket_id)
    assert view.charges is not None
    assert (view.charges.paid, view.charges.refunded) == (Money("100.00", CNY), Money("100.00", CNY))
    with desk.store() as uow:
        march, april = month_money(uow.documents, "2026-03"), month_money(uow.documents, "2026-04")
    assert march.paid == Money("100.00", CNY) and april.paid == Money("-100.00", CNY)
    assert march.income + april.income == Money(0, CNY)

    # Nothing is owed on the quote any more: the rest is not taken, and nothing changes.
    with pytest.raises(ValidationError) as more:
        desk.charges.record_payment(world.customer_zh, ticket_id, quote_id, amount=Money("150.00", CNY))
    assert more.value.field == "amount"
    assert desk.fees.slip(world.manager, slip_id).paid == Money("100.00", CNY)
    with pytest.raises(PolicyError) as again:
        desk.charges.refund(world.manager, ticket_id, quote_id, reason="延保")
    assert again.value.code == "already_refunded"
    with pytest.raises(ValidationError) as invoiced:  # the invoice net: nothing left to invoice
        desk.fees.request_invoice(world.manager, "cust-zh", slip_ids=[slip_id])
    assert invoiced.value.rule == "slip_paid_back"
    # 款到发货 holds the valve no more: the quote owes nothing, the free repair's request ships it, lent.
    materials, dealer = desk.materials, PartyRef.dealer("dealer-sh")
    free = materials.request(
        world.dealer_sh_staff, ticket_id, party=dealer, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    assert materials.check(world.agent, free.id).chargeable is False
    materials.approve(world.agent, free.id)
    materials.pick(world.agent, free.id)
    assert materials.ship(world.agent, free.id).shipping_note is not None
    materials.receive(world.dealer_sh_staff, free.id)
    assert materials.ledger(world.agent, dealer).balance == {PART: 1}  # lent, not charged on the quote


def test_a_cancelled_job_pays_back_what_was_received(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, slip_id = _part_paid(desk, clock, world, "100.00")
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    credit = desk.charges.refund(world.agent, ticket_id, quote_id, reason="客户取消, 退回已收款")
    assert credit.reasons[0].code == "refund_ticket_cancelled" and credit.credits_slip == slip_id
    assert (credit.total, credit.paid) == (Money("250.00", CNY), Money("100.00", CNY))
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert (march.income, march.paid) == (Money(0, CNY), Money(0, CNY))  # taken and given back
