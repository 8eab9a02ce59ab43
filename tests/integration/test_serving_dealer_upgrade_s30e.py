"""An SQLite file whose reporting rows were written before session 30 (before step 31) kept the
customer's own dealer as each row's dealer for the KPIs by dealer (``report_tickets.serving_dealer_id``),
so a repair by the maker's own engineer was judged as that dealer's: the upgrade's back-fill writes the
rows again from the tickets' logs, and the KPI row of the maker's own work is the ``""`` one, as on a
fresh store (seed 002 分工 12: 甲方…对乙方的服务情况进行抽查; PostgreSQL and memory read the documents).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from tests.acceptance.conftest import SHANGHAI, STAFF, make_world, register

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import SERVING_DEALER_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.reporting import GroupBy
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk

APRIL = month_period("2026-04")


def _open(url: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF)


def test_an_sqlite_file_of_step_30_rewrites_each_rows_dealer_for_the_kpis(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
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
    with sqlite3.connect(tmp_path / "old.db") as conn:  # as the release before this step left it
        conn.execute("UPDATE report_tickets SET serving_dealer_id = 'dealer-sh'")
        conn.execute("UPDATE report_backfill SET done = 1")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(SERVING_DEALER_REPORT_STEP)}")
    with _open(url, ManualClock(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))) as desk:
        assert desk.calendar is not None
        report = kpi_report(reporting_for(desk.store), APRIL, desk.calendar, group=GroupBy.SERVING_DEALER)
        assert {row.group: row.counts.tickets for row in report.rows} == {"": 1}
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("SELECT serving_dealer_id FROM report_tickets").fetchall() == [(None,)]
