"""Seed 002's money walked by a peer tester (session 36, developer m), on memory, SQLite and PostgreSQL.

工作程序 c) ② 若用户该次不需开发票,则将《售后服务材料收费暨报销单》不撕票存档,等用户需集中开发票时,再转至
财务部开具发票: a slip archived for a collective invoice and then paid back in full (a complaint's warranty
extension made the repair free, 延长免费售后服务期) charges the customer nothing any more; the collective
invoice leaves it out, and naming it is refused. A slip paid back in part is invoiced for what it still
charges. A payment in another currency than the quote's is refused naming ``amount``.

A quote's slip the customer paid in part is not cancelled (``money_received``): cancelled, the money
received left the month's books while the quote still showed it paid, and no refund could reach it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from test_seed002_money import PART, SH, _repair, story
from test_seed002_quotes_again import _extend_warranty

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.domain.charges import ChargeKind
from aftersales.domain.fee_slips import InvoiceWish
from aftersales.domain.money import Money
from aftersales.errors import CurrencyMismatch, PolicyError, ValidationError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def _archived_and_paid(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str, str, str]:
    """An out-of-warranty repair quoted 250.00 (valve 120, labour, travel, fee), accepted for a later
    invoice (不撕票存档) and paid; returns (ticket, quote, slip, the parts request)."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(
        world.customer_zh, ticket_id, quote.id, urgent=True, invoice=InvoiceWish.LATER
    )
    assert accepted.fee_slip is not None and accepted.materials_request is not None
    slip = accepted.fee_slip
    assert slip.total == Money("250.00", CNY)
    with pytest.raises(CurrencyMismatch) as dollars:  # the amount in another currency: named, not taken
        desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("250.00", "USD"))
    assert dollars.value.field == "amount"
    assert desk.fees.slip(world.manager, slip.id).paid == Money(0, CNY)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=slip.total)
    return ticket_id, quote.id, slip.id, accepted.materials_request.id


def test_a_slip_paid_back_in_full_is_not_on_the_collective_invoice(story: Story) -> None:
    desk, clock, world = story
    kept_ticket, _kept_quote, kept_slip, _ = _archived_and_paid(desk, clock, world)
    ticket_id, quote_id, slip_id, _ = _archived_and_paid(desk, clock, world)
    # The dealer bought the valve from the maker at cost (成本价), also for a later invoice, and paid.
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    bought = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id, invoice=InvoiceWish.LATER)
    assert bought.fee_slip is not None and bought.fee_slip.total == Money("75.00", CNY)
    desk.charges.record_payment(world.manager, ticket_id, purchase.id, amount=Money("75.00", CNY))
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    _extend_warranty(desk, world, ticket_id)  # the complaint's remedy: 12 more months on the unit
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    credit = desk.charges.refund(world.manager, ticket_id, quote_id, reason="投诉处理: 延保后免费")
    assert credit.total == desk.fees.slip(world.manager, slip_id).total  # all of it paid back
    desk.charges.refund(world.manager, ticket_id, purchase.id, reason="投诉处理: 延保后免费")

    # The dealer's own invoice: nothing is left to invoice it for, asked as a whole or by name.
    with pytest.raises(ValidationError) as none_waiting:
        desk.fees.request_dealer_invoice(world.dealer_sh_staff, "dealer-sh")
    assert none_waiting.value.field == "slip_ids"
    with pytest.raises(ValidationError) as named:
        desk.fees.request_dealer_invoice(world.manager, "dealer-sh", slip_ids=[bought.fee_slip.id])
    assert named.value.field == "slip_ids" and named.value.rule == "slip_paid_back"

    with pytest.raises(ValidationError) as refused:
        desk.fees.request_invoice(world.manager, "cust-zh", slip_ids=[slip_id])
    assert refused.value.field == "slip_ids" and refused.value.rule == "slip_paid_back"
    assert slip_id in str(refused.value)
    with pytest.raises(ValidationError) as empty:  # no slip named at all: said so, not a dealer mix-up
        desk.fees.request_invoice(world.manager, "cust-zh", slip_ids=[])
    assert (empty.value.field, empty.value.rule) == ("slip_ids", "empty")
    assert desk.fees.slip(world.manager, slip_id).invoice_id is None  # nothing changed

    invoice = desk.fees.request_invoice(world.customer_zh, "cust-zh")
    kept = desk.fees.slip(world.manager, kept_slip)
    assert invoice.slip_ids == (kept_slip,) and invoice.total == kept.total
    assert desk.fees.slip(world.manager, slip_id).invoice_id is None
    assert kept_ticket != ticket_id


def test_a_slip_paid_back_in_part_is_invoiced_for_what_it_still_charges(story: Story) -> None:
    """退料 with 其他 3: the valve came back unused and was paid back before the customer asked for the
    invoice; finance is asked for the labour, travel and fee only (130.00), not the 250.00 first charged."""
    desk, clock, world = story
    _ticket_id, _quote_id, slip_id, request_id = _archived_and_paid(desk, clock, world)
    desk.materials.pick(world.agent, request_id)
    desk.materials.ship(world.agent, request_id)
    desk.materials.receive(world.dealer_sh_staff, request_id)
    clock.advance(timedelta(days=2))
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    desk.materials.refund_unused_part(world.manager, item.id, reason="未使用，原包装退回")

    invoice = desk.fees.request_invoice(world.customer_zh, "cust-zh")
    assert invoice.slip_ids == (slip_id,) and invoice.total == Money("130.00", CNY)
    issuer = desk.invoice_issuer
    assert isinstance(issuer, MemoryInvoiceIssuer)
    sent, _issued = issuer.issued[invoice.id]
    assert sent.total == Money("130.00", CNY)
    assert sum((line.amount for line in sent.lines), Money(0, CNY)) == sent.total
    assert PART not in [line.item for line in sent.lines if line.kind is ChargeKind.MATERIALS]


def test_a_quote_slip_paid_in_part_keeps_its_money_in_the_books(story: Story) -> None:
    """款到发货 paid in part (100.00 of 250.00) in March; in April a complaint's extension makes the repair
    free. Cancelling the slip — which took the 100.00 out of March's money while the quote kept it — is
    refused (``refund`` pays the part payment back: test_part_refund_s36n.py)."""
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.fee_slip is not None
    slip_id = accepted.fee_slip.id
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("100.00", CNY))
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    _extend_warranty(desk, world, ticket_id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    with pytest.raises(PolicyError) as cancel:
        desk.fees.cancel_slip(world.manager, slip_id, "延保后免费")
    assert cancel.value.code == "money_received"
    slip = desk.fees.slip(world.manager, slip_id)
    assert slip.is_active and slip.paid == Money("100.00", CNY)
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").paid == Money("100.00", CNY)
    view = desk.ticket(world.agent, ticket_id)
    assert view.charges is not None and view.charges.paid == Money("100.00", CNY)
