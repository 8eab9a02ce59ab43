# mypy: disable-error-code="arg-type"
"""Seed 001 (会展服务售后管理制度) played as a host runs it, at the edges of its numbers, on memory, SQLite
and PostgreSQL: the exhibition-services pack fills the seed's ``[X]`` (docs/packs/exhibition_services.md).

五(一)1 对于客户反馈的问题,售后专员应在[X]小时内做出响应 — 4 working hours (normal), met exactly at the limit,
missed a minute after, across the lunch break; 五(一)2 对于紧急问题,售后专员应立即响应,并在[X]分钟内与客户
取得联系 — 30 wall-clock minutes, on a public-holiday night too; 五(二)1 一般售后问题应在[X]个工作日内处理完毕
— 3 working days skipping the Labour Day week and counting its make-up Saturday; 六(二) the four assessed
indicators counted as the seed defines them, and the sweep's breach escalating to the 售后经理 only once the
limit is really past.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Priority, Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.targets import kpi_goals
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
APRIL_MAY = Period(datetime(2026, 4, 1, tzinfo=SHANGHAI), datetime(2026, 6, 1, tzinfo=SHANGHAI))
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
MANAGER = "manager@venus.example"


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "exhibition_services")


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _sla_kinds(notifier: MemoryNotifier, recipient: str, ticket_id: str) -> list[str]:
    # An SLA notice's key: "<ticket>:sla:<target>:<kind>:<audience>:<digest>".
    keys = [m.idempotency_key.split(":") for m in notifier.to(recipient)]
    return [k[3] for k in keys if k[0] == ticket_id and k[1] == "sla"]


def _problem(desk: ServiceDesk, world: World, description: str, *, urgent: bool = False) -> str:
    return desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description=description, urgent=urgent
    ).ticket.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_response_due_after_the_lunch_break_is_met_at_its_limit_and_missed_a_minute_later(
    backend: str, tmp_path: Path
) -> None:
    # 五(一)1: [X]小时内做出响应 — 4 hours. Two problems called in on Monday 27 April at 11:30: plain hours
    # run through the lunch break (session 34: the pack counted working hours, due 16:30): both due at
    # 15:30. The one answered at 15:30 is on time; the other, answered at 15:31, is late — the sweep says
    # nothing at 15:30 and tells the 售后经理 of the breach at 15:31. 六(二)3 响应及时率 is one of two,
    # below the pack's goal.
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        clock.set(_at(4, 27, 11, 30))
        on_time, late = _problem(desk, world, "展位射灯不亮"), _problem(desk, world, "展位插座无电")
        for tid in (on_time, late):
            assert desk.sla(world.manager, tid)["response"].due_at == _at(4, 27, 15, 30)
        clock.set(_at(4, 27, 15, 30))
        swept = desk.sla_watch.sweep(world.system)
        assert f"{late}:response" not in swept.breaches
        desk.contact_customer(world.agent, on_time, note="已回复, 电工半小时内到展位")
        clock.advance(timedelta(minutes=1))
        assert f"{late}:response" in desk.sla_watch.sweep(world.system).breaches
        desk.contact_customer(world.agent, late, note="已回复, 电工一小时内到展位")
        assert desk.sla(world.manager, on_time)["response"].met_at == _at(4, 27, 15, 30)
        assert not desk.sla(world.manager, on_time)["response"].breached
        assert desk.sla(world.manager, late)["response"].breached
        desk.deliver()
        assert _sla_kinds(notifier, MANAGER, on_time) == ["sla_warning"]
        assert _sla_kinds(notifier, MANAGER, late) == ["sla_warning", "sla_breach"]
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), APRIL_MAY, desk.calendar, as_of=clock.now()).total
        assert (total.response_met, total.response.count, total.response_on_time_rate) == (
            1,
            2,
            Decimal("0.5"),
        )
        assert kpi_goals("exhibition_services").passed("response_on_time_rate", total) is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_urgent_call_on_labour_day_night_is_contacted_within_thirty_wall_clock_minutes(
    backend: str, tmp_path: Path
) -> None:
    # 五(一)2: 紧急问题 … 立即响应, 并在[X]分钟内与客户取得联系 — 30 minutes of the clock, whatever the day:
    # Friday 1 May 2026 (劳动节) at 22:00 is no working time, and the contact is still due at 22:30. A call
    # contacted at 22:30 is on time; one called in at 22:05 and not contacted by 22:35 is breached at 22:36,
    # not before, and the 售后经理 hears of it. Its repair still counts in working days: 2 for an expedited
    # problem (三(二)2 优先处理), from the first working morning after the holiday (Wednesday 6 May).
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        clock.set(_at(5, 1, 22, 0))
        first = _problem(desk, world, "明早开展, 展台大屏无信号", urgent=True)
        clock.set(_at(5, 1, 22, 5))
        second = _problem(desk, world, "明早开展, 展台灯箱全灭", urgent=True)
        view = desk.ticket(world.manager, second)
        assert (view.urgent, view.priority) == (True, Priority.EXPEDITED)
        status = desk.sla(world.manager, second)
        assert status["response"].due_at == _at(5, 1, 22, 35)
        assert status["resolution"].due_at == _at(5, 7, 18, 0)  # Wed 6 and Thu 7 May, 8 working hours each
        clock.set(_at(5, 1, 22, 30))
        desk.contact_customer(world.agent, first, note="已联系, 值班技术员赶往展馆")
        assert desk.sla(world.manager, first)["response"].met_at == _at(5, 1, 22, 30)
        assert not desk.sla(world.manager, first)["response"].breached
        clock.set(_at(5, 1, 22, 35))
        assert f"{second}:response" not in desk.sla_watch.sweep(world.system).breaches
        clock.advance(timedelta(minutes=1))
        assert f"{second}:response" in desk.sla_watch.sweep(world.system).breaches
        desk.deliver()
        assert "sla_breach" in _sla_kinds(notifier, MANAGER, second)
        assert "sla_breach" not in _sla_kinds(notifier, MANAGER, first)


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_working_days_skip_the_labour_day_week_and_count_its_make_up_saturday(
    backend: str, tmp_path: Path
) -> None:
    # 五(二)1: 一般售后问题应在[X]个工作日内处理完毕 — 3 working days (24 working hours, the pack's reading).
    # Called in on Thursday 30 April 10:00: 7 hours that day, 1-5 May off, Wednesday 6 and Thursday 7 May,
    # then one hour on Friday 8 May: due Friday 10:00. Called in on Friday 8 May 16:00: the make-up working
    # Saturday 9 May (调休上班) counts with its lunch break — the repair is due Tuesday 12 May 16:00; the
    # 4-hour response, plain hours (session 34; Saturday 11:00 in working hours before), Friday 20:00. A
    # repair done at exactly its due is on time; one a minute later is late, and the KPI's resolution
    # on-time rate says so (处理完毕 is the work done, 三(六): session 36; the acceptance was timed before).
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(4, 30, 10, 0))
        before_holiday = _problem(desk, world, "展台中控面板失灵")
        desk.triage(world.agent, before_holiday, nature="control_panel", severity=Severity.MEDIUM)
        assert desk.sla(world.manager, before_holiday)["resolution"].due_at == _at(5, 8, 10, 0)

        def repaired(tid: str) -> None:
            desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
            desk.start_work(world.senior, tid)
            desk.resolve(world.senior, tid, summary="已修复, 已测试")

        clock.set(_at(5, 8, 10, 0))
        repaired(before_holiday)
        desk.confirm(world.customer_zh, before_holiday)
        clock.set(_at(5, 8, 16, 0))
        friday = _problem(desk, world, "展台音响有杂音")
        desk.triage(world.agent, friday, nature="audio", severity=Severity.MEDIUM)
        status = desk.sla(world.manager, friday)
        assert status["response"].due_at == _at(5, 8, 20, 0)
        assert status["resolution"].due_at == _at(5, 12, 16, 0)
        clock.set(_at(5, 12, 16, 1))
        repaired(friday)
        desk.confirm(world.customer_zh, friday)
        assert not desk.sla(world.manager, before_holiday)["resolution"].breached
        assert desk.sla(world.manager, friday)["resolution"].breached
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), APRIL_MAY, desk.calendar, as_of=clock.now()).total
        assert (total.resolution_met, total.resolution.count) == (1, 2)
        assert total.resolution_on_time_rate == Decimal("0.5")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_four_assessed_indicators_count_what_the_seed_names(backend: str, tmp_path: Path) -> None:
    # 六(二): 1.客户满意度 (the customers' evaluations: a 5 and a 3 — one of two satisfied); 2.问题解决率 —
    # 售后问题得到有效解决的比例: complaints are after-sales problems too (四(三)); a problem the customer
    # withdrew is no problem left to solve, one still open is not solved; 4.投诉处理成功率 — 客户投诉得到妥善
    # 处理的比例: a complaint whose outcome the customer rejected (四(三): 处理结果应得到客户认可) is not
    # handled, and a withdrawn complaint is in neither part.
    with _desk(backend, tmp_path) as (desk, clock, world, _):

        def accepted_and_called_back(score: int) -> str:
            tid = _problem(desk, world, "展位网络中断")
            desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
            desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
            desk.start_work(world.senior, tid)
            desk.resolve(world.senior, tid, summary="更换交换机")
            desk.confirm(world.customer_zh, tid, channel="phone")
            desk.record_callback(world.agent, tid, problem_back=False, satisfaction=score)
            return tid

        accepted_and_called_back(5)
        accepted_and_called_back(3)
        _problem(desk, world, "展位地毯破损")  # still open
        withdrawn = _problem(desk, world, "展位需加装插座")
        desk.cancel(world.agent, withdrawn, reason="客户撤回需求")
        complaints = desk.complaints

        def handled(text: str) -> str:
            cid = complaints.open_complaint(world.agent, world.cust_zh.id, text).ticket.id
            complaints.investigate(world.manager, cid)
            complaints.propose_solution(world.manager, cid, solution="道歉并整改")
            complaints.agree_solution(world.customer_zh, cid)
            complaints.give_feedback(world.manager, cid, outcome="已整改")
            return cid

        handled("现场人员态度差")
        rejected = handled("展台未按合同搭建")
        complaints.reject_outcome(world.customer_zh, rejected, reason="整改不到位")
        dropped = complaints.open_complaint(world.agent, world.cust_zh.id, "布展延误").ticket.id
        complaints.withdraw(world.customer_zh, dropped, reason="已与主办方协商")
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        counts = total.counts
        assert (counts.rated, counts.satisfied, total.satisfaction_rate) == (2, 1, Decimal("0.5"))
        # Solved: the two repairs and the accepted complaint, of the five problems not withdrawn.
        assert (counts.tickets, counts.cancelled, counts.resolved) == (7, 2, 3)
        assert total.resolution_rate == Decimal("0.6")
        assert (counts.complaints, counts.complaints_cancelled, counts.complaints_resolved) == (3, 1, 1)
        assert total.complaint_resolution_rate == Decimal("0.5")
        goals = kpi_goals("exhibition_services")
        assert goals.passed("satisfaction_rate", total) is False
        assert goals.passed("complaint_resolution_rate", total) is False
