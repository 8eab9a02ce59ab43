# mypy: disable-error-code="arg-type"
"""Seed 000 (客户售后维护管理办法) walked as a service manager's day, through the public API only.

Session 33 (h), a peer tester: each test is one concrete rule of the seed, cited by its heading, on
memory, SQLite and PostgreSQL, with the pack ``general_maintenance``.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, MONDAY, company

from aftersales import (
    Channel,
    ChargeKind,
    ChargeLine,
    InvalidTransition,
    MeasureKind,
    Money,
    PermissionDenied,
    Plan,
    RepairPoint,
    Severity,
    StaffKind,
    TicketState,
    ValidationError,
    export_ledger,
)
from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import Period
from aftersales.reports.budgets import scoped_budget_report
from aftersales.reports.engineer_kpi import scoped_engineer_kpis
from aftersales.reports.kpi import pack_kpi_report

PACK = "general_maintenance"


@pytest.mark.parametrize("backend", BACKENDS)
def test_service_flow_1_to_7_registered_assessed_dispatched_redone_until_accepted_then_called_back(
    backend: str, tmp_path: Path
) -> None:
    """售后维护服务流程 1-7: 客户报修 (邮件) → 信息登记 → 问题评估 (严重程度、处理方案) → 派工
    (合适的售后维护人员前往客户现场) → 维修 (及时向客户反馈处理进度) → 验收确认 (不满意…重新进行处理,
    直至客户满意) → 服务回访 (服务结束后一定时间内,了解满意度和意见建议); 售后信息记录: 问题描述、
    处理过程、解决方案、服务时间."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        # 1. 客户报修 by e-mail; 2. 信息登记: the customer, the unit, the problem, when and who took it.
        opened = desk.open_ticket(
            co.agent,
            customer_id=co.customer_id,
            asset_id=co.asset_id,
            description="空调不制冷,室内机有异响",
            channel=Channel.EMAIL,
        ).ticket
        tid = opened.id
        assert (opened.channel, opened.customer_id, opened.asset_id) == (
            Channel.EMAIL,
            co.customer_id,
            co.asset_id,
        )
        assert (opened.product_id, opened.batch, opened.received_at) == ("ac-1", "B2025-06", MONDAY)
        assert opened.taken_by.id == "agent-1"

        # 3. 问题评估: severity and the handling plan (on site, the pack's default).
        clock.advance(timedelta(minutes=20))
        triaged = desk.triage(co.agent, tid, nature="no_cooling", severity=Severity.MEDIUM).ticket
        assert triaged.assessment is not None
        assert (triaged.assessment.severity, triaged.assessment.plan) == (Severity.MEDIUM, Plan.ON_SITE)

        # 4. 派工处理: a maintenance engineer of the customer's region goes on site.
        clock.advance(timedelta(minutes=10))
        assigned = desk.dispatch(co.agent, tid).ticket
        assert assigned.assignee is not None and assigned.assignee.id in {"eng-jr", "eng-sr"}
        engineer = co.junior if assigned.assignee.id == "eng-jr" else co.senior
        desk.add_visit(co.agent, tid, planned_at=MONDAY + timedelta(days=1), engineer_id=assigned.assignee.id)

        # 5. 维修保养: on site, the engineer keeps the customer informed; an internal note stays internal.
        clock.set(MONDAY + timedelta(days=1, minutes=5))
        desk.start_work(engineer, tid)
        desk.add_fault_record(
            engineer, tid, symptom="no_cooling", cause="refrigerant_leak", action="recharge"
        )
        desk.note_to_customer(engineer, tid, text="已查明冷媒泄漏,正在补漏充注")
        desk.note_to_customer(engineer, tid, text="内部:库存冷媒不足", visible=False)
        clock.advance(timedelta(hours=1))
        resolved = desk.resolve(engineer, tid, summary="补漏并充注冷媒,试机制冷正常").ticket
        assert resolved.state == TicketState.RESOLVED.value
        told = "\n".join(co.sent_to("13912345678"))
        assert "正在补漏充注" in told and "库存冷媒不足" not in told

        # 6. 验收确认: the customer is not satisfied, the work is redone, then accepted.
        clock.advance(timedelta(hours=2))
        with pytest.raises(ValidationError):
            desk.reject(co.customer, tid, reason="  ")
        assert desk.ticket(co.manager, tid).state == TicketState.RESOLVED.value
        reworked = desk.reject(co.customer, tid, reason="仍有异响").ticket
        assert reworked.state == TicketState.REWORK.value
        desk.start_work(engineer, tid)
        clock.advance(timedelta(hours=1))
        desk.resolve(engineer, tid, summary="更换风扇电机,异响消除")
        clock.advance(timedelta(minutes=30))
        accepted_at = clock.now()
        accepted = desk.confirm(co.customer, tid).ticket
        assert accepted.state == TicketState.ACCEPTED.value
        assert (
            accepted.resolved_at == accepted_at
        )  # resolved when the customer accepted, not at the first fix

        # 7. 服务回访: due a certain time after the service ended (the pack: 72 h), satisfaction asked.
        assert accepted.callback_due_at == accepted_at + timedelta(hours=72)
        pending = [t.ticket_id for t in desk.callbacks.pending(co.agent)]
        assert pending == [tid]
        clock.advance(timedelta(hours=48))
        with pytest.raises(ValidationError) as no_score:
            desk.record_callback(co.agent, tid, problem_back=False, comment="希望上门前先电话确认")
        assert no_score.value.field == "satisfaction"
        assert [t.ticket_id for t in desk.callbacks.pending(co.agent)] == [tid]
        desk.record_callback(
            co.agent, tid, problem_back=False, satisfaction=4, comment="希望上门前先电话确认"
        )
        assert desk.callbacks.pending(co.agent) == []
        closed = desk.close(co.agent, tid).ticket
        assert closed.state == TicketState.CLOSED.value

        # 售后信息记录: the ledger keeps the problem, how it was handled, the solution and the times.
        out = io.BytesIO()
        assert export_ledger(desk, co.manager, out, format="jsonl") == 1
        row = json.loads(out.getvalue().decode().splitlines()[0])
        assert row["description"] == "空调不制冷,室内机有异响"
        assert (row["symptom"], row["cause"], row["action"]) == ("no_cooling", "refrigerant_leak", "recharge")
        assert "更换风扇电机" in row["outcome"]
        assert row["received_at"].startswith("2026-03-02T09:00")
        assert row["resolved_at"].startswith("2026-03-03T13:35")
        history = [e.action for e in desk.ticket(co.auditor, tid).events]
        assert history.count("resolve") == 2 and "reject" in history and "record_callback" in history


