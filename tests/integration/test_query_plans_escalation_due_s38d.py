"""The sweep's overdue escalations are one range of the files' key index: no scan (issue 21, session 38).

``announce_overdue_escalations`` reads ``documents.query_range(ComplaintFile, "escalation_due", upto,
limit=, after=)``; before session 38 it read every major and general complaint file. Read from ``EXPLAIN
QUERY PLAN`` (SQLite) and ``EXPLAIN`` (PostgreSQL, with statistics) of the statement the documents
repository runs (``range_statement``), over 1,000 complaint files of which 40 are keyed overdue: a range
of the ``(kind, field, value)`` index cut at the page, each chosen file read by its key; no full scan.
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
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.complaints import ComplaintFile, EscalationRecord, overdue_key
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.reasons import Reason

NOW = datetime(2026, 3, 3, 12, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
DSN = os.environ.get("AFTERSALES_PG_DSN")
AFTER = ("", "")


def _files() -> list[ComplaintFile]:
    """1,000 complaint files, one escalation each: 40 due before ``NOW``, the rest taken up or due later."""
    out = []
    for n in range(1000):
        due = NOW - timedelta(minutes=n + 1) if n < 40 else NOW + timedelta(minutes=n)
        at = due - timedelta(hours=2)
        taken = at if 40 <= n < 600 else None
        record = EscalationRecord(
            (Role.MANAGER,), Reason("escalated_by_handler", {}), at, ActorRef("agent-1", Role.AGENT), due,
            acknowledged_at=taken,
        )  # fmt: skip
        out.append(
            ComplaintFile(TicketId(f"C-{(n * 7919) % 1000:05d}"), CustomerId("c"), escalations=[record])
        )
    return out


def _expected() -> list[str]:
    return sorted((f.escalation_due or "", f.id) for f in _files() if (f.escalation_due or "~") <= UPTO)[:25]


UPTO = overdue_key(NOW)


def _fill(store: Any) -> None:
    with store() as uow:
        for file in _files():
            uow.documents.add(file)
        uow.commit()


def test_sqlite_reads_the_overdue_files_from_the_key_index(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'files.db'}")
    try:
        _fill(store)
        conn = store.acquire()
        conn.execute("ANALYZE")
        store.release(conn)
        with store() as uow:
            documents = uow.documents
            sql, params = documents.range_statement(
                ComplaintFile, "escalation_due", UPTO, limit=25, after=AFTER
            )
            plan = [str(row[3]) for row in uow.run(f"EXPLAIN QUERY PLAN {sql}", params)]
            found = documents.query_range(ComplaintFile, "escalation_due", UPTO, limit=25, after=AFTER)
    finally:
        store.close()
    text = " | ".join(plan)
    assert any(
        line.startswith("SEARCH r USING INDEX document_index_value (kind=? AND field=? AND value>")
        for line in plan
    ), text
    assert "SEARCH d USING INDEX sqlite_autoindex_documents_1 (kind=? AND id=?)" in plan, text
    assert not any(line.startswith("SCAN") and line != "SCAN due" for line in plan), text
    assert [(f.escalation_due, f.id) for f in found] == _expected()


@pytest.fixture
def pg_store() -> Iterator[Any]:
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    from aftersales.adapters.postgres import open_postgres

    schema = f"escdue_{uuid.uuid4().hex[:12]}"
    store = open_postgres(f"{DSN}{'&' if '?' in DSN else '?'}schema={schema}")
    try:
        _fill(store)
        with store() as uow:
            uow.run("ANALYZE document_index")
            uow.run("ANALYZE documents")
            uow.commit()
        yield store
    finally:
        store.close()
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.postgres
def test_postgres_reads_the_overdue_files_from_the_key_index(pg_store: Any) -> None:
    with pg_store() as uow:
        documents = uow.documents
        sql, params = documents.range_statement(ComplaintFile, "escalation_due", UPTO, limit=25, after=AFTER)
        plan = " | ".join(str(row[0]) for row in uow.run(f"EXPLAIN {sql}", params).fetchall())
        found = documents.query_range(ComplaintFile, "escalation_due", UPTO, limit=25, after=AFTER)
    assert "using document_index_value on document_index" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert [(f.escalation_due, f.id) for f in found] == _expected()
