"""The SLA sweep over every due ticket (issue 21): each breach announced once on every store, a repeat
sweep loading no ticket that did not change, and SQLite's sweep tables (``sla_due``, ``customer_tiers``)
saying what ``tickets`` and the customers say after any write, on a new file and on one filled after
the fact in resumable batches.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_lifecycle_sla import AGENT, CUSTOMER, ENGINEER, MANAGER, STORES, SYSTEM, _open

from aftersales import Actor, Contact, Customer, CustomerId, CustomerTier, ServiceDesk
from aftersales.adapters.sla_candidates_sql import (
    SQLITE_TIER,
    candidate_page,
    candidate_query,
    sqlite_sweep_query,
)
from aftersales.adapters.sla_sweep_sqlite import SWEEP_STEP, fill_sweep_tables, sweep_tables_ready
from aftersales.adapters.sqlite_schema import MIGRATIONS, migrate
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.queries import PageRequest, Sort, TicketFilter, encode_cursor
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.service.sla_watch import SlaWatch

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday
LATER = START + timedelta(days=400)


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    opened = _open(str(request.param), tmp_path, "office_equipment", START)
    yield opened
    opened.shutdown()


def _open_tickets(desk: ServiceDesk, count: int) -> list[str]:
    """``count`` triaged tickets, every other one of a VIP customer."""
    desk.register_customer(
        MANAGER,
        Customer(CustomerId("vip"), "vip", Contact("vip", phone="13800000000"), tier=CustomerTier.VIP),
    )
    clock = desk.clock
    ids = []
    for n in range(count):
        clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
        tid = desk.open_ticket(AGENT, customer_id=("c1", "vip")[n % 2], description=f"卡纸 {n}").ticket.id
        desk.triage(AGENT, tid, nature="paper_jam", severity=Severity.LOW, plan=Plan.ON_SITE)
        ids.append(tid)
    return ids


def _counting_status(desk: ServiceDesk) -> Counter[str]:
    """Count the tickets the sweep measures (it loads a ticket only to measure it)."""
    measured: Counter[str] = Counter()
    sla = desk.sla_watch.context.sla
    inner = sla.status

    def status(ticket: Any, tier: CustomerTier, now: datetime) -> Any:
        measured[ticket.id] += 1
        return inner(ticket, tier, now)

    sla.status = status  # type: ignore[method-assign]
    return measured


def test_every_breach_is_announced_once_and_a_full_sweep_loads_only_what_changed(desk: ServiceDesk) -> None:
    ids = _open_tickets(desk, 24)
    dues = {tid: desk.ticket(AGENT, tid).resolution_due_at for tid in ids}
    assert all(due is not None for due in dues.values())
    ordered = sorted(d for d in dues.values() if d is not None)
    announced: Counter[str] = Counter()
    clock = desk.clock
    for at in (ordered[8], ordered[16], ordered[-1] + timedelta(days=3)):
        clock.set(at + timedelta(seconds=1))  # type: ignore[attr-defined]
        for key in desk.sla_watch.sweep(SYSTEM, limit=5).breaches:
            ticket_id, target = key.rsplit(":", 1)
            if target == "resolution":
                announced[ticket_id] += 1
    assert set(announced) == set(ids)
    assert max(announced.values()) == 1

    # Everything is announced: a full sweep re-reads every ticket and measures none.
    measured = _counting_status(desk)
    full = desk.sla_watch.sweep(SYSTEM, full=True)
    assert full.checked >= len(ids) and full.breaches == () and full.warnings == ()
    assert measured == Counter()
    # One ticket changes: the next full sweep measures that one only, and announces nothing again.
    desk.contact_customer(AGENT, ids[3], note="明天上门")
    again = desk.sla_watch.sweep(SYSTEM, full=True)
    assert measured == Counter({ids[3]: 1})
    assert again.breaches == ()
    # A desk that remembers nothing (another process) measures them all, announces nothing twice.
    fresh = SlaWatch(desk.sla_watch.context, desk.sla_watch.runner)
    assert fresh.sweep(SYSTEM, full=True).breaches == ()
    assert set(measured) == set(ids)


# -- SQLite: the sweep's tables ---------------------------------------------------------------------


Tables = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _truth(conn: sqlite3.Connection) -> Tables:
    due = conn.execute(
        "SELECT due_key, id, version, customer_id FROM tickets WHERE unresolved = 1 ORDER BY due_key, id"
    ).fetchall()
    resolved = conn.execute(
        "SELECT received_us, id, version, customer_id, resolution_due_us FROM tickets"
        " WHERE is_open = 1 AND unresolved = 0 ORDER BY received_us, id"
    ).fetchall()
    tiers = conn.execute(  # the customers of another tier than regular
        "SELECT id, json_extract(data, '$.tier') AS tier FROM entities"
        " WHERE kind = 'customer' AND tier <> 'regular' ORDER BY id"
    ).fetchall()
    return due, resolved, tiers


def _kept(conn: sqlite3.Connection) -> Tables:
    due = conn.execute(
        "SELECT due_key, id, version, customer_id FROM sla_due ORDER BY due_key, id"
    ).fetchall()
    resolved = conn.execute(
        "SELECT received_us, id, version, customer_id, due_us FROM sla_resolved ORDER BY received_us, id"
    ).fetchall()
    tiers = conn.execute("SELECT id, tier FROM customer_tiers ORDER BY id").fetchall()
    return due, resolved, tiers


def _sqlite_desk(tmp_path: Path) -> ServiceDesk:
    return _open("sqlite", tmp_path, "office_equipment", START)


RESOLVED = TicketFilter(is_open=True, unresolved=False)


def _pages(desk: ServiceDesk, query: TicketFilter, sort: Sort = Sort.DUE) -> list[SlaCandidate]:
    seen: list[SlaCandidate] = []
    cursor: str | None = None
    with desk.store() as uow:
        while True:
            page = uow.tickets.sla_candidates(query, PageRequest(3, cursor, sort))
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                return seen


def _fallback_pages(
    conn: sqlite3.Connection, query: TicketFilter, sort: Sort = Sort.DUE
) -> list[SlaCandidate]:
    """The same pages read from ``tickets`` and the customer documents (the query before the tables)."""
    seen: list[SlaCandidate] = []
    cursor: str | None = None
    while True:
        request = PageRequest(3, cursor, sort)
        sql, params = candidate_query(query, request, "?", "LIKE", SQLITE_TIER)
        page = candidate_page(conn.execute(sql, params).fetchall(), request)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_the_sqlite_sweep_tables_follow_every_write(tmp_path: Path) -> None:
    desk = _sqlite_desk(tmp_path)
    try:
        ids = _open_tickets(desk, 9)
        desk.dispatch(AGENT, ids[0], engineer_id="e1")
        desk.start_work(ENGINEER, ids[0])
        desk.resolve(ENGINEER, ids[0], summary="换了搓纸轮")
        desk.confirm(CUSTOMER, ids[0])  # accepted: leaves the unresolved tickets
        desk.cancel(AGENT, ids[1], reason="客户撤销")
        desk.contact_customer(AGENT, ids[2], note="明天上门")  # a new version, the same due
        desk.register_customer(  # a tier change, and a new customer
            MANAGER,
            Customer(
                CustomerId("c1"), "张伟", Contact("张伟", phone="13800000000"), tier=CustomerTier.IMPORTANT
            ),
        )
        desk.register_customer(MANAGER, Customer(CustomerId("c9"), "c9", Contact("c9", phone="13800000000")))
        query = TicketFilter(unresolved=True, due_before=LATER)
        with sqlite3.connect(tmp_path / "lifecycle.db") as conn:
            assert sweep_tables_ready(conn)
            due, resolved, tiers = _truth(conn)
            assert _kept(conn) == (due, resolved, tiers)
            assert {row[1] for row in due} == set(ids) - {ids[0], ids[1]}
            assert [row[1] for row in resolved] == [ids[0]]
            assert ("c1", "important") in tiers
            fallback = _fallback_pages(conn, query)
            fallback_resolved = _fallback_pages(conn, RESOLVED, Sort.RECEIVED_ASC)
            conn.execute("DELETE FROM tickets WHERE id = ?", (ids[4],))  # as an erasure would
            conn.execute("DELETE FROM entities WHERE kind = 'customer' AND id = 'c9'")
            assert _kept(conn) == _truth(conn)
            conn.rollback()
        candidates = _pages(desk, query)
        assert candidates == fallback
        assert _pages(desk, RESOLVED, Sort.RECEIVED_ASC) == fallback_resolved
        assert [c.id for c in fallback_resolved] == [ids[0]]
        assert {c.tier for c in candidates} == {CustomerTier.IMPORTANT, CustomerTier.VIP}
    finally:
        desk.shutdown()


def test_a_file_from_before_the_sweep_tables_is_filled_in_resumable_batches(tmp_path: Path) -> None:
    desk = _sqlite_desk(tmp_path)
    ids = _open_tickets(desk, 30)
    query = TicketFilter(unresolved=True, due_before=LATER)
    expected = _pages(desk, query)
    desk.shutdown()
    path = tmp_path / "lifecycle.db"
    conn = sqlite3.connect(path, isolation_level=None)
    # The file as the step before left it: no sweep tables, no triggers.
    for name, kind in conn.execute(
        "SELECT name, type FROM sqlite_master WHERE name LIKE 'sla!_%' ESCAPE '!'"
        " OR name LIKE 'customer!_tier%' ESCAPE '!' ORDER BY type = 'table'"
    ).fetchall():
        conn.execute(f"DROP {kind.upper()} {name}")
    before = MIGRATIONS.index(SWEEP_STEP)  # the version the step before the sweep tables left
    conn.execute(f"PRAGMA user_version = {before}")
    assert migrate(conn) == before
    assert not sweep_tables_ready(conn)
    assert _kept(conn) == ([], [], [])
    first = fill_sweep_tables(conn, max_batches=2, lock_seconds=1e-6, pause=0)  # 10 rows a batch
    assert first.batches == 2 and not sweep_tables_ready(conn)
    conn.close()
    # Until the tables are complete, the store reads the tickets: the same answers.
    desk = _sqlite_desk(tmp_path)
    try:
        with sqlite3.connect(path) as check:
            assert not sweep_tables_ready(check)  # opening does not fill: a process starts at once
        assert _pages(desk, query) == expected
        assert desk.store.fill_sweep_tables().batches >= 1  # type: ignore[attr-defined]  # the rest
        desk.clock.set(START + timedelta(days=2))  # type: ignore[attr-defined]
        desk.contact_customer(AGENT, ids[-1], note="明天上门")  # written after the fill: by the trigger
        with sqlite3.connect(path) as check:
            assert sweep_tables_ready(check)
            assert _kept(check) == _truth(check)
        now = _pages(desk, query)
        assert [c.id for c in now] == [c.id for c in expected]
        changed = [(old, new) for old, new in zip(expected, now, strict=True) if old != new]
        assert [new.id for _, new in changed] == [ids[-1]]
        assert changed[0][1].version > changed[0][0].version
    finally:
        desk.shutdown()
    assert len(SWEEP_STEP) > 0


def test_the_sqlite_sweep_page_reads_its_tables_by_key(tmp_path: Path) -> None:
    desk = _sqlite_desk(tmp_path)
    try:
        _open_tickets(desk, 5)
        query = TicketFilter(unresolved=True, due_before=LATER)
        with desk.store() as uow:
            cursor = uow.tickets.sla_candidates(query, PageRequest(2, None, Sort.DUE)).next_cursor
        assert cursor is not None
        for shape, page in (
            (query, PageRequest(2, None, Sort.DUE)),
            (query, PageRequest(2, cursor, Sort.DUE)),
            (RESOLVED, PageRequest(2, None, Sort.RECEIVED_ASC)),
            (RESOLVED, PageRequest(2, encode_cursor(Sort.RECEIVED_ASC, (1, "T")), Sort.RECEIVED_ASC)),
        ):
            found = sqlite_sweep_query(shape, page)
            assert found is not None
            with desk.store() as uow:
                plan = [str(row[3]) for row in uow.run(f"EXPLAIN QUERY PLAN {found[0]}", found[1])]  # type: ignore[attr-defined]
            # The page is a range of the table's key; the first resolved page has no bound, so it
            # reads the table from its start in key order (LIMIT stops it): no sort either way.
            first = "SCAN s" if shape is RESOLVED and page.cursor is None else "SEARCH s USING PRIMARY KEY"
            assert plan[0].startswith(first), plan
            assert plan[1:] == ["SEARCH c USING PRIMARY KEY (id=?) LEFT-JOIN"], plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
            assert "tickets" not in found[0] and "entities" not in found[0]
        # Any other filter or order is the ledger's query.
        assert (
            sqlite_sweep_query(TicketFilter(unresolved=True, region="sh"), PageRequest(2, None, Sort.DUE))
            is None
        )
        assert (
            sqlite_sweep_query(TicketFilter(unresolved=True), PageRequest(2, None, Sort.RECEIVED_ASC)) is None
        )
    finally:
        desk.shutdown()


def test_the_first_sweep_fills_the_tables_of_a_file_from_before_them(tmp_path: Path) -> None:
    desk = _sqlite_desk(tmp_path)
    _open_tickets(desk, 12)
    desk.shutdown()
    path = tmp_path / "lifecycle.db"
    with sqlite3.connect(path) as conn:  # back to the state the step left: nothing copied yet
        conn.execute("UPDATE sla_fill SET stage = 0, customer_after = '', key_after = -1, ticket_after = ''")
        conn.execute("DELETE FROM sla_due")
        conn.execute("DELETE FROM sla_resolved")
    desk = _sqlite_desk(tmp_path)
    try:
        with sqlite3.connect(path) as check:
            assert not sweep_tables_ready(check)
        desk.sla_watch.sweep(Actor.system())
        with sqlite3.connect(path) as check:
            assert sweep_tables_ready(check)
            assert _kept(check) == _truth(check)
    finally:
        desk.shutdown()
