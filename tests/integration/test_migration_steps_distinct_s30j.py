"""Each SQLite migration step is found where it stands (session 30, j).

Six steps of ``MIGRATIONS`` only restart the reporting back-fill, with one and the same statement, and
session 29 listed ``HELD_DEALER_REPORT_STEP`` twice (steps 28 and 31). Equal tuples made
``MIGRATIONS.index(step)`` answer the first of them, step 18, for each: the upgrade tests that set a file
back to "the version before step N" set it back to step 17 and re-ran fourteen steps, not the one they
named. ``migrate()`` itself steps by position, so no file was mis-stepped: a file of the release before
session 29 (version 28 after the wait-gap step, or 29 after the earliest-contact one) runs the steps after
it again, which rewrite the same rows; the steps already shipped keep their numbers.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from tests.acceptance.conftest import SHANGHAI, STAFF, make_world, register

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import (
    CALLBACK_REPORT_STEP,
    EARLIEST_CONTACT_REPORT_STEP,
    FIRST_CYCLE_RESPONSE_REPORT_STEP,
    HELD_DEALER_REPORT_STEP,
    SERVING_DEALER_REPORT_STEP,
)
from aftersales.adapters.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from aftersales.adapters.wait_gap_step import SQLITE_WAIT_GAP_STEP
from aftersales.domain.classification import Plan, Severity
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk


def test_every_step_is_its_own_value() -> None:
    assert len(set(MIGRATIONS)) == len(MIGRATIONS) == SCHEMA_VERSION


def test_each_named_step_is_found_at_its_number() -> None:
    # the numbers of the comments in sqlite_schema.MIGRATIONS (step n is MIGRATIONS[n - 1])
    found = {
        18: CALLBACK_REPORT_STEP,
        26: FIRST_CYCLE_RESPONSE_REPORT_STEP,
        29: SQLITE_WAIT_GAP_STEP,
        30: EARLIEST_CONTACT_REPORT_STEP,
        31: HELD_DEALER_REPORT_STEP,
        32: SERVING_DEALER_REPORT_STEP,
    }
    assert {n: MIGRATIONS.index(step) + 1 for n, step in found.items()} == {n: n for n in found}


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM report_tickets ORDER BY id").fetchall()


def test_a_file_of_the_release_before_session_29_upgrades_to_the_same_rows(tmp_path: Path) -> None:
    # That release numbered the wait-gap step 28 and the earliest-contact step 29; session 29 put a step
    # before them. A file it left at 28 or 29 runs from the step that now holds that number on: the rows
    # it ends with are a fresh file's.
    path = tmp_path / "s.db"
    url = f"sqlite:///{path}"
    clock, world = ManualClock(datetime(2026, 4, 20, 9, 0, tzinfo=SHANGHAI)), make_world()
    with ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        desk.contact_customer(world.agent, tid, note="约好下午上门")
        desk.start_work(world.senior, tid)
        desk.await_customer(world.senior, tid, reason="客户不在家")  # a waiting row: the wait-gap step's
    fresh = _rows(path)
    for version in (28, 29):
        with sqlite3.connect(path) as conn:
            conn.execute(f"PRAGMA user_version = {version}")
        with ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
            reporting_for(desk.store).ticket_counts(month_period("2026-04"), "all")  # the back-fill runs
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("SELECT done FROM report_backfill").fetchone()[0] == 1
        assert _rows(path) == fresh
