# mypy: disable-error-code="arg-type"
"""Seed 001 (会展服务售后管理制度) walked clause by clause by a peer tester, session 31, on memory,
SQLite and PostgreSQL, with the ``exhibition_services`` pack the library ships for it.

Each test is named after the clause it checks and writes the scenario a peer holding only the seed and
the public API would write: the numbers the pack gives the seed's blanks (hours, minutes, working days),
the order of the steps, who may take each, and what the reports show afterwards. The rule matrix is
docs/rules/seed-001.md.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Channel, Priority, Severity
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import CustomerTier
from aftersales.errors import InvalidTransition, NotFound, OutOfBounds, PermissionDenied, ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports.html import render_page
from aftersales.reports.kpi import kpi_report
from aftersales.reports.labels import report_labels
from aftersales.reports.pages import document_for
from aftersales.reports.render import to_markdown, to_text
from aftersales.reports.staff_kpi import scoped_agent_kpis
from aftersales.reports.targets import kpi_goals
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
MANAGER_MAIL = "manager@venus.example"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2026 in Shanghai (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "exhibition_services")


def _open(desk: ServiceDesk, w: World, description: str = "展位网络断开", **kw: object) -> str:
    return desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=description, **kw).ticket.id


# -- 二(二)2 / 三(四)1: the specialist assigns -----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_2_2_and_3_4_1_the_specialist_assigns_the_problem_not_the_engineer_nor_the_customer(
    backend: str, tmp_path: Path
) -> None:
    # 售后专员负责接收客户反馈的问题, 记录详细信息, 并及时分配给相关人员处理; 三(四)1 根据问题评估结果,
    # 售后专员将问题分配给相应的技术支持人员: the engineer does not assign work to themselves, the customer
    # does not pick its engineer; either is refused and nothing is written. The specialist's assignment
    # is recorded with who made it.
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        tid = _open(desk, w)
        desk.triage(w.agent, tid, nature="network", severity=Severity.MEDIUM)
        before = len(desk.ticket(w.manager, tid).events)
        for actor in (w.senior, w.customer_zh):
            with pytest.raises((PermissionDenied, NotFound)):
                desk.dispatch(actor, tid, engineer_id=w.eng_senior.id)
        assert len(desk.ticket(w.manager, tid).events) == before
        assert desk.ticket(w.manager, tid).state == "triaged"
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
        assigned = desk.ticket(w.manager, tid)
        assert assigned.events[-1].actor == w.agent.ref
        assert assigned.state == "assigned"


# -- 三(一)1: the four feedback channels -------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_3_1_1_phone_mail_online_service_and_letters_are_recorded_with_their_channel(
    backend: str, tmp_path: Path
) -> None:
    # 客户通过电话、邮件、在线客服平台、书面信函等方式向公司反馈: each request keeps the way it came, and
    # the customer's archive lists it (二(二)4 建立客户服务档案).
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        channels = (Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.LETTER_FAX)
        ids = {channel: _open(desk, w, f"展位问题 {channel.value}", channel=channel) for channel in channels}
        for channel, tid in ids.items():
            assert desk.ticket(w.manager, tid).channel is channel
        contacts = desk.archives.customer_archive(w.manager, w.cust_zh.id).contacts
        kept = {(c.ticket_id, c.channel) for c in contacts if c.kind == "request"}
        assert kept == {(tid, channel.value) for channel, tid in ids.items()}


# -- 五(一)1: [X] hours to respond --------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_5_1_1_the_specialist_responds_within_the_grades_hours(backend: str, tmp_path: Path) -> None:
    # 对于客户反馈的问题, 售后专员应在[X]小时内做出响应 — the pack's 4 hours for an ordinary problem, 2 for
    # an expedited one (a complaint, 四(三), is at least expedited). Plain hours (session 34: 五(一) says
    # 小时 where 五(二) says 工作日; the pack counted working hours). Monday 09:00: 13:00 (the lunch hour
    # counted) and 11:00. Called at Friday 16:00, the ordinary one is due that evening at 20:00 (before:
    # Monday 11:00, the weekend skipped).
    with _desk(backend, tmp_path) as (desk, clock, w, _):
        ordinary = _open(desk, w, "展位灯箱不亮")
        complaint = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "现场服务人员态度差").ticket.id
        assert desk.ticket(w.manager, complaint).priority is Priority.EXPEDITED
        assert desk.sla(w.manager, ordinary)["response"].due_at == _at(2, 13)
        assert desk.sla(w.manager, complaint)["response"].due_at == _at(2, 11)
        clock.set(_at(6, 16))
        friday = _open(desk, w, "周五下午展位断电")
        assert desk.sla(w.manager, friday)["response"].due_at == _at(6, 20)


# -- 五(一)2: urgent: at once, contact within [X] minutes ----------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_5_1_2_an_urgent_problem_is_contacted_within_thirty_minutes_or_its_breach_is_announced(
    backend: str, tmp_path: Path
) -> None:
    # 对于紧急问题, 售后专员应立即响应, 并在[X]分钟内与客户取得联系 — 30 minutes of the clock. One urgent
    # call is contacted at its 30th minute (met); another, left waiting, is announced as breached to the
    # manager by the first sweep after its limit.
    with _desk(backend, tmp_path) as (desk, clock, w, notifier):
        met = _open(desk, w, "展馆入口闸机失灵", urgent=True)
        missed = _open(desk, w, "B馆广播无声", urgent=True)
        for tid in (met, missed):
            assert desk.sla(w.manager, tid)["response"].due_at == _at(2, 9, 30)
        clock.set(_at(2, 9, 30))
        desk.contact_customer(w.agent, met, note="已致电, 技术人员马上到场")
        clock.set(_at(2, 9, 31))
        report = desk.sla_watch.sweep(w.manager)
        assert report.breaches == (f"{missed}:response",)
        assert not desk.sla(w.manager, met)["response"].breached
        assert desk.sla(w.manager, missed)["response"].breached
        desk.deliver()
        told = " ".join(m.subject + m.body for m in notifier.to(MANAGER_MAIL))
        assert missed in told


# -- 五(二)1: [X] working days to resolve, by grade ----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_5_2_1_each_grade_is_resolved_within_its_working_days(backend: str, tmp_path: Path) -> None:
    # 一般售后问题应在[X]个工作日内处理完毕 — the pack's 3 / 2 / 1 working days for normal, expedited
    # (flagged urgent) and critical (a show's system down, 四(一)) problems. From Monday 09:00: Wednesday,
    # Tuesday and Monday 18:00.
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        normal = _open(desk, w, "展位灯箱不亮")
        expedited = _open(desk, w, "展馆入口闸机失灵", urgent=True)
        critical = _open(desk, w, "展会签到系统全部宕机")
        desk.triage(w.agent, critical, nature="system_down", severity=Severity.HIGH, production_stopped=True)
        for tid in (normal, expedited):
            desk.triage(w.agent, tid, nature="stand", severity=Severity.MEDIUM)
        grades = {tid: desk.ticket(w.manager, tid).priority for tid in (normal, expedited, critical)}
        assert grades == {normal: Priority.NORMAL, expedited: Priority.EXPEDITED, critical: Priority.CRITICAL}
        due = {tid: desk.sla(w.manager, tid)["resolution"].due_at for tid in grades}
        assert due == {normal: _at(4, 18), expedited: _at(3, 18), critical: _at(2, 18)}


# -- 三(四)2: complex or multi-department problems are the manager's -----------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_3_4_2_a_problem_of_two_departments_is_coordinated_by_the_after_sales_manager(
    backend: str, tmp_path: Path
) -> None:
    # 对于复杂问题或涉及多个部门的问题, 售后经理应组织相关部门进行协调处理 — the pack's threshold is two
    # departments: one department stays with the specialist, two are the manager's, who is told.
    with _desk(backend, tmp_path) as (desk, _clock, w, notifier):
        one = _open(desk, w, "展台灯光故障")
        two = _open(desk, w, "展台灯光与网络同时故障")
        desk.triage(w.agent, one, nature="lighting", severity=Severity.MEDIUM, departments=1)
        desk.triage(w.agent, two, nature="lighting", severity=Severity.MEDIUM, departments=2)
        desk.deliver()
        before = len(notifier.to(MANAGER_MAIL))
        codes = {}
        for tid in (one, two):
            result = desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
            codes[tid] = [r["code"] for r in result.events[-1].payload["reasons"]]  # type: ignore[index, union-attr]
        assert "multi_department" not in codes[one] and "multi_department" in codes[two]
        desk.deliver()
        assert len(notifier.to(MANAGER_MAIL)) == before + 1


# -- 六(二)3: 响应及时率 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_6_2_3_the_response_on_time_rate_counts_a_response_at_its_limit_and_not_one_a_minute_late(
    backend: str, tmp_path: Path
) -> None:
    # 响应及时率: 售后专员对客户反馈问题的响应及时率 — two ordinary problems from Monday 09:00 (4 hours,
    # due 13:00): one answered at 13:00, one at 13:01. The rate is one half, below the pack's goal.
    with _desk(backend, tmp_path) as (desk, clock, w, _):
        on_time, late = _open(desk, w, "展位灯箱不亮"), _open(desk, w, "展位地毯破损")
        clock.set(_at(2, 13))
        desk.contact_customer(w.agent, on_time, note="已联系, 下午到场")
        clock.set(_at(2, 13, 1))
        desk.contact_customer(w.agent, late, note="已联系, 明早到场")
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.counts.tickets, total.response_met) == (2, 1)
        assert total.response_on_time_rate == Decimal("0.5")
        assert kpi_goals("exhibition_services").passed("response_on_time_rate", total) is False


# -- 六(三)1 with 六(二)3: each specialist's month, read by the after-sales manager -------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_6_3_1_each_specialists_response_rate_is_their_own_and_the_managers_to_read(
    backend: str, tmp_path: Path
) -> None:
    # 售后团队成员的考核由售后经理负责, 每月进行一次考核评估; 响应及时率 is 售后专员对客户反馈问题的响应
    # 及时率: each specialist's row counts the problems they received. 小李 answers one in time and one a
    # minute late, 小陈 hers in time; the engineer does not read the team's table.
    second = Actor.agent("agent-2", "客服小陈")
    with _desk(backend, tmp_path) as (desk, clock, w, _):
        li_on_time, li_late = _open(desk, w, "展位灯箱不亮"), _open(desk, w, "展位地毯破损")
        chen = desk.open_ticket(second, customer_id=w.cust_zh.id, description="展位电源跳闸").ticket.id
        clock.set(_at(2, 13))
        desk.contact_customer(w.agent, li_on_time, note="已联系")
        desk.contact_customer(second, chen, note="已联系")
        clock.set(_at(2, 13, 1))
        desk.contact_customer(w.agent, li_late, note="已联系")
        clock.set(_at(4, 9))
        with pytest.raises(PermissionDenied):
            scoped_agent_kpis(desk, w.senior, MARCH, as_of=clock.now())
        rows = {r.group: r for r in scoped_agent_kpis(desk, w.manager, MARCH, as_of=clock.now()).rows}
        assert set(rows) == {w.agent.id, second.id}
        assert (rows[w.agent.id].counts.tickets, rows[w.agent.id].response_met) == (2, 1)
        assert rows[w.agent.id].response_on_time_rate == Decimal("0.5")
        assert (rows[second.id].counts.tickets, rows[second.id].response_on_time_rate) == (1, Decimal(1))


# -- 三(七)1: surveys after major problems and for important customers --------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_3_7_1_an_important_customer_and_a_major_problem_owe_a_survey_an_ordinary_one_does_not(
    backend: str, tmp_path: Path
) -> None:
    # 对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查: an important (重要) customer's
    # ordinary problem and a regular customer's critical one (a show's system down) owe the survey; a
    # regular customer's ordinary problem does not.
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        important = attrs.evolve(w.cust_zh, id=CustomerId("cust-imp"), tier=CustomerTier.IMPORTANT)
        desk.register_customer(w.manager, important)

        def done(customer_id: str, stopped: bool) -> str:
            tid = desk.open_ticket(w.agent, customer_id=customer_id, description="展位系统故障").ticket.id
            severity = Severity.HIGH if stopped else Severity.MEDIUM
            desk.triage(w.agent, tid, nature="system", severity=severity, production_stopped=stopped)
            desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
            desk.start_work(w.senior, tid)
            desk.resolve(w.senior, tid, summary="已修复并测试")
            desk.confirm(w.agent, tid, channel="phone")
            return tid

        owed = {done(important.id, False), done(w.cust_zh.id, True)}
        ordinary = done(w.cust_zh.id, False)
        surveys = {t.ticket_id: t.survey for t in desk.callbacks.pending(w.manager)}
        assert surveys == {**dict.fromkeys(owed, True), ordinary: False}


# -- 五(二)2: complex problems: a plan, progress, a result within [X] working days ------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_5_2_2_a_complex_problem_has_ten_working_days_flagged_urgent_or_spanning_departments(
    backend: str, tmp_path: Path
) -> None:
    # 复杂售后问题应根据实际情况制定处理计划, 并及时向客户反馈处理进度, 确保在[X]个工作日内给出处理结果 —
    # the pack's 10 working days: from Monday 09:00 to the second Friday 18:00, for a problem assessed
    # complex (also when it was flagged urgent: its first contact stays 30 minutes) and for one of two
    # departments (三(四)2 names them beside the complex ones). The plan told to the customer is a
    # visible progress note.
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        urgent = _open(desk, w, "展馆中控与灯光联动异常", urgent=True)
        desk.triage(w.agent, urgent, nature="control", severity=Severity.MEDIUM, complex_problem=True)
        spanning = _open(desk, w, "展台灯光与网络同时故障")
        desk.triage(w.agent, spanning, nature="lighting", severity=Severity.MEDIUM, departments=2)
        for tid in (urgent, spanning):
            assert desk.sla(w.manager, tid)["resolution"].due_at == _at(13, 18)
        assert desk.sla(w.manager, urgent)["response"].due_at == _at(2, 9, 30)
        desk.note_to_customer(w.agent, urgent, text="处理计划: 周三前更换中控模块, 每日反馈进度")
        assert desk.progress(w.customer_zh, urgent).notes == ("处理计划: 周三前更换中控模块, 每日反馈进度",)


# -- 四(三): a complaint is reported and answered in the set time -------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_4_3_a_complaint_is_told_to_the_manager_and_answered_within_its_expedited_times(
    backend: str, tmp_path: Path
) -> None:
    # 售后专员应耐心倾听客户投诉, 记录客户诉求, 并及时向售后经理汇报. 售后经理应组织相关人员对投诉问题
    # 进行调查处理, 在规定时间内给客户答复 — the complaint is at least expedited: answered within 2 working
    # hours, its result within 2 working days (Tuesday 18:00); the manager is told at intake; the
    # engineer, not one of those organised for it, neither reads nor handles it.
    with _desk(backend, tmp_path) as (desk, _clock, w, notifier):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "现场服务人员态度差, 要求道歉").ticket.id
        desk.deliver()
        assert [m.subject for m in notifier.to(MANAGER_MAIL)] == [f"新投诉 {cid}"]
        sla = desk.sla(w.manager, cid)
        assert (sla["response"].due_at, sla["resolution"].due_at) == (_at(2, 11), _at(3, 18))
        with pytest.raises((PermissionDenied, NotFound)):
            desk.complaints.propose_solution(w.senior, cid, solution="道歉")
        desk.complaints.investigate(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "investigating"


# -- 三(三) before 三(四): assessed, then assigned --------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_3_3_and_3_4_1_a_problem_is_assessed_before_it_is_assigned(backend: str, tmp_path: Path) -> None:
    # 三(四)1 根据问题评估结果, 售后专员将问题分配给相应的技术支持人员: the assignment follows the assessment
    # (三(三) 性质、严重程度、影响范围). Assigned before it, the step is refused and nothing is written; the
    # callback's survey (三(七)1 在问题处理完毕后) is refused before the problem is handled.
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        tid = _open(desk, w, "展位网络断开", urgent=True)
        with pytest.raises(InvalidTransition):
            desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
        assert [e.action for e in desk.ticket(w.manager, tid).events] == ["opened"]
        desk.triage(w.agent, tid, nature="network", severity=Severity.MEDIUM)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
        desk.start_work(w.senior, tid)
        with pytest.raises((InvalidTransition, ValidationError)):
            desk.record_callback(w.agent, tid, problem_back=False, satisfaction=5, attitude=5)
        assert desk.callbacks.records(w.manager, tid) == []
        assert desk.ticket(w.manager, tid).state == "in_progress"


# -- 二(二)1: the after-sales manager decides major problems ------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_2_1_a_hard_complaint_is_referred_to_and_decided_by_the_after_sales_manager(
    backend: str, tmp_path: Path
) -> None:
    # 售后经理 … 对重大售后问题进行决策和处理: the specialist handling a complaint it cannot settle refers it;
    # the after-sales manager is told and decides, the decision becomes the proposed solution; the
    # specialist and the engineer do not decide it.
    with _desk(backend, tmp_path) as (desk, _clock, w, notifier):
        complaints = desk.complaints
        cid = complaints.open_complaint(
            w.agent, w.cust_zh.id, "展台搭建延误导致开幕缺席, 要求全额退款"
        ).ticket.id
        complaints.investigate(w.agent, cid)
        desk.deliver()
        before = len(notifier.to(MANAGER_MAIL))
        complaints.refer_to_general_manager(w.agent, cid, question="全额退款超出专员权限, 请经理决策")
        assert desk.ticket(w.manager, cid).state == "awaiting_decision"
        desk.deliver()
        assert len(notifier.to(MANAGER_MAIL)) > before
        for actor in (w.agent, w.senior):
            with pytest.raises((PermissionDenied, NotFound)):
                complaints.record_gm_decision(actor, cid, decision="全额退款")
        assert desk.ticket(w.manager, cid).state == "awaiting_decision"
        complaints.record_gm_decision(w.manager, cid, decision="退还搭建费的一半并致歉")
        assert desk.ticket(w.manager, cid).state == "solution_proposed"
        assert complaints.complaint_file(w.manager, cid).solution == "退还搭建费的一半并致歉"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("departments", [0, -1, 10_001, "2", True])
def test_3_4_2_a_count_of_departments_is_one_at_least_and_refused_by_one_rule(
    backend: str, tmp_path: Path, departments: object
) -> None:
    # 涉及多个部门的问题: the assessment counts the departments a problem involves, one at least. A count
    # refused said "a whole number from 0 to 10,000" for -1 and "must be a positive integer" for the 0 that
    # sentence had just allowed (session 31). Every bad count is now the same OutOfBounds, from 1 to
    # 10,000, and the problem stays unassessed.
    with _desk(backend, tmp_path) as (desk, _clock, w, _):
        tid = _open(desk, w, "展台灯光与网络同时故障")
        with pytest.raises(OutOfBounds) as refused:
            desk.triage(w.agent, tid, nature="lighting", severity=Severity.MEDIUM, departments=departments)
        assert (refused.value.field, refused.value.least, refused.value.most) == ("departments", 1, 10_000)
        assert desk.ticket(w.manager, tid).state == "new"
        desk.triage(w.agent, tid, nature="lighting", severity=Severity.MEDIUM, departments=10_000)
        assert desk.ticket(w.manager, tid).state == "triaged"


# -- 三(七)2-3: the survey's two questions; dissatisfaction reaches the after-sales manager ------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_3_7_3_a_dissatisfied_survey_opens_a_complaint_the_after_sales_manager_is_told_of(
    backend: str, tmp_path: Path
) -> None:
    # 三(七)2 调查内容包括客户对问题处理结果的满意度、对售后团队服务态度的评价; 三(七)3 售后专员负责整理客户
    # 满意度调查结果, 分析客户不满意的原因, 提出改进措施, 并反馈给售后经理. The VIP exhibitor's phone survey
    # gives 2 and 2 with its reason: a complaint is opened in its words and the manager is told of it; the
    # satisfaction KPI counts one rated, none satisfied, and averages the attitude beside it.
    with _desk(backend, tmp_path) as (desk, clock, w, notifier):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_en.id, description="展位投影仪无信号").ticket.id
        desk.triage(w.agent, tid, nature="projector", severity=Severity.MEDIUM)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
        desk.start_work(w.senior, tid)
        desk.resolve(w.senior, tid, summary="更换HDMI线, 已测试")
        desk.confirm(w.agent, tid, channel="phone")
        desk.deliver()
        before = len(notifier.to(MANAGER_MAIL))
        clock.advance(timedelta(hours=3))
        desk.record_callback(
            w.agent, tid, problem_back=False, satisfaction=2, attitude=2, comment="技术人员迟到两小时"
        )
        (complaint,) = [t for t in desk.ledger(w.manager).items if t.id != tid]
        assert complaint.description == "技术人员迟到两小时"
        desk.deliver()
        assert [m.subject for m in notifier.to(MANAGER_MAIL)[before:]] == [f"新投诉 {complaint.id}"]
        (record,) = desk.callbacks.records(w.manager, tid)
        assert (record.attitude, record.comment) == (2, "技术人员迟到两小时")
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.counts.rated, total.counts.satisfied, total.mean_attitude) == (1, 0, Decimal(2))


# -- 五(四)2 / 六(二): the ledger's analysis as the manager reads it ------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_5_4_2_the_kpi_page_of_all_problems_shows_its_total_not_no_records(
    backend: str, tmp_path: Path
) -> None:
    # 售后专员应定期对售后问题台账进行整理和分析; 六(二) the four indicators against their goals. The page of
    # all problems (one total row, no per-group rows) said "无记录" (no records) above "合计 2" in text,
    # Markdown and HTML (session 31): a total is a row. It shows the total and the goals, and no such line.
    with _desk(backend, tmp_path) as (desk, clock, w, _):
        answered = _open(desk, w, "展位灯箱不亮")
        desk.complaints.open_complaint(w.agent, w.cust_zh.id, "现场服务人员态度差")
        clock.set(_at(2, 14))
        desk.contact_customer(w.agent, answered, note="已联系, 下午到场")
        assert desk.calendar is not None
        report = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now())
        assert report.rows == () or list(report.rows) == []
        for locale in ("zh_Hans", "en"):
            labels = report_labels(locale)
            empty = labels.text("report.table.empty")
            doc = document_for(report, labels, pack="exhibition_services", generated_at=clock.now())
            text, markdown, page = to_text(doc), to_markdown(doc), render_page(doc)
            for shown in (text, markdown, page):
                assert empty not in shown, locale
            total = labels.text("report.group.all")
            assert any(line.startswith(total) for line in text.splitlines()), locale
        assert "响应及时率" in to_text(
            document_for(report, report_labels("zh_Hans"), pack="exhibition_services")
        )
