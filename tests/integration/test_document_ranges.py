"""``query_range`` on memory, SQLite and PostgreSQL: what a daily job reads (issue 26), and the index
rows a save rewrites only when their field changed."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.memory import open_memory
from aftersales.adapters.sqlite import open_sqlite
from aftersales.domain.maintenance import MaintenancePlan, PlanState
from aftersales.errors import ValidationError

DSN = os.environ.get("AFTERSALES_PG_DSN")
STORES = [
    "memory",
    "sqlite",
    pytest.param("postgresql", marks=[pytest.mark.postgres,
                                      pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")]),
]  # fmt: skip


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    kind = str(request.param)
    if kind == "memory":
        yield open_memory()
        return
    if kind == "sqlite":
        found = open_sqlite(f"sqlite:///{tmp_path / 'ranges.db'}")
        yield found
        found.close()
        return
    from aftersales.adapters.postgres import open_postgres

    schema = f"r26_{uuid.uuid4().hex[:12]}"
    pg = open_postgres(f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}")
    try:
        yield pg
    finally:
        pg.close()
        import psycopg

        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _plan(n: int, due: date) -> MaintenancePlan:
    return MaintenancePlan(
        id=f"MP-{n:03d}", asset_id=f"u{n}", customer_id=f"c{n % 3}", product_id="p", interval_months=6,
        checklist=("inspect",), next_due=due, lead_days=0,
    )  # fmt: skip


def test_a_range_reads_what_became_due_oldest_first_and_a_save_moves_it(store: Any) -> None:
    start = date(2026, 3, 1)
    with store() as uow:
        for n in range(10):
            uow.documents.add(_plan(n, start + timedelta(days=9 - n)))  # ids and days in opposite orders
        uow.commit()
    with store() as uow:
        due = uow.documents.query_range(MaintenancePlan, "generate_on", "2026-03-04", state="active")
        assert [p.id for p in due] == ["MP-009", "MP-008", "MP-007", "MP-006"]
        first = uow.documents.query_range(MaintenancePlan, "generate_on", "2026-03-04", limit=2)
        assert [p.id for p in first] == ["MP-009", "MP-008"]
        assert uow.documents.query_range(MaintenancePlan, "generate_on", "2026-02-28") == []
        with pytest.raises(ValidationError):
            uow.documents.query_range(MaintenancePlan, "next_due", "2026-03-04")
        first[0].opened("MP-009:2026-03-01")  # the job acted: no generation day any more
        uow.documents.save(first[0])
        first[1].end()
        uow.documents.save(first[1])
        uow.commit()
    with store() as uow:
        due = uow.documents.query_range(MaintenancePlan, "generate_on", "2026-03-04")
        assert [p.id for p in due] == ["MP-007", "MP-006"]
        # Only the changed fields were rewritten, and every index still answers.
        assert [p.id for p in uow.documents.query(MaintenancePlan, state=PlanState.ENDED.value)] == ["MP-008"]
        assert [p.id for p in uow.documents.query(MaintenancePlan, asset_id="u9")] == ["MP-009"]
        assert len(uow.documents.query(MaintenancePlan, generate_on=None)) == 2
        assert len(uow.documents.query(MaintenancePlan, customer_id="c0")) == 4


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
def test_a_document_changed_by_another_writer_meanwhile_has_every_index_row_rewritten(tmp_path: Path) -> None:
    from aftersales.adapters.postgres import open_postgres

    schema = f"r26_{uuid.uuid4().hex[:12]}"
    pg = open_postgres(f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}")
    try:
        with pg() as uow:
            uow.documents.add(_plan(1, date(2026, 3, 1)))
            uow.commit()
        with pg() as mine:
            mine.documents.get(MaintenancePlan, "MP-001")  # remembered: active
            with pg() as other:
                ended = other.documents.get(MaintenancePlan, "MP-001")
                ended.end()
                other.documents.save(ended)
                other.commit()
            [fresh] = mine.documents.query(MaintenancePlan, asset_id="u1")  # read committed: ended
            fresh.state = PlanState.ACTIVE  # back to what this unit of work first saw
            mine.documents.save(fresh)
            mine.commit()
        with pg() as uow:
            assert [p.id for p in uow.documents.query(MaintenancePlan, state="active")] == ["MP-001"]
            assert uow.documents.query(MaintenancePlan, state="ended") == []
    finally:
        pg.close()
        import psycopg

        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_sqlite_chooses_the_ids_from_the_index_before_reading_any_document(tmp_path: Path) -> None:
    # A daily job takes 500 of 5,500 due plans a transaction: joining before the limit read every due
    # plan's document on every call (issue 26). The ids are chosen and cut from the index alone; the
    # documents are read by primary key for the chosen ids only.
    store = open_sqlite(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        with store() as uow:
            for n in range(30):
                uow.documents.add(_plan(n, date(2026, 3, 1) + timedelta(days=n % 3)))
            uow.commit()
        with store() as uow:
            sql, params = uow.documents.range_statement(
                MaintenancePlan, "generate_on", "2026-03-02", limit=5, state="active"
            )
            plan = [row[3] for row in uow.run("EXPLAIN QUERY PLAN " + sql, params)]
            found = uow.documents.query_range(
                MaintenancePlan, "generate_on", "2026-03-02", limit=5, state="active"
            )
    finally:
        store.close()
    assert [p.id for p in found] == ["MP-000", "MP-003", "MP-006", "MP-009", "MP-012"]
    assert plan[0] == "CO-ROUTINE due"  # the chosen ids first, from document_index only
    assert any(line.startswith("SEARCH r USING INDEX document_index_value") for line in plan)
    assert "SEARCH d USING INDEX sqlite_autoindex_documents_1 (kind=? AND id=?)" in plan
    assert not any(line.split()[:2] in (["SCAN", "d"], ["SCAN", "r"]) for line in plan)  # no table scan
    # The documents are read after the co-routine that limits the ids, not inside it.
    assert plan.index("SCAN due") < plan.index(
        "SEARCH d USING INDEX sqlite_autoindex_documents_1 (kind=? AND id=?)"
    )
