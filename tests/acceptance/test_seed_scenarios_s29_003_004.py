# mypy: disable-error-code="arg-type"
"""Seeds 003 and 004 walked again by a peer tester, session 29, on memory, SQLite and PostgreSQL.

Seed 004 第八条 2(6) 要求在投诉处理后的七天内进行回访, at edges earlier walks left: a handling in the small
hours of a month's last day (the Shanghai day, not the UTC one, starts the count), at midnight, on New
Year's Eve into the next year, a handling days after the complaint was opened (the seven days run from the
handling, not the call), the May Day holiday week with the KPI of the month, and an outcome the
customer rejects (no callback owed for it; the next handling owes seven days, across National Day).
Seed 004 第五条 1(6) 每月反馈: a month is the centre's (Shanghai) month — what happens at 07:00 on 1 April
(still 31 March in UTC) is April's on every store.
Seed 003 二 3 响应时效 on the 2026 working calendar's make-up days (Spring Festival, May Day, New Year).
Seed 003 二 5 客服专员在24小时内对客户进行回访: the callback is the agent's; the engineer who did the work
does not call his own customer back about it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import PermissionDenied
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _handled(desk: ServiceDesk, w: World, cid: str) -> None:
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换整机")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已更换整机, 客户接受")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_seven_days_count_shanghai_days_at_a_month_end_morning_midnight_and_new_years_eve(
    backend: str, tmp_path: Path
) -> None:
    # Handled at 07:30 on 31 March (still 30 March in UTC): the days are 1-7 April, due 8 April 00:00.
    # Handled at 00:00 on 9 March: the day of the handling is not counted, due 17 March 00:00.
    # Handled at 23:59 on 31 December 2026: the days are 1-7 January 2027, due 8 January 00:00.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        cases = [
            (_at(2026, 3, 9, 0, 0), _at(2026, 3, 17, 0, 0)),
            (_at(2026, 3, 31, 7, 30), _at(2026, 4, 8, 0, 0)),
            (_at(2026, 12, 31, 23, 59), _at(2027, 1, 8, 0, 0)),
        ]
        for handled_at, due in cases:
            clock.set(handled_at)
            cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
            _handled(desk, w, cid)
            assert desk.ticket(w.manager, cid).callback_due_at == due
            assert desk.sla(w.manager, cid)["callback"].due_at == due


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_seven_days_run_from_the_handling_not_from_the_call(backend: str, tmp_path: Path) -> None:
    # 投诉处理后的七天内: called in on Monday 2 March, handled on Monday 9 March at 10:00 — due 17 March
    # 00:00; on 12 March nothing is overdue, and the live SLA counts from the handling.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(2026, 3, 2, 9, 0))
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        desk.complaints.investigate(w.manager, cid)
        clock.set(_at(2026, 3, 6, 16, 0))
        desk.complaints.propose_solution(w.manager, cid, solution="上门更换整机")
        desk.complaints.agree_solution(w.manager, cid)
        clock.set(_at(2026, 3, 9, 10, 0))
        desk.complaints.give_feedback(w.manager, cid, outcome="已更换整机, 客户接受")
        assert desk.ticket(w.manager, cid).callback_due_at == _at(2026, 3, 17, 0, 0)
        clock.set(_at(2026, 3, 16, 23, 59))
        assert desk.callbacks.overdue(w.manager) == []
        status = desk.sla(w.manager, cid)["callback"]
        assert status.due_at == _at(2026, 3, 17, 0, 0) and not status.breached
        clock.set(_at(2026, 3, 17, 0, 1))
        assert [t.ticket_id for t in desk.callbacks.overdue(w.manager)] == [cid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_on_the_last_may_day_holiday_is_on_time_and_the_month_counts_it(
    backend: str, tmp_path: Path
) -> None:
    # Two complaints handled on Tuesday 28 April 2026: due 6 May 00:00 though 1-5 May is the holiday.
    # One called back on 5 May at 22:00 is on time, one on 6 May 09:00 (the first working day) is late;
    # April's KPI (the month of the complaints) says 1 of 2 on time, the live SLA says the same.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(2026, 4, 28, 10, 0))
        on_time = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        late = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器不点火").ticket.id
        for cid in (on_time, late):
            _handled(desk, w, cid)
            assert desk.ticket(w.manager, cid).callback_due_at == _at(2026, 5, 6, 0, 0)
        clock.set(_at(2026, 5, 5, 22, 0))
        desk.record_callback(w.agent, on_time, problem_back=False, satisfaction=5)
        clock.set(_at(2026, 5, 6, 9, 0))
        desk.record_callback(w.agent, late, problem_back=False, satisfaction=5)
        april = Period(_at(2026, 4, 1, 0), _at(2026, 5, 1, 0))
        counts = kpi_report(
            reporting_for(desk.store), april, desk.calendar, as_of=_at(2026, 6, 1, 9)
        ).total.counts
        assert (counts.callbacks_due, counts.callbacks_done, counts.callbacks_on_time) == (2, 2, 1)
        assert not desk.sla(w.manager, on_time)["callback"].breached
        assert desk.sla(w.manager, late)["callback"].breached


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_engineer_who_did_the_work_does_not_make_its_callback(backend: str, tmp_path: Path) -> None:
    # 二 5 客服专员在24小时内对客户进行回访: the junior engineer's own repair is called back by the agent;
    # his try is refused and nothing is recorded, the agent's is the callback.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2026, 3, 2, 10))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
        desk.start_work(w.junior, tid)
        clock.set(_at(2026, 3, 2, 11))
        desk.resolve(w.junior, tid, summary="清理搓纸轮")
        desk.confirm(w.junior, tid, channel="service_slip")
        with pytest.raises(PermissionDenied):
            desk.callbacks.record(
                w.junior, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5
            )
        assert desk.callbacks.records(w.manager, tid) == []
        clock.set(_at(2026, 3, 3, 10))
        desk.callbacks.record(w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5)
        assert len(desk.callbacks.records(w.manager, tid)) == 1
        assert not desk.sla(w.manager, tid)["callback"].breached


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_responses_working_hours_run_on_the_make_up_saturdays_of_spring_festival_and_may_day(
    backend: str, tmp_path: Path
) -> None:
    # 二 3 响应时效, counted on the 2026 working calendar (09:00-18:00, lunch 12:00-13:00 not counted):
    # a repair on Friday 13 February at 16:30 has 1.5 of its 4 working hours that day; Saturday 14
    # February is the Spring Festival make-up working day, due 11:30 — and its 3 working days to resolve
    # are the 14th, then 24 and 25 February after the holiday (15-23). An urgent call at 17:30 the same
    # Friday (expedited, 2 working hours) is due on the make-up Saturday at 10:30. A repair on Friday 8
    # May at 17:00 is due on the May Day make-up Saturday 9 May at 12:00. An inquiry on Friday 27
    # February at 11:30 runs to 12:00, skips lunch, due 16:30. Sunday 4 January (New Year's make-up):
    # 11:00 is due 16:00 that day.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        cases = [
            (
                _at(2026, 2, 13, 16, 30),
                Category.REPAIR,
                False,
                _at(2026, 2, 14, 11, 30),
                _at(2026, 2, 25, 16, 30),
            ),
            (
                _at(2026, 2, 13, 17, 30),
                Category.REPAIR,
                True,
                _at(2026, 2, 14, 10, 30),
                _at(2026, 2, 24, 17, 30),
            ),
            (_at(2026, 5, 8, 17, 0), Category.REPAIR, False, _at(2026, 5, 9, 12, 0), _at(2026, 5, 12, 17, 0)),
            (
                _at(2026, 2, 27, 11, 30),
                Category.INQUIRY,
                False,
                _at(2026, 2, 27, 16, 30),
                _at(2026, 3, 3, 11, 30),
            ),
            (_at(2026, 1, 4, 11, 0), Category.REPAIR, False, _at(2026, 1, 4, 16, 0), _at(2026, 1, 7, 11, 0)),
        ]
        tids = []
        for opened, category, urgent, response, resolution in cases:
            clock.set(opened)
            tid = desk.open_ticket(
                w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=category, urgent=urgent
            ).ticket.id
            tids.append(tid)
            status = desk.sla(w.manager, tid)
            assert (status["response"].due_at, status["resolution"].due_at) == (response, resolution)
        # Answered on the make-up Saturday at 11:30 exactly, the first repair's response is on time; the
        # urgent one, not answered by 10:30 that Saturday, is late.
        clock.set(_at(2026, 2, 14, 11, 30))
        desk.contact_customer(w.agent, tids[0], note="已联系客户，节后上门")
        assert not desk.sla(w.manager, tids[0])["response"].breached
        assert desk.sla(w.manager, tids[1])["response"].breached


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_months_feedback_is_the_centres_month_not_the_utc_one(backend: str, tmp_path: Path) -> None:
    # 第五条 1(6) 收集…外部质量信息及用户意见, 每月反馈: a complaint received on 25 March, handled; on 1 April
    # at 07:00 Shanghai (23:00 on 31 March in UTC) a second complaint comes in, the first is called back
    # with a score of 1, and an engineer records a problem found on a unit called in at that hour. March
    # has one complaint and nothing else; April has the second complaint, the callback with its low score
    # and the problem — on memory, SQLite and PostgreSQL alike.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(2026, 3, 25, 10, 0))
        first = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        _handled(desk, w, first)
        desk.register_asset(
            w.manager,
            Asset(
                AssetId("unit-001"),
                w.product.id,
                "SN-unit-001",
                customer_id=w.cust_zh.id,
                batch="B-2025-09",
                purchase_date=date(2025, 9, 1),
                installation_accepted_on=date(2025, 9, 3),
                dealer_id=w.dealer_sh.id,
            ),
        )
        clock.set(_at(2026, 4, 1, 7, 0))
        second = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器不点火").ticket.id
        desk.callbacks.record(
            w.agent,
            first,
            checklist=CallbackChecklist(product_works=True),
            problem_back=False,
            satisfaction=1,
        )
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="水箱密封圈渗漏", asset_id="unit-001"
        ).ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.add_fault_record(w.junior, tid, symptom="leak", cause="seal_defect", action="replace_seal")
        march = desk.feedback.facts(w.general_manager, "2026-03")
        april = desk.feedback.facts(w.general_manager, "2026-04")
        assert [c.complaint_id for c in march.complaints] == [first]
        assert (march.callbacks_made, march.low_scores, march.problems) == (0, 0, 0)
        assert [c.complaint_id for c in april.complaints] == [second]
        assert (april.callbacks_made, april.low_scores, april.problems) == (1, 1, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_outcome_the_customer_rejects_owes_no_callback_and_the_next_handling_owes_seven_days(
    backend: str, tmp_path: Path
) -> None:
    # 投诉处理后的七天内进行回访: handled on Friday 25 September (due 3 October), the customer rejects the
    # outcome on the 28th — no callback is owed for it; handled again on 30 September at 20:00, the seven
    # days are 1-7 October (the National Day week), due 8 October 00:00. Called back on 7 October at 23:00:
    # on time, and September's KPI counts one callback due and one on time, not two.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(2026, 9, 25, 10, 0))
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        _handled(desk, w, cid)
        assert desk.ticket(w.manager, cid).callback_due_at == _at(2026, 10, 3, 0, 0)
        clock.set(_at(2026, 9, 28, 10, 0))
        desk.complaints.reject_outcome(w.customer_zh, cid, reason="还是漏水")
        assert desk.ticket(w.manager, cid).callback_due_at is None
        assert desk.callbacks.pending(w.manager) == []
        desk.complaints.propose_solution(w.manager, cid, solution="退货退款")
        desk.complaints.agree_solution(w.manager, cid)
        clock.set(_at(2026, 9, 30, 20, 0))
        desk.complaints.give_feedback(w.manager, cid, outcome="已退货退款")
        assert [t.due_at for t in desk.callbacks.pending(w.manager)] == [_at(2026, 10, 8, 0, 0)]
        clock.set(_at(2026, 10, 7, 23, 0))
        assert desk.callbacks.overdue(w.manager) == []
        desk.record_callback(w.agent, cid, problem_back=False, satisfaction=4)
        assert not desk.sla(w.manager, cid)["callback"].breached
        september = Period(_at(2026, 9, 1, 0), _at(2026, 10, 1, 0))
        counts = kpi_report(
            reporting_for(desk.store), september, desk.calendar, as_of=_at(2026, 10, 9, 9)
        ).total.counts
        assert (counts.callbacks_due, counts.callbacks_done, counts.callbacks_on_time) == (1, 1, 1)
