from __future__ import annotations

import gc
import weakref
from datetime import timedelta

import pytest

from aftersales.domain.classification import ImpactScope, Plan, Priority, Severity
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import MATERIALS_MONEY_STEPS, TICKET_WORKFLOW, TicketState
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord, Visit
from aftersales.errors import InvalidTransition, NaiveDatetimeError, ValidationError
from aftersales.serialization import unstructure

from .factories import AGENT, CUSTOMER, ENGINEER, at, new_ticket


def _walk_to_resolved(t: Ticket) -> None:
    t.triage(AGENT, at(2, 9, 5), Assessment("no_flush", Severity.MEDIUM, plan=Plan.ON_SITE), Priority.NORMAL)
    t.assign(AGENT, at(2, 9, 10), Assignee(AssigneeKind.ENGINEER, "eng-1", "张工"))
    t.step("start_work", ENGINEER, at(2, 14))
    t.record_fault(
        ENGINEER, at(2, 15), FaultRecord("no_flush", "valve_worn", "replace_valve", at(2, 15), ENGINEER)
    )
    t.resolve(ENGINEER, at(2, 16), summary="replaced the fill valve")


def test_open_records_the_first_event() -> None:
    t = new_ticket()
    assert t.state == TicketState.NEW
    (event,) = t.events
    assert (event.action, event.from_state, event.to_state, event.actor) == ("opened", None, "new", AGENT)
    assert t.is_open and t.replay_state() == "new"


def test_full_story_with_rework_and_reopen() -> None:
    t = new_ticket()
    _walk_to_resolved(t)
    # Work done is not resolved: the resolution is the customer's acceptance.
    assert t.resolved_at is None and t.work_done_at == at(2, 16)
    t.reject(CUSTOMER, at(2, 17), "still runs slowly")
    assert t.state == TicketState.REWORK and t.resolved_at is None and t.work_done_at is None
    t.step("start_work", ENGINEER, at(3, 9))
    t.resolve(ENGINEER, at(3, 10))
    t.confirm(CUSTOMER, at(3, 11))
    assert t.state == TicketState.ACCEPTED and t.is_open and t.resolved_at == at(3, 11)
    assert not t.callback_done and t.callback_attempts == 0
    t.callback_attempt(AGENT, at(3, 15), note="no answer")
    assert t.callback_attempts == 1
    t.record_callback(AGENT, at(4, 9), problem_back=False)
    assert t.callback_done
    t.close(AGENT, at(4, 10))
    assert t.state == TicketState.CLOSED and not t.is_open and t.closed_at == at(4, 10)
    t.reopen(AGENT, at(5, 9), "leaking again")
    assert t.state == TicketState.REWORK
    assert [e.action for e in t.events] == [
        "opened", "triage", "assign", "start_work", "record_fault", "resolve", "reject",
        "start_work", "resolve", "confirm", "callback_attempt", "record_callback", "close", "reopen",
    ]  # fmt: skip
    assert [e.seq for e in t.events] == list(range(len(t.events)))
    assert t.replay_state() == t.state


def test_remote_resolution_straight_from_triage() -> None:
    t = new_ticket()
    t.triage(
        AGENT, at(2, 9, 5), Assessment("usage_question", Severity.LOW, plan=Plan.REMOTE), Priority.NORMAL
    )
    event = t.resolve(AGENT, at(2, 9, 20), summary="explained the dual-flush button")
    assert event.payload["remote"] is True and t.state == TicketState.RESOLVED


def test_triage_records_priority_and_reasons() -> None:
    t = new_ticket()
    reasons = [Reason("vip_raises_one_level", {"tier": "vip"})]
    assessment = Assessment("leak", Severity.HIGH, ImpactScope.MULTIPLE_UNITS, units_affected=3)
    event = t.triage(AGENT, at(2, 9, 5), assessment, Priority.EXPEDITED, reasons)
    assert t.priority is Priority.EXPEDITED and t.priority_reasons == tuple(reasons)
    assert event.payload["reasons"] == [{"code": "vip_raises_one_level", "params": {"tier": "vip"}}]


