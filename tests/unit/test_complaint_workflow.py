"""The complaint workflow on the Ticket aggregate, and the complaint file as a stored document."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW, ComplaintState
from aftersales.domain.complaints import (
    ComplaintFile,
    ComplaintSeverity,
    CrisisFacts,
    CrisisProblem,
    EscalationRecord,
    Recourse,
    Remedy,
    RemedyKind,
)
from aftersales.domain.ids import AssetId, CustomerId, TicketId
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket, workflow_for
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.errors import InvalidTransition, ValidationError
from aftersales.serialization import dumps, loads

from .factories import AGENT, CUSTOMER, at

GM = ActorRef("gm-1", Role.GENERAL_MANAGER)


def _complaint() -> Ticket:
    return Ticket.open(
        id=TicketId("C-1"),
        customer_id=CustomerId("cust-1"),
        channel=Channel.PHONE,
        category=Category.COMPLAINT,
        description="维修后仍漏水",
        received_at=at(2),
        taken_by=AGENT,
        kind=TicketKind.COMPLAINT,
    )


def test_complaint_runs_the_whole_flow_and_replays() -> None:
    ticket = _complaint()
    assert (
        ticket.state == ComplaintState.RECEIVED and workflow_for(TicketKind.COMPLAINT) is COMPLAINT_WORKFLOW
    )
    ticket.step("investigate", AGENT, at(2, 10))
    ticket.step("propose_solution", AGENT, at(2, 11))
    ticket.step("revise_solution", CUSTOMER, at(2, 12), reason="不接受")
    assert ticket.state == ComplaintState.SOLUTION_PROPOSED
    ticket.step("agree_solution", CUSTOMER, at(2, 13))
    ticket.step("grant_remedy", AGENT, at(2, 14))
    ticket.resolve(AGENT, at(3), summary="已反馈")
    assert ticket.state == ComplaintState.FEEDBACK_GIVEN and ticket.resolved_at == at(3)
    ticket.schedule_callback(AGENT, at(3), at(3) + timedelta(days=7))
    ticket.step("review", AGENT, at(4))
    ticket.close(AGENT, at(4, 10), "")
    assert ticket.state == ComplaintState.CLOSED and not ticket.is_open and ticket.closed_at == at(4, 10)
    ticket.record_callback(AGENT, at(5), problem_back=True, why="回访发现问题复发")  # the callback reopens it
    assert ticket.state == ComplaintState.INVESTIGATING
    assert [(e.action, e.reason) for e in ticket.events[-2:]] == [
        ("record_callback", None),
        ("reopen", "回访发现问题复发"),
    ]
    assert ticket.replay_state() == ticket.state


def test_hard_case_goes_to_the_general_manager_only() -> None:
    ticket = _complaint()
    ticket.step("investigate", AGENT, at(2, 10))
    with pytest.raises(ValidationError):
        ticket.step("refer", AGENT, at(2, 11))  # a referral needs the question
    ticket.step("refer", AGENT, at(2, 11), reason="要求退货")
    assert ticket.state == ComplaintState.AWAITING_DECISION
    # The GM, or the after-sales manager where the pack refers hard cases to them (seed 001).
    assert COMPLAINT_WORKFLOW.spec("decide").roles == frozenset({Role.GENERAL_MANAGER, Role.MANAGER})
    ticket.step("decide", GM, at(2, 15), reason="同意换新")
    assert ticket.state == ComplaintState.SOLUTION_PROPOSED


def test_illegal_steps_change_nothing() -> None:
    ticket = _complaint()
    before = (ticket.state, len(ticket.events))
    for trigger in ("resolve", "review", "close", "agree_solution", "grant_remedy", "decide"):
        with pytest.raises(InvalidTransition):
            ticket.step(trigger, AGENT, at(2, 10), reason="x")
    with pytest.raises(ValidationError):
        ticket.step("triage", AGENT, at(2, 10))  # a service step is unknown to complaints
    assert (ticket.state, len(ticket.events)) == before
    ticket.step("withdraw", CUSTOMER, at(2, 10), reason="已和解")
    assert ticket.state == ComplaintState.CANCELLED
    with pytest.raises(InvalidTransition):
        ticket.step("investigate", AGENT, at(2, 11))


def test_every_open_state_can_be_cancelled_and_every_state_is_reachable() -> None:
    final = {ComplaintState.CLOSED.value, ComplaintState.CANCELLED.value}
    for state in COMPLAINT_WORKFLOW.states:
        assert ("cancel" in COMPLAINT_WORKFLOW.allowed(state)) is (state not in final)
    reachable = {COMPLAINT_WORKFLOW.initial}
    frontier = [COMPLAINT_WORKFLOW.initial]
    while frontier:
        state = frontier.pop()
        for trigger in COMPLAINT_WORKFLOW.allowed(state):
            target = COMPLAINT_WORKFLOW.target(state, trigger)
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(COMPLAINT_WORKFLOW.states)


def _extension() -> WarrantyExtension:
    return WarrantyExtension(
        AssetId("A-1"),
        12,
        ExtensionUnit.MONTHS,
        AGENT,
        at(3),
        "complaint_remedy",
        ExtensionSource.COMPLAINT_REMEDY,
    )


def test_complaint_file_round_trips_as_a_document() -> None:
    file = ComplaintFile(
        id=TicketId("C-1"),
        customer_id=CustomerId("cust-1"),
        about=["T-1", "T-2", "T-1"],
        severity=ComplaintSeverity.MAJOR,
        severity_reasons=(Reason("crisis_event", {"recourse": "press"}),),
        crisis=CrisisFacts({CrisisProblem.PROPERTY_LOSS}, True, {Recourse.PRESS}, Money("3000.5", "CNY")),
    )
    assert file.about == ("T-1", "T-2")
    file.remedies.append(
        Remedy(RemedyKind.WARRANTY_EXTENSION, Money("200", "CNY"), AGENT, at(3), extension=_extension())
    )
    file.remedies.append(
        Remedy(RemedyKind.FREE_ACCESSORY, Money("35.50", "CNY"), AGENT, at(3), item="seat_cover")
    )
    file.escalations.append(
        EscalationRecord((Role.MANAGER, "general_manager"), Reason("x"), at(3), AGENT, at(3, 11))
    )
    again = loads(dumps(file), ComplaintFile)
    assert again == file
    assert again.crisis is not None and again.crisis.loss == Money(Decimal("3000.50"), "CNY")
    assert again.remedy_cost("CNY") == Money("235.50", "CNY")
    assert again.escalations[0].to == (Role.MANAGER, Role.GENERAL_MANAGER)
    assert again.open_escalations == tuple(again.escalations)
    assert again.escalations[0].overdue(at(3, 12)) and not again.escalations[0].overdue(at(3, 10))


def test_remedies_and_escalations_refuse_bad_input() -> None:
    with pytest.raises(ValidationError):
        Remedy(RemedyKind.WARRANTY_EXTENSION, Money("1", "CNY"), AGENT, at(3))  # no extension record
    with pytest.raises(ValidationError):
        Remedy(RemedyKind.GIFT, Money("1", "CNY"), AGENT, at(3), extension=_extension())
    with pytest.raises(ValidationError):
        Remedy(RemedyKind.FREE_ACCESSORY, Money("1", "CNY"), AGENT, at(3))  # which accessory?
    with pytest.raises(ValidationError):
        Remedy(RemedyKind.GIFT, Money("-1", "CNY"), AGENT, at(3))
    with pytest.raises(ValidationError):
        Remedy(RemedyKind.GIFT, 10, AGENT, at(3))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Remedy("refund_twice", Money("1", "CNY"), AGENT, at(3))
    with pytest.raises(ValidationError):
        EscalationRecord((), Reason("x"), at(3), AGENT, at(3, 11))
    with pytest.raises(ValidationError):
        EscalationRecord((Role.MANAGER,), Reason("x"), at(3, 11), AGENT, at(3))
    with pytest.raises(ValidationError):
        ComplaintFile(id=TicketId("C-1"), customer_id=CustomerId("c"), severity="catastrophic")


def test_an_escalation_keeps_whom_it_reached() -> None:
    # Session 17: the roles an escalation's notice reached; () when nobody; None on one recorded before.
    both = (Role.MANAGER, Role.GENERAL_MANAGER)
    told = EscalationRecord(both, Reason("x"), at(3), AGENT, at(3, 11), reached=("general_manager",))
    assert told.reached == (Role.GENERAL_MANAGER,) and not told.unreached
    nobody = EscalationRecord(both, Reason("x"), at(3), AGENT, at(3, 11), reached=())
    assert nobody.unreached
    assert loads(dumps(nobody), EscalationRecord) == nobody
    assert not EscalationRecord(both, Reason("x"), at(3), AGENT, at(3, 11)).unreached  # not known
    with pytest.raises(ValidationError) as refused:  # a role it did not go to
        EscalationRecord(
            (Role.MANAGER,), Reason("x"), at(3), AGENT, at(3, 11), reached=(Role.GENERAL_MANAGER,)
        )
    assert refused.value.field == "reached"
