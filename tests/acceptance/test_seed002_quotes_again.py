"""Seed 002's quotes when the charge sheet changes or is quoted again, through the ServiceDesk, on memory,
SQLite and PostgreSQL (when a DSN is set).

材料收费: what is charged is what the assessment says. A complaint's warranty extension (延长免费售后服务期)
granted after a quote was offered makes the repair free: the old offer is withdrawn, it cannot be accepted.
An accepted quote is a contract (用户同意支付…开具领料单): asking again charges nothing twice, and a part
found later is quoted, slipped and picked on its own.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_seed002_money import PART, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import QuoteState
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.money import Money
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import InvalidTransition, PolicyError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]


def _extend_warranty(desk: ServiceDesk, world: World, ticket_id: str) -> str:
    """A complaint about ``ticket_id`` remedied with a 12-month warranty extension; returns its id."""
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, "cust-zh", "刚过保就坏", about=[ticket_id]).ticket.id
    complaints.investigate(world.agent, cid)
    complaints.propose_solution(world.agent, cid, solution="延保 12 个月")
    complaints.agree_solution(world.customer_zh, cid)
    complaints.grant_remedy(
        world.agent, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("0", "CNY"), extend_by=12
    )
    return cid


def _requests(desk: ServiceDesk, ticket_id: str) -> list[MaterialsRequest]:
    with desk.store() as uow:
        return list(uow.documents.query(MaterialsRequest, ticket_id=ticket_id))


def test_an_offer_made_before_a_warranty_extension_is_withdrawn_and_cannot_be_accepted(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    assert quote.total == Money("220.00", "CNY") and purchase.total == Money("75.00", "CNY")
    _extend_warranty(desk, world, ticket_id)
    clock.advance(timedelta(hours=1))
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert sheet.customer_total == Money(0, "CNY")
    states = {q.id: q.state for q in sheet.quotes}
    assert states == {quote.id: QuoteState.DRAFT, purchase.id: QuoteState.DRAFT}
    event = desk.ticket(world.agent, ticket_id).events[-1]
    assert f"withdrawn:{quote.id}" in event.payload["changes"]
    assert f"withdrawn:{purchase.id}" in event.payload["changes"]
    before = desk.ticket(world.agent, ticket_id).version
    with pytest.raises(InvalidTransition):  # the free repair is not charged on the old offer
        desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    with pytest.raises(InvalidTransition):
        desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    assert desk.ticket(world.agent, ticket_id).version == before
    assert desk.fees.slips_of(world.manager, ticket_id) == [] and _requests(desk, ticket_id) == []
    with pytest.raises(PolicyError) as info:
        desk.charges.quote(world.agent, ticket_id)
    assert info.value.code == "nothing_to_charge"
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").income == Money(0, "CNY")


def test_a_reassessment_that_changes_no_line_keeps_the_offer(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    clock.advance(timedelta(minutes=5))
    sheet = desk.charges.assess(world.agent, ticket_id)
    assert sheet.revision == 2 and sheet.quote(quote.id).state is QuoteState.OFFERED
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.fee_slip is not None and accepted.fee_slip.total == Money("220.00", "CNY")


def test_quoting_again_after_acceptance_charges_nothing_twice(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    before = desk.ticket(world.agent, ticket_id).version
    for ask in (desk.charges.quote, desk.charges.dealer_purchase):
        with pytest.raises(PolicyError) as info:
            ask(world.agent, ticket_id)
        assert info.value.code == "nothing_to_charge" and "accepted quote" in str(info.value)
    assert desk.ticket(world.agent, ticket_id).version == before
    slips = desk.fees.slips_of(world.manager, ticket_id)
    assert sorted((s.payer_kind, s.total.amount) for s in slips) == [
        ("customer", Money("250.00", "CNY").amount),
        ("dealer", Money("75.00", "CNY").amount),
    ]


def test_a_part_found_after_acceptance_is_quoted_slipped_and_picked_on_its_own(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    first = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, first.id)
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part=PART, component="flush_valve",
    )  # fmt: skip
    clock.advance(timedelta(minutes=5))
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert sheet.customer_total == Money("340.00", "CNY")  # two valves, labour and fee
    second = desk.charges.quote(world.agent, ticket_id)
    assert [(ln.item, ln.quantity) for ln in second.lines] == [(PART, 1)]
    assert second.total == Money("120.00", "CNY") and second.payment_before_shipping
    accepted = desk.charges.accept(world.customer_zh, ticket_id, second.id)
    assert accepted.materials_request is not None
    assert [(ln.part, ln.quantity) for ln in accepted.materials_request.lines] == [(PART, 1)]
    charged = sum(s.total.amount for s in desk.fees.slips_of(world.manager, ticket_id))
    assert Money(charged, "CNY") == sheet.customer_total  # the sheet, charged once
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)  # the dealer buys both valves at cost
    assert [(ln.item, ln.quantity) for ln in purchase.lines] == [(PART, 2)]
    bought = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    assert bought.materials_request is None  # both valves are already on the two pick slips
    assert sum(ln.quantity for r in _requests(desk, ticket_id) for ln in r.lines) == 2


def test_the_customer_accepting_the_superiors_new_quote_ends_the_wait(story: Story) -> None:
    # 若用户不接受相关费用，则上报上级领导处理; the superior's new offer accepted (用户同意支付):
    # the work goes on.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    refused = desk.charges.quote(world.agent, ticket_id)
    desk.charges.refuse(world.customer_zh, ticket_id, refused.id, reason="太贵了")
    assert desk.ticket(world.agent, ticket_id).state == TicketState.AWAITING_CUSTOMER
    clock.advance(timedelta(hours=2))
    again = desk.charges.quote(world.manager, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, again.id)
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.IN_PROGRESS
    assert [e.action for e in view.events[-2:]] == ["accept_quote", "resume"]
    assert view.events[-1].reason == f"quote {again.id} accepted"


def test_accepting_a_quote_does_not_end_a_wait_of_another_kind(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.await_customer(world.dealer_sh_staff, ticket_id, reason="客户出差，下周在家")
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.AWAITING_CUSTOMER and view.events[-1].action == "accept_quote"


def test_the_dealer_refusing_its_purchase_is_escalated_without_making_the_ticket_wait(story: Story) -> None:
    # 按成本价向乙方提供维修材料: between maker and dealer; the customer, who accepted, waits on nothing.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    escalation = desk.charges.refuse(world.dealer_sh_staff, ticket_id, purchase.id, reason="进价太高")
    assert escalation.reasons[0].code == "quote_refused"
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.IN_PROGRESS
    assert view.events[-1].action == "purchase_refused"
    assert view.events[-1].payload["escalated_to"] == ["manager"]
    seen = desk.ticket(world.customer_zh, ticket_id)
    assert seen.state == TicketState.IN_PROGRESS
    assert all(e.action != "purchase_refused" for e in seen.events)
