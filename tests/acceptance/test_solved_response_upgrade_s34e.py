# mypy: disable-error-code="arg-type"
"""A SQLite file whose report rows were saved before a solved call counted as answered (session 34).

Seed 001 六(二)3 响应及时率: a call solved by phone before anyone logged a contact was answered when it was
solved; the KPI counts it on time or late by its due (``domain.sla_reading.solved``). A SQLite file's
report rows saved before left such a call answered by nobody until the ticket was saved again: the KPI
counted it on neither side where memory, PostgreSQL, ``desk.sla()`` and the breach report said on time.
The migration step 35 has the small-batch back-fill write every row again, so the file agrees on opening.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import SOLVED_RESPONSE_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.domain.classification import Category, Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, make_world, register

MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_rows_saved_before_a_solved_call_counted_as_answered_are_rewritten_on_upgrade(tmp_path: Path) -> None:
    clock, w = ManualClock(START), make_world()
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
        register(desk, w)
        clock.set(_at(9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        clock.set(_at(9, 15))
        desk.resolve(w.agent, tid, summary="电话指导客户取出卡纸", remote=True)
    # The row as the release before wrote it: nobody answered the call.
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    stop = round(_at(9, 15).timestamp() * 1_000_000)
    assert (
        conn.execute(
            "UPDATE report_tickets SET first_response_us = NULL, response_stop_us = ? WHERE id = ?",
            (stop, tid),
        ).rowcount
        == 1
    )
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(SOLVED_RESPONSE_REPORT_STEP)}")
    conn.close()
    as_of = _at(9, day=3)
    with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
        kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
        assert (kpi.response_met, kpi.response_missed, kpi.response_on_time_rate) == (1, 0, 1)
        assert kpi.response.mean is not None and kpi.response.mean.total_seconds() == 15 * 60
        assert desk.sla(w.manager, tid)["response"].met_at == _at(9, 15)
