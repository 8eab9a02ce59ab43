# mypy: disable-error-code="arg-type"
"""Each engineer's KPIs credited indicator by indicator, session 28 e, on memory, SQLite and PostgreSQL,
with the office-equipment pack.

Seed 003 三 2 绩效考核: 以客户满意度、响应速度、问题解决率、服务规范性等为核心指标…将考核结果与薪酬、晋升挂钩
(seed 001 六: appraised monthly). The KPI report grouped by assignee gives every figure of a ticket to
whoever holds it now: a junior who let the response run late, and a junior whose repair came back and
was redone by a senior, left both to the senior — the late response, the rework, and none of the first
repair to the junior. ``engineer_kpis`` credits the response and resolution verdicts to who held the
ticket when each was settled (at the answer in time, else when the due time passed), the first-time fix
to who did the first repair, the rework to whose work was sent back, the satisfaction to who held the
ticket at the callback that scored it, the outcome (resolution rate) to who resolved it. Its drill-down
lists the tickets behind every figure, the rows are counted from it, and the desk's total is the KPI
report's, each ticket once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import PermissionDenied
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports import engineer_kpis, kpi_report, scoped_engineer_kpis
from aftersales.reports.engineer_kpi import EngineerKpiReport
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
READ_AT = datetime(2026, 4, 2, 9, tzinfo=SHANGHAI)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def _opened(desk: ServiceDesk, w: World, what: str) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description=what, category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    return tid


def _late_response_passed_on(desk: ServiceDesk, clock: object, w: World) -> str:
    """The junior lets the response run past its due; the manager passes the ticket to the senior, who calls
    the customer (late) and fixes it in one visit; the customer scores it 5."""
    clock.set(_at(2, 10))  # type: ignore[attr-defined]
    tid = _opened(desk, w, "复印机不开机")
    due = desk.ticket(w.manager, tid).response_due_at
    assert due is not None
    clock.set(due + timedelta(hours=1))  # type: ignore[attr-defined]
    desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="初级工程师未及时响应")
    desk.contact_customer(w.senior, tid, note="今日上门")
    desk.start_work(w.senior, tid)
    desk.resolve(w.senior, tid, summary="更换电源板")
    desk.confirm(w.senior, tid, channel="service_slip")
    desk.callbacks.record(
        w.agent, tid, checklist=CallbackChecklist(product_works=True), problem_back=False, satisfaction=5
    )
    return tid


def _rework_redone(desk: ServiceDesk, clock: object, w: World) -> str:
    """The junior answers in time and repairs; the callback finds the problem back (scored 2); the senior
    redoes the repair; the next callback scores it 4."""
    clock.set(_at(9, 10))  # type: ignore[attr-defined]
    tid = _opened(desk, w, "复印机卡纸")
    desk.contact_customer(w.junior, tid, note="今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="清理搓纸轮")
    desk.confirm(w.junior, tid, channel="service_slip")
    clock.set(_at(10, 10))  # type: ignore[attr-defined]
    desk.callbacks.record(
        w.agent, tid, checklist=CallbackChecklist(product_works=False), problem_back=True, satisfaction=2
    )
    clock.set(_at(10, 11))  # type: ignore[attr-defined]
    desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="返修由资深工程师处理")
    desk.start_work(w.senior, tid)
    desk.resolve(w.senior, tid, summary="更换搓纸轮")
    desk.confirm(w.senior, tid, channel="service_slip")
    clock.set(_at(11, 10))  # type: ignore[attr-defined]
    desk.callbacks.record(
        w.agent, tid, checklist=CallbackChecklist(product_works=True), problem_back=False, satisfaction=4
    )
    return tid


def _agree(report: EngineerKpiReport) -> None:
    """Every row is counted from its drill-down, and the rows share out the desk's total, each ticket once."""
    for row in report.rows:
        d = report.tickets(row.engineer_id)
        figures = (row.tickets, row.resolved, row.first_repairs, row.first_time_fixed, row.reworks, row.rated)
        assert figures == (
            len(d.tickets), len(d.resolved), len(d.first_repairs), len(d.first_time_fixed), len(d.reworks),
            len(d.rated),
        )  # fmt: skip
        assert (row.response.count, row.response_met, row.response_missed) == (
            len(d.response_met) + len(d.response_late), len(d.response_met), len(d.response_missed),
        )  # fmt: skip
        assert (row.resolution.count, row.resolution_met) == (
            len(d.resolution_met) + len(d.resolution_late), len(d.resolution_met),
        )  # fmt: skip
    t, rows = report.total, report.rows
    assert sum(r.tickets for r in rows) == t.counts.tickets
    assert sum(r.resolved for r in rows) == sum(r.first_repairs for r in rows) == t.counts.resolved
    assert sum(r.first_time_fixed for r in rows) == t.counts.first_time_fixed
    assert sum(r.reworks for r in rows) == t.rework_count
    assert sum(r.rated for r in rows) == t.counts.rated
    assert sum(r.satisfied for r in rows) == t.counts.satisfied
    assert sum(r.response.count for r in rows) == t.response.count
    assert sum(r.response_met for r in rows) == t.response_met
    assert sum(r.resolution.count for r in rows) == t.resolution.count
    assert sum(r.resolution_met for r in rows) == t.resolution_met


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_indicator_counts_for_the_engineer_whose_work_it_judges(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        late = _late_response_passed_on(desk, clock, w)
        redone = _rework_redone(desk, clock, w)
        clock.set(READ_AT)
        calendar = desk.calendar
        assert calendar is not None
        report = engineer_kpis(desk.store, MARCH, calendar, as_of=READ_AT, sla=desk.policies.sla)
        junior, senior = report.tickets(w.eng_junior.id), report.tickets(w.eng_senior.id)
        # The junior: the late response (the due passed in its hands), the response in time, the first
        # repair that was not a first-time fix, the rework that sent it back; no outcome, no score.
        assert (junior.response_late, junior.response_met, junior.response_missed) == ((late,), (redone,), ())
        assert (junior.first_repairs, junior.first_time_fixed, junior.reworks) == ((redone,), (), (redone,))
        assert (junior.tickets, junior.rated) == ((), ())
        # The senior: both outcomes, both resolutions, the first repair of the one it fixed first time,
        # both scores (the 2 of the callback that found the junior's repair undone is the junior's ticket
        # state then, but the last score — the senior's 4 — is the one the KPI reads).
        assert (senior.tickets, senior.resolved) == ((late, redone), (late, redone))
        assert (senior.response_met, senior.response_late) == ((), ())
        assert senior.first_repairs == senior.first_time_fixed == (late,)
        assert (senior.reworks, senior.rated, senior.satisfied) == ((), (late, redone), (late, redone))
        assert sorted(senior.resolution_met + senior.resolution_late) == sorted((late, redone))
        rows = {r.engineer_id: r for r in report.rows}
        # The complaint the score of 2 opened is the centre's, held by no engineer.
        assert set(rows) == {"", w.eng_junior.id, w.eng_senior.id}
        (complaint,) = report.tickets("").tickets
        assert desk.ticket(w.manager, complaint).kind.value == "complaint"
        jr, sr = rows[w.eng_junior.id], rows[w.eng_senior.id]
        assert (jr.first_time_fix_rate, sr.first_time_fix_rate) == (0, 1)
        assert (jr.response_on_time_rate, sr.response_on_time_rate) == (Decimal("0.5"), None)
        _agree(report)
        # The desk's total is the KPI report's, each ticket once, on this store's own report rows.
        queries, sla = reporting_for(desk.store), desk.policies.sla
        store_total = kpi_report(queries, MARCH, calendar, group=GroupBy.ALL, as_of=READ_AT, sla=sla).total
        assert report.total == store_total
        # Whereas by assignee (the workload) every figure is the senior's.
        by_holder = kpi_report(queries, MARCH, calendar, group=GroupBy.ENGINEER, as_of=READ_AT, sla=sla)
        assert [r.group for r in by_holder.rows] == ["", w.eng_senior.id]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_appraisal_is_the_appraisers(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _rework_redone(desk, clock, w)
        seen = scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT)
        _agree(seen)
        assert [r.engineer_id for r in seen.rows] == sorted(["", w.eng_junior.id, w.eng_senior.id])
        for nobody in (w.junior, w.agent):
            with pytest.raises(PermissionDenied):
                scoped_engineer_kpis(desk, nobody, MARCH)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_contact_entered_after_the_fact_counts_for_the_hands_it_was_made_in(
    backend: str, tmp_path: Path
) -> None:
    # The junior phoned the customer at 10:30, in time, without logging it; the ticket went to the senior at
    # 11:00; the agent enters the junior's call afterwards (contact_customer(at=), seed 001 沟通时间). The
    # response, the earliest contact by when it was made (session 27), is the junior's, on time, as desk.sla()
    # measures it; the senior holds the outcome.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _opened(desk, w, "复印机不开机")
        clock.set(_at(2, 11))
        desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="资深工程师接手")
        clock.set(_at(2, 11) + timedelta(minutes=30))
        desk.contact_customer(
            w.agent, tid, note="初级工程师 10:30 已电话联系客户", at=_at(2, 10) + timedelta(minutes=30)
        )
        met = desk.sla(w.manager, tid)["response"].met_at
        assert met == _at(2, 10) + timedelta(minutes=30)
        calendar = desk.calendar
        assert calendar is not None
        report = engineer_kpis(desk.store, MARCH, calendar, as_of=READ_AT, sla=desk.policies.sla)
        assert report.tickets(w.eng_junior.id).response_met == (tid,)
        assert report.tickets(w.eng_senior.id).response_met == ()
        assert report.tickets(w.eng_senior.id).tickets == (tid,)
        _agree(report)
