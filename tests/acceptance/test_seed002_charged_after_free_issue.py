"""Seed 002: a part lent free in warranty, then charged when the repair turns out chargeable, through the
ServiceDesk, on memory, SQLite and PostgreSQL (when a DSN is set).

The valve went to the dealer free (保修期内甲方免费向乙方提供维修材料，但乙方需按时退回换下的配件); the dealer
then finds the user misused the toilet (未按使用说明书内操作事项…需收费), the sheet is reassessed and the
customer accepts the quote. The valve already fitted is the one charged: no second valve is picked, and
charged material is off the loan ledger (已收费的材料不计入盘点表): the dealer owes no old part and is not
charged again for keeping it; it buys that valve from the maker at cost once.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_money import PART, SH, _free_part_received, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.money import Money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
DEALER = PartyRef.dealer("dealer-sh")


def _charged_after_free_issue(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """The free valve received, misuse found, the sheet reassessed and both quotes accepted."""
    ticket_id, _request_id = _free_part_received(desk, clock, world)
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual",
        action="reinstall",
    )  # fmt: skip
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert sheet.phase == "in_warranty" and sheet.customer_total == Money("220.00", "CNY")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.materials_request is None  # the valve fitted is the one charged: nothing new is picked
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    assert purchase.total == Money("75.00", "CNY")
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    return ticket_id


def test_the_part_charged_is_taken_off_loan_and_not_picked_again(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _charged_after_free_issue(desk, clock, world)
    with desk.store() as uow:
        assert len(list(uow.documents.query(MaterialsRequest, ticket_id=ticket_id))) == 1
    accept = [e for e in desk.ticket(world.agent, ticket_id).events if e.action == "accept_quote"]
    assert [e.payload.get("off_loan") for e in accept] == [["MR-2026-000001:WN-CB-01×1"], None]
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert (dict(ledger.balance), ledger.issued, ledger.charged, ledger.chargebacks) == ({}, 1, 1, ())


def test_the_dealer_is_not_charged_for_keeping_a_part_it_bought(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _charged_after_free_issue(desk, clock, world)
    clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=SH))  # past the 30 days
    assert desk.materials.overdue(world.agent, DEALER) == []
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    counted = desk.materials.reconcile(world.agent, DEALER, {PART: 0}, reference="PD-2026-04")
    assert counted.chargebacks == () and not counted.surplus
    slips = desk.fees.slips_of(world.manager, ticket_id)
    assert sorted((s.payer_kind, s.origin.value, s.total.amount) for s in slips) == [
        ("customer", "job", Money("220.00", "CNY").amount),
        ("dealer", "job", Money("75.00", "CNY").amount),  # the valve at cost, once
    ]


def test_a_free_part_received_after_the_quote_was_accepted_is_not_lent(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    assert materials.check(world.agent, request.id).chargeable is False
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)  # on its way, free, when the misuse is found
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual",
        action="reinstall",
    )  # fmt: skip
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    assert desk.charges.accept(world.customer_zh, ticket_id, quote.id).materials_request is None
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    materials.receive(world.dealer_sh_staff, request.id)
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert (dict(ledger.balance), ledger.issued, ledger.charged) == ({}, 1, 1)
    clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=SH))
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    assert [s.payer_kind for s in desk.fees.slips_of(world.manager, ticket_id)] == ["customer"]
