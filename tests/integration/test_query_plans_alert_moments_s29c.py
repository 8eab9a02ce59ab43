"""A page of SLA alerts reads the instant index backwards: no sort, no scan (issue 21, session 29).

``desk.sla_alerts`` reads its page by ``documents.query_newest(SlaAlert, "moment", below, limit=)``
(:mod:`aftersales.service.sla_alert_moments`). Read from ``EXPLAIN QUERY PLAN`` (SQLite) and ``EXPLAIN``
(PostgreSQL, fresh and with statistics) of the statement it runs (``newest_statement``), over 3,000
alerts on one UTC day (the shape of a first sweep's backlog): a backward range of the
``(kind, field, value)`` index cut at the page, each chosen document read by its key; no temporary
B-tree or sort node, no full scan.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.service.sla_watch import SlaAlert, alert_moment

AT = datetime(2026, 1, 5, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
DSN = os.environ.get("AFTERSALES_PG_DSN")
CURSOR = alert_moment(AT + timedelta(seconds=20_000))


def _alerts() -> list[SlaAlert]:
    """3,000 alerts on one UTC day, some sharing an instant, their ids in no instant's order."""
    return [
        SlaAlert(f"A-{(n * 7919) % 3000:05d}", f"T-{n % 90:04d}", "resolution", "sla_breach", at, due_at=at)
        for n in range(3000)
        for at in [AT + timedelta(seconds=10 * (n // 3))]
    ]


def _fill(store: Any) -> None:
    with store() as uow:
        for alert in _alerts():
            uow.documents.add(alert)
        uow.commit()


def _expected(below: str | None) -> list[str]:
    return sorted(a.moment for a in _alerts() if below is None or a.moment < below)[::-1][:7]


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    path: Path = tmp_path_factory.mktemp("moments") / "alerts.db"
    store = SqliteStore(f"sqlite:///{path}")
    _fill(store)
    conn = store.acquire()
    conn.execute("ANALYZE")
    store.release(conn)
    return store


@pytest.mark.parametrize("below", [None, CURSOR])
def test_sqlite_reads_a_page_backwards_from_the_instant_index(
    sqlite_store: SqliteStore, below: str | None
) -> None:
    with sqlite_store() as uow:
        documents = uow.documents
        sql, params = documents.newest_statement(SlaAlert, "moment", below, limit=7)
        plan = [str(row[3]) for row in uow.run(f"EXPLAIN QUERY PLAN {sql}", params)]
        found = documents.query_newest(SlaAlert, "moment", below, limit=7)
    text = " | ".join(plan)
    assert any(
        line.startswith("SEARCH r USING INDEX document_index_value (kind=? AND field=?") for line in plan
    ), text
    assert "SEARCH d USING INDEX sqlite_autoindex_documents_1 (kind=? AND id=?)" in plan, text
    assert not any("TEMP B-TREE" in line for line in plan), text
    assert not any(line.startswith("SCAN") and line != "SCAN pick" for line in plan), text
    assert [value for value, _ in found] == _expected(below)
    assert all(alert.moment == value for value, alert in found)


def _open(schema: str) -> Any:
    from aftersales.adapters.postgres import open_postgres

    sep = "&" if "?" in (DSN or "") else "?"
    return open_postgres(f"{DSN}{sep}schema={schema}")


@pytest.fixture(scope="module", params=["fresh", "analysed"])
def pg_store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"moments_{uuid.uuid4().hex[:12]}"
    store = _open(schema)
    try:
        _fill(store)
        if request.param == "analysed":
            with store() as uow:
                uow.run("ANALYZE document_index")
                uow.run("ANALYZE documents")
                uow.commit()
        yield store
    finally:
        store.close()
        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.postgres
@pytest.mark.parametrize("below", [None, CURSOR])
def test_postgres_reads_a_page_backwards_from_the_instant_index(pg_store: Any, below: str | None) -> None:
    with pg_store() as uow:
        documents = uow.documents
        sql, params = documents.newest_statement(SlaAlert, "moment", below, limit=7)
        plan = " | ".join(str(row[0]) for row in uow.run(f"EXPLAIN {sql}", params).fetchall())
        found = documents.query_newest(SlaAlert, "moment", below, limit=7)
    assert "Index Scan Backward using document_index_value on document_index" in plan or (
        "Index Only Scan Backward using document_index_value on document_index" in plan
    ), plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan
    assert [value for value, _ in found] == _expected(below)