@pytest.mark.parametrize("backend", BACKENDS)
def test_flow_4_a_depot_repair_tells_the_customer_where_to_bring_the_product_and_waits_for_it(
    backend: str, tmp_path: Path
) -> None:
    """售后维护服务流程 4: 要求客户将产品送至指定维修地点进行处理. The region's repair point is designated
    at the assessment and the customer is told where to bring the unit; no engineer has to arrive on site,
    and the days the customer takes to bring it do not count against the company's clocks."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        desk.repair_points.register(
            co.manager,
            RepairPoint("rp-pd", "浦东维修站", "SH", "上海市浦东新区张江路 1 号", opening_hours="9:00-17:00"),
        )
        tid = desk.open_ticket(
            co.agent, customer_id=co.customer_id, asset_id=co.asset_id, description="遥控器失灵"
        ).ticket.id
        desk.triage(co.agent, tid, nature="remote_control", severity=Severity.LOW, plan=Plan.DEPOT)
        progress = desk.progress(co.customer, tid)
        assert (
            progress.repair_point is not None and progress.repair_point.address == "上海市浦东新区张江路 1 号"
        )
        assert any("浦东维修站" in message for message in co.sent_to("13912345678"))
        targets = {t.target.name for t in desk.sla(co.manager, tid).targets}
        assert "arrival" not in targets
        desk.contact_customer(
            co.agent, tid, note="请于周三前送至浦东维修站", expected_at=MONDAY + timedelta(days=2)
        )
        desk.dispatch(co.agent, tid)
        due = desk.ticket(co.manager, tid).resolution_due_at
        assert due == MONDAY.replace(day=4, hour=18)
        desk.await_customer(co.agent, tid, reason="等待客户送修")
        clock.set(MONDAY.replace(day=4, hour=9))  # Wednesday morning: the product arrives
        resumed = desk.resume(co.agent, tid, reason="客户已送达维修站").ticket
        assert resumed.state == TicketState.IN_PROGRESS.value
        # Two working days waiting (Monday 09:00 → Wednesday 09:00, 16 working hours) move the due by as much.
        resolution = {t.target.name: t for t in desk.sla(co.manager, tid).targets}["resolution"]
        assert resolution.paused_time == timedelta(hours=16)
        assert resolution.due_at == MONDAY.replace(day=6, hour=18)


@pytest.mark.parametrize("backend", BACKENDS)
def test_flow_7_a_callback_that_finds_the_problem_back_has_it_redone_and_called_back_again(
    backend: str, tmp_path: Path
) -> None:
    """服务回访 with 验收确认: the callback finds the problem back, so it is handled again (the engineer who
    holds it is told), accepted again, and called back a certain time (72 h) after the new acceptance; the
    analysis (数据分析: 处理时间、客户满意度) counts the rework: no first-time fix, one rework."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        tid = desk.open_ticket(
            co.agent, customer_id=co.customer_id, asset_id=co.asset_id, description="不制冷"
        ).ticket.id
        desk.triage(co.agent, tid, nature="no_cooling", severity=Severity.MEDIUM)
        desk.dispatch(co.agent, tid, engineer_id="eng-jr")
        desk.contact_customer(co.agent, tid, note="下午上门", expected_at=MONDAY.replace(hour=14))
        clock.set(MONDAY.replace(hour=14))
        desk.start_work(co.junior, tid)
        desk.add_fault_record(
            co.junior, tid, symptom="no_cooling", cause="refrigerant_leak", action="recharge"
        )
        clock.advance(timedelta(hours=1))
        desk.resolve(co.junior, tid, summary="充注冷媒")
        desk.confirm(co.customer, tid)
        clock.advance(timedelta(hours=24))
        back = desk.record_callback(co.agent, tid, problem_back=True, comment="又不冷了").ticket
        assert back.state == TicketState.REWORK.value
        assert back.assignee is not None and back.assignee.id == "eng-jr"
        assert any("需重新处理" in m for m in co.sent_to("13700000001"))
        assert desk.callbacks.pending(co.agent) == []
        clock.advance(timedelta(hours=2))
        desk.start_work(co.junior, tid)
        desk.add_fault_record(
            co.junior, tid, symptom="no_cooling", cause="valve_broken", action="replace_valve"
        )
        clock.advance(timedelta(hours=1))
        desk.resolve(co.junior, tid, summary="更换膨胀阀")
        accepted_again = clock.now()
        desk.confirm(co.customer, tid)
        (task,) = desk.callbacks.pending(co.agent)
        assert task.due_at == accepted_again + timedelta(hours=72)
        clock.advance(timedelta(hours=24))
        desk.record_callback(co.agent, tid, problem_back=False, satisfaction=4, comment="已正常")
        assert desk.close(co.agent, tid).ticket.state == TicketState.CLOSED.value

        period = Period(MONDAY.replace(day=1, hour=0), MONDAY.replace(month=4, day=1, hour=0))
        total = pack_kpi_report(desk, reporting_for(desk.store), period).total
        assert (total.counts.resolved, total.counts.first_time_fixed, total.rework_count) == (1, 0, 1)
        assert total.mean_satisfaction == Decimal("4.00")
        assert total.callback_on_time_rate == Decimal("1")


