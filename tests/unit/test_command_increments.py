"""Issue 21 (session 8): what a command updates in proportion to what it changed still answers as a
rebuild from scratch would.

A note appends its text to the memory store's search document (as the SQLite index does) instead of
rebuilding the document from every note again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.memory import MemoryStore
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.ports.queries import TicketFilter
from aftersales.ports.ticket_search import SearchRequest, parse_query, search_document
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

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
