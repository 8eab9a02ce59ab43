"""A store whose completion rows were written before session 29 (SQLite before step 30, PostgreSQL before
its session-29 step) counted a repair by the maker's own engineer as the customer's dealer's: the upgrade
back-fill writes each completion's dealer again from the ticket's log, in small resumable batches, so the
dealer's month counts only the repairs it did (seed 002 分工 10: 乙方…对所维修情况进行一次统计), as on a
fresh store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from tests.acceptance.conftest import SHANGHAI, STAFF, make_world, register, store_url

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.completions_postgres import POSTGRES_HELD_DEALER_STEP
from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import HELD_DEALER_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.reporting import GroupBy
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk

APRIL = month_period("2026-04")


def _open(url: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF)


def _repaired_by_the_maker(url: str) -> None:
    """A Shanghai dealer's customer's repair done by the maker's engineer, accepted on 20 April."""
    clock, world = ManualClock(datetime(2026, 4, 20, 9, 0, tzinfo=SHANGHAI)), make_world()
    with _open(url, clock) as desk:
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, tid)
        desk.add_fault_record(
            world.senior, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust_flush_valve"
        )
        desk.resolve(world.senior, tid, summary="更换密封圈")
        desk.confirm(world.customer_zh, tid)


def _april(url: str) -> dict[tuple[str, str], int]:
    with _open(url, ManualClock(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))) as desk:
        return reporting_for(desk.store).completed_category_counts(APRIL, GroupBy.SERVING_DEALER)


def test_an_sqlite_file_of_step_29_rewrites_each_completions_dealer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _repaired_by_the_maker(url)
    with sqlite3.connect(tmp_path / "old.db") as conn:  # as the release before this step left it
        conn.execute("UPDATE report_completions SET serving_dealer_id = 'dealer-sh'")
        conn.execute("UPDATE report_backfill SET done = 1")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(HELD_DEALER_REPORT_STEP)}")
    assert _april(url) == {("", "repair"): 1}
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("SELECT serving_dealer_id FROM report_completions").fetchall() == [(None,)]


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    with store_url("postgres", tmp_path) as url:
        yield url


def test_a_postgres_schema_before_the_step_rewrites_each_completions_dealer(pg_url: str) -> None:
    _repaired_by_the_maker(pg_url)
    dsn, _, query = pg_url.partition("?")
    schema = dict(p.split("=", 1) for p in query.split("&"))["schema"]
    with psycopg.connect(dsn, autocommit=True) as conn:  # as the release before this step left it
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("UPDATE ticket_completions SET serving_dealer = 'dealer-sh'")
        conn.execute("UPDATE completions_backfill SET done = true")
        conn.execute(
            "UPDATE aftersales_schema SET version = %s", (PG_MIGRATIONS.index(POSTGRES_HELD_DEALER_STEP),)
        )
    assert _april(pg_url) == {("", "repair"): 1}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        assert conn.execute("SELECT serving_dealer FROM ticket_completions").fetchall() == [(None,)]
