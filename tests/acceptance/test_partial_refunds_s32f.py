"""Seed 002 退料 5 / 其他 3 with seed 000's warranty extension: two partial refunds of one paid slip.

相关费用及时与用户协商解决: a part the customer paid came back unused and was paid back (one credit slip);
later a complaint's remedy (延长免费售后服务期) made the rest of the repair free. The second refund pays
back what the first did not — before session 32 ``slip_to_refund`` refused any refund of a slip a credit
slip already named (``already_refunded``), so the customer was never paid the rest. Two refunds up to
what was paid are normal; more than was paid is not. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from test_seed002_money import PART, SH, _repair, story
from test_seed002_quotes_again import _extend_warranty

from aftersales.adapters.clock import ManualClock
from aftersales.domain.money import Money
from aftersales.errors import PolicyError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def _paid_and_valve_sent_back(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str, str]:
    """An out-of-warranty repair quoted 250.00 (valve 120 with labour, travel and fee), paid; the valve
    shipped, not fitted, sent back to Taizhou and paid back. Returns (ticket, quote, paid slip)."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    assert accepted.fee_slip is not None and accepted.materials_request is not None
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("250.00", CNY))
    request_id = accepted.materials_request.id
    desk.materials.pick(world.agent, request_id)
    desk.materials.ship(world.agent, request_id)
    desk.materials.receive(world.dealer_sh_staff, request_id)
    clock.advance(timedelta(days=2))
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    first = desk.materials.refund_unused_part(world.manager, item.id, reason="未使用，原包装退回").credit
    assert (first.credits_slip, first.paid) == (accepted.fee_slip.id, Money("120.00", CNY))
    return ticket_id, quote.id, accepted.fee_slip.id


def test_a_second_partial_refund_pays_back_what_the_first_did_not(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, slip_id = _paid_and_valve_sent_back(desk, clock, world)
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    _extend_warranty(desk, world, ticket_id)
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong").customer_total == (
        Money(0, CNY)
    )
    second = desk.charges.refund(world.manager, ticket_id, quote_id, reason="投诉处理: 延保后免费")
    assert second.credits_slip == slip_id
    assert (second.total, second.paid) == (Money("130.00", CNY), Money("130.00", CNY))
    assert PART not in [ln.item for ln in second.lines]  # the valve was paid back already
    credits = [s for s in desk.fees.slips_of(world.manager, ticket_id) if s.credits_slip == slip_id]
    assert sum((c.paid for c in credits), Money(0, CNY)) == Money("250.00", CNY)  # all that was paid
    with pytest.raises(PolicyError) as third:
        desk.charges.refund(world.manager, ticket_id, quote_id, reason="再退一次")
    assert third.value.code == "already_refunded"
    with desk.store() as uow:
        march, april = month_money(uow.documents, "2026-03"), month_money(uow.documents, "2026-04")
    assert march.paid + april.paid == Money(0, CNY)  # received 250, paid back 120 + 130
