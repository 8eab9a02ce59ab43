"""The SQLite command path keeps its search upkeep in proportion to the change (issue 21).

A note appends its own words to the ticket's stored search text in one ``UPDATE`` (the trigger lists
the position for the next FTS batch): no document is rebuilt, no other search table is touched, and
searches find exactly what the memory store finds, before and after the batch is written. A ticket's
read binds the unit the memo knows instead of parsing the stored JSON for it, and never hands on a
unit that is not the ticket's when another process changed the ticket.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.ticket_search_memory import MemoryTicketSearch
from aftersales.domain.classification import Category, Channel
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote
from aftersales.ports.ticket_search import SearchRequest, note_texts
from aftersales.service import ticket_search
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


def _open(url: str) -> ServiceDesk:
    clock = ManualClock(START)
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    dealer = Dealer(
        DealerId("dealer-sh"), "浦东特约", "SH", frozenset({"SH"}), Contact("陈", phone="13900000001")
    )
    desk.register_dealer(MANAGER, dealer)
    contact = Contact("张伟", email="zw@example.cn", phone="138 1234 5678", locale="zh_Hans")
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "张伟", contact, region="SH", dealer_id=dealer.id)
    )
    return desk


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk]]:
    memory, sqlite = _open("memory://"), _open(f"sqlite:///{tmp_path / 'path.db'}")
    try:
        yield memory, sqlite
    finally:
        memory.shutdown()
        sqlite.shutdown()


def _traced(desk: ServiceDesk) -> list[str]:
    store = desk.store
    assert isinstance(store, SqliteStore)
    seen: list[str] = []

    def record(sql: str) -> None:
        # A trigger's and a RETURNING clause's program start are traced with their statement's text.
        if not seen or seen[-1] != sql:
            seen.append(sql)

    for conn in store._all:
        conn.set_trace_callback(record)
    return seen


def _ids(desk: ServiceDesk, query: str) -> list[str]:
    found: list[str] = []
    cursor: str | None = None
    while True:
        page = desk.search(AGENT, query, page=SearchRequest(limit=2, cursor=cursor))
        found += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return found


def _work(desk: ServiceDesk) -> list[str]:
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    ids = []
    for n, text in enumerate(("马桶漏水", "水箱异响", "面盆堵塞", "花洒漏水")):
        clock.advance(timedelta(minutes=5))
        ids.append(desk.open_ticket(AGENT, customer_id="c1", description=f"{text} 第{n}次").ticket.id)
    return ids


QUERIES = ("漏水", "密封圈", "漏水 密封圈", "更换", "第1次 阀门", "水", "张伟 阀芯", "13812345678", "出发")


def test_a_note_is_one_update_of_the_search_row_and_finds_what_memory_finds(
    desks: tuple[ServiceDesk, ServiceDesk],
) -> None:
    memory, sqlite = desks
    ids = _work(sqlite)
    assert _work(memory) == ids
    with sqlite.store() as uow:
        uow.search.flush()  # the FTS index holds every ticket's words: a note makes its position pending
        uow.commit()
    for desk in (memory, sqlite):
        desk.note_to_customer(AGENT, ids[0], text="已更换密封圈")
        desk.note_to_customer(AGENT, ids[1], text="阀门已更换", visible=False)
    seen = _traced(sqlite)
    sqlite.note_to_customer(AGENT, ids[0], text="工程师已出发，更换阀芯")
    memory.note_to_customer(AGENT, ids[0], text="工程师已出发，更换阀芯")
    search_writes = [s for s in seen if "ticket_search" in s and not s.startswith("SELECT")]
    assert len(search_writes) == 1, seen
    assert (
        search_writes[0].startswith("UPDATE ticket_search SET text = ") and "idents" not in search_writes[0]
    )
    assert not any(s.startswith("SELECT") for s in seen[2:]), seen  # the one read, nothing looked up again
    assert len(seen) <= 7, seen  # BEGIN, the read, search row, event log row, ticket row, outbox, COMMIT
    for query in QUERIES:  # some words only in notes, some split between the description and a note
        assert _ids(sqlite, query) == _ids(memory, query), query
    with sqlite.store() as uow:
        pending = uow.run("SELECT pos FROM ticket_search_pending").fetchall()
        assert len(pending) == 2  # the two noted tickets, listed once however many notes
        uow.search.flush()
        uow.run("INSERT INTO ticket_search_fts (ticket_search_fts) VALUES ('integrity-check')")
        uow.commit()
    for query in QUERIES:
        assert _ids(sqlite, query) == _ids(memory, query), query


def test_other_steps_re_index_the_whole_document_after_appended_notes(
    desks: tuple[ServiceDesk, ServiceDesk],
) -> None:
    memory, sqlite = desks
    ids = _work(sqlite)
    assert _work(memory) == ids
    for desk in (memory, sqlite):
        desk.note_to_customer(AGENT, ids[2], text="疏通后试水正常")
        desk.tag(AGENT, ids[2], add=["返修"])  # a tag re-indexes the ticket from its document
        desk.note_to_customer(AGENT, ids[2], text="客户确认")
    for query in ("疏通", "返修", "客户确认", "堵塞 确认"):
        assert _ids(sqlite, query) == _ids(memory, query) == [ids[2]], query
    with sqlite.store() as uow:
        uow.search.flush()
        uow.run("INSERT INTO ticket_search_fts (ticket_search_fts) VALUES ('integrity-check')")
        uow.commit()
    assert _ids(sqlite, "疏通 确认") == [ids[2]]


def test_a_note_falls_back_to_the_whole_document_where_the_store_cannot_append(
    desks: tuple[ServiceDesk, ServiceDesk], monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, sqlite = desks
    ids = _work(sqlite)
    _work(memory)
    built: list[str] = []
    real = ticket_search.index_ticket

    def counted(uow: object, ticket: Ticket, *words: object) -> None:
        built.append(ticket.id)
        real(uow, ticket, *words)  # type: ignore[arg-type]

    monkeypatch.setattr(ticket_search, "index_ticket", counted)
    sqlite.note_to_customer(AGENT, ids[3], text="已上门")
    assert built == []  # SQLite appended the note's words
    memory.note_to_customer(AGENT, ids[3], text="已上门")
    assert built == []  # so did the memory index (issue 21, session 8)
    monkeypatch.delattr(MemoryTicketSearch, "append_text")  # a store that cannot append
    memory.note_to_customer(AGENT, ids[3], text="再次上门")
    assert built == [ids[3]]  # the document is rebuilt
    assert _ids(sqlite, "已上门") == _ids(memory, "已上门") == [ids[3]]
    assert _ids(memory, "再次上门") == [ids[3]]


def test_note_texts_are_the_notes_of_a_note_only_change(desks: tuple[ServiceDesk, ServiceDesk]) -> None:
    memory, _ = desks
    ticket_id = _work(memory)[0]
    result = memory.note_to_customer(AGENT, ticket_id, text="ＡＢＣ全角")
    with memory.store() as uow:
        ticket = uow.tickets.get(ticket_id)
    note = [e for e in ticket.events if e.action == "note_to_customer"]
    assert note_texts(ticket, note) == ("abc全角",)  # normalised as the document indexes it
    assert note_texts(ticket, ticket.events[:1]) is None  # intake is not a note
    assert result.ticket.id == ticket_id


def test_a_ticket_changed_by_another_process_never_gets_the_memos_unit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    mine, theirs = SqliteStore(url), SqliteStore(url)
    try:
        ticket = Ticket.open(
            id=TicketId("T-1"),
            customer_id=CustomerId("c1"),
            channel=Channel.PHONE,
            category=Category.REPAIR,
            description="马桶漏水",
            received_at=START,
            taken_by=AGENT.ref,
            asset_id=AssetId("A1"),
        )
        with mine() as uow:
            for unit in ("A1", "A2"):
                uow.assets.add(Asset(AssetId(unit), ProductId("P1"), serial=f"SN-{unit}"))
            uow.tickets.add(ticket)  # kept parsed by ``mine``, with unit A1
            uow.commit()
        with theirs() as uow:
            moved = uow.tickets.get("T-1")
            moved.asset_id = AssetId("A2")
            uow.tickets.save(moved)
            uow.commit()
        with mine() as uow:
            found = uow.tickets.get("T-1")
            assert found.asset_id == "A2"
            assert uow.assets.get(found.asset_id).serial == "SN-A2"
        with mine() as uow:  # now kept by ``mine`` with A2: its read binds A2 and primes it
            kept = uow.tickets.get("T-1")
            kept.note_to_customer(AGENT.ref, START + timedelta(hours=1), CustomerNote("x"))
            uow.tickets.save(kept)
            uow.commit()
        with mine() as uow:
            assert uow.assets.get(uow.tickets.get("T-1").asset_id).serial == "SN-A2"
    finally:
        mine.close()
        theirs.close()


def test_a_ticket_parsed_on_a_memo_miss_is_saved_without_converting_its_old_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aftersales import serialization

    store = SqliteStore(f"sqlite:///{tmp_path / 'nomemo.db'}?ticket_cache=0")
    try:
        ticket = Ticket.open(
            id=TicketId("T-1"),
            customer_id=CustomerId("c1"),
            channel=Channel.PHONE,
            category=Category.REPAIR,
            description="马桶漏水",
            received_at=START,
            taken_by=AGENT.ref,
        )
        with store() as uow:
            uow.tickets.add(ticket)
            uow.commit()
        converted: list[int] = []
        real = serialization._unstructure_event

        def spy(event: object, known: object = None) -> object:
            converted.append(event.seq)  # type: ignore[attr-defined]
            return real(event, known)  # type: ignore[arg-type]

        monkeypatch.setattr(serialization, "_unstructure_event", spy)
        for n in range(3):
            with store() as uow:
                loaded = uow.tickets.get("T-1")  # parsed: nothing is kept
                loaded.note_to_customer(AGENT.ref, START + timedelta(minutes=n + 1), CustomerNote(f"第{n}次"))
                uow.tickets.save(loaded)
                uow.commit()
            assert converted == [loaded.events[-1].seq]  # only the new event
            converted.clear()
        with store() as uow:
            again = uow.tickets.get("T-1")
        assert again.events == loaded.events and [n.text for n in again.notes] == ["第0次", "第1次", "第2次"]
        assert again.version == 3
    finally:
        store.close()


def _ticket(id: str = "T-1") -> Ticket:
    return Ticket.open(
        id=TicketId(id),
        customer_id=CustomerId("c1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="马桶漏水",
        received_at=START,
        taken_by=AGENT.ref,
    )


def _note(store: SqliteStore, text: str, minutes: int, *, commit: bool = True) -> Ticket:
    with store() as uow:
        ticket = uow.tickets.get("T-1")
        ticket.note_to_customer(AGENT.ref, START + timedelta(minutes=minutes), CustomerNote(text))
        uow.tickets.save(ticket)
        if commit:
            uow.commit()
    return ticket


def test_a_ticket_written_and_committed_is_read_back_without_its_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aftersales.adapters import sqlite as sqlite_adapter

    store = SqliteStore(f"sqlite:///{tmp_path / 'kept.db'}")
    try:
        with store() as uow:
            uow.tickets.add(_ticket())
            uow.commit()
        _note(store, "第一次", 1)
        # The row is at the version this store committed: its document and its logged events are neither
        # selected nor parsed.
        monkeypatch.setattr(sqlite_adapter, "parse_stored", lambda text, chunks: pytest.fail("parsed"))
        texts: list[object] = []
        real = sqlite_adapter._Tickets.get

        def spy(self: object, id: str) -> Ticket:
            run = self._uow.run  # type: ignore[attr-defined]

            def recording(sql: str, params: object = ()) -> object:
                cursor = run(sql, params)
                if sql.startswith("SELECT t.version"):
                    row = cursor.fetchone()
                    texts.append((row[1], row[6]))  # the document, the events
                    return _One(row)
                return cursor

            self._uow.run = recording  # type: ignore[attr-defined]
            try:
                return real(self, id)  # type: ignore[arg-type]
            finally:
                del self._uow.run  # type: ignore[attr-defined]

        monkeypatch.setattr(sqlite_adapter._Tickets, "get", spy)
        with store() as uow:
            found = uow.tickets.get("T-1")
        assert texts == [(None, None)]
        assert found.version == 1 and [n.text for n in found.notes] == ["第一次"]
    finally:
        store.close()


class _One:
    def __init__(self, row: object) -> None:
        self._row = row

    def fetchone(self) -> object:
        return self._row


def test_a_rolled_back_save_never_stands_for_what_another_process_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    mine, theirs = SqliteStore(url), SqliteStore(url)
    try:
        with mine() as uow:
            uow.tickets.add(_ticket())
            uow.commit()
        _note(mine, "committed by mine", 1)  # version 1, known committed by ``mine``
        _note(mine, "rolled back", 2, commit=False)  # version 2 kept by ``mine``, never committed
        _note(theirs, "committed by theirs", 3)  # the real version 2
        with mine() as uow:
            found = uow.tickets.get("T-1")
        assert found.version == 2
        assert [n.text for n in found.notes] == ["committed by mine", "committed by theirs"]
        # And the other way round: ``mine`` commits version 3, ``theirs`` writes 4; ``mine`` reads 4.
        _note(mine, "3 by mine", 4)
        _note(theirs, "4 by theirs", 5)
        with mine() as uow:
            assert [n.text for n in uow.tickets.get("T-1").notes][-2:] == ["3 by mine", "4 by theirs"]
        with mine.reader() as reader:
            assert reader.tickets.get("T-1").version == 4
    finally:
        mine.close()
        theirs.close()
