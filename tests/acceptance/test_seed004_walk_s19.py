# mypy: disable-error-code="arg-type"
"""Seed 004 (客户服务管理制度) walked through the public API on memory, SQLite and PostgreSQL.

The customer-service centre of seed 004 takes complaints by every channel (第八条 2(1)), registers them
in its complaint log with the customer's name, address, phone and the fault (2(2)), classifies them
general or major (第七条 4-5), hears of crises at once and reports hard cases to the general manager
(2(4)-(5)), and after a complaint is handled calls the customer back within seven days, records the
callback and handles again what the callback finds (2(6)). Each test follows one passage with the
``service_centre`` pack and checks the refusal and the role that must not, not only the happy path.
The rule matrix is docs/rules/seed-004.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.contact import Contact
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.service.complaint_desk import ComplaintLogFilter
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"
H = timedelta(hours=1)


def _sent(desk: ServiceDesk, address: str) -> int:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return len(notifier.to(address))


def _escalations(desk: ServiceDesk, address: str) -> int:
    """Escalation notices (``complaint_escalated``) delivered to ``address`` so far."""
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return sum(":complaint_escalated:" in m.idempotency_key for m in notifier.to(address))


def _handled(desk: ServiceDesk, w: World, cid: str, outcome: str = "已更换整机，客户接受") -> None:
    """Investigated, a solution agreed and carried out, the outcome given to the customer."""
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换整机")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome=outcome)


# -- 第八条 2(1)-(2): every channel is registered, with name, address, phone and fault -----------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_complaints_by_letter_phone_fax_and_other_ways_are_all_registered(
    backend: str, tmp_path: Path
) -> None:
    """无论何种方式,客户服务中心必须安排人员处理; 填写于《客户投诉登记及处理跟踪表》:
    客户姓名、地址、电话、故障现象."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, _clock, w):
        ids = {}
        for channel in (Channel.LETTER_FAX, Channel.PHONE, Channel.EMAIL, Channel.WALK_IN):
            opened = desk.complaints.open_complaint(
                w.agent, w.cust_zh.id, f"马桶水箱漏水，维修三次未好（{channel.value}）", channel=channel
            )
            assert opened.ticket.kind.value == "complaint" and opened.ticket.channel is channel
            ids[channel] = opened.ticket.id
        log = desk.complaints.complaint_log(w.manager, ComplaintLogFilter(customer_id=w.cust_zh.id))
        assert sorted(e.complaint_id for e in log) == sorted(ids.values())
        entry = next(e for e in log if e.complaint_id == ids[Channel.LETTER_FAX])
        assert (entry.name, entry.address, entry.phone) == (
            "张伟",
            "上海市浦东新区世纪大道 100 号",
            "13912345678",
        )
        assert "水箱漏水" in entry.fault and entry.severity is ComplaintSeverity.GENERAL
        assert entry.handler == ""  # nobody handles it yet: the centre sees it must arrange someone
        desk.complaints.investigate(w.agent, ids[Channel.LETTER_FAX])
        (entry,) = [
            e
            for e in desk.complaints.complaint_log(w.general_manager)
            if e.complaint_id == ids[Channel.LETTER_FAX]
        ]
        assert entry.handler == str(w.agent.ref)
        # the log is the office's: dealer staff, engineers and customers do not read it
        for outsider in (w.dealer_sh_staff, w.junior, w.customer_zh):
            with pytest.raises(PermissionDenied):
                desk.complaints.complaint_log(outsider)
        # a channel that is nobody's call is refused, and nothing is registered
        with pytest.raises(ValidationError) as refused:
            desk.complaints.open_complaint(w.agent, w.cust_zh.id, "?", channel="telegram")
        assert refused.value.field == "channel"
        with pytest.raises(ValidationError):
            desk.complaints.open_complaint(w.agent, w.cust_zh.id, "   ")
        assert len(desk.complaints.complaint_log(w.manager)) == 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_log_reads_the_customers_updated_contact(backend: str, tmp_path: Path) -> None:
    """第五条 1(3) / 第六条 4: 收集及更新客户信息 (联系人、电话、地址): the centre's agent updates the
    customer's record, the change is kept, and the complaint log reads the current phone and address."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "上门不准时").ticket.id
        moved = attrs.evolve(
            w.cust_zh,
            contact=attrs.evolve(w.cust_zh.contact, phone="13700001111", address="上海市徐汇区漕溪北路 1 号"),
        )
        desk.register_customer(w.agent, moved)
        (entry,) = desk.complaints.complaint_log(w.manager, ComplaintLogFilter(customer_id=w.cust_zh.id))
        assert entry.complaint_id == cid
        assert (entry.phone, entry.address) == ("13700001111", "上海市徐汇区漕溪北路 1 号")
        assert desk.master_data_history(w.manager, "customer", w.cust_zh.id)
        with pytest.raises(PermissionDenied):  # a customer does not rewrite its own record through the desk
            desk.register_customer(w.customer_zh, moved)


# -- 第六条 1(6) / 第七条: at once; general and major ------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_general_complaint_is_investigated_at_once_and_not_escalated(backend: str, tmp_path: Path) -> None:
    """第六条 1(6): 保证立刻调查或派人解决 (the pack's complaint floor: at least expedited);
    第七条 4: 一般投诉 — a quality problem or a rude attitude without a loss claimed — stays general
    and alarms nobody."""
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        rude = CrisisFacts(problems={CrisisProblem.RUDE_ATTITUDE})  # no loss, no recourse
        opened = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修师傅态度不好", crisis=rude)
        assert opened.ticket.priority.rank >= Priority.EXPEDITED.rank
        file = desk.complaints.complaint_file(w.manager, opened.ticket.id)
        assert file.severity is ComplaintSeverity.GENERAL and file.escalations == []
        codes = {r.code for r in file.severity_reasons}
        assert {"crisis_no_economic_loss", "crisis_no_recourse", "general_complaint"} <= codes
        assert _escalations(desk, "13800000009") == _escalations(desk, "manager@venus.example") == 0
        # a service ticket is not lifted by the complaint floor
        repair = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="冲水弱")
        assert repair.ticket.priority in (None, Priority.NORMAL)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "recourse",
    [
        Recourse.COMPENSATION_DEMANDED,
        Recourse.CONSUMER_ASSOCIATION,
        Recourse.QUALITY_SUPERVISION,
        Recourse.PRESS,
    ],
)
def test_a_crisis_event_is_major_and_the_centre_and_gm_hear_at_once(
    backend: str, recourse: Recourse, tmp_path: Path
) -> None:
    """第七条 5(1): 危机事件 — a quality or service problem that cost the customer money, who then claims
    compensation from us (向我司提出赔偿要求) or goes to 消协、技监、新闻媒体 — is major; 第八条 2(5): the
    centre hears at once and reports to the general manager."""
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, clock, w):
        crisis = CrisisFacts(problems={CrisisProblem.DECEPTION}, economic_loss=True, recourse={recourse})
        opened = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修人员虚报配件收费", crisis=crisis)
        assert [e.action for e in opened.events] == ["opened", "classify", "escalate"]
        file = desk.complaints.complaint_file(w.manager, opened.ticket.id)
        assert file.severity is ComplaintSeverity.MAJOR
        (escalation,) = file.escalations
        assert {r.value for r in escalation.to} == {"manager", "general_manager"}
        assert escalation.immediate and escalation.at == clock.now()
        assert _escalations(desk, "manager@venus.example") == 1 and _escalations(desk, "13800000009") == 1
        major = desk.complaints.complaint_log(w.auditor, ComplaintLogFilter(severity=ComplaintSeverity.MAJOR))
        assert [e.complaint_id for e in major] == [opened.ticket.id]


@pytest.mark.parametrize("backend", BACKENDS)
def test_who_may_not_classify_a_crisis(backend: str, tmp_path: Path) -> None:
    """The centre classifies (第五条 1(5): 危机事件处理的责任部门); a customer states its complaint (its
    crisis facts kept as its statement, unclassified: session 25) and a dealer does not judge the centre's
    complaints: refused, nothing written."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, _clock, w):
        crisis = CrisisFacts(
            problems={CrisisProblem.PERSONAL_INJURY}, economic_loss=True, recourse={Recourse.PRESS}
        )
        cid = desk.complaints.open_complaint(
            w.customer_zh, w.cust_zh.id, "盖板碎裂划伤", crisis=crisis
        ).ticket.id
        assert desk.complaints.complaint_file(w.manager, cid).stated_crisis == crisis
        with pytest.raises(PermissionDenied):
            desk.complaints.classify(w.customer_zh, cid, crisis=crisis)
        with pytest.raises((PermissionDenied, NotFound)):
            desk.complaints.classify(w.dealer_bj_staff, cid, crisis=crisis)
        assert desk.complaints.complaint_file(w.manager, cid).severity is ComplaintSeverity.GENERAL
        assert desk.count(w.manager) == 1
        desk.complaints.classify(w.agent, cid, crisis=crisis)
        assert desk.complaints.complaint_file(w.manager, cid).severity is ComplaintSeverity.MAJOR


# -- 第八条 2(3)-(5): outlets, hard cases, crises from the field ------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hard_case_goes_from_the_outlet_to_the_centre_to_the_general_manager(
    backend: str, tmp_path: Path
) -> None:
    """2(3)-(4): the centre passes the complaint to the repair outlet; the outlet, unable to judge it at
    once, replies to the centre at once; the centre reports to the general manager and asks how to
    proceed; with the decision it arranges the handling at once."""
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "整机异响，多次维修无效").ticket.id
        desk.complaints.refer_to_outlet(w.agent, cid, dealer_id=w.dealer_sh.id, note="请上门核实")
        centre_before = _sent(desk, "manager@venus.example")
        replied = desk.complaints.reply_from_outlet(
            w.dealer_sh_staff, cid, reply="已安抚客户，技术难度大，无法现场判断", handled=False
        )
        assert replied.events[-1].payload["handled"] is False
        assert _sent(desk, "manager@venus.example") == centre_before + 1
        with pytest.raises((PermissionDenied, NotFound)):  # another region's dealer has no say
            desk.complaints.reply_from_outlet(w.dealer_bj_staff, cid, reply="?")

        desk.complaints.investigate(w.manager, cid)
        with pytest.raises(PermissionDenied):  # the outlet does not go over the centre's head
            desk.complaints.refer_to_general_manager(w.dealer_sh_staff, cid, question="?")
        gm_before = _sent(desk, "13800000009")
        referred = desk.complaints.refer_to_general_manager(
            w.manager, cid, question="客户要求退机，是否同意？"
        )
        assert referred.ticket.state == "awaiting_decision"
        assert _sent(desk, "13800000009") == gm_before + 1
        for not_gm in (w.manager, w.agent):  # the general manager decides, not the centre
            with pytest.raises(PermissionDenied):
                desk.complaints.record_gm_decision(not_gm, cid, decision="同意退机")
        with pytest.raises(ValidationError):
            desk.complaints.record_gm_decision(w.general_manager, cid, decision="  ")
        desk.complaints.record_gm_decision(w.general_manager, cid, decision="同意退机并补偿安装费")
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.solution == "同意退机并补偿安装费" and file.referral is not None
        assert file.referral.decided_by == w.general_manager.ref
        assert desk.complaints.agree_solution(w.manager, cid).ticket.state == "implementing"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_reports_a_crisis_and_the_assisting_departments_are_told(
    backend: str, tmp_path: Path
) -> None:
    """2(5): 当接到危机事件的单位或部门、个人要立即通知客户服务中心 …
    工程部和监理部门是危机事件处理的协助部门."""
    from aftersales.domain.departments import Department

    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="漏电").ticket.id
        desk.triage(w.agent, tid, nature="electric", severity=Severity.HIGH)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        centre_before = _escalations(desk, "manager@venus.example")
        reported = desk.complaints.report_crisis(
            w.junior, w.cust_zh.id, "马桶漏电致客户受伤，家属要找媒体", [tid], note="现场已断电"
        )
        cid = reported.ticket.id
        assert "escalate" in [e.action for e in reported.events]
        assert _escalations(desk, "manager@venus.example") == centre_before + 1
        assert _escalations(desk, "13800000009") == 1
        with pytest.raises(PermissionDenied):  # the customer is no reporter of crises to the centre
            desk.complaints.report_crisis(w.customer_zh, w.cust_zh.id, "x", note="y")
        for dep_id, name in (("engineering", "工程部"), ("supervision", "监理部")):
            desk.coordination.save_department(
                w.manager,
                Department(dep_id, name, contacts=(Contact(name, email=f"{dep_id}@venus.example"),)),
            )
        desk.complaints.assign_departments(w.manager, cid, ["engineering", "supervision"], note="协助处理")
        assert desk.coordination.assigned(w.manager, cid) == ("engineering", "supervision")
        assert _sent(desk, "engineering@venus.example") == 1 and _sent(desk, "supervision@venus.example") == 1
        with pytest.raises((PermissionDenied, NotFound)):  # the reporter does not run the centre's crisis
            desk.complaints.assign_departments(w.junior, cid, ["engineering"])


