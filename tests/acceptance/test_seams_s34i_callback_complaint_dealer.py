"""Whose KPI row a complaint opened at a callback falls in does not depend on who made the callback
(session 34, i), on memory, SQLite and PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).

Seed 002 分工 8: 乙方有义务配合甲方对本区域的用户进行回访和满意度调查工作 — the dealer joins the maker's
callbacks, so either the dealer's staff or the office records one. A score too low opens a complaint,
which the maker's centre handles (客户投诉的处理方法; seed 004 第八条 2(1) 客户服务中心必须安排人员处理).
The KPIs by the dealer doing the job (``GroupBy.SERVING_DEALER``, session 30: 分工 12 the maker judges
each dealer by the service it gave) put a job in the row of the dealer holding it, or of the dealer whose
own staff took the call (乙方接到用户的叫修: ``taken_by_dealer`` on the ``opened`` event, where the
dealer's 24-hour contract clock starts). The complaint opened inside the dealer's callback command was
stamped as a call the dealer's staff took: the same grievance about the same job was the dealer's when
its staff recorded the callback and the maker's when the office did, and the dealer's row counted a
complaint (its handling time, its resolution) the dealer never handled. A complaint is no 叫修 a dealer
takes: it is the centre's in both cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from test_seed002_readings_s24 import SH, _call, _repaired_and_accepted, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import GroupBy
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings


def test_a_complaint_opened_at_the_dealers_callback_is_the_centres_as_at_the_offices(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    for caller in (world.dealer_sh_staff, world.agent):
        job = _call(desk, world)
        _repaired_and_accepted(desk, world, job)
        clock.advance(timedelta(hours=2))
        desk.record_callback(caller, job, problem_back=False, satisfaction=1, attitude=1)
    complaints = [v for v in desk.ledger(world.manager).items if v.kind == "complaint"]
    assert len(complaints) == 2
    for complaint in complaints:  # who opened it is kept: the callback's recorder
        (opened,) = [e for e in complaint.events if e.action == "opened"]
        assert "taken_by_dealer" not in (opened.payload or {})
    assert {c.events[0].actor.role.value for c in complaints} == {"dealer_staff", "agent"}
    assert desk.calendar is not None
    april = month_period("2026-04", "Asia/Shanghai")
    report = kpi_report(
        reporting_for(desk.store), april, desk.calendar, group=GroupBy.SERVING_DEALER, as_of=clock.now()
    )
    rows = {row.group: row.counts for row in report.rows}
    # The dealer did the two repairs; the centre handles the two complaints.
    assert (rows["dealer-sh"].tickets, rows["dealer-sh"].complaints) == (2, 0)
    assert (rows[""].tickets, rows[""].complaints) == (2, 2)
    # The customer's dealer still groups all four (GroupBy.DEALER: the dealer's customers).
    by_customer = kpi_report(
        reporting_for(desk.store), april, desk.calendar, group=GroupBy.DEALER, as_of=clock.now()
    )
    assert {row.group: row.counts.complaints for row in by_customer.rows} == {"dealer-sh": 2}
