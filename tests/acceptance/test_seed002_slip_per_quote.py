"""Seed 002: one fee slip per accepted quote, through the ServiceDesk, on memory, SQLite and PostgreSQL
(when a DSN is set).

工作程序 b: 填写《售后服务材料收费暨报销单》 — the slip of an accepted quote is written once. A slip
written by hand naming a quote names one the customer accepted on the ticket and not yet slipped; a
payment on a quote whose slip was cancelled is refused until the slip is written again, so every payment
is on a slip and in the month's figures.
"""

from __future__ import annotations

import pytest
from test_seed002_money import PART, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.money import Money
from aftersales.errors import PolicyError, ValidationError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
VALVE = ChargeLine(ChargeKind.MATERIALS, PART, Money("120.00", "CNY"), 1)


def _accepted(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str, str]:
    """An out-of-warranty repair quoted and accepted; returns (ticket, quote, its slip)."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    slip = desk.charges.accept(world.customer_zh, ticket_id, quote.id).fee_slip
    assert slip is not None
    return ticket_id, quote.id, slip.id


@pytest.mark.parametrize("which", ["accepted_and_slipped", "unknown", "dealers_purchase", "offered"])
def test_a_hand_written_slip_names_an_accepted_quote_not_yet_slipped(story: Story, which: str) -> None:
    desk, clock, world = story
    ticket_id, quote_id, _slip_id = _accepted(desk, clock, world)
    named = {"accepted_and_slipped": quote_id, "unknown": "Q-nope"}.get(which)
    if which == "dealers_purchase":
        named = desk.charges.dealer_purchase(world.agent, ticket_id).id
        desk.charges.accept(world.dealer_sh_staff, ticket_id, named)
    elif which == "offered":
        desk.add_fault_record(
            world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
            action="replace_flush_valve", part=PART, component="flush_valve",
        )  # fmt: skip
        desk.charges.assess(world.dealer_sh_staff, ticket_id)
        named = desk.charges.quote(world.agent, ticket_id).id
    before = len(desk.fees.slips_of(world.manager, ticket_id))
    with pytest.raises(ValidationError) as info:
        desk.fees.issue_slip(world.agent, ticket_id, lines=[VALVE], quote_id=named)
    assert info.value.field == "quote_id"
    assert len(desk.fees.slips_of(world.manager, ticket_id)) == before
    with desk.store() as uow:
        income = month_money(uow.documents, "2026-03").income
    assert income == Money("220.00" if which != "dealers_purchase" else "295.00", "CNY")


def test_a_cancelled_slip_is_written_again_before_the_quote_is_paid(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, slip_id = _accepted(desk, clock, world)
    desk.fees.cancel_slip(world.agent, slip_id, "抬头开错")
    before = desk.ticket(world.agent, ticket_id).version
    with pytest.raises(PolicyError) as info:
        desk.charges.record_payment(world.customer_zh, ticket_id, quote_id, amount=Money("220.00", "CNY"))
    assert info.value.code == "slip_cancelled"
    assert desk.ticket(world.agent, ticket_id).version == before
    labour_and_fee = ChargeLine(ChargeKind.LABOUR, "flush_valve_leak", Money("100.00", "CNY"), 1)
    again = desk.fees.issue_slip(world.agent, ticket_id, lines=[VALVE, labour_and_fee], quote_id=quote_id)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote_id, amount=Money("220.00", "CNY"))
    assert desk.fees.slip(world.manager, again.id).paid == Money("220.00", "CNY")
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == Money("220.00", "CNY") and march.paid == Money("220.00", "CNY")
