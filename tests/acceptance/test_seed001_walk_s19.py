# mypy: disable-error-code="arg-type"
"""Seed 001 (会展服务售后管理制度) walked end to end through the service desk of the exhibition-services
pack, on memory, SQLite and PostgreSQL.

An exhibitor calls about its stand; the 售后专员 (agent) records who, what and when (三(二)1), flags an
urgent problem at once (三(二)2), has it assessed — nature, severity, scope (三(三)) — and assigned to
technical support (三(四)1), or to the after-sales manager when it is complex or spans departments
(三(四)2); progress is fed back to the customer and every contact is kept with its time, method and
content (三(五), 五(三)3); the result is confirmed with the customer (三(六)); important customers and
major problems are surveyed (三(七)); complaints are reported to the manager and answered in time
(四(三)); the four assessed indicators are judged against their goals (六(二)).
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
from aftersales.domain.classification import Category, Channel, ImpactScope, Priority, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.domain.surveys import CallbackChecklist, SatisfactionSurvey
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.ledger_rows import LEDGER_FIELDS
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import KpiTargets, kpi_report
from aftersales.reports.ledger_export import ledger_records
from aftersales.reports.sla import sla_breaches
from aftersales.reports.targets import kpi_goals
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "exhibition_services")


def _done(desk: ServiceDesk, world: World, customer_id: str, *, urgent: bool = False) -> str:
    """A stand's network problem of ``customer_id`` fixed by the senior engineer and accepted by phone."""
    tid = desk.open_ticket(
        world.agent,
        customer_id=customer_id,
        description="展位网络断开",
        category=Category.TECHNICAL_SUPPORT,
        urgent=urgent,
    ).ticket.id
    desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="交换机重启, 已测试")
    desk.confirm(world.agent, tid, channel="phone")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_owed_a_satisfaction_survey_is_not_recorded_without_a_score(
    backend: str, tmp_path: Path
) -> None:
    # 三(七)1: 对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查. The callback of the
    # VIP exhibitor's ticket and of a critical problem (a show's system down) asks the survey; recorded with
    # no score at all it was marked done and the survey was never made. Now it is refused, nothing changes,
    # and the survey (or its overall score) is recorded; an ordinary customer's callback needs none.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        vip = _done(desk, world, world.cust_en.id)
        critical = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="开幕前大屏系统故障", urgent=True
        ).ticket.id
        desk.triage(world.agent, critical, nature="display", severity=Severity.HIGH, production_stopped=True)
        assert desk.ticket(world.manager, critical).priority is Priority.CRITICAL
        desk.dispatch(world.agent, critical, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, critical)
        desk.resolve(world.senior, critical, summary="更换信号分配器, 已测试")
        desk.confirm(world.customer_zh, critical)
        ordinary = _done(desk, world, world.cust_zh.id)
        tasks = {t.ticket_id: t.survey for t in desk.callbacks.pending(world.manager)}
        assert tasks == {vip: True, critical: True, ordinary: False}
        clock.advance(timedelta(hours=3))
        for tid in (vip, critical):
            with pytest.raises(ValidationError) as refused:
                desk.record_callback(world.agent, tid, problem_back=False, answers={"polite": True})
            assert refused.value.field == "survey"
            with pytest.raises(ValidationError) as refused:
                desk.callbacks.record(world.agent, tid, checklist=CallbackChecklist(), problem_back=False)
            assert refused.value.field == "survey"
            assert desk.callbacks.records(world.manager, tid) == []
            assert desk.ticket(world.manager, tid).events[-1].action == "schedule_callback"
        assert {t.ticket_id for t in desk.callbacks.pending(world.manager)} == {vip, critical, ordinary}
        # The survey: the result and the team's attitude (处理结果的满意度、服务态度的评价), by phone or
        # online (session 20: the attitude is asked, not the checklist's ``polite`` about the repairer).
        survey = SatisfactionSurvey(5, 4, 5, 5, 4, 5, attitude=5)
        desk.callbacks.record(
            world.agent, vip, checklist=CallbackChecklist(polite=True), problem_back=False, survey=survey,
            channel=Channel.EMAIL,
        )  # fmt: skip
        desk.record_callback(world.agent, critical, problem_back=False, satisfaction=4, attitude=4)
        desk.record_callback(world.agent, ordinary, problem_back=False)
        assert desk.callbacks.pending(world.manager) == []
        (record,) = desk.callbacks.records(world.manager, vip)
        assert record.survey == survey and record.channel is Channel.EMAIL
        for tid in (vip, critical, ordinary):
            desk.close(world.agent, tid)
        # 售后专员负责整理客户满意度调查结果: the two scores count in the satisfaction KPI (4 and 5 of 5).
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar).total
        assert (total.counts.rated, total.counts.satisfied, total.satisfaction_rate) == (2, 2, Decimal(1))


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_callback_finding_the_problem_back_owes_no_survey_yet(backend: str, tmp_path: Path) -> None:
    # The customer says the stand's network is down again: the ticket goes back to rework; the survey is
    # owed after the next acceptance, by the callback that acceptance schedules.
    with _desk(backend, tmp_path) as (desk, _clock, world, _):
        vip = _done(desk, world, world.cust_en.id)
        desk.record_callback(world.agent, vip, problem_back=True, comment="网络又断了")
        assert desk.ticket(world.manager, vip).state == "rework"
        desk.start_work(world.senior, vip)
        desk.resolve(world.senior, vip, summary="更换交换机")
        desk.confirm(world.customer_en, vip)
        (task,) = desk.callbacks.pending(world.manager)
        assert task.survey is True
        with pytest.raises(ValidationError):
            desk.record_callback(world.agent, vip, problem_back=False)
        desk.record_callback(world.agent, vip, problem_back=False, satisfaction=5, attitude=5)
        assert desk.callbacks.pending(world.manager) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_urgent_stand_problem_is_flagged_answered_in_minutes_assigned_tracked_and_confirmed(
    backend: str, tmp_path: Path
) -> None:
    # 三(二) 反馈接收: the specialist records 客户基本信息、问题描述、反馈时间, flags an urgent problem
    # at once and handles it first; 五(一)2: 紧急问题 … 立即响应, 并在[X]分钟内与客户取得联系 (30
    # minutes, wall clock); 三(三)/(四): assessed (性质、严重程度、影响范围), assigned to technical
    # support; 三(五): progress to the customer; 三(六): result back to the specialist, then to the
    # customer, who confirms; 五(三)3: each contact kept with 沟通时间、沟通方式、沟通内容; 五(四)1: the
    # ledger row 问题描述、处理措施、处理时间、处理结果.
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        reported = clock.now() - timedelta(minutes=5)  # the call came in five minutes before it was typed
        opened = desk.open_ticket(
            world.agent,
            customer_id=world.cust_zh.id,
            description="B馆3号展位LED屏黑屏, 明早开展",
            category=Category.TECHNICAL_SUPPORT,
            channel=Channel.PORTAL,
            urgent=True,
            received_at=reported,
        )
        tid = opened.ticket.id
        view = desk.ticket(world.manager, tid)
        assert (view.urgent, view.priority, view.received_at) == (True, Priority.EXPEDITED, reported)
        assert view.channel is Channel.PORTAL and view.taken_by == world.agent.ref
        status = {t.target.name: t for t in desk.sla(world.manager, tid).targets}
        assert status["response"].due_at == reported + timedelta(minutes=30)  # 分钟内与客户取得联系
        # An ordinary problem waits behind it: hours, not minutes.
        later = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="咨询布展时间")
        ordinary = {t.target.name: t for t in desk.sla(world.manager, later.ticket.id).targets}
        # 4 hours from 09:00 ([X]小时, plain hours: the lunch break counts; session 34, before 14:00): 13:00.
        assert ordinary["response"].due_at == datetime(2026, 3, 2, 13, 0, tzinfo=SHANGHAI)
        assert ordinary["response"].due_at > status["response"].due_at
        clock.advance(timedelta(minutes=20))
        promised = clock.now() + timedelta(hours=2)
        desk.contact_customer(
            world.agent, tid, channel=Channel.PHONE, note="已致电, 技术人员两小时内到场", expected_at=promised
        )
        desk.triage(
            world.agent,
            tid,
            nature="display_failure",
            severity=Severity.HIGH,
            impact_scope=ImpactScope.SINGLE_UNIT,
            note="信号线或主控卡故障",
        )
        assessed = desk.ticket(world.manager, tid).events[-1]
        assert assessed.action == "triage" and assessed.payload["severity"] == "high"
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, tid)
        desk.note_to_customer(world.senior, tid, text="需要主控卡, 请专员协调库房", visible=False)
        desk.note_to_customer(world.agent, tid, text="技术人员已到场, 正在更换主控卡")
        desk.add_fault_record(
            world.senior, tid, symptom="black_screen", cause="controller_card_failed", action="replace_card"
        )
        clock.advance(timedelta(hours=1))
        desk.resolve(world.senior, tid, summary="更换主控卡, 全屏测试正常")
        desk.contact_customer(world.agent, tid, channel=Channel.WECHAT, note="已告知处理结果, 客户确认满意")
        desk.confirm(world.agent, tid, channel="wechat", note="客户微信确认")
        progress = desk.progress(world.customer_zh, tid)
        assert progress.notes == ("技术人员已到场, 正在更换主控卡",)  # the internal note stays internal
        desk.deliver()
        told = [m for m in notifier.to("13912345678") if m.subject == f"工单 {tid} 处理进度"]
        assert len(told) == 1 and "正在更换主控卡" in told[0].body and "库房" not in told[0].body
        assert progress.expected_at == promised
        status = {t.target.name: t for t in desk.sla(world.manager, tid).targets}
        assert status["response"].met_at == reported + timedelta(minutes=25)
        archive = desk.archives.customer_archive(world.manager, world.cust_zh.id)
        kept = [(c.kind, c.channel, c.note) for c in archive.contacts if c.ticket_id == tid]
        assert kept[0] == ("request", "portal", "")
        assert ("contact", "phone", "已致电, 技术人员两小时内到场") in kept
        assert ("contact", "wechat", "已告知处理结果, 客户确认满意") in kept
        assert ("note", "技术人员已到场, 正在更换主控卡") in [(k, n) for k, _, n in kept]
        assert all("主控卡, 请专员" not in note for _, _, note in kept)
        (row,) = [r for page in ledger_records(desk, world.manager) for r in page if r[0] == tid]
        record = dict(zip(LEDGER_FIELDS, row, strict=True))
        assert record["description"] == "B馆3号展位LED屏黑屏, 明早开展"
        assert (record["symptom"], record["cause"], record["action"]) == (
            "black_screen", "controller_card_failed", "replace_card"
        )  # fmt: skip
        assert record["outcome"] == "更换主控卡, 全屏测试正常"
        assert record["resolved_us"] is not None and record["received_us"] is not None
        desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5)
        desk.close(world.agent, tid)
        assert desk.ticket(world.manager, tid).state == "closed"
        # The four indicators of 六(二), judged against the pack's goals (不低于[X]%).
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert total.counts.tickets == 2
        assert total.response_met == 1 and total.satisfaction_rate == Decimal(1)
        goals = kpi_goals("exhibition_services")
        assert goals.passed("satisfaction_rate", total) is True
        assert {rate for rate, _ in goals.items()} >= {
            "satisfaction_rate", "resolution_rate", "response_on_time_rate", "complaint_resolution_rate"
        }  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_show_system_down_is_critical_and_the_after_sales_manager_coordinates_it(
    backend: str, tmp_path: Path
) -> None:
    # 四(一): 会展服务系统出现故障 … 技术支持人员应立即对问题进行诊断 — a stopped show system is
    # critical. 二(二)1: the 售后经理 协调各部门之间的工作 … 对重大售后问题进行决策和处理; the seed's
    # team (二(一): 售后经理、售后专员、技术支持人员、客服人员) has no department head. The critical
    # route named the department head (seed 003's 部门负责人) as coordinator and told only them; now
    # the after-sales manager coordinates and is told.
    with _desk(backend, tmp_path) as (desk, _clock, world, notifier):
        tid = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="展会签到系统全部宕机", urgent=True
        ).ticket.id
        desk.triage(world.agent, tid, nature="system_down", severity=Severity.HIGH, production_stopped=True)
        assert desk.ticket(world.manager, tid).priority is Priority.CRITICAL
        result = desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        reasons = {r["code"]: r["params"] for r in result.events[-1].payload["reasons"]}  # type: ignore[index, union-attr]
        assert reasons["critical_coordination"] == {"coordinator": "manager"}
        # The coordinator brings more technical staff onto the critical ticket's team.
        desk.teams.add_members(world.manager, tid, [world.eng_junior.id], note="加派技术支持")
        assert desk.teams.ticket_team(world.manager, tid) == (world.eng_senior.id, world.eng_junior.id)
        desk.start_work(world.senior, tid)
        desk.note_to_customer(world.senior, tid, text="已定位故障服务器, 正在切换备机")
        desk.resolve(world.senior, tid, summary="切换备机, 签到恢复")
        desk.deliver()
        told = [m.subject for m in notifier.to("manager@venus.example")]
        assert f"工单 {tid} 已升级至售后经理" in told
        # … and follows every step of the critical ticket (the notification's priority table).
        assert sum(f"{tid}" in subject for subject in told) == 3
        assert notifier.to("head@venus.example") == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_is_reported_to_the_manager_answered_in_time_and_negotiated_until_satisfied(
    backend: str, tmp_path: Path
) -> None:
    # 四(三): 售后专员应耐心倾听客户投诉, 记录客户诉求, 并及时向售后经理汇报; 售后经理应组织相关人员
    # 对投诉问题进行调查处理, 在规定时间内给客户答复; 如客户仍不满意, 应进一步沟通协商, 直至客户满意为止.
    # 四(二): 服务内容未达到合同约定 … 按照合同约定进行整改或赔偿. 六(二)4: 投诉处理成功率.
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        complaints = desk.complaints
        cid = complaints.open_complaint(
            world.agent, world.cust_zh.id, "搭建商未按合同布置展台, 要求赔偿", channel=Channel.LETTER_FAX
        ).ticket.id
        view = desk.ticket(world.manager, cid)
        assert view.description == "搭建商未按合同布置展台, 要求赔偿" and view.channel is Channel.LETTER_FAX
        desk.deliver()
        # The manager is told of a complaint, not of a ticket (s23).
        assert [m.subject for m in notifier.to("manager@venus.example")] == [f"新投诉 {cid}"]
        # 在规定时间内给客户答复: the complaint is at least expedited, answered within its 2 working hours.
        assert view.priority is Priority.EXPEDITED
        response = {t.target.name: t for t in desk.sla(world.manager, cid).targets}["response"]
        assert response.due_at == datetime(2026, 3, 2, 11, 0, tzinfo=SHANGHAI)
        clock.advance(timedelta(minutes=45))
        desk.contact_customer(world.agent, cid, note="已致歉, 承诺立即核实处理")
        assert {t.target.name: t for t in desk.sla(world.manager, cid).targets}[
            "response"
        ].met_at == clock.now()
        complaints.investigate(world.manager, cid)
        complaints.propose_solution(world.manager, cid, solution="按合同重新布置展台")
        complaints.agree_solution(world.customer_zh, cid)
        complaints.give_feedback(world.manager, cid, outcome="展台已按合同重新布置")
        complaints.reject_outcome(world.customer_zh, cid, reason="耽误一天布展, 要求赔偿")
        assert desk.ticket(world.manager, cid).state == "investigating"
        complaints.propose_solution(world.manager, cid, solution="赔偿一天展位费")
        complaints.agree_solution(world.customer_zh, cid)
        complaints.grant_remedy(
            world.manager, cid, kind=RemedyKind.COMPENSATION, cost=Money("3000", "CNY"), note="一天展位费"
        )
        complaints.give_feedback(world.manager, cid, outcome="已赔偿一天展位费, 客户认可")
        file = complaints.complaint_file(world.manager, cid)
        assert [r.kind for r in file.remedies] == [RemedyKind.COMPENSATION]
        assert desk.ticket(world.manager, cid).callback_due_at is not None
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.counts.complaints, total.counts.complaints_resolved) == (1, 1)
        assert total.complaint_resolution_rate == Decimal(1)
        assert kpi_goals("exhibition_services").passed("complaint_resolution_rate", total) is True


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_urgent_problem_flagged_later_is_first_in_the_queue(backend: str, tmp_path: Path) -> None:
    # 三(二)2: 对于紧急问题, 售后专员应立即标记, 并优先处理 — flagged at intake, before any assessment, it
    # heads the specialist's queue (the ledger by priority) ahead of older ordinary problems, and the
    # flag and its grade are kept when the assessment finds it of ordinary severity.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        older = [
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=f"咨询 {n}").ticket.id
            for n in range(3)
        ]
        desk.triage(world.agent, older[0], nature="question", severity=Severity.LOW)
        clock.advance(timedelta(minutes=10))
        urgent = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="展馆入口闸机失灵", urgent=True
        ).ticket.id
        page = desk.ledger(world.agent, TicketFilter(is_open=True), PageRequest(10, sort=Sort.PRIORITY))
        assert page.items[0].id == urgent
        assert desk.ledger(world.agent, TicketFilter(priorities=(Priority.EXPEDITED,))).items[0].id == urgent
        desk.triage(world.agent, urgent, nature="gate", severity=Severity.LOW)
        kept = desk.ticket(world.manager, urgent)
        assert kept.urgent and kept.priority is Priority.EXPEDITED
        assert "urgent_request" in [r["code"] for r in kept.events[-1].payload["reasons"]]  # type: ignore[index, union-attr]
        page = desk.ledger(world.agent, TicketFilter(is_open=True), PageRequest(10, sort=Sort.PRIORITY))
        assert [t.id for t in page.items] == [urgent, *older]


