"""A store written before the dispatched-dealer column (SQLite step 16, the PostgreSQL step after
lz4) upgrades in place: tickets already dispatched to a dealer get the column from their document,
so that dealer lists, counts and (SQLite: through the search scope word) finds them at once."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite_schema import DISPATCHED_DEALER_STEP, MIGRATIONS, SCHEMA_VERSION
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
DEALER_B = Actor.dealer_staff("staff-b", "dealer-b")
_BEFORE = MIGRATIONS.index(DISPATCHED_DEALER_STEP)  # the version of a file written before the step
_AS_DEALER = json.dumps({"kind": "dealer", "id": "dealer-b", "name": "乙方 B"})


def _written_before(url: str) -> tuple[str, str]:
    """A ticket of dealer A dispatched to engineer e1 and one never dispatched, written now; the test
    then rewrites the first as dispatched to dealer B the way a store without the column kept it."""
    with ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(NOW)) as desk:
        for n, dealer in enumerate(("dealer-a", "dealer-b")):
            contact = Contact(f"店长 {n}", phone=f"1390000000{n}")
            desk.register_dealer(MANAGER, Dealer(DealerId(dealer), dealer, f"R{n}", {f"R{n}"}, contact))
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "e1", EngineerLevel.SENIOR, region="R0"))
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        customer = Customer(
            CustomerId("c1"), "张三", contact, CustomerTier.REGULAR, "R0", DealerId("dealer-a")
        )
        desk.register_customer(MANAGER, customer)
        ids = []
        for text in ("水箱漏水 dispatched", "水箱漏水 waiting"):
            tid = desk.open_ticket(AGENT, customer_id="c1", description=text).ticket.id
            desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
            ids.append(tid)
        desk.dispatch(AGENT, ids[0], engineer_id="e1")
        with desk.store() as uow:
            flush = getattr(uow.search, "flush", None)
            if flush is not None:
                flush()  # SQLite: the words in the FTS index itself, as an older file holds them
            uow.commit()
    return ids[0], ids[1]


def _listed(url: str) -> tuple[set[str], int, set[str]]:
    with ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(NOW)) as desk:
        listed = {t.id for t in desk.ledger(DEALER_B).items}
        return listed, desk.count(DEALER_B), {t.id for t in desk.search(DEALER_B, "水箱漏水").items}


def test_a_sqlite_file_of_the_step_before_lists_its_dispatched_tickets(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    dispatched, _ = _written_before(f"sqlite:///{path}")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP INDEX tickets_dispatched_dealer")
    conn.execute("ALTER TABLE tickets DROP COLUMN dispatched_dealer")
    conn.execute(
        "UPDATE tickets SET assignee_id = 'dealer-b', data = json_set(data, '$.assignee', json(?))"
        " WHERE id = ?",
        (_AS_DEALER, dispatched),
    )
    conn.execute(f"PRAGMA user_version = {_BEFORE}")
    conn.close()

    assert _listed(f"sqlite:///{path}") == ({dispatched}, 1, {dispatched})
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    scope = check.execute("SELECT scope FROM ticket_search WHERE ticket_id = ?", (dispatched,)).fetchone()[0]
    assert scope.split("\x1f") == ["c:c1", "d:dealer-a", "r:R0", "d:dealer-b"]  # as ticket_scope makes it
    check.execute(f"PRAGMA user_version = {_BEFORE}")  # set back by hand: the step re-applies, adding nothing
    check.commit()
    check.close()
    assert _listed(f"sqlite:///{path}") == ({dispatched}, 1, {dispatched})
    check = sqlite3.connect(path)
    again = check.execute("SELECT scope FROM ticket_search WHERE ticket_id = ?", (dispatched,)).fetchone()[0]
    check.close()
    assert again == scope


@contextlib.contextmanager
def _pg_url() -> Iterator[tuple[str, str]]:
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in dsn else "?"
    try:
        yield f"{dsn}{sep}schema={schema}", schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.postgres
def test_a_postgres_schema_of_the_step_before_lists_its_dispatched_tickets() -> None:
    import psycopg

    from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS

    # the version of a schema written before the step (later steps re-apply, adding nothing)
    before = next(n for n, step in enumerate(PG_MIGRATIONS) if any("dispatched_dealer" in s for s in step))
    with _pg_url() as (url, schema):
        dispatched, _ = _written_before(url)
        dsn = os.environ["AFTERSALES_PG_DSN"]
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            conn.execute("DROP INDEX tickets_dispatched_dealer")
            conn.execute("ALTER TABLE tickets DROP COLUMN dispatched_dealer")
            conn.execute(
                "UPDATE tickets SET assignee_id = 'dealer-b',"
                " data = jsonb_set(data, '{assignee}', %s::jsonb) WHERE id = %s",
                (_AS_DEALER, dispatched),
            )
            conn.execute("UPDATE aftersales_schema SET version = %s", (before,))
        assert _listed(url) == ({dispatched}, 1, {dispatched})
