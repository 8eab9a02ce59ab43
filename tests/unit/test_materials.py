"""Materials requests: the issue workflow, documents, the return flow, the outbound summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind, ChargeLine, Payment, PaymentId, Quote, QuoteId
from aftersales.domain.materials import (
    ItemKind,
    MaterialsLine,
    MaterialsRequest,
    PartReturn,
    PartyRef,
    outbound_summary,
)
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, MaterialsState, ReturnState
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import InvalidTransition, PermissionDenied, PolicyError, ValidationError
from aftersales.serialization import dumps, loads

from .factories import at

AGENT = ActorRef("agent-1", Role.AGENT)
MANAGER = ActorRef("mgr-1", Role.MANAGER)
DEALER = ActorRef("staff-1", Role.DEALER_STAFF)
CUSTOMER = ActorRef("cust-1", Role.CUSTOMER)
PARTY = PartyRef.dealer("D1")


def new_request(urgent: bool = True, lines: tuple[MaterialsLine, ...] | None = None) -> MaterialsRequest:
    return MaterialsRequest.open(
        id="MR-1",
        ticket_id="T-1",
        party=PARTY,
        lines=lines or (MaterialsLine("fill_valve", 2), MaterialsLine("brochure", 1, ItemKind.BROCHURE)),
        at=at(2),
        by=DEALER,
        urgent=urgent,
    )


def free_to_shipped(request: MaterialsRequest) -> None:
    request.check(AGENT, at(2, 10), chargeable=False, reasons=[Reason("in_warranty_free")])
    request.issue_pick_slip(AGENT, at(2, 10), "PS-1")
    request.approve(MANAGER, at(2, 11))
    request.pick(AGENT, at(3))
    request.ship(AGENT, at(3, 12), "SN-1")


def test_free_request_runs_to_received_recording_who_and_when() -> None:
    request = new_request()
    free_to_shipped(request)
    request.receive(DEALER, at(5))
    assert request.state is MaterialsState.RECEIVED
    assert [s.trigger for s in request.steps] == [
        "request", "check", "issue_pick_slip", "approve", "pick", "ship", "receive",
    ]  # fmt: skip
    assert request.steps[3].by == MANAGER and request.steps[3].at == at(2, 11)
    assert request.pick_slip is not None and request.pick_slip.number == "PS-1"
    assert request.shipping_note is not None and request.shipping_note.urgent
    assert request.shipped_month == "2026-03"
    assert request.repaired_at == at(5)


def test_illegal_step_raises_and_changes_nothing() -> None:
    request = new_request()
    before = dumps(request)
    with pytest.raises(InvalidTransition):
        request.ship(AGENT, at(3), "SN-1")
    with pytest.raises(PermissionDenied):
        request.check(DEALER, at(3), chargeable=False, reasons=())
    with pytest.raises(ValidationError):
        request.check(AGENT, at(1), chargeable=False, reasons=())  # before the request
    assert dumps(request) == before


def test_chargeable_request_needs_quote_and_payment_before_shipping() -> None:
    request = new_request()
    request.check(AGENT, at(2, 10), chargeable=True, reasons=[Reason("out_of_warranty_chargeable")])
    with pytest.raises(PolicyError) as refused:
        request.issue_pick_slip(AGENT, at(2, 10), "PS-1")
    assert refused.value.code == "chargeable_needs_quote"
    price = Money("80", "CNY")
    quote = Quote(
        QuoteId("Q-1"), request.ticket_id, "CNY", at(2, 10), AGENT,
        lines=(ChargeLine(ChargeKind.MATERIALS, "fill_valve", price, 2),), payment_before_shipping=True,
    )  # fmt: skip
    request.quote(AGENT, at(2, 11), quote)
    assert request.state is MaterialsState.QUOTED
    with pytest.raises(PermissionDenied):  # a customer answers the quote, not a pick slip … but not engineers
        request.approve(ActorRef("e", Role.ENGINEER), at(2, 12), "PS-1")
    slip = request.approve(CUSTOMER, at(2, 12), "PS-1")
    assert slip.chargeable and request.state is MaterialsState.APPROVED
    request.pick(AGENT, at(3))
    with pytest.raises(PolicyError) as unpaid:
        request.ship(AGENT, at(3, 10), "SN-1")
    assert unpaid.value.code == "payment_before_shipping"
    assert request.state is MaterialsState.PICKED
    request.record_payment(
        AGENT, at(3, 11), Payment(PaymentId("P-1"), QuoteId("Q-1"), price * 2, at(3, 11), AGENT)
    )
    note = request.ship(AGENT, at(3, 12), "SN-1")
    assert note.number == "SN-1" and request.state is MaterialsState.SHIPPED


def test_refused_quote_declines_with_escalation() -> None:
    request = new_request()
    request.check(AGENT, at(2, 10), chargeable=True, reasons=())
    quote = Quote(
        QuoteId("Q-1"), request.ticket_id, "CNY", at(2, 10), AGENT,
        lines=(ChargeLine(ChargeKind.MATERIALS, "fill_valve", Money("80", "CNY"), 1),),
    )  # fmt: skip
    request.quote(AGENT, at(2, 11), quote)
    escalation = request.decline(CUSTOMER, at(2, 12), "too expensive")
    assert escalation is not None and escalation.reasons[0].code == "quote_refused"
    assert request.state is MaterialsState.DECLINED
    assert MATERIALS_WORKFLOW.is_final(request.state.value)
    with pytest.raises(InvalidTransition):
        request.cancel(AGENT, at(3), "late")


def test_non_urgent_ships_on_the_confirmed_date_only() -> None:
    request = new_request(urgent=False)
    request.check(AGENT, at(2, 10), chargeable=False, reasons=())
    request.issue_pick_slip(AGENT, at(2, 10), "PS-1")
    request.approve(MANAGER, at(2, 11))
    request.pick(AGENT, at(3))
    with pytest.raises(PolicyError) as unconfirmed:
        request.ship(AGENT, at(3, 12), "SN-1")
    assert unconfirmed.value.code == "shipping_date_not_confirmed"
    request.confirm_date(DEALER, at(3, 13), date(2026, 3, 6))
    with pytest.raises(PolicyError) as early:
        request.ship(AGENT, at(5, 12), "SN-1")
    assert early.value.code == "before_confirmed_date"
    note = request.ship(AGENT, at(6, 9), "SN-1")
    assert note.ship_on == date(2026, 3, 6) and not note.urgent


def test_cancel_needs_a_reason_and_an_unshipped_request() -> None:
    request = new_request()
    with pytest.raises(ValidationError):
        request.cancel(DEALER, at(3), "  ")
    free_to_shipped(request)
    with pytest.raises(InvalidTransition):
        request.cancel(DEALER, at(4), "no longer needed")


def test_request_round_trips_and_refuses_bad_input() -> None:
    request = new_request()
    free_to_shipped(request)
    again = loads(dumps(request), MaterialsRequest)
    assert again == request and again.party_key == "dealer:D1"
    with pytest.raises(ValidationError):
        MaterialsLine("Fill Valve", 1)
    with pytest.raises(ValidationError):
        MaterialsLine("fill_valve", 0)
    with pytest.raises(ValidationError):
        MaterialsLine("fill_valve", 1, "sample")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        MaterialsRequest.open(id="MR-9", ticket_id="T-1", party=PARTY, lines=[], at=at(2), by=DEALER)


def test_return_flow_registered_inspected_booked() -> None:
    item = PartReturn("RT-1", "MR-1", "T-1", PARTY, "fill_valve", 2, "taizhou", at(10), AGENT)
    with pytest.raises(ValidationError):
        item.inspect(AGENT, at(11), accepted=False)
    assert item.state is ReturnState.REGISTERED
    item.inspect(AGENT, at(11), accepted=True)
    item.book(AGENT, at(11, 10), "return:RT-1")
    assert item.state is ReturnState.BOOKED and item.booking_key == "return:RT-1"
    with pytest.raises(InvalidTransition):
        item.book(AGENT, at(12), "return:RT-1")

    rejected = PartReturn("RT-2", "MR-1", "T-1", PARTY, "fill_valve", 1, "taizhou", at(10), AGENT)
    rejected.inspect(AGENT, at(11), accepted=False, reason=Reason("not_the_replaced_part"))
    assert rejected.state is ReturnState.REJECTED and rejected.rejection == Reason("not_the_replaced_part")
    with pytest.raises(InvalidTransition):
        rejected.book(AGENT, at(12), "return:RT-2")
    with pytest.raises(PermissionDenied):
        PartReturn("RT-3", "MR-1", "T-1", PARTY, "fill_valve", 1, "taizhou", at(10), AGENT).inspect(
            DEALER, at(11), accepted=True
        )


def test_outbound_summary_per_party_and_part() -> None:
    first = new_request()
    free_to_shipped(first)
    second = MaterialsRequest.open(
        id="MR-2", ticket_id="T-2", party=PartyRef.engineer("E1"), lines=[MaterialsLine("fill_valve", 3)],
        at=at(2), by=AGENT, urgent=True,
    )  # fmt: skip
    second.check(AGENT, at(2, 10), chargeable=False, reasons=())
    second.issue_pick_slip(AGENT, at(2, 10), "PS-2")
    second.approve(MANAGER, at(2, 11))
    second.pick(AGENT, at(3))
    second.ship(AGENT, at(31, 23) + timedelta(hours=2), "SN-2")  # 1 April local: next month
    unshipped = new_request()
    summary = outbound_summary([first, second, unshipped], "2026-03")
    assert summary.requests == 1
    assert dict(summary.by_party["dealer:D1"]) == {"brochure": 1, "fill_valve": 2}
    assert dict(summary.by_part) == {"brochure": 1, "fill_valve": 2}
    assert dict(outbound_summary([first, second], "2026-04").by_party) == {"engineer:E1": {"fill_valve": 3}}
    with pytest.raises(ValidationError):
        outbound_summary([], "2026-13")
