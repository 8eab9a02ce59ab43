"""Issue 21 (session 8): what a command updates in proportion to what it changed, or keeps from an
earlier command, still answers as working it out from scratch would.

A note appends its text to the memory store's search document (as the SQLite index does) instead of
rebuilding the document from every note again; a notification's code values are labelled once per
locale; the provisional-due check compares with the kept first instant past the official data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.adapters.memory import MemoryStore
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId, TicketId
from aftersales.domain.parties import Customer, Engineer, EngineerLevel
from aftersales.domain.ticket import Ticket
from aftersales.i18n.notifications import Renderer
from aftersales.i18n.values import Term
from aftersales.ports.queries import TicketFilter
from aftersales.ports.ticket_search import SearchRequest, parse_query, search_document
from aftersales.serialization import dumps_utf8, event_data, ticket_text_utf8, unstructure
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.provisional_notice import has_provisional_dues

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def desk() -> Iterator[ServiceDesk]:
    clock = ManualClock(START)
    with ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock) as desk:
        contact = Contact("王女士", phone="13900000002")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "王女士", contact))
        yield desk


def _stored_document(desk: ServiceDesk, ticket_id: str) -> object:
    store = desk.store
    assert isinstance(store, MemoryStore)
    return store._data[("search", ticket_id)].row[1]


def test_a_note_is_appended_to_the_memory_search_document_and_found_as_after_a_rebuild(
    desk: ServiceDesk,
) -> None:
    tid = desk.open_ticket(
        AGENT, customer_id="c1", description="马桶漏水", tags=["VIP"], custom_fields=None
    ).ticket.id
    for text in ("工程师判断是下水堵塞", "ＡＢＣ全角", "已更换密封圈"):
        desk.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        desk.note_to_customer(AGENT, tid, text=text)
    appended = _stored_document(desk, tid)
    with desk.store() as uow:
        ticket = uow.tickets.get(tid)
        rebuilt = search_document(ticket, uow.customers.get("c1"))
    # Same identifiers, keys, labels and scope; the same fields in the text (the notes after the tags).
    assert appended.identifiers == rebuilt.identifiers and appended.keys == rebuilt.keys  # type: ignore[attr-defined]
    assert appended.labels == rebuilt.labels and appended.scope == rebuilt.scope  # type: ignore[attr-defined]
    assert sorted(appended.text.split("\x1f")) == sorted(rebuilt.text.split("\x1f"))  # type: ignore[attr-defined]
    for query in ("堵塞", "abc全角", "密封圈", "vip", "马桶", "王女士", "不存在"):
        parsed = parse_query(query)
        assert appended.matches(parsed) == rebuilt.matches(parsed), query  # type: ignore[attr-defined]
        assert appended.score(parsed) == rebuilt.score(parsed), query  # type: ignore[attr-defined]
    assert [t.id for t in desk.search(AGENT, "密封圈").items] == [tid]


def test_appending_to_a_ticket_never_indexed_writes_nothing_and_says_so() -> None:
    store = MemoryStore()
    with store() as uow:
        assert uow.search.append_text("SR-none", ("文字",)) is False
        page = uow.search.search(parse_query("文字"), TicketFilter(), SearchRequest())
        assert list(page.items) == []


def test_an_appended_note_rolls_back_with_its_unit_of_work(desk: ServiceDesk) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    before = _stored_document(desk, tid)
    with desk.store() as uow:
        assert uow.search.append_text(tid, ("未提交的备注",)) is True  # type: ignore[attr-defined]
        # no commit
    assert _stored_document(desk, tid) is before
    assert list(desk.search(AGENT, "未提交").items) == []


def test_kept_labels_are_the_catalog_labels_and_never_answer_for_another_type() -> None:
    # A notification formats its code values through a memo per formatter: a StrEnum member equals its
    # code, so the plain string "critical" must still read verbatim (what a person typed is not translated).
    renderer = Renderer()
    for locale in ("zh_Hans", "en"):
        formatter = renderer._state(locale).value_formatter(SH)
        catalog = renderer.catalog(locale)
        for _ in range(2):  # the first answer is made, the second is kept
            assert formatter.format("p", Priority.CRITICAL) == catalog.text("priority.critical")
            assert formatter.format("c", Category.REPAIR) == catalog.text("category.repair")
            assert formatter.format("t", Term("value.none")) == catalog.text("value.none")
            assert formatter.format("s", "critical") == "critical"
    assert renderer._state("zh_Hans").value_formatter(SH).format("p", Priority.CRITICAL) != renderer._state(
        "en"
    ).value_formatter(SH).format("p", Priority.CRITICAL)


def test_a_due_is_provisional_from_the_first_instant_of_the_day_after_the_official_data() -> None:
    # The check compares each due with the kept first instant of the next local day, in any zone.
    calendar = china_mainland_calendar()
    until = calendar.official_until
    assert isinstance(until, date)
    ticket = desk_ticket()
    midnight = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=SH)
    cases = [
        (midnight - timedelta(microseconds=1), False),
        (midnight, True),
        ((midnight - timedelta(microseconds=1)).astimezone(UTC), False),
        (midnight.astimezone(UTC), True),
        (midnight.astimezone(ZoneInfo("America/New_York")), True),
    ]
    for due, provisional in cases:
        for field in ("response_due_at", "resolution_due_at"):
            copy = ticket.copy()
            setattr(copy, field, due)
            assert has_provisional_dues(calendar, copy) is provisional, (field, due)
            assert has_provisional_dues(calendar, copy) is (due.astimezone(SH).date() > until)
    assert has_provisional_dues(calendar, ticket) is False  # no due times at all
    assert has_provisional_dues(None, ticket) is False


def desk_ticket() -> Ticket:
    return Ticket.open(
        id=TicketId("T-1"),
        customer_id=CustomerId("c1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="x",
        received_at=START,
        taken_by=ActorRef("agent-1", Role.AGENT),
    )


def test_an_event_message_carries_the_data_its_save_made_once_and_equal_to_a_fresh_one(
    desk: ServiceDesk,
) -> None:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    result = desk.note_to_customer(AGENT, tid, text="工程师已出发")
    (event,) = result.events
    with desk.store() as uow:
        pending = [m for m in uow.outbox.pending(100) if m.topic == "ticket_event"]
    (message,) = [m for m in pending if m.payload["seq"] == event.seq and m.payload["ticket_id"] == tid]
    assert dict(message.payload) == {**unstructure(event), "ticket_id": tid}
    # Handed out once: the next asker gets a dict of its own, equal to the converter's.
    first, second = event_data(event), event_data(event)
    assert first == second == unstructure(event) and first is not second


def test_a_save_writes_kept_assessment_assignee_and_reasons_as_a_fresh_serialisation_does(
    desk: ServiceDesk,
) -> None:
    # The save embeds the kept JSON text of the immutable values a ticket keeps from save to save; each
    # step that replaces one (a new triage, a reassignment) must be written as the new value.

    for n in (1, 2):
        contact = Contact(f"工程师{n}", email=f"e{n}@example.cn")
        desk.register_engineer(
            MANAGER, Engineer(EngineerId(f"e{n}"), f"工程师{n}", EngineerLevel.SENIOR, contact=contact)
        )
    tid = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    steps = [
        lambda: desk.triage(
            AGENT,
            tid,
            nature="leak",
            severity=Severity.HIGH,
            priority=Priority.CRITICAL,
            priority_reason="漏水严重",
        ),
        lambda: desk.note_to_customer(AGENT, tid, text="工程师已出发"),
        lambda: desk.dispatch(AGENT, tid, engineer_id="e1"),
        lambda: desk.dispatch(AGENT, tid, engineer_id="e2", reason="换人"),
        lambda: desk.note_to_customer(AGENT, tid, text="再次联系"),
    ]
    store = desk.store
    assert isinstance(store, MemoryStore)
    for step in steps:
        desk.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
        step()
        with desk.store() as uow:
            ticket = uow.tickets.get(tid)
        stored = store._data[("tickets", tid)].text.encode()
        assert stored == dumps_utf8(ticket)
        again, _ = ticket_text_utf8(ticket, ticket.version, None)  # twice: the second from kept texts
        assert again == ticket_text_utf8(ticket, ticket.version, None)[0] == dumps_utf8(ticket)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient": ""}, "recipient"),
        ({"recipient": "x" * 321}, "recipient"),
        ({"channel": 5}, "channel"),
        ({"channel": "   "}, "channel"),
        ({"locale": "x" * 36}, "locale"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"recipient": "", "idempotency_key": ""}, "recipient"),  # the first field in order
    ],
)
def test_a_rendered_message_refuses_what_its_field_checks_refused(
    changes: dict[str, object], field: str
) -> None:
    from aftersales.errors import ValidationError
    from aftersales.ports.notifier import RenderedMessage

    given: dict[str, object] = {
        "recipient": "13900000001",
        "channel": "sms",
        "subject": "s",
        "body": "b",
        "locale": "zh_Hans",
        "idempotency_key": "k",
    }
    RenderedMessage(**given)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        RenderedMessage(**{**given, **changes})  # type: ignore[arg-type]
    assert info.value.field == field
    kept = RenderedMessage(**{**given, "recipient": " 139", "subject": "", "body": ""})  # type: ignore[arg-type]
    assert kept.recipient == " 139"  # a leading space is still accepted, as the field check accepted it
