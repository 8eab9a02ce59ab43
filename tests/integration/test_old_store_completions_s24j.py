"""Stores written by releases before the completions table (tests/fixtures/old_stores) count a dealer's
month as a fresh store does, each acceptance the one a reopen ended too.

The workload's seat repair (T-000002) was accepted on the dealer's rework, reopened at the callback and
repaired again: its first acceptance is a March repair of the Shanghai dealer (seed 002 分工 7/10). An
upgraded SQLite file back-fills ``report_completions`` from each ticket's log; a PostgreSQL schema reads
the log itself. Both answer the month as a fresh store after the same workload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.acceptance.conftest import pg_schema_url
from tests.integration import old_store_workload as workload
from tests.integration.old_stores import (
    POSTGRES_FIXTURES,
    SQLITE_FIXTURES,
    load_postgres,
    load_sqlite,
    open_desk,
)

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import GroupBy
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk

Counts = dict[tuple[str, str], int]


def _march(desk: ServiceDesk) -> Counts:
    queries = reporting_for(desk.store)
    return queries.completed_category_counts(month_period("2026-03"), GroupBy.SERVING_DEALER)


@pytest.fixture(scope="module")
def fresh() -> Iterator[Counts]:
    """March's completions on a fresh store after the workload (memory: the stores answer alike)."""
    clock = ManualClock(workload.START)
    desk = workload.open_desk("memory://", clock)
    try:
        workload.play_on(desk, clock)
        counts = _march(desk)
        with desk.store() as uow:
            reopened = uow.tickets.get("T-000002")
        assert any(e.action == "reopen" for e in reopened.events)
        # the seat repair accepted in March before the reopen: the Shanghai dealer's; the first call,
        # repaired by the maker's own engineer, is no dealer's (session 29, seed 002 分工 10)
        assert counts == {("dealer-sh", "repair"): 1, ("", "repair"): 1}
        yield counts
    finally:
        desk.shutdown()


def _upgraded_counts_alike(url: str, fresh: Counts) -> None:
    desk = open_desk(url)
    try:
        assert _march(desk) == fresh
    finally:
        desk.shutdown()


@pytest.mark.parametrize("fixture", SQLITE_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_sqlite_file_counts_a_dealers_month_as_a_fresh_store(
    fixture: Path, tmp_path: Path, fresh: Counts
) -> None:
    db = tmp_path / "desk.db"
    load_sqlite(fixture, db)
    _upgraded_counts_alike(f"sqlite:///{db}", fresh)


@pytest.mark.postgres
@pytest.mark.parametrize("fixture", POSTGRES_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_postgres_schema_counts_a_dealers_month_as_a_fresh_store(fixture: Path, fresh: Counts) -> None:
    with pg_schema_url() as url, load_postgres(fixture, url):
        _upgraded_counts_alike(url, fresh)
