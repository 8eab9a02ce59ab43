"""Seed 002 退料 5 (与用户沟通,进行相关收费工作) and 材料收费 工作程序 c (确认是否需开发票 …
转至财务部开具发票): a kept-part charge the dealer had invoiced and paid, paid back once the part
came back (session 38, k).

Session 38 (e) built the refund (``desk.fees.refund_kept_charge``), but the ticket's history — the
售后问题台账 that recorded the charge (``part_charged_back``) — recorded nothing of the money going back,
and nothing named the invoice finance must reverse: the dealer's collective invoice of 8 April carried the
75.00 and a credit slip is never invoiced (``refund_quote`` and the materials refunds name it as
``invoice_to_reverse``). Now the refund is a ``materials_refunded`` step of the ticket with the office's
words and the invoice, read back from each store. On memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_money import PART, SH, _free_part_received, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.money import Money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]


def test_an_invoiced_kept_part_charge_paid_back_is_in_the_history_naming_the_invoice(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # a minute into the day after the deadline
    desk.materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    clock.set(datetime(2026, 4, 8, 10, 0, tzinfo=SH))  # after Qingming (4–6 April)
    invoice = desk.fees.request_dealer_invoice(world.dealer_sh_staff, "dealer-sh", title="上海浦东特约承销商")
    assert invoice.slip_ids == (slip.id,)
    clock.set(datetime(2026, 4, 10, 10, 0, tzinfo=SH))
    desk.fees.record_payment(world.manager, slip.id, Money("75.00", "CNY"))
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SH))  # after May Day (1–5 May): the part is back
    back = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, back.id, accepted=True)
    desk.materials.book_return(world.agent, back.id)
    credit = desk.fees.refund_kept_charge(world.manager, slip.id, reason="配件已退回台州，经协商退还")

    events = desk.ticket(world.manager, ticket_id).events  # read back from the store
    (charged,) = [e for e in events if e.action == "part_charged_back"]
    (refunded,) = [e for e in events if e.action == "materials_refunded"]
    assert refunded.reason == "配件已退回台州，经协商退还"
    assert refunded.at == datetime(2026, 5, 6, 9, tzinfo=SH)
    assert refunded.payload["slip_id"] == charged.payload["fee_slip"] == slip.id
    assert refunded.payload["credit_slip"] == credit.id
    assert (refunded.payload["amount"], refunded.payload["paid_back"]) == ("75.00", "75.00")
    assert refunded.payload["payer"] == charged.payload["payer"]
    assert refunded.payload["invoice_to_reverse"] == invoice.id  # finance's 红字发票 reverses it
    # The maker's dealings with the dealer: its dealer reads the refund, the customer neither the charge
    # nor the money paid back to the dealer.
    dealer_reads = {e.action for e in desk.ticket(world.dealer_sh_staff, ticket_id).events}
    assert {"part_charged_back", "materials_refunded"} <= dealer_reads
    customer_reads = {e.action for e in desk.ticket(world.customer_zh, ticket_id).events}
    assert not {"part_charged_back", "materials_refunded"} & customer_reads