# -- 第八条 2(6) and 第六条 2-3: the outcome, the callback within seven days, what it finds -----------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_callback_is_due_within_seven_days_of_the_handling_and_recorded(
    backend: str, tmp_path: Path
) -> None:
    """2(6): 用户投诉处理完毕后,应将处理结果登记好,并要求在投诉处理后的七天内进行回访和登记好回访的情况.
    Handled Monday 15:00: on time through the next Monday; overdue from Tuesday 00:00; the callback's
    checklist (第六条 3) is recorded; the KPI counts one callback on time and one late."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.advance(6 * H)  # Monday 2 March 15:00
        on_time = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "漏水").ticket.id
        late = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "异响").ticket.id
        for cid in (on_time, late):
            _handled(desk, w, cid)
        (entry,) = [e for e in desk.complaints.complaint_log(w.manager) if e.complaint_id == on_time]
        assert entry.outcome == "已更换整机，客户接受"  # 处理结果登记好
        due = desk.ticket(w.manager, on_time).callback_due_at
        assert due is not None and due.isoformat() == "2026-03-10T00:00:00+08:00"
        assert (entry.callback_due_at, entry.called_back_at) == (due, None)  # the log tracks the callback
        assert {t.ticket_id for t in desk.callbacks.pending(w.manager)} == {on_time, late}

        clock.set(START.replace(day=9, hour=23, minute=30))  # the 7th day after, 23:30
        assert desk.callbacks.overdue(w.manager) == []
        checklist = CallbackChecklist(
            product_works=True, engineer_tidy=True, polite=True, on_time=True, charged_by_rules=True,
            explained_usage=True, cleaned_up=True,
        )  # fmt: skip
        desk.callbacks.record(w.agent, on_time, checklist=checklist, problem_back=False, satisfaction=5)
        (record,) = desk.callbacks.records(w.manager, on_time)
        assert record.checklist == checklist and record.survey is None and record.by == w.agent.ref
        (entry,) = [e for e in desk.complaints.complaint_log(w.manager) if e.complaint_id == on_time]
        assert entry.called_back_at == clock.now()  # 登记好回访的情况

        clock.set(START.replace(day=10, hour=0, minute=1))
        assert [t.ticket_id for t in desk.callbacks.overdue(w.manager)] == [late]
        desk.record_callback(w.agent, late, problem_back=False, satisfaction=4)
        assert desk.callbacks.overdue(w.manager) == []

        kpi = kpi_report(reporting_for(desk.store), month_period("2026-03"), desk.calendar).total
        assert (kpi.counts.callbacks_due, kpi.counts.callbacks_done, kpi.counts.callbacks_on_time) == (
            2,
            2,
            1,
        )
        assert kpi.counts.complaints == kpi.counts.complaints_resolved == 2
        # a dealer does not make the centre's complaint callback
        with pytest.raises((PermissionDenied, NotFound)):
            desk.record_callback(w.dealer_sh_staff, on_time, problem_back=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_problem_found_at_the_callback_is_handled_again(backend: str, tmp_path: Path) -> None:
    """2(6): 对于回访发现的问题应及时再处理 — the complaint goes back to investigating (closed: reopened),
    the outcome no longer stands, and the next feedback owes a new seven-day callback."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "漏水").ticket.id
        _handled(desk, w, cid)
        desk.complaints.review(w.manager, cid, root_cause="seal_defect", improvement="更换密封圈供应商")
        desk.complaints.close(w.manager, cid)
        clock.advance(timedelta(days=3))
        back = desk.record_callback(w.agent, cid, problem_back=True, satisfaction=2, comment="又开始漏了")
        assert back.ticket.state == "investigating"
        assert desk.complaints.complaint_file(w.manager, cid).outcome == ""
        assert desk.callbacks.pending(w.manager) == []
        (entry,) = desk.complaints.complaint_log(w.manager)
        assert entry.outcome == "" and entry.state == "investigating"
        assert entry.callback_due_at is None and entry.called_back_at is None  # nothing stands to call about

        clock.advance(H)
        desk.complaints.propose_solution(w.manager, cid, solution="整机更换")
        desk.complaints.agree_solution(w.manager, cid)
        desk.complaints.give_feedback(w.manager, cid, outcome="已整机更换")
        (task,) = desk.callbacks.pending(w.manager)
        assert task.ticket_id == cid and task.due_at.isoformat() == "2026-03-13T00:00:00+08:00"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_low_score_at_a_service_callback_opens_a_complaint_for_the_centre(
    backend: str, tmp_path: Path
) -> None:
    """第六条 2(3)-(5), 第七条 3: the callback asks whether the customer is satisfied with the repairer; a
    customer who is not has complained about the service quality, and the complaint is the centre's."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="冲水无力").ticket.id
        desk.triage(w.agent, tid, nature="flush", severity=Severity.MEDIUM)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="清理水箱")
        desk.confirm(w.customer_zh, tid)
        clock.advance(2 * H)
        checklist = CallbackChecklist(polite=False, other_complaints="师傅与我争吵")
        recorded = desk.callbacks.record(
            w.agent, tid, checklist=checklist, problem_back=False, satisfaction=1
        )
        (record,) = desk.callbacks.records(w.manager, tid)
        assert record.complaint_id is not None
        complaint = desk.ticket(w.manager, record.complaint_id)
        assert complaint.kind.value == "complaint" and complaint.customer_id == w.cust_zh.id
        assert recorded.ticket.id == tid
        (entry,) = desk.complaints.complaint_log(w.manager)
        assert "师傅与我争吵" in entry.fault


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_inquiry_is_answered_without_dispatch(backend: str, tmp_path: Path) -> None:
    """第七条 1-2: 咨询 (a question about repair and care) is answered, 报修 goes to the service department;
    the pack routes inquiries remote first (``priority.remote_first``)."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, _clock, w):
        inquiry = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="如何清洁陶瓷釉面？", category=Category.INQUIRY
        )
        assert inquiry.ticket.category.code == "inquiry" and inquiry.ticket.kind.value == "service"
        repair = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="水箱不进水")
        assert repair.ticket.category.code == "repair"
        assert desk.complaints.complaint_log(w.manager) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vip_customers_complaint_is_served_first_and_surveyed(backend: str, tmp_path: Path) -> None:
    """第一条 / 第五章: 建立VIP客户服务中心 (chapter 5 is cut off in the seed): the pack raises a VIP's
    priority (``priority.vip_raises``), halves its SLA targets (``sla.tier_factor``) and asks a VIP a
    satisfaction survey at the complaint's callback (``callback.survey_tiers``); a regular customer's
    general complaint is called back without one."""
    with world_desk(backend, tmp_path, pack=PACK) as (desk, _clock, w):
        vip = desk.complaints.open_complaint(w.agent, w.cust_en.id, "Technician was late twice").ticket.id
        regular = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "上门迟到").ticket.id
        vip_view, regular_view = desk.ticket(w.manager, vip), desk.ticket(w.manager, regular)
        assert vip_view.priority is not None and regular_view.priority is not None
        assert vip_view.priority.rank >= regular_view.priority.rank >= Priority.EXPEDITED.rank
        assert vip_view.response_due_at is not None and regular_view.response_due_at is not None
        assert vip_view.response_due_at < regular_view.response_due_at
        desk.complaints.investigate(w.manager, vip)
        desk.complaints.propose_solution(w.manager, vip, solution="专人上门致歉")
        desk.complaints.agree_solution(w.manager, vip)
        with pytest.raises(ValidationError) as refused:  # a VIP's callback is not left to the host
            desk.complaints.give_feedback(w.manager, vip, outcome="已致歉", schedule_callback=False)
        assert refused.value.field == "schedule_callback"
        desk.complaints.give_feedback(w.manager, vip, outcome="已致歉")
        _handled(desk, w, regular)
        surveys = {t.ticket_id: t.survey for t in desk.callbacks.pending(w.manager)}
        assert surveys == {vip: True, regular: False}
