"""A stored ticket's event payloads are read back in sorted key order without a walk per event (issue 21).

Every event holds its payload with sorted keys at every depth (``aftersales.domain.canonical``), so the
three stores read and write the same text. The event checked that with a Python walk as it was made: for
every event of every ticket parsed from a store (a 30-event ticket: 30 walks per read), though a store
this library wrote holds the payloads sorted already. The serializer now checks all of a ticket's payloads
at once in C and makes the events that pass without the walk; data that does not pass (a host's, jsonb's
key order) is still checked and sorted event by event.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.acceptance.conftest import pg_schema_url

from aftersales.adapters.clock import ManualClock
from aftersales.domain import events as events_module
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.canonical import is_canonical
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.events import TicketEvent, ordered_event
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.serialization import _in_sorted_order, dumps, loads, structure, unstructure
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, tzinfo=SH)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


def _ordered(value: Any) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(_ordered(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_ordered(v) for v in value)
    return True


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'order.db'}?ticket_cache=0"  # every read parses the stored JSON
    else:
        with pg_schema_url() as schema_url:
            yield schema_url


def _ticket_of_30_events(desk: ServiceDesk, clock: ManualClock) -> str:
    dealer = Dealer(
        DealerId("dealer-sh"),
        "浦东特约承销商",
        "SH",
        frozenset({"SH"}),
        Contact("陈店长", phone="13900000001"),
    )
    desk.register_dealer(MANAGER, dealer)
    contact = Contact("客户", email="c@example.cn", locale="zh_Hans")
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "客户", contact, region="SH", dealer_id=dealer.id)
    )
    id = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    clock.advance(timedelta(minutes=1))
    desk.triage(AGENT, id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    clock.advance(timedelta(minutes=1))
    desk.dispatch(AGENT, id, dealer_id="dealer-sh")
    for i in range(27):
        clock.advance(timedelta(minutes=1))
        desk.note_to_customer(AGENT, id, text=f"工程师已出发 {i}")
    return id


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    walks = [0]
    real = events_module.is_canonical

    def spy(value: Any) -> bool:
        walks[0] += 1
        return real(value)

    monkeypatch.setattr(events_module, "is_canonical", spy)
    return walks


def test_a_stored_ticket_of_30_events_reads_back_sorted_and_the_same_on_every_store(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    try:
        id = _ticket_of_30_events(desk, clock)
        with desk.store() as uow:
            written = uow.tickets.get(id)
        if url != "memory://":  # a desk opened again keeps nothing parsed: the row is read
            desk.shutdown()
            desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
        walks = _counting(monkeypatch)
        with desk.store() as uow:
            read = uow.tickets.get(id)
    finally:
        desk.shutdown()
    assert len(read.events) == 30 and read.events == written.events
    assert [e.payload for e in read.events] == [e.payload for e in written.events]
    assert all(_ordered(e.payload) for e in read.events)
    assert read.events[1].payload["reasons"] and read.events[2].payload["assignee"]["kind"] == "dealer"
    if not url.startswith("postgresql"):  # jsonb hands keys back in its own order: those are sorted
        assert walks[0] == 0  # was one walk per event with a payload (29)


def test_a_ticket_parsed_from_its_json_walks_no_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock(START)
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    try:
        id = _ticket_of_30_events(desk, clock)
        with desk.store() as uow:
            ticket = uow.tickets.get(id)
    finally:
        desk.shutdown()
    text = dumps(ticket)
    walks = _counting(monkeypatch)
    read = loads(text, Ticket)
    assert walks[0] == 0
    assert read.events == ticket.events and [e.at_us for e in read.events] == [e.at_us for e in ticket.events]


def test_host_data_out_of_order_is_still_sorted_at_every_depth() -> None:
    at, agent = datetime(2026, 3, 2, 9, tzinfo=SH), ActorRef("a", Role.AGENT)
    good = TicketEvent(1, at, agent, "opened", None, "new")
    data = unstructure(good)
    unsorted = {"b": 1, "a": {"d": 2, "c": [{"f": 1, "e": 2}]}}
    events = [
        data,
        {**data, "seq": 2, "action": "note", "from_state": "new", "payload": unsorted},
        {**data, "seq": 3, "action": "note", "from_state": "new", "payload": {"index": 1, "visible": True}},
    ]  # fmt: skip
    read = [structure(e, TicketEvent) for e in events]
    for event in read:
        assert _ordered(event.payload)
    assert list(read[1].payload) == ["a", "b"] and list(read[1].payload["a"]) == ["c", "d"]
    assert list(read[1].payload["a"]["c"][0]) == ["e", "f"]


def test_a_whole_ticket_of_host_data_sorts_only_what_is_out_of_order() -> None:
    clock = ManualClock(START)
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    try:
        id = _ticket_of_30_events(desk, clock)
        with desk.store() as uow:
            data = unstructure(uow.tickets.get(id))
    finally:
        desk.shutdown()
    triage = data["events"][1]["payload"]
    data["events"][1]["payload"] = dict(reversed(triage.items()))  # a host's order
    data["events"][2]["payload"]["extra"] = MappingProxyType({"y": 1, "x": (2, {"q": 1, "p": 0})})
    ticket = structure(data, Ticket)
    assert list(ticket.events[1].payload) == sorted(triage)
    extra = ticket.events[2].payload["extra"]
    assert list(extra) == ["x", "y"] and list(extra["x"][1]) == ["p", "q"]
    assert all(_ordered(e.payload) for e in ticket.events)


def test_an_event_made_without_the_walk_is_the_event_the_class_makes() -> None:
    at, agent = datetime(2026, 3, 2, 9, tzinfo=SH), ActorRef("a", Role.AGENT)
    payload = {"index": 3, "visible": True}
    made = TicketEvent(4, at, agent, "note_to_customer", "new", "new", "why", payload)
    fast = ordered_event(4, at, agent, "note_to_customer", "new", "new", "why", payload)
    for field in ("seq", "at", "actor", "action", "from_state", "to_state", "reason", "payload", "at_us"):
        assert getattr(fast, field) == getattr(made, field), field
    assert fast == made and type(fast) is TicketEvent
    with pytest.raises(ValidationError):
        ordered_event(4, at.replace(tzinfo=None), agent, "note_to_customer", "new", "new", None, payload)
    with pytest.raises(ValidationError):
        structure({**unstructure(made), "at": "2026-03-02T09:00:00"}, TicketEvent)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_the_check_in_c_says_what_the_walk_says(value: object) -> None:
    assert _in_sorted_order(value) == is_canonical(value)


def test_the_check_in_c_refuses_what_it_cannot_write_and_the_walk_decides() -> None:
    assert not _in_sorted_order(MappingProxyType({"a": 1}))
    assert not _in_sorted_order({1: "x"})
    loop: dict[str, Any] = {}
    loop["self"] = loop
    assert not _in_sorted_order(loop)
    assert _in_sorted_order({"a": (1, {"b": 2, "c": 3})}) and not _in_sorted_order({"b": 1, "a": 2})
