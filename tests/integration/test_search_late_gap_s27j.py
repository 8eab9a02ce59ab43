"""Ticket search with the breached filter answers as the ledger and the memory store do while an
upgrade's ``late_gap`` back-fill is not complete (issue 21).

Steps 23/28 (SQLite) and the PostgreSQL late-gap step leave the gap of old rows to a resumable back-fill;
the ledger reads the rows it has not reached from their documents meanwhile. Search read the stored
column alone: a ticket whose late-after instant was past the moment looked breached (gap 0) to a search
with the breached filter, and one waiting for parts since before its due was judged by the wrong rule.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from tests.acceptance.conftest import pg_schema_url
from tests.integration import test_late_gap_backfill_s27c as upgraded

from aftersales.adapters.late_gap_postgres import backfill_late_gap_postgres
from aftersales.adapters.late_gap_step import POSTGRES_LATE_GAP_STEP
from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
from aftersales.adapters.postgres import open_postgres
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.ticket import Ticket
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.ticket_search import SearchRequest, parse_query
from aftersales.service.ticket_search import index_tickets
from aftersales.testing.storage_contract import T0, contract_ticket

_COUNT = 400
_HOURS = (30, 200, 400, 800)
_QUERIES = ("漏水", "leak 3")


def _tickets() -> list[Ticket]:
    return [upgraded._ticket(n) for n in range(_COUNT)]


def _fill(store: Any, more: Sequence[Ticket] = ()) -> None:
    tickets = [*_tickets(), *more]
    with store() as uow:
        uow.tickets.add_many(tickets)
        index_tickets(uow, tickets)
        uow.commit()


def _found(uow: Any, query: str, at_filter: TicketFilter) -> list[str]:
    """Every hit of ``query`` under ``at_filter``, page after page (sorted: the order is search's own)."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = uow.search.search(parse_query(query), at_filter, SearchRequest(100, cursor))
        ids += page.items
        cursor = page.next_cursor
        if cursor is None:
            return sorted(ids)


def _answers(store: Any) -> dict[tuple[float, bool, str], tuple[list[str], list[str]]]:
    """(search's hits, the ledger's tickets matching the query) per moment, parts pause and query."""
    answers: dict[tuple[float, bool, str], tuple[list[str], list[str]]] = {}
    with store() as uow:
        for hours in _HOURS:
            for pause in (False, True):
                at_filter = TicketFilter(breached_at=T0 + timedelta(hours=hours), parts_pause=pause)
                ledger = uow.tickets.query(at_filter, PageRequest(1000, None, Sort.DUE)).items
                for query in _QUERIES:
                    terms = parse_query(query).terms
                    wanted = sorted(
                        t.id for t in ledger if all(term in t.description.lower() for term in terms)
                    )
                    answers[(hours, pause, query)] = (_found(uow, query, at_filter), wanted)
    return answers


def _agreeing(store: Any) -> dict[tuple[float, bool, str], list[str]]:
    answers = _answers(store)
    disagreeing = {key: pair for key, pair in answers.items() if pair[0] != pair[1]}
    assert not disagreeing, sorted(disagreeing)[:4]
    return {key: pair[0] for key, pair in answers.items()}


@pytest.fixture
def judged() -> dict[tuple[float, bool, str], list[str]]:
    """The memory store's answers: the reference (moments with few, some and all of the tickets late)."""
    store = MemoryStore()
    _fill(store)
    answers = _agreeing(store)
    sizes = {len(ids) for ids in answers.values()}
    assert len(sizes) > 5 and max(sizes) > 0
    return answers


def _set_back_sqlite(path: Path) -> None:
    """As schema 22 left the file: no ``late_gap`` column, no back-fill table."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE tickets DROP COLUMN late_gap")
    conn.execute("DROP TABLE IF EXISTS late_gap_backfill")
    conn.execute("PRAGMA user_version = 22")
    conn.close()


def test_sqlite_search_with_the_breached_filter_agrees_during_the_back_fill(
    tmp_path: Path, judged: dict[tuple[float, bool, str], list[str]]
) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(f"sqlite:///{path}")
    _fill(store)
    store.close()
    _set_back_sqlite(path)
    store = SqliteStore(f"sqlite:///{path}")
    try:
        assert _agreeing(store) == judged  # upgraded, nothing back-filled yet
        assert store.backfill_late_gap(max_batches=1).tickets < _COUNT
        assert _agreeing(store) == judged  # half-way
        store.backfill_late_gap()
        assert _agreeing(store) == judged  # complete
    finally:
        store.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


def test_postgres_search_with_the_breached_filter_agrees_during_the_back_fill(
    pg_url: str, judged: dict[tuple[float, bool, str], list[str]]
) -> None:
    store = open_postgres(pg_url)
    _fill(store)
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
        assert _agreeing(store) == judged  # upgraded: only the waiting rows written
        assert backfill_late_gap_postgres(store, batch=100, max_batches=1) == 100
        assert _agreeing(store) == judged  # half-way
        backfill_late_gap_postgres(store)
        assert _agreeing(store) == judged  # complete
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_search_with_the_open_and_unresolved_flags_answers_on_every_store(
    backend: str, tmp_path: Path
) -> None:
    # PostgreSQL's search wrote the flags as 1/0 against boolean columns: a StorageError for any
    # search filtered on is_open, unresolved or breached_at
    filters = (
        TicketFilter(is_open=True),
        TicketFilter(is_open=False),
        TicketFilter(unresolved=True),
        TicketFilter(unresolved=False),
        TicketFilter(breached_at=T0 + timedelta(hours=200)),
    )
    with contextlib.ExitStack() as stack:
        if backend == "memory":
            store: Any = MemoryStore()
        elif backend == "sqlite":
            store = SqliteStore(f"sqlite:///{tmp_path / 'today.db'}")
        else:
            store = open_postgres(stack.enter_context(pg_schema_url()))
        stack.callback(getattr(store, "close", lambda: None))
        ended = ("resolved", "closed", "cancelled")
        _fill(store, [contract_ticket(n, id=f"T-9{n:05d}", state=ended[n % 3]) for n in range(30)])
        with store() as uow:
            for f in filters:
                ledger = uow.tickets.query(f, PageRequest(1000, None, Sort.DUE)).items
                assert ledger  # every filter keeps some tickets and drops others
                assert len(ledger) < _COUNT + 30
                assert _found(uow, "漏水", f) == sorted(t.id for t in ledger), f