@pytest.mark.parametrize("backend", BACKENDS)
def test_problems_are_resolved_within_their_working_days_and_a_late_one_counts_against_the_rate(
    backend: str, tmp_path: Path
) -> None:
    # 五(二)1: 一般售后问题应在[X]个工作日内处理完毕 (3 / 2 / 1 working days by grade in this pack);
    # 五(二)2: 复杂售后问题 … 确保在[X]个工作日内给出处理结果 (10), with progress fed back meanwhile;
    # 六(二)2: 问题解决率. Monday 09:00: three working days end Wednesday 18:00.
    with _desk(backend, tmp_path) as (desk, clock, world, _):

        def opened(description: str, **triage: object) -> str:
            customer = world.cust_zh.id
            tid = desk.open_ticket(world.agent, customer_id=customer, description=description).ticket.id
            desk.triage(world.agent, tid, nature="stand", severity=Severity.MEDIUM, **triage)  # type: ignore[arg-type]
            return tid

        ordinary, complex_one = opened("展位灯箱不亮"), opened("展馆中控与灯光联动异常", complex_problem=True)
        due = {tid: desk.sla(world.manager, tid)["resolution"].due_at for tid in (ordinary, complex_one)}
        assert due[ordinary] == datetime(2026, 3, 4, 18, 0, tzinfo=SHANGHAI)
        assert due[complex_one] == datetime(2026, 3, 13, 18, 0, tzinfo=SHANGHAI)  # two weeks of 5 days
        desk.contact_customer(world.agent, complex_one, note="已制定处理计划, 每日反馈进度")
        for tid in (ordinary, complex_one):
            desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
            desk.start_work(world.senior, tid)
        clock.set(datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI))  # Thursday: past the ordinary one's due
        for tid in (ordinary, complex_one):
            desk.resolve(world.senior, tid, summary="已修复")
            desk.confirm(world.customer_zh, tid)
        assert desk.sla(world.manager, ordinary)["resolution"].breached
        assert not desk.sla(world.manager, complex_one)["resolution"].breached
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert total.resolution_rate == Decimal(1)  # both solved
        assert (total.resolution_met, total.resolution_on_time_rate) == (1, Decimal("0.5"))