def test_reassignment_keeps_history() -> None:
    t = new_ticket()
    t.triage(AGENT, at(2, 9, 5), Assessment("leak", Severity.LOW), Priority.NORMAL)
    t.assign(AGENT, at(2, 9, 6), Assignee(AssigneeKind.ENGINEER, "eng-1"))
    with pytest.raises(ValidationError, match="needs a reason"):
        t.assign(AGENT, at(2, 9, 7), Assignee(AssigneeKind.DEALER, "dealer-9"))
    t.assign(AGENT, at(2, 9, 7), Assignee(AssigneeKind.DEALER, "dealer-9"), reason="engineer sick")
    assert t.state == TicketState.ASSIGNED and t.assignee is not None and t.assignee.id == "dealer-9"
    assert t.events[-1].payload["previous"] == {"kind": "engineer", "id": "eng-1"}


@pytest.mark.parametrize("trigger", ["resolve", "confirm", "start_work", "reopen", "record_callback"])
def test_illegal_trigger_raises_and_changes_nothing(trigger: str) -> None:
    t = new_ticket()
    before = (t.state, list(t.events))
    with pytest.raises(InvalidTransition) as info:
        t.step(trigger, AGENT, at(2, 10), reason="x")
    assert (info.value.state, info.value.trigger) == ("new", trigger)
    assert (t.state, t.events) == before


def test_bad_input_changes_nothing() -> None:
    t = new_ticket()
    n = len(t.events)
    with pytest.raises(NaiveDatetimeError):
        t.step("triage", AGENT, at(2, 10).replace(tzinfo=None))
    with pytest.raises(ValidationError, match="earlier"):
        t.step("triage", AGENT, at(2, 10) - timedelta(days=1))
    with pytest.raises(ValidationError, match="needs a reason"):
        t.cancel(AGENT, at(2, 10), "  ")
    with pytest.raises(ValidationError):
        t.step("teleport", AGENT, at(2, 10))
    assert len(t.events) == n and t.state == "new"


def test_open_validates_input() -> None:
    with pytest.raises(ValidationError, match="must not be empty"):
        Ticket.open(**{**_open_kwargs(), "description": " "})
    with pytest.raises(ValidationError, match="at most 4000"):
        Ticket.open(**{**_open_kwargs(), "description": "漏" * 4001})
    with pytest.raises(NaiveDatetimeError):
        Ticket.open(**{**_open_kwargs(), "received_at": at(2).replace(tzinfo=None)})
    with pytest.raises(ValidationError, match="expected time"):
        Ticket.open(**{**_open_kwargs(), "expected_by": at(1)})
    with pytest.raises(ValueError, match="pigeon"):
        Ticket.open(**{**_open_kwargs(), "channel": "pigeon"})


def _open_kwargs() -> dict[str, object]:
    t = new_ticket()
    return {
        "id": t.id,
        "customer_id": t.customer_id,
        "channel": t.channel,
        "category": t.category,
        "description": t.description,
        "received_at": t.received_at,
        "taken_by": t.taken_by,
    }


def test_visits_notes_and_callbacks_are_recorded_in_place() -> None:
    t = new_ticket()
    t.triage(AGENT, at(2, 9, 5), Assessment("leak", Severity.LOW), Priority.NORMAL)
    t.assign(AGENT, at(2, 9, 6), Assignee(AssigneeKind.ENGINEER, "eng-1"))
    t.add_visit(AGENT, at(2, 9, 7), Visit(at(2, 14), "eng-1"))
    t.note_to_customer(AGENT, at(2, 9, 8), CustomerNote("工程师下午两点上门"))
    t.note_to_customer(
        AGENT, at(2, 9, 9), CustomerNote("internal: valve stock low", visible_to_customer=False)
    )
    assert t.state == "assigned" and len(t.visits) == 1 and len(t.notes) == 2
    t.step("start_work", ENGINEER, at(2, 14))
    t.resolve(ENGINEER, at(2, 15))
    t.confirm(CUSTOMER, at(2, 15))
    t.schedule_callback(AGENT, at(2, 15, 1), at(3, 15))
    t.record_callback(AGENT, at(3, 10), problem_back=False, facts={"tidy": True})
    assert t.callback_due_at == at(3, 15) and t.events[-1].payload == {"problem_back": False, "tidy": True}
    with pytest.raises(ValidationError):
        Visit(at(2, 14), "eng-1", arrived_at=at(2, 15), left_at=at(2, 14))