@pytest.mark.parametrize("backend", BACKENDS)
def test_complaint_received_at_once_investigated_solved_fed_back_and_reviewed_for_its_root_cause(
    backend: str, tmp_path: Path
) -> None:
    """客户投诉处理: 投诉受理 2 (接到投诉后立即登记: 基本信息、投诉内容); 投诉处理流程 1 调查核实 →
    2 制定解决方案并与客户沟通协商 → 3 实施处理 → 4 结果反馈 (征求客户的意见和满意度) → 5 总结改进
    (找出根源、改进措施). A step out of its turn changes nothing; the feedback's callback asks the
    customer's satisfaction."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock, manager = co.desk, co.clock, co.manager
        job = desk.open_ticket(
            co.agent, customer_id=co.customer_id, asset_id=co.asset_id, description="不制冷"
        ).ticket.id
        clock.advance(timedelta(hours=1))
        opened = desk.complaints.open_complaint(
            co.agent, co.customer_id, "维修人员迟到两小时且态度恶劣", [job], channel=Channel.PORTAL
        ).ticket
        cid = opened.id
        assert (opened.received_at, opened.channel) == (MONDAY + timedelta(hours=1), Channel.PORTAL)
        (entry,) = desk.complaints.complaint_log(manager)
        assert (entry.name, entry.phone, entry.fault) == (
            "张伟",
            "13912345678",
            "维修人员迟到两小时且态度恶劣",
        )
        assert any(cid in m for m in co.sent_to("manager@venus.example"))

        with pytest.raises(InvalidTransition):
            desk.complaints.propose_solution(manager, cid, solution="致歉")  # not investigated yet
        assert desk.ticket(manager, cid).state == "received"
        desk.complaints.investigate(manager, cid)
        desk.complaints.propose_solution(manager, cid, solution="致歉并免费加做一次保养")
        desk.complaints.agree_solution(manager, cid, note="客户同意")
        clock.advance(timedelta(hours=3))
        desk.complaints.give_feedback(manager, cid, outcome="已致歉,保养已完成")
        desk.complaints.review(manager, cid, root_cause="dispatch_route", improvement="派工时核对路程和时间")
        file = desk.complaints.complaint_file(manager, cid)
        assert file.review is not None and file.outcome == "已致歉,保养已完成"

        (task,) = desk.callbacks.pending(co.agent)
        assert task.ticket_id == cid
        clock.advance(timedelta(days=1))
        with pytest.raises(ValidationError) as no_score:
            desk.record_callback(co.agent, cid, problem_back=False, comment="可以")
        assert no_score.value.field == "satisfaction"
        desk.record_callback(co.agent, cid, problem_back=False, satisfaction=4, comment="处理及时")
        assert desk.complaints.complaint_log(manager)[0].called_back_at == clock.now()


@pytest.mark.parametrize("backend", BACKENDS)
def test_costs_are_budgeted_yearly_accounted_per_kind_and_an_overrun_is_analysed_and_approved(
    backend: str, tmp_path: Path
) -> None:
    """售后维护费用管理: 费用预算 (每年编制,报公司管理层审批); 费用核算 (维修材料费用、人工费用、
    运输费用, 单独核算); 费用控制 (超出预算的费用进行分析和审批, by the after-sales department itself);
    内部监督 (内部审计…检查售后维护费用的使用情况)."""
    with company(backend, tmp_path, PACK) as co:
        desk, manager, gm = co.desk, co.manager, co.general_manager
        cny = lambda amount: Money(Decimal(amount), "CNY")  # noqa: E731
        for kind, amount in (("materials", "1000"), ("labour", "500"), ("travel", "200")):
            desk.charges.draft_budget(manager, "2026", kind, cny(amount))
            with pytest.raises(PermissionDenied):
                desk.charges.approve_budget(manager, "2026", kind)  # the department does not approve its own
            desk.charges.approve_budget(gm, "2026", kind)
        tid = desk.open_ticket(
            co.agent, customer_id=co.customer_id, asset_id=co.asset_id, description="压缩机坏"
        ).ticket.id
        desk.triage(co.agent, tid, nature="compressor", severity=Severity.HIGH)
        desk.dispatch(co.agent, tid, engineer_id="eng-sr")
        desk.start_work(co.senior, tid)
        for kind, item, amount in (
            (ChargeKind.MATERIALS, "COMP-01", "1200"),
            (ChargeKind.LABOUR, "repair", "300"),
            (ChargeKind.TRAVEL, "zone-a", "80"),
        ):
            desk.fees.record_free_issue(
                co.senior, tid, [ChargeLine(kind, item, cny(amount), chargeable=False)]
            )

        report = scoped_budget_report(desk, co.auditor, "2026")
        rows = {r.category: r for r in report.rows}
        assert {k: rows[k].actual for k in rows} == {
            "materials": cny("1200"),
            "labour": cny("300"),
            "travel": cny("80"),
        }
        assert report.unapproved == ("materials",)
        with pytest.raises(PermissionDenied):
            desk.charges.approve_overrun(gm, "2026", "materials", cny("200"), reason="压缩机更换")
        with pytest.raises(ValidationError):
            desk.charges.approve_overrun(manager, "2026", "materials", cny("200"), reason=" ")
        desk.charges.approve_overrun(
            manager, "2026", "materials", cny("200"), reason="压缩机整机更换,质量问题"
        )
        assert scoped_budget_report(desk, co.auditor, "2026").unapproved == ()
        with pytest.raises(PermissionDenied):
            desk.charges.draft_budget(co.auditor, "2027", "materials", cny("1"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_staff_are_appraised_on_service_quality_efficiency_and_satisfaction_and_the_audit_only_reads(
    backend: str, tmp_path: Path
) -> None:
    """人员绩效考核 1-2: 考核指标…服务质量、工作效率、客户满意度; 定期…考核,考核结果与薪酬、晋升等挂钩;
    人员激励与约束 (表彰、奖励 / 批评教育和处罚); 内部监督 1 (内部审计部门…检查…执行情况): each
    engineer's month shows first-time fixes and reworks (quality), resolution times (efficiency) and
    callback scores (satisfaction); the month is appraised by the head, never by the engineer; the
    audit reads the figures and the ledger and changes nothing."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        jobs = {}
        for engineer, actor, text in (("eng-jr", co.junior, "异响"), ("eng-sr", co.senior, "漏水")):
            tid = desk.open_ticket(
                co.agent, customer_id=co.customer_id, asset_id=co.asset_id, description=text
            )
            jobs[engineer] = tid.ticket.id
            desk.triage(co.agent, jobs[engineer], nature="fault", severity=Severity.MEDIUM)
            desk.dispatch(co.agent, jobs[engineer], engineer_id=engineer)
            desk.start_work(actor, jobs[engineer])
            clock.advance(timedelta(hours=1))
            desk.resolve(actor, jobs[engineer], summary="处理完毕")
        desk.reject(co.customer, jobs["eng-jr"], reason="仍有异响")
        desk.start_work(co.junior, jobs["eng-jr"])
        clock.advance(timedelta(hours=1))
        desk.resolve(co.junior, jobs["eng-jr"], summary="重新紧固")
        for engineer, score in (("eng-jr", 3), ("eng-sr", 5)):
            desk.confirm(co.customer, jobs[engineer])
            clock.advance(timedelta(hours=2))
            desk.record_callback(co.agent, jobs[engineer], problem_back=False, satisfaction=score)

        period = Period(MONDAY.replace(day=1, hour=0), MONDAY.replace(month=4, day=1, hour=0))
        rows = {r.engineer_id: r for r in scoped_engineer_kpis(desk, co.manager, period).rows}
        assert (rows["eng-jr"].first_time_fixed, rows["eng-jr"].reworks) == (0, 1)
        assert (rows["eng-sr"].first_time_fixed, rows["eng-sr"].reworks) == (1, 0)
        assert rows["eng-jr"].resolution.count == rows["eng-sr"].resolution.count == 1
        assert (rows["eng-jr"].mean_satisfaction, rows["eng-sr"].mean_satisfaction) == (
            Decimal("3"),
            Decimal("5"),
        )
        with pytest.raises(PermissionDenied):
            scoped_engineer_kpis(desk, co.junior, period)

        clock.set(MONDAY.replace(month=4, day=1, hour=10))
        with pytest.raises(PermissionDenied):
            desk.staff_records.appraise(co.junior, "eng-jr", "2026-03", kind=StaffKind.ENGINEER, score=100)
        appraisal = desk.staff_records.appraise(
            co.manager, "eng-sr", "2026-03", kind=StaffKind.ENGINEER, score=95, note="一次修复,客户满意"
        )
        assert appraisal.staff_id == "eng-sr" and appraisal.month == "2026-03"
        measure = desk.staff_records.record_measure(
            co.manager,
            "eng-sr",
            kind=StaffKind.ENGINEER,
            measure=MeasureKind.COMMENDATION,
            reason="月度考核优秀",
        )
        assert measure.measure is MeasureKind.COMMENDATION

        # 内部监督: the audit reads the ledger and the appraisal figures, and writes nothing.
        assert desk.count(co.auditor) == 2
        assert {r.engineer_id for r in scoped_engineer_kpis(desk, co.auditor, period).rows} >= {
            "eng-jr",
            "eng-sr",
        }
        with pytest.raises(PermissionDenied):
            desk.close(co.auditor, jobs["eng-sr"])
        with pytest.raises(PermissionDenied):
            desk.staff_records.appraise(co.auditor, "eng-jr", "2026-03", kind=StaffKind.ENGINEER, score=60)
        assert desk.ticket(co.manager, jobs["eng-sr"]).state == TicketState.ACCEPTED.value