@pytest.mark.parametrize("sort", ["urgent", "", None, 3, Priority.CRITICAL])
def test_a_queue_asked_in_an_order_the_ledger_does_not_know_is_refused_by_name(sort: object) -> None:
    # The specialist's queue (三(二)2 优先处理) is asked with a sort order; one the stores do not index was a
    # bare ValueError (or a TypeError) out of PageRequest, no typed error naming the argument.
    with pytest.raises(ValidationError) as refused:
        PageRequest(10, sort=sort)  # type: ignore[arg-type]
    assert refused.value.field == "sort"
    assert PageRequest(10, sort="priority").sort is Sort.PRIORITY


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_assessed_indicators_refuse_arguments_they_cannot_use_by_name(
    backend: str, tmp_path: Path
) -> None:
    # 六(二)/(三): the four indicators are read each month. A grouping the reports do not know, a
    # reading instant without a zone, targets that are no KpiTargets escaped as ValueError, TypeError
    # and AttributeError; a "satisfied" threshold outside the 1-5 scale or a target of no time at all
    # was taken and made every rate meaningless. Each is a typed error naming the argument.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        _done(desk, world, world.cust_zh.id)
        desk.record_callback(world.agent, desk.ledger(world.manager).items[0].id, problem_back=False)
        queries, calendar = reporting_for(desk.store), desk.calendar
        assert calendar is not None
        bad: list[tuple[dict[str, object], str]] = [
            ({"group": "colour"}, "group"),
            ({"group": None}, "group"),
            ({"as_of": datetime(2026, 3, 5, 9, 0)}, "as_of"),
            ({"as_of": "2026-03-05"}, "as_of"),
            ({"targets": "strict"}, "targets"),
        ]
        for args, field in bad:
            with pytest.raises(ValidationError) as refused:
                kpi_report(queries, MARCH, calendar, **args)  # type: ignore[arg-type]
            assert refused.value.field == field
        for period in ("2026-03", None):  # an AttributeError before
            with pytest.raises(ValidationError) as refused:
                kpi_report(queries, period, calendar)  # type: ignore[arg-type]
            assert refused.value.field == "period"
        with pytest.raises(ValidationError) as refused:
            kpi_report(queries, MARCH, calendar, costs={"all": 3})  # type: ignore[dict-item]
        assert refused.value.field == "costs"
        for args, field in [
            ({"satisfied_at": 9}, "satisfied_at"),
            ({"satisfied_at": 0}, "satisfied_at"),
            ({"satisfied_at": True}, "satisfied_at"),
            ({"response": timedelta(0)}, "response"),
            ({"resolution": timedelta(hours=-1)}, "resolution"),
            ({"response": 2}, "response"),
            ({"resolution": timedelta.max}, "resolution"),  # taken before session 39
        ]:
            with pytest.raises(ValidationError) as refused:
                KpiTargets(**args)  # type: ignore[arg-type]
            assert refused.value.field == field
        with pytest.raises(ValidationError) as refused:  # NotAnAttrsClassError before
            sla_breaches(desk, world.manager, MARCH, as_of=clock.now(), filters="open")  # type: ignore[arg-type]
        assert refused.value.field == "filters"
        with pytest.raises(ConfigurationError) as wrong:  # TypeError before
            kpi_goals("exhibition_services", ["satisfaction_rate"])  # type: ignore[arg-type]
        assert wrong.value.key == "overrides"
        by_category = kpi_report(queries, MARCH, calendar, group="category", as_of=clock.now())
        assert [r.group for r in by_category.rows] == ["technical_support"]
        assert (
            kpi_report(queries, MARCH, calendar, targets=KpiTargets(satisfied_at=5)).total.counts.tickets == 1
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_periodic_callback_finds_a_problem_that_becomes_a_request_of_its_own_channel(
    backend: str, tmp_path: Path
) -> None:
    # 三(一)2 公司主动回访: 售后团队定期对客户进行回访, 了解客户对会展服务的满意度, 收集客户反馈的问题 — the
    # pack's campaign samples the exhibitors served lately; the answers are scored per region for the
    # manager, and a problem the call finds is registered with the proactive-callback channel.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        served = _done(desk, world, world.cust_zh.id)
        desk.record_callback(world.agent, served, problem_back=False, satisfaction=4)
        desk.close(world.agent, served)
        clock.advance(timedelta(days=30))
        campaign = desk.surveys.start(world.manager, campaign_id="2026-Q2", period="2026-Q2")
        assert campaign.rules.served_within_days == 120 and campaign.sampled == 1
        (task,) = desk.surveys.tasks(world.agent, "2026-Q2")
        assert task.customer_id == world.cust_zh.id
        desk.surveys.answer(
            world.agent,
            task.id,
            survey=SatisfactionSurvey(3, 4, 4, 4, 3, 3, attitude=4),
            comment="展位网络偶尔掉线",
        )
        found = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="回访发现: 展位网络偶尔掉线",
            category=Category.TECHNICAL_SUPPORT, channel=Channel.PROACTIVE_CALLBACK,
        ).ticket.id  # fmt: skip
        assert desk.ticket(world.manager, found).channel is Channel.PROACTIVE_CALLBACK
        results = desk.surveys.results(world.manager, "2026-Q2")
        assert (results.total.answered, results.total.overall) == (1, Decimal(3))
        contacts = desk.archives.customer_archive(world.manager, world.cust_zh.id).contacts
        assert ("request", "proactive_callback") in [
            (c.kind, c.channel) for c in contacts if c.ticket_id == found
        ]
