"""Upgrading a SQLite file of schema 22 holds the write lock for no per-row work (issue 21: an upgrade never
holds the write lock for more than 100 ms at a time), and the ledger's ``late_gap`` it leaves is written
by a small-batch back-fill that continues after a kill, giving every row its document's gap.

Step 23 read every ticket's document under the migration's write lock (an ``instr`` over each ``data``,
seconds on a 1 M-ticket file) and step 28 parsed every waiting ticket there. The work is counted in SQLite
virtual-machine steps (``set_progress_handler``), not timed: a file ten times larger must not cost the
migration ten times more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.adapters import late_gap_backfill
from aftersales.adapters.late_gap_postgres import backfill_late_gap_postgres
from aftersales.adapters.late_gap_step import POSTGRES_LATE_GAP_STEP
from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
from aftersales.adapters.postgres import PostgresStore, open_postgres
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_schema import SCHEMA_VERSION, migrate
from aftersales.adapters.wait_gap_step import sqlite_wait_gap
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.ticket_index import ticket_row
from aftersales.testing.storage_contract import ENGINEER, T0, contract_ticket

_SCHEMA_22 = 22
_PAGE = PageRequest(50, None, Sort.DUE)


def _ticket(n: int) -> Ticket:
    """Every 7th with a late-after instant past its due, every 11th waiting for parts or the customer since
    before its due, the rest plain (gap 0)."""
    ticket = contract_ticket(n, id=f"T-{n:06d}", state="assigned" if n % 2 else "triaged")
    due = ticket.resolution_due_at
    assert due is not None
    if n % 7 == 3:
        ticket.resolution_late_after = due + timedelta(hours=8, microseconds=n)
    elif n % 11 == 5 and ticket.state == "assigned":
        at = due - timedelta(hours=1)
        ticket.step("start_work", ENGINEER, at - timedelta(minutes=1))
        step = "await_parts" if n % 2 else "await_customer"
        ticket.step(step, ENGINEER, at, reason="no_stock" if step == "await_parts" else "away")
        ticket.note_to_customer(ENGINEER, at + timedelta(minutes=1), CustomerNote("still waiting"))
    return ticket


def _file_of_schema_22(path: Path, count: int) -> list[Ticket]:
    """A file written today and set back as schema 22 stored it: no ``late_gap`` column, no back-fill."""
    tickets = [_ticket(n) for n in range(count)]
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE tickets DROP COLUMN late_gap")
    conn.execute("DROP TABLE IF EXISTS late_gap_backfill")
    conn.execute(f"PRAGMA user_version = {_SCHEMA_22}")
    conn.close()
    return tickets


def _migration_steps(path: Path) -> int:
    """SQLite VM steps (in thousands) the upgrade from schema 22 runs, all under its write lock."""
    conn = sqlite3.connect(path, isolation_level=None)
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0

    conn.set_progress_handler(count, 1000)
    try:
        assert migrate(conn) == _SCHEMA_22
    finally:
        conn.set_progress_handler(None, 0)
        conn.close()
    return counted[0]


def test_the_upgrade_from_schema_22_does_no_work_per_ticket_under_its_lock(tmp_path: Path) -> None:
    _file_of_schema_22(tmp_path / "small.db", 100)
    _file_of_schema_22(tmp_path / "large.db", 1000)
    small, large = _migration_steps(tmp_path / "small.db"), _migration_steps(tmp_path / "large.db")
    # the old steps read every document: ten times the tickets was about ten times the steps
    assert large <= small + 5, (small, large)


def _breached(store: SqliteStore | PostgresStore, hours: float) -> list[str]:
    at = T0 + timedelta(hours=hours)
    found: list[str] = []
    with store() as uow:
        for pause in (False, True):
            at_filter = TicketFilter(breached_at=at, parts_pause=pause)
            page = uow.tickets.query(at_filter, PageRequest(1000, None, Sort.DUE))
            assert uow.tickets.count(at_filter) == len(page.items)
            rows = uow.tickets.query_rows(at_filter, PageRequest(1000, None, Sort.DUE))
            assert [row.id for row in rows.items] == [t.id for t in page.items]
            found += [t.id for t in page.items] + ["|"]
    return found


def _stored(store: SqliteStore) -> dict[str, int]:
    conn = store.acquire()
    try:
        return dict(conn.execute("SELECT id, late_gap FROM tickets").fetchall())
    finally:
        store.release(conn)


def test_the_back_fill_continues_after_a_kill_and_gives_each_row_its_documents_gap(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _file_of_schema_22(path, 700)
    expected = {t.id: ticket_row(t).late_gap for t in tickets}
    assert sum(1 for gap in expected.values() if gap > 0) > 50
    assert sum(1 for gap in expected.values() if gap < 0) > 5  # waiting for parts since before the due

    reference = SqliteStore(f"sqlite:///{tmp_path / 'today.db'}")  # the same tickets written today
    with reference() as uow:
        uow.tickets.add_many([_ticket(n) for n in range(700)])
        uow.commit()
    judged = {hours: _breached(reference, hours) for hours in (30, 200, 400, 800)}
    reference.close()

    store = SqliteStore(f"sqlite:///{path}")
    first = store.backfill_late_gap(max_batches=1)
    assert first.batches == 1 and first.tickets < len(tickets)
    store.close()  # killed after one committed batch

    store = SqliteStore(f"sqlite:///{path}")
    try:
        conn = store.acquire()
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            after, done = conn.execute("SELECT after_id, done FROM late_gap_backfill").fetchone()
        finally:
            store.release(conn)
        assert not done and after == sorted(expected)[first.tickets - 1]
        # half-way, the ledger answers as the file written today does
        assert {hours: _breached(store, hours) for hours in judged} == judged
        # a command saves a ticket past the position meanwhile (its gap unchanged by the command)
        with store() as uow:
            late = uow.tickets.get("T-000696")
            assert late.resolution_late_after is not None
            late.note_to_customer(ENGINEER, T0 + timedelta(days=40), CustomerNote("on the way"))
            uow.tickets.save(late)
            uow.commit()
        rest = store.backfill_late_gap()
        assert rest.batches >= 1 and first.tickets + rest.tickets == len(tickets)
        assert _stored(store) == expected
        assert {hours: _breached(store, hours) for hours in judged} == judged
        assert store.backfill_late_gap().batches == 0  # complete: nothing more
    finally:
        store.close()


def test_a_file_upgraded_by_the_earlier_steps_needs_no_back_fill(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with store() as uow:
            uow.tickets.add_many([_ticket(n) for n in range(30)])
            uow.commit()
        assert store.backfill_late_gap().batches == 0  # a new file: the store wrote every gap
        conn = store.acquire()
        try:
            conn.execute("DROP TABLE late_gap_backfill")  # as steps 23/28 of session 24-26 left a file
        finally:
            store.release(conn)
        assert store.backfill_late_gap().batches == 0
        assert store.upkeep().complete
    finally:
        store.close()


def test_while_the_back_fill_is_pending_the_breached_filter_stays_one_range_of_the_due_index(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _file_of_schema_22(path, 300)
    store = SqliteStore(f"sqlite:///{path}")
    try:
        store.backfill_late_gap(max_batches=1)
        for pause in (False, True):
            at_filter = TicketFilter(breached_at=T0 + timedelta(days=20), parts_pause=pause)
            with store() as uow:
                plan = uow.tickets.explain(at_filter, PageRequest(50, None, Sort.DUE))
            tickets_steps = [
                line for line in plan if "tickets " in f"{line} " and "ticket_events" not in line
            ]
            text = " | ".join(plan)
            assert "TEMP B-TREE" not in text, text
            # the range of sla_due, the ledger's due keys since session 33 (its due index is gone)
            assert plan[0].startswith("SEARCH sla_due USING PRIMARY KEY (due_key<?)"), text
            assert tickets_steps[0] == "SEARCH tickets USING INDEX sqlite_autoindex_tickets_1 (id=?)", text
            assert not any(line.startswith("SCAN tickets") for line in plan), text
    finally:
        store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


def _pg_stored(store: PostgresStore) -> dict[str, int]:
    with store() as uow:
        return dict(uow.run("SELECT id, late_gap FROM tickets").fetchall())  # type: ignore[arg-type]


def test_a_postgres_upgrade_leaves_the_gaps_to_a_resumable_back_fill(pg_url: str, tmp_path: Path) -> None:
    tickets = [_ticket(n) for n in range(700)]
    expected = {t.id: ticket_row(t).late_gap for t in tickets}
    reference = SqliteStore(f"sqlite:///{tmp_path / 'today.db'}")  # the same tickets written today
    with reference() as uow:
        uow.tickets.add_many([_ticket(n) for n in range(700)])
        uow.commit()
    judged = {hours: _breached(reference, hours) for hours in (30, 200, 400, 800)}
    reference.close()

    store = open_postgres(pg_url)
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    assert {hours: _breached(store, hours) for hours in judged} == judged  # the store agrees today
    store.close()
    dsn, schema = pg_url.rsplit("schema=", 1)
    with psycopg.connect(dsn.rstrip("?&"), autocommit=True) as conn:  # set back before the late_gap step
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("ALTER TABLE tickets DROP COLUMN late_gap")
        conn.execute("DROP TABLE late_gap_backfill")
        conn.execute(
            "UPDATE aftersales_schema SET version = %s", (PG_MIGRATIONS.index(POSTGRES_LATE_GAP_STEP),)
        )

    store = open_postgres(pg_url)
    try:
        stored = _pg_stored(store)
        # the migration wrote the waiting rows only (the wait-gap step reads them); the others wait
        assert [id_ for id_, gap in stored.items() if gap != expected[id_]]
        assert all(stored[t.id] == expected[t.id] for t in tickets if t.state.startswith("awaiting_"))
        assert backfill_late_gap_postgres(store, batch=200, max_batches=1) == 200  # then killed
        assert {hours: _breached(store, hours) for hours in judged} == judged  # half-way: the same answers
        with store() as uow:  # still one range of the due index, read in its order
            plan = " | ".join(uow.tickets.explain(TicketFilter(breached_at=T0 + timedelta(days=20)), _PAGE))
        assert "tickets_due" in plan and "Sort" not in plan and "Seq Scan on tickets" not in plan, plan
        with store() as uow:  # a command saves a ticket past the position meanwhile
            late = uow.tickets.get("T-000696")
            late.note_to_customer(ENGINEER, T0 + timedelta(days=40), CustomerNote("on the way"))
            uow.tickets.save(late)
            uow.commit()
        assert backfill_late_gap_postgres(store, batch=200) == 500
        assert _pg_stored(store) == expected
        assert {hours: _breached(store, hours) for hours in judged} == judged
        assert backfill_late_gap_postgres(store) == 0  # complete
    finally:
        store.close()


def test_a_row_a_command_changes_between_the_back_fills_read_and_write_keeps_the_commands_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    tickets = _file_of_schema_22(path, 50)
    store = SqliteStore(f"sqlite:///{path}")
    moved: dict[str, int] = {}

    def command_meanwhile(data: bytes, chunks: bytes | None) -> int:
        gap = sqlite_wait_gap(data, chunks)
        if not moved:  # after the batch's read, before its write: the write lock is free
            with store() as uow:
                ticket = uow.tickets.get("T-000003")
                assert ticket.resolution_due_at is not None
                ticket.resolution_late_after = ticket.resolution_due_at + timedelta(hours=20)
                uow.tickets.save(ticket)
                uow.commit()
                moved["T-000003"] = ticket_row(ticket).late_gap
        return gap

    monkeypatch.setattr(late_gap_backfill, "sqlite_wait_gap", command_meanwhile)
    try:
        store.backfill_late_gap()
        expected = {t.id: ticket_row(t).late_gap for t in tickets} | moved
        assert moved["T-000003"] == 20 * 3600 * 10**6
        assert _stored(store) == expected  # not the 8 h the batch computed from the text it read
    finally:
        store.close()
