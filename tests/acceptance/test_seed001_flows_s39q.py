# mypy: disable-error-code="arg-type"
"""Seed 001's flows end to end on the real 2026 calendar, by a peer tester (session 39, q).

Through the public API only, on memory, SQLite and PostgreSQL, in the world of a company serving its own
customers (``seed_s33h_world``): National Day 2026 is 1–7 October off, Saturday 10 October a make-up
working day; working hours 09:00–12:00 and 13:00–18:00. One test per flow: a show's system down on the
night before the holiday (三(二)2 立即标记, 五(一)2 [X]分钟内与客户取得联系, 二(二)1 售后经理协调, a
reassignment, 三(六)1 the result told to the specialist, 三(七)1 the survey owed) with a complaint made on
the make-up Saturday (四(三)); and an exhibitor's request from booking to the callback and back (五(一)1,
五(二)1, 三(五)1 定期反馈 across the holiday, a reopen after the callback, 六(二) the month's figures).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, company

from aftersales import Channel, Priority, Severity, ValidationError
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.complaints import ComplaintSubject
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import scoped_kpi_report
from conftest import SHANGHAI

EXHIBITION = "exhibition_services"


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_shows_system_down_on_national_days_eve_is_contacted_coordinated_once_and_surveyed(
    backend: str, tmp_path: Path
) -> None:
    """An urgent call at 23:50 on 30 September: the contact is due 30 minutes later, past midnight on the
    holiday; the show's system down is critical, one working day: 8 October 18:00. The after-sales manager
    is told once that the problem is theirs to coordinate: the reassignment to a nearer engineer an hour
    later is no new escalation (session 39: they were told again, "已升级至售后经理"). The work done is told
    to the specialists and the manager; the important customer's callback owes the survey. A complaint about
    the staff's attitude on the make-up Saturday's lunch break is answered within 2 hours of the clock and
    handled within 2 working days (Tuesday 13 October, 12:00), the manager told."""
    with company(backend, tmp_path, EXHIBITION) as co:
        desk, clock = co.desk, co.clock
        clock.set(_at(9, 30, 23, 50))
        tid = desk.open_ticket(
            co.agent, customer_id=co.important_id, description="展馆签到系统全部宕机", urgent=True,
            channel=Channel.PHONE,
        ).ticket.id  # fmt: skip
        ticket = desk.triage(
            co.agent, tid, nature="system_down", severity=Severity.HIGH, production_stopped=True
        ).ticket
        assert ticket.priority is Priority.CRITICAL
        assert (ticket.response_due_at, ticket.resolution_due_at) == (_at(10, 1, 0, 20), _at(10, 8, 18))
        clock.set(_at(10, 1, 0, 10))
        desk.contact_customer(co.agent, tid, note="已联系现场, 工程师赶往展馆")
        desk.dispatch(co.agent, tid, engineer_id="eng-jr")
        clock.set(_at(10, 1, 1))
        desk.dispatch(co.agent, tid, engineer_id="eng-sr", reason="王工离展馆更近")
        desk.start_work(co.senior, tid)
        clock.set(_at(10, 1, 3))
        desk.resolve(co.senior, tid, summary="更换交换机, 签到恢复, 已测试")
        told = co.sent_to("manager@venus.example")
        assert sum(m.startswith(f"工单 {tid} 已升级至售后经理") for m in told) == 1
        assert any(m.startswith(f"【特急】工单 {tid}：已处理完毕") for m in told)
        assert any(f"工单 {tid}：已处理完毕" in m for m in co.sent_to("callcentre@venus.example"))
        assert any("已改派他人" in m for m in co.sent_to("13700000001"))
        clock.set(_at(10, 1, 8))
        desk.confirm(co.agent, tid, channel=Channel.PHONE, note="客户电话确认签到恢复")
        states = {t.target.name: t.state.value for t in desk.sla(co.manager, tid).targets}
        assert (states["response"], states["resolution"]) == ("met", "met")
        with pytest.raises(ValidationError) as refused:
            desk.record_callback(co.agent, tid, problem_back=False, satisfaction=5)
        assert refused.value.field == "attitude"

        clock.set(_at(10, 10, 12, 30))
        complaint = desk.complaints.open_complaint(
            co.agent, co.important_id, "展会现场服务人员态度恶劣", subject=ComplaintSubject.SERVICE_QUALITY,
            channel=Channel.PHONE,
        ).ticket  # fmt: skip
        assert complaint.priority is Priority.EXPEDITED
        assert (complaint.response_due_at, complaint.resolution_due_at) == (
            _at(10, 10, 14, 30),
            _at(10, 13, 12),
        )
        assert any(complaint.id in m for m in co.sent_to("manager@venus.example"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_exhibitors_request_before_the_holiday_is_followed_through_it_and_its_late_repair_stays_late(
    backend: str, tmp_path: Path
) -> None:
    """Called in on 30 September at 17:30: answered by 21:30 (4 hours of the clock), handled within three
    working days — half an hour that evening, 8 and 9 October and the make-up Saturday: 10 October 17:30.
    Silent since 17:40, the specialists are reminded at the end of each working day of silence (8, 9 and
    10 October), never on the holiday. Repaired on Monday 12 October, late, and not right by the customer's
    word; repaired again, surveyed, found back on 30 October and repaired in time: the specialists are
    reminded a working day after the customer's word each time, not at once; September's figures count
    the request answered in time and its repair late, and the second acceptance owes a survey again."""
    with company(backend, tmp_path, EXHIBITION) as co:
        desk, clock = co.desk, co.clock
        clock.set(_at(9, 30, 17, 30))
        tid = desk.open_ticket(
            co.agent, customer_id=co.important_id, description="展位大屏无信号", channel=Channel.PHONE
        ).ticket.id
        ticket = desk.triage(co.agent, tid, nature="screen", severity=Severity.MEDIUM).ticket
        assert (ticket.response_due_at, ticket.resolution_due_at) == (_at(9, 30, 21, 30), _at(10, 10, 17, 30))
        clock.set(_at(9, 30, 17, 40))
        desk.dispatch(co.agent, tid, engineer_id="eng-jr")
        desk.contact_customer(co.agent, tid, note="节后第一个工作日上门")
        ran = []
        for month, day, hour in (
            (10, 1, 18),
            (10, 7, 18),
            (10, 8, 17),
            (10, 8, 18),
            (10, 9, 18),
            (10, 10, 18),
        ):
            clock.set(_at(month, day, hour))
            ran.append(desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"])
        assert ran == [0, 0, 0, 1, 1, 1]

        def reminded(month: int, day: int, hour: int, minute: int = 0) -> int:
            clock.set(_at(month, day, hour, minute))
            counts: dict[str, int] = desk.jobs.run_due(only=("progress_updates",)).counts
            return counts["progress_updates"]

        clock.set(_at(10, 12, 9, 30))
        desk.start_work(co.junior, tid)
        desk.resolve(co.junior, tid, summary="更换信号线")  # told to the customer: news
        # The customer says it is not right two days later: handled again from their word, not a silence
        # of the two days it awaited their confirmation (session 39: the specialists were reminded at once).
        clock.set(_at(10, 14, 10))
        desk.reject(co.important, tid, reason="大屏仍有雪花")
        assert [reminded(10, 14, 10, 30), reminded(10, 15, 9, 59), reminded(10, 15, 10)] == [0, 0, 1]
        desk.start_work(co.junior, tid)
        desk.resolve(co.junior, tid, summary="更换信号分配器")
        desk.confirm(co.agent, tid, channel=Channel.PHONE, note="客户确认")
        clock.set(_at(10, 16, 9))
        desk.record_callback(co.agent, tid, problem_back=False, satisfaction=5, attitude=5)
        # Found back on Friday 30 October at 10:00: watched again from the customer's call, the weeks the
        # job stood accepted are no silence; a working day later (Monday 10:00) the specialists are told.
        clock.set(_at(10, 30, 10))
        desk.reopen(co.agent, tid, reason="大屏又无信号")
        assert [reminded(10, 30, 10, 30), reminded(11, 2, 9, 59), reminded(11, 2, 10)] == [0, 0, 1]
        clock.set(_at(11, 2, 11))
        desk.start_work(co.junior, tid)
        desk.resolve(co.junior, tid, summary="更换主板")
        desk.confirm(co.agent, tid, channel=Channel.PHONE, note="客户确认")
        assert {t.target.name: t.state.value for t in desk.sla(co.manager, tid).targets}[
            "resolution"
        ] == "met"
        with pytest.raises(ValidationError) as refused:
            desk.record_callback(co.agent, tid, problem_back=False, satisfaction=4)
        assert refused.value.field == "attitude"

        september = Period(_at(9, 1, 0), _at(10, 1, 0))
        row = scoped_kpi_report(
            desk, co.manager, reporting_for(desk.store), september, as_of=_at(11, 3, 0)
        ).total
        assert (row.counts.tickets, row.counts.resolved, row.counts.rework_tickets) == (1, 1, 1)
        assert (row.response_met, row.response_on_time_rate) == (1, 1)
        assert (row.resolution_met, row.resolution.count, row.resolution_on_time_rate) == (0, 1, 0)
