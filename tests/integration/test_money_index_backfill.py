"""Fee slips written before the money index existed count in the month's revenue once back-filled.

The month's revenue reads a SQL store's ``money_row`` index rows, never the documents; a slip stored
by an older aftersales has no such row. ``desk.fees.backfill_money_index`` (and the ``money_index``
job) writes the missing rows a batch per transaction, resumable, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hostile import AGENT, DSN, MANAGER, Opened, opened, seed

from aftersales import Actor, ChargeKind, ChargeLine, InvoiceWish, JobSettings, Money
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.reports.money import month_money

SQL_STORES = ["sqlite", "postgresql"]


@pytest.fixture(params=SQL_STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _forget_money_rows(store: Opened) -> int:
    """What a database written before the index looks like: the documents without their money rows."""
    sql = "DELETE FROM document_index WHERE field = 'money_row'"
    if store.kind == "sqlite":
        assert store.path is not None
        conn = sqlite3.connect(store.path)
        try:
            with conn:
                return conn.execute(sql).rowcount
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(DSN or "", options=f"-c search_path={store.schema}") as pg:
        return pg.execute(sql).rowcount


def _month(store: Opened) -> tuple[Money, Money, int]:
    with store.desk.store() as uow:
        figures = month_money(uow.documents, "2026-03")
    return figures.income, figures.cost, figures.slips


def test_old_slips_count_after_the_backfill(store: Opened) -> None:
    desk = store.desk
    tid = seed(desk, store.clock)
    for amount in ("80", "45.50", "120"):
        lines = [
            ChargeLine(ChargeKind.LABOUR, "repair_visit", Money(Decimal(amount), "CNY")),
            ChargeLine(ChargeKind.MATERIALS, "WN-CB-01", Money(Decimal("30"), "CNY"), chargeable=False),
        ]
        desk.fees.issue_slip(AGENT, tid, lines=lines, invoice=InvoiceWish.NEVER)
    desk.fees.record_free_issue(
        AGENT, tid, [ChargeLine(ChargeKind.MATERIALS, "seal", Money(Decimal("5"), "CNY"), chargeable=False)]
    )
    before = _month(store)
    assert before == (Money("245.50", "CNY"), Money("95.00", "CNY"), 3)

    assert _forget_money_rows(store) == 4
    assert _month(store) == (Money(0, "CNY"), Money(0, "CNY"), 0)  # the old slips count for nothing

    # one document per batch, one batch per call: each call resumes where the last one stopped
    assert desk.fees.backfill_money_index(MANAGER, batch=1, max_batches=1) == 1
    assert _month(store)[2] == 1
    assert desk.fees.backfill_money_index(MANAGER, batch=2) == 3
    assert _month(store) == before
    assert desk.fees.backfill_money_index(MANAGER) == 0  # nothing left: a no-op

    # the daily job does the same
    _forget_money_rows(store)
    report = desk.jobs.run_due(only=("money_index",))
    assert report.counts["money_index"] == 4 and _month(store) == before


def test_who_may_run_the_backfill(tmp_path: Path) -> None:
    for store in opened("sqlite", tmp_path):
        with pytest.raises(PermissionDenied):
            store.desk.fees.backfill_money_index(AGENT)
        with pytest.raises(ValidationError) as caught:
            store.desk.fees.backfill_money_index(MANAGER, batch=0)
        assert caught.value.field == "batch"
        assert store.desk.fees.backfill_money_index(Actor.system()) == 0


def test_a_memory_store_has_nothing_to_backfill(tmp_path: Path) -> None:
    for store in opened("memory", tmp_path):
        seed(store.desk, store.clock)
        assert store.desk.fees.backfill_money_index(MANAGER) == 0


@pytest.fixture(params=["memory", *SQL_STORES])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def test_one_job_run_catches_up_a_backlog_of_many_batches(any_store: Opened) -> None:
    # Four batches of ``limit`` a day left an upgraded store's revenue short for weeks; one run now
    # drains batch after batch (each its own transaction of at most ``limit`` documents).
    store = any_store
    desk = store.desk
    tid = seed(desk, store.clock)
    for amount in ("10", "20", "30", "40", "50", "60"):
        line = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money(Decimal(amount), "CNY"))
        desk.fees.issue_slip(AGENT, tid, lines=[line], invoice=InvoiceWish.NEVER)
    for part in ("seal", "valve"):
        free = ChargeLine(ChargeKind.MATERIALS, part, Money(Decimal("5"), "CNY"), chargeable=False)
        desk.fees.record_free_issue(AGENT, tid, [free])
    before = _month(store)
    assert before == (Money("210", "CNY"), Money("10.00", "CNY"), 6)
    desk.jobs.configure(JobSettings(limit=1))
    forgotten = 0 if store.kind == "memory" else _forget_money_rows(store)
    assert forgotten == (0 if store.kind == "memory" else 8)

    report = desk.jobs.run_due(only=("money_index",))

    assert report.counts["money_index"] == forgotten  # all eight, one per transaction, in one run
    assert _month(store) == before
    assert desk.fees.backfill_money_index(MANAGER) == 0  # nothing left for a later run