def test_every_state_trigger_pair_matches_the_definition() -> None:
    """Each (state, trigger) moves where the definition says, or raises and changes nothing."""
    for state in TICKET_WORKFLOW.states:
        for trigger in TICKET_WORKFLOW.triggers:
            t = new_ticket()
            t.state = state
            allowed = trigger in TICKET_WORKFLOW.allowed(state)
            if allowed:
                event = t.step(trigger, AGENT, at(2, 10), reason="because")
                assert event.from_state == state and t.state == TICKET_WORKFLOW.target(state, trigger)
            else:
                with pytest.raises(InvalidTransition):
                    t.step(trigger, AGENT, at(2, 10), reason="because")
                assert t.state == state and len(t.events) == 1


def test_final_states_only_reopen_or_record() -> None:
    # Describing a ticket (tags, custom fields, attachments) never moves it and stays possible after
    # the end: a signed service slip arrives after the close, a cancelled ticket's photos are erased.
    describing = {"tag", "set_fields", "attach", "detach"}
    # the materials desk's money steps are recorded whenever they happen (a part charged back late)
    materials = set(MATERIALS_MONEY_STEPS)
    # a quote paid before the ticket was cancelled is paid back
    assert set(TICKET_WORKFLOW.allowed("cancelled")) == describing | materials | {"refund_quote"}
    # paid after closing too; a quote refused after the repair is recorded (the ticket cannot wait then)
    charging = {
        "assess_charges", "offer_quote", "accept_quote", "record_payment", "refund_quote", "quote_refused"
    }  # fmt: skip
    assert (
        set(TICKET_WORKFLOW.allowed("closed"))
        == {"reopen", "schedule_callback", "record_callback"} | describing | charging | materials
    )
    assert all(TICKET_WORKFLOW.target("closed", step) == "closed" for step in materials)


def test_workflow_retains_no_ticket() -> None:
    t = new_ticket()
    _walk_to_resolved(t)
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is None


def test_mermaid_diagram_comes_from_the_definition() -> None:
    diagram = TICKET_WORKFLOW.mermaid()
    assert diagram.startswith("---\nticket\n---\nstateDiagram-v2")
    assert "resolved --> rework: reject" in diagram
    assert "triaged --> resolved: resolve" in diagram
    for state in TicketState:
        assert f'state "{state.value}" as {state.value}' in diagram


def test_replay_detects_a_tampered_log() -> None:
    t = new_ticket()
    _walk_to_resolved(t)
    t.events[2] = t.events[2].__class__(2, at(2, 9, 10), AGENT, "confirm", "triaged", "assigned")
    with pytest.raises((ValidationError, InvalidTransition)):
        t.replay_state()


def test_an_event_knows_its_instant_as_exact_utc_microseconds() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from aftersales.domain.actors import ActorRef, Role
    from aftersales.domain.events import TicketEvent
    from aftersales.errors import NaiveDatetimeError

    actor = ActorRef("a", Role.AGENT)
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    event = TicketEvent(0, at, actor, "opened", None, "new")
    assert event.at_us == 1772413200123456  # 2026-03-02T01:00:00.123456Z
    assert event.at_us == (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert event == TicketEvent(0, at.astimezone(UTC), actor, "opened", None, "new")
    with pytest.raises(NaiveDatetimeError):
        TicketEvent(0, datetime(2026, 3, 2, 9), actor, "opened", None, "new")


def test_a_copy_is_equal_and_independent() -> None:
    original = new_ticket()
    _walk_to_resolved(original)
    before = unstructure(original)
    copy = original.copy()
    assert unstructure(copy) == before
    copy.reject(CUSTOMER, at(2, 17), "still runs slowly")
    copy.note_to_customer(AGENT, at(2, 18), CustomerNote("engineer called back"))
    copy.version = 7
    assert unstructure(original) == before  # the original's lists and fields did not move
    assert copy.state == TicketState.REWORK and original.state == TicketState.RESOLVED
