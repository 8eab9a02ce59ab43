"""Issue 21 (session 36): a command's result hands out its events when read, not when made.

A result copied every payload of its events as it was made (each with a payload of the caller's own,
:meth:`~aftersales.domain.events.TicketEvent.handed_out`), whether the caller read them or not; a host
keeping results kept both the ticket's events and the copies (a triage's were five objects more for every
full collection of the garbage collector to walk). Now ``result.events`` is handed out at each read, as
``result.ticket.events`` already was: the same events, the same JSON, and still nothing a caller changes
reaches the ticket the store keeps for the next command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.custom_fields import CustomFieldSet, HiddenFields
from aftersales.domain.events import TicketEvent
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.json import to_dict
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.views import CommandResult

SH = ZoneInfo("Asia/Shanghai")
AGENT = Actor.agent("agent-1")


@pytest.fixture
def desk() -> Iterator[ServiceDesk]:
    with ServiceDesk.open(
        "memory://", pack="sanitary_ware", clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=SH))
    ) as desk:
        contact = Contact("王女士", phone="13900000002")
        desk.register_customer(
            Actor.manager("mgr-1"), Customer(CustomerId("c1"), "王女士", contact, region="SH")
        )
        yield desk


def test_a_result_copies_its_events_when_read_and_each_read_is_the_callers_own(
    desk: ServiceDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    copies: list[TicketEvent] = []
    hand_out = TicketEvent.handed_out

    def counting(event: TicketEvent) -> TicketEvent:
        copies.append(event)
        return hand_out(event)

    monkeypatch.setattr(TicketEvent, "handed_out", counting)
    result = desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    assert copies == []  # made: nothing copied yet
    first = result.events
    assert len(copies) == 1 and [e.action for e in first] == ["triage"]
    assert first == result.ticket.events[-1:]
    reasons: Any = first[0].payload["reasons"]
    reasons.append({"code": "mine", "params": {}})  # the caller's own copy
    first[0].payload["priority"] = "urgent"  # type: ignore[index]
    again = result.events
    assert again[0] is not first[0] and again[0].payload is not first[0].payload
    assert (
        again[0].payload["priority"] != "urgent"
        and {"code": "mine", "params": {}} not in again[0].payload["reasons"]
    )
    stored = desk.ticket(AGENT, tid)
    assert stored.events[-1] == again[0] and stored.version == result.ticket.version


def test_a_result_writes_the_same_json_and_repr_names_its_events(desk: ServiceDesk) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    result = desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    data = to_dict(result)
    assert list(data) == ["$type", "$version", "ticket", "events", "replayed", "decisions"]
    assert data["events"] == [to_dict(result.ticket)["events"][-1]]
    assert data["events"][0]["payload"]["reasons"] == result.events[0].payload["reasons"]
    assert repr(result).startswith("CommandResult(ticket=<TicketView ") and ", events=(TicketEvent(" in repr(
        result
    )
    match result:  # a pattern reads the events handed out too, not the ones the ticket keeps
        case CommandResult(view, events):
            assert view is result.ticket and events == result.events
            assert events[0].payload is not result.ticket.events[-1].payload
        case _:  # pragma: no cover - the pattern above matches
            raise AssertionError("no match")


def test_a_staff_reader_is_not_asked_for_the_staff_only_field_names(
    desk: ServiceDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every command's result is the ticket as its actor reads it: staff read it whole, so the desk's
    # staff-only field names (a set made anew at each ask) are made only for a reader that reads less.
    asked: list[CustomFieldSet] = []
    names = CustomFieldSet.hidden_from_customers

    def counting(fields: CustomFieldSet) -> HiddenFields:
        asked.append(fields)
        return names.fget(fields)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(CustomFieldSet, "hidden_from_customers", property(counting))
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    desk.note_to_customer(AGENT, tid, text="工程师已出发")
    desk.note_to_customer(AGENT, tid, text="内部备注", visible=False)
    assert asked == []
    seen = desk.ticket(Actor.customer("c1"), tid)  # the customer's view leaves the internal note out
    assert asked and [n.text for n in seen.notes] == ["工程师已出发"]
