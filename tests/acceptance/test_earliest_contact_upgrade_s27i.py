# mypy: disable-error-code="arg-type"
"""A SQLite file whose report rows were saved before the earliest contact became the response.

Seed 003 二 3 (与客户取得联系) and seed 001 (沟通时间) judge when the customer was contacted. Session 27
(branch e) made the response the earliest contact by when it was made (a contact entered after the fact,
``contact_customer(at=)``, since session 26), but a SQLite file's report rows saved before kept the first
contact recorded (17:30, late) until the ticket was saved again: the KPI said late where memory,
PostgreSQL, ``desk.sla()`` and the breach report said on time. Decision: the migration step 29 has the
small-batch back-fill write every row again (as steps 21-27 do), so the file agrees on opening.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import EARLIEST_CONTACT_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.domain.classification import Category, Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, make_world, register

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))


def _at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_rows_saved_before_the_earliest_contact_rule_are_rewritten_on_upgrade(tmp_path: Path) -> None:
    clock, w = ManualClock(START), make_world()
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
        register(desk, w)
        clock.set(_at(9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        clock.set(_at(17, 30))
        desk.contact_customer(w.agent, tid, note="客服致电客户，告知工程师明日上门")
        clock.set(_at(18, 5))
        desk.contact_customer(w.junior, tid, note="上午已电话联系客户", at=_at(9, 30))
    # The row as the release before wrote it: the first contact recorded (17:30) as the response.
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    late = round(_at(17, 30).timestamp() * 1_000_000)
    assert (
        conn.execute("UPDATE report_tickets SET first_response_us = ? WHERE id = ?", (late, tid)).rowcount
        == 1
    )
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(EARLIEST_CONTACT_REPORT_STEP)}")
    conn.close()
    as_of = _at(9, day=3)
    with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
        kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
        assert (kpi.response_met, kpi.response_missed, kpi.response_on_time_rate) == (1, 0, 1)
        assert kpi.response.mean is not None and kpi.response.mean.total_seconds() == 30 * 60
        assert sla_breaches(desk, w.manager, MARCH, as_of=as_of).total.response_breached == 0
        assert desk.sla(w.manager, tid)["response"].met_at == _at(9, 30)
