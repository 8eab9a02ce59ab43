"""A dealer's month reads the completions in it by an index (SQLite plans), on a file with statistics
and on a fresh one without.

``completed_category_counts`` (seed 002 分工 7/10: the installations and repairs accepted in the month)
counted ``report_tickets`` rows by their resolution instant, which no index served: every dealer page
walked the whole table. It now reads ``report_completions`` (each acceptance, the ones a reopen ended
too) by ``report_completions_at`` and joins each to its ticket's row by primary key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting_sqlite import SqliteReportingQueries, completed_counts_sql
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.instants import micros
from aftersales.ports.reporting import GroupBy, Period, completions_us
from aftersales.testing.storage_contract import T0, ledger_tickets


def _accepted_fill(store: SqliteStore, count: int) -> None:
    tickets = ledger_tickets(count)
    for n, ticket in enumerate(tickets):
        if n % 3 == 0:  # a third accepted, a day after receipt
            ticket.resolved_at = ticket.received_at + timedelta(days=1)
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()


@pytest.fixture(scope="module", params=["fresh", "analysed"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    root: Path = tmp_path_factory.mktemp("completions")
    found = SqliteStore(f"sqlite:///{root / 'desk.db'}")
    _accepted_fill(found, 3000)
    if request.param == "analysed":
        conn = found.acquire()
        conn.execute("ANALYZE")
        found.release(conn)
    yield found
    found.close()


@pytest.mark.parametrize("group", [GroupBy.SERVING_DEALER, GroupBy.ALL])
def test_a_dealers_month_reads_its_completions_by_their_index(store: SqliteStore, group: GroupBy) -> None:
    start = micros(T0)
    conn = store.acquire()
    try:
        rows = conn.execute(
            f"EXPLAIN QUERY PLAN {completed_counts_sql(group)}", (start, start + 86_400_000_000 * 7)
        ).fetchall()
    finally:
        store.release(conn)
    plan = [str(row[-1]) for row in rows]
    text = " | ".join(plan)
    assert any(line.startswith("SEARCH report_completions USING") and "report_completions_at" in line
               for line in plan), text  # fmt: skip
    assert not any(line.startswith("SCAN report_tickets") for line in plan), text
    assert any(line.startswith("SEARCH report_tickets USING INDEX sqlite_autoindex") for line in plan), text


def test_the_indexed_count_is_the_months_acceptances(store: SqliteStore) -> None:
    # The plan serves the reference answer: each completion in the week (a later cancellation of the
    # rework does not take an acceptance out of its month, session 25).
    tickets = ledger_tickets(3000)
    for n, ticket in enumerate(tickets):
        if n % 3 == 0:
            ticket.resolved_at = ticket.received_at + timedelta(days=1)
    start, end = micros(T0), micros(T0 + timedelta(days=7))
    expected = sum(sum(1 for at in completions_us(t) if start <= at < end) for t in tickets)
    period = Period(T0, T0 + timedelta(days=7))
    counts = SqliteReportingQueries(store).completed_category_counts(period, GroupBy.ALL)
    assert sum(counts.values()) == expected > 0
