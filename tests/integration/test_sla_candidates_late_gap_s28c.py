"""The SLA candidates with the breached filter answer as the ledger does while an upgrade's ``late_gap``
back-fill is not complete (issue 21).

``sla_candidates`` is the ledger's keyset page of the same filter and order, selecting the row's version,
due time and tier. Session 27 made the ledger and search read the rows the back-fill has not reached from
their documents; the candidate page read the stored column alone, so a ticket whose late-after instant
was past the moment was a candidate of the breached filter (gap 0) while the ledger left it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from tests.acceptance.conftest import pg_schema_url
from tests.integration import test_search_late_gap_s27j as search

from aftersales.adapters.late_gap_postgres import backfill_late_gap_postgres
from aftersales.adapters.late_gap_step import POSTGRES_LATE_GAP_STEP
from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
from aftersales.adapters.postgres import open_postgres
from aftersales.adapters.sqlite import SqliteStore
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.testing.storage_contract import T0


def _ids(uow: Any, at_filter: TicketFilter, candidates: bool) -> list[str]:
    """Every ticket of ``at_filter`` in due order, page after page: the candidates' or the ledger's."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        request = PageRequest(70, cursor, Sort.DUE)
        if candidates:
            page = uow.tickets.sla_candidates(at_filter, request)
            ids += [c.id for c in page.items]
        else:
            page = uow.tickets.query(at_filter, request)
            ids += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return ids


def _agreeing(store: Any) -> int:
    """Candidates and ledger agree at every moment, waiting for parts paused or not; how many were late."""
    late = 0
    with store() as uow:
        for hours in search._HOURS:
            for pause in (False, True):
                at_filter = TicketFilter(breached_at=T0 + timedelta(hours=hours), parts_pause=pause)
                ledger = _ids(uow, at_filter, candidates=False)
                assert _ids(uow, at_filter, candidates=True) == ledger, (hours, pause)
                late += len(ledger)
    return late


def test_sqlite_candidates_with_the_breached_filter_agree_during_the_back_fill(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(f"sqlite:///{path}")
    search._fill(store)
    store.close()
    search._set_back_sqlite(path)
    store = SqliteStore(f"sqlite:///{path}")
    try:
        assert _agreeing(store) > 0  # upgraded, nothing back-filled yet
        assert store.backfill_late_gap(max_batches=1).tickets < search._COUNT
        assert _agreeing(store) > 0  # half-way
        store.backfill_late_gap()
        assert _agreeing(store) > 0  # complete
    finally:
        store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


def test_postgres_candidates_with_the_breached_filter_agree_during_the_back_fill(pg_url: str) -> None:
    store = open_postgres(pg_url)
    search._fill(store)
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
        assert _agreeing(store) > 0  # upgraded: only the waiting rows written
        assert backfill_late_gap_postgres(store, batch=100, max_batches=1) == 100
        assert _agreeing(store) > 0  # half-way
        backfill_late_gap_postgres(store)
        assert _agreeing(store) > 0  # complete
    finally:
        store.close()
