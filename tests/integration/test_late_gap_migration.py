"""A store written before the ledger's ``late_gap`` column (SQLite step 23, the PostgreSQL step after the
attachment chunks) upgrades in place: a ticket whose document stores a ``resolution_late_after`` later
than its due (session 23 stored it, no column held it) gets the gap from its document, so the breached
filter judges it by that instant at once, as ``desk.sla()`` and the reports do; every other row keeps 0.

The instants are stored with their IANA zone in brackets (RFC 9557) and, the second ticket's, with a
fraction of a second: the step reads both to the microsecond.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.late_gap_step import SQLITE_LATE_GAP_STEP
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from aftersales.domain.ticket import Ticket
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.ticket_index import ticket_row
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.serialization import datetime_text
from aftersales.testing.storage_contract import T0, contract_ticket

_BEFORE = MIGRATIONS.index(SQLITE_LATE_GAP_STEP)
_GAP = timedelta(hours=8, microseconds=123456)
_GAPS = {"T-0001": 8 * 3600 * 10**6, "T-0013": 8 * 3600 * 10**6 + 123456, "T-0002": 0}
"""Each row's column after the step, as its document gives it (``ticket_row``)."""


def _tickets() -> list[Ticket]:
    """T-0001 (due T0+37 h, on time until T0+45 h), T-0013 (due T0+73 h, on time until 8 h and a fraction
    later), T-0002 (due T0+50 h, none: late the instant after)."""
    first, second, plain = (contract_ticket(n, state=state) for n, state in ((1, "triaged"), (13, "triaged"),
                                                                             (2, "assigned")))  # fmt: skip
    assert second.resolution_due_at is not None
    second.resolution_late_after = second.resolution_due_at + _GAP
    assert "[Asia/Shanghai]" in datetime_text(second.resolution_late_after)
    assert "." in datetime_text(second.resolution_late_after)
    assert {t.id: ticket_row(t).late_gap for t in (first, second, plain)} == _GAPS
    return [first, second, plain]


def _breached(store: StoreFactory, hours: float) -> list[str]:
    at = T0 + timedelta(hours=hours)
    with store() as uow:
        page = uow.tickets.query(TicketFilter(breached_at=at), PageRequest(100, None, Sort.DUE))
        assert uow.tickets.count(TicketFilter(breached_at=at)) == len(page.items)
        return [t.id for t in page.items]


def _judged(store: StoreFactory) -> None:
    # T-0001 in its gap at T0+40 h, late at T0+46 h; T-0002 late after T0+50 h; T-0013 after T0+81 h
    assert _breached(store, 40) == []
    assert _breached(store, 46) == ["T-0001"]
    assert _breached(store, 51) == ["T-0001", "T-0002"]
    assert _breached(store, 73 + 8) == ["T-0001", "T-0002"]  # within the fraction past T0+81 h
    assert _breached(store, 73 + 8.0001) == ["T-0001", "T-0002", "T-0013"]


def test_a_sqlite_file_of_the_step_before_judges_by_the_stored_instant(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets()
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE tickets DROP COLUMN late_gap")
    conn.execute(f"PRAGMA user_version = {_BEFORE}")
    conn.close()

    store = SqliteStore(f"sqlite:///{path}")
    try:
        _judged(store)  # at once: the rows the back-fill has not reached are read from their documents
        assert store.backfill_late_gap().rewritten == 2  # since session 27 outside the migration
        _judged(store)
        conn = store.acquire()
        try:
            stored = dict(conn.execute("SELECT id, late_gap FROM tickets").fetchall())
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            store.release(conn)
        assert stored == _GAPS
    finally:
        store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in dsn else "?"
    try:
        yield f"{dsn}{sep}schema={schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.postgres
def test_a_postgres_schema_of_the_step_before_judges_by_the_stored_instant(pg_url: str) -> None:
    import psycopg

    from aftersales.adapters.late_gap_postgres import backfill_late_gap_postgres
    from aftersales.adapters.late_gap_step import POSTGRES_LATE_GAP_STEP
    from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
    from aftersales.adapters.postgres import open_postgres

    tickets = _tickets()
    store = open_postgres(pg_url)
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    schema = pg_url.rsplit("schema=", 1)[1]
    with psycopg.connect(os.environ["AFTERSALES_PG_DSN"], autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("ALTER TABLE tickets DROP COLUMN late_gap")
        conn.execute(
            "UPDATE aftersales_schema SET version = %s", (PG_MIGRATIONS.index(POSTGRES_LATE_GAP_STEP),)
        )

    store = open_postgres(pg_url)
    try:
        _judged(store)  # at once: the rows the back-fill has not reached are read from their documents
        assert backfill_late_gap_postgres(store) == 3  # since session 27 outside the migration
        _judged(store)
        with store() as uow:
            stored = dict(uow.run("SELECT id, late_gap FROM tickets").fetchall())  # type: ignore[attr-defined]
        assert stored == _GAPS
    finally:
        store.close()
