"""SQLite writes ticket-search words to FTS5 in batches: searches find the same tickets before, during and
after a batch is written (positions pending beside the FTS index), the same as the memory store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters import ticket_search_sqlite
from aftersales.adapters.clock import ManualClock
from aftersales.ports.ticket_search import SearchRequest
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, register

QUERIES = ("漏水", "堵塞", "马桶", "异响", "第1", "水", "cust", "工程师判断")
PLACES = ("马桶", "水箱", "面盆", "花洒")
FAULTS = ("漏水", "堵塞", "异响", "松动")


def _desk(url: str, world: World) -> ServiceDesk:
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF)
    register(desk, world)
    return desk


def _work(desk: ServiceDesk, world: World, count: int) -> list[str]:
    """Open ``count`` tickets and note on every third one (a re-index with new words)."""
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    ids: list[str] = []
    for n in range(count):
        clock.advance(timedelta(minutes=3))
        text = f"{PLACES[n % 4]}{FAULTS[n % 3]} 第{n}次"
        ids.append(desk.open_ticket(world.agent, customer_id="cust-zh", description=text).ticket.id)
        if n % 3 == 2:
            clock.advance(timedelta(minutes=1))
            desk.note_to_customer(world.agent, ids[n - 1], text=f"工程师判断是{FAULTS[(n + 1) % 4]}")
    return ids


def _all_pages(desk: ServiceDesk, actor: Actor, query: str) -> list[str]:
    found: list[str] = []
    cursor: str | None = None
    while True:
        page = desk.search(actor, query, page=SearchRequest(limit=3, cursor=cursor))
        found += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.fixture(params=[1, 4, 1000], ids=["every-command", "every-4", "never-in-test"])
def flush_at(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(ticket_search_sqlite, "FLUSH_AT", request.param)
    return int(request.param)


def test_batched_fts_finds_what_memory_finds(flush_at: int, tmp_path: Path, world: World) -> None:
    memory = _desk("memory://", world)
    sqlite = _desk(f"sqlite:///{tmp_path / 'batched.db'}", world)
    try:
        ids = _work(memory, world, 23)
        assert _work(sqlite, world, 23) == ids
        for query in QUERIES:
            expected = _all_pages(memory, world.agent, query)
            assert _all_pages(sqlite, world.agent, query) == expected, query
        assert _all_pages(sqlite, world.agent, "工程师判断是堵塞")  # a note's words, whatever is pending
        with sqlite.store() as uow:
            pending = uow.run("SELECT count(*) FROM ticket_search_pending").fetchone()[0]
            in_fts = uow.run("SELECT count(*) FROM ticket_search_fts_docsize").fetchone()[0]
        assert pending < flush_at  # a command that reached the threshold wrote them all
        assert pending + in_fts >= len(ids)
    finally:
        memory.shutdown()
        sqlite.shutdown()


def test_a_ticket_removed_while_pending_leaves_no_words(tmp_path: Path, world: World) -> None:
    desk = _desk(f"sqlite:///{tmp_path / 'removed.db'}", world)
    try:
        ids = _work(desk, world, 5)
        with desk.store() as uow:
            uow.search.flush()
            uow.commit()
        desk.note_to_customer(world.agent, ids[0], text="工程师判断是裂缝")  # pending, FTS has old words
        with desk.store() as uow:
            uow.search.remove(ids[0])
            uow.search.flush()
            uow.commit()
        assert _all_pages(desk, world.agent, "裂缝") == []
        assert ids[0] not in _all_pages(desk, world.agent, PLACES[0])
        with desk.store() as uow:
            # the FTS rows left are exactly the other tickets' (a wrong delete would corrupt the index)
            uow.run("INSERT INTO ticket_search_fts (ticket_search_fts) VALUES ('integrity-check')")
    finally:
        desk.shutdown()


def test_an_erasure_writes_the_pending_words_so_no_old_text_is_left(tmp_path: Path, world: World) -> None:
    path = tmp_path / "erased.db"
    desk = _desk(f"sqlite:///{path}", world)
    try:
        ids = _work(desk, world, 4)
        with desk.store() as uow:
            uow.search.flush()  # the FTS index now holds the words; a re-index keeps them pending
            uow.commit()
        desk.note_to_customer(world.agent, ids[0], text="工程师判断是裂缝")
        with desk.store() as uow:
            kept = uow.run("SELECT text FROM ticket_search_pending").fetchall()
        assert kept and "张伟" in kept[0][0]  # the words the FTS index holds, kept for their delete
        desk.privacy.erase_customer(
            Actor.privacy_officer("dpo-1"), "cust-zh", "PIPL art. 47", cancel_open_tickets=True
        )
        with desk.store() as uow:
            assert uow.run("SELECT count(*) FROM ticket_search_pending").fetchone()[0] == 0
        wal = Path(f"{path}-wal")
        raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert "张伟".encode() not in raw
    finally:
        desk.shutdown()
