"""A store whose ledger rows were written, while their tickets waited, by a release before session 25
upgrades in place (SQLite step 28, the PostgreSQL step after the completions' category).

Session 25 marks the row of a ticket waiting since before it was late (``ports.ticket_index.row_values``):
waiting for the customer, no due to be late against; waiting for parts, late only where the pack does not
pause on parts (``TicketFilter.parts_pause``). Rows an earlier release wrote kept their plain gap, so the
ledger's breached filter listed those tickets as late until each was next saved, while ``desk.sla()``, the
breach report and the KPI said paused. The step rewrites them from their documents; every other row keeps
its gap. The rows are written today and set back to what the earlier release wrote (the gap from the
late-after instant alone), as tests/integration/test_late_gap_migration.py does; the stores of
tests/fixtures/old_stores (no ticket waiting when their workload ends) upgrade through the step in
tests/integration/test_old_store_upgrade.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
from aftersales.adapters.postgres import open_postgres
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from aftersales.adapters.wait_gap_step import POSTGRES_WAIT_GAP_STEP, SQLITE_WAIT_GAP_STEP
from aftersales.domain.sla_late import late_after
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.ticket_index import micros, ticket_row
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.testing.storage_contract import ENGINEER, T0, contract_ticket


def _waiting(n: int, step: str, hours_before_due: float) -> Ticket:
    ticket = contract_ticket(n, state="assigned")
    due = ticket.resolution_due_at
    assert due is not None
    at = due - timedelta(hours=hours_before_due)
    ticket.step("start_work", ENGINEER, at - timedelta(minutes=1))
    ticket.step(step, ENGINEER, at, reason="no_stock" if step == "await_parts" else "away")
    ticket.note_to_customer(ENGINEER, at + timedelta(minutes=1), CustomerNote("still waiting"))
    return ticket


def _tickets() -> list[Ticket]:
    return [
        _waiting(2, "await_parts", 1),  # due T0+50 h, waits for parts since before it
        _waiting(3, "await_customer", 1),  # due T0+63 h, waits for the customer since before it
        _waiting(4, "await_parts", -1),  # due T0+76 h, waits since after it: late
        _waiting(13, "await_customer", -2),  # due T0+73 h, on time until +8 h: waits since within them
        contract_ticket(5, state="assigned"),  # due T0+29 h, no wait
    ]


def _old_gap(ticket: Ticket) -> int:
    """The gap a release before session 25 wrote: the late-after instant's alone."""
    due = ticket.resolution_due_at
    assert due is not None
    late = late_after(due, ticket.resolution_late_after)
    return micros(late) - micros(due) if late is not None else 0


AT = T0 + timedelta(hours=100)
BREACHED = {True: ["T-0005", "T-0004"], False: ["T-0005", "T-0002", "T-0004"]}
"""The breached filter at T0+100 h, pausing on parts or not."""


def _judged(store: StoreFactory, at: datetime = AT) -> dict[bool, list[str]]:
    found: dict[bool, list[str]] = {}
    with store() as uow:
        for pause in (True, False):
            at_filter = TicketFilter(breached_at=at, parts_pause=pause)
            found[pause] = [t.id for t in uow.tickets.query(at_filter, PageRequest(10, None, Sort.DUE)).items]
            assert uow.tickets.count(at_filter) == len(found[pause])
    return found


def test_an_sqlite_file_of_the_step_before_rewrites_the_waiting_rows(tmp_path: Path) -> None:
    path, tickets = tmp_path / "old.db", _tickets()
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executemany("UPDATE tickets SET late_gap = ? WHERE id = ?", [(_old_gap(t), t.id) for t in tickets])
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(SQLITE_WAIT_GAP_STEP)}")
    conn.close()
    store = SqliteStore(f"sqlite:///{path}")
    try:
        assert _judged(store) == BREACHED  # at once: the rows are read from their documents meanwhile
        assert store.backfill_late_gap().rewritten == 3  # T-0002, T-0003, T-0013; outside the migration
        assert _judged(store) == BREACHED
        conn = store.acquire()
        try:
            stored = dict(conn.execute("SELECT id, late_gap FROM tickets").fetchall())
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            store.release(conn)
    finally:
        store.close()
    assert stored == {t.id: ticket_row(t).late_gap for t in tickets}
    assert stored["T-0002"] < 0 and stored["T-0013"] > 8 * 3600 * 10**6  # both marked


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


def test_a_postgres_schema_of_the_step_before_rewrites_the_waiting_rows(pg_url: str) -> None:
    tickets = _tickets()
    store = open_postgres(pg_url)
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    dsn, schema = pg_url.rsplit("schema=", 1)
    with psycopg.connect(dsn.rstrip("?&"), autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        for ticket in tickets:
            conn.execute("UPDATE tickets SET late_gap = %s WHERE id = %s", (_old_gap(ticket), ticket.id))
        conn.execute(
            "UPDATE aftersales_schema SET version = %s", (PG_MIGRATIONS.index(POSTGRES_WAIT_GAP_STEP),)
        )
    store = open_postgres(pg_url)
    try:
        assert _judged(store) == BREACHED
        with store() as uow:
            stored = dict(uow.run("SELECT id, late_gap FROM tickets").fetchall())  # type: ignore[attr-defined]
    finally:
        store.close()
    assert stored == {t.id: ticket_row(t).late_gap for t in tickets}
