# mypy: disable-error-code="arg-type"
"""Seed 003 (办公用品售后服务管理规范案例) walked clause by clause by a peer tester, session 31, on memory,
SQLite and PostgreSQL, with the ``office_equipment`` pack the library ships for it.

Each test is named after the clause it checks (二 1 … 二 5, 三 2) and writes the scenario a peer holding
only the seed and the public API would write: the numbers (hours, units, grades), the order of the steps,
who may take each, and what the reports show afterwards. The rule matrix is docs/rules/seed-003.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
JUNIOR_PHONE = "13700000001"  # 李工, the junior engineer
SENIOR_EMAIL = "wang.sr@venus.example"  # the senior engineer
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2026 in Shanghai (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _repair(desk: ServiceDesk, w: World, description: str = "复印机卡纸", **kw: object) -> str:
    return desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=description, **kw).ticket.id


def _done_by(desk: ServiceDesk, w: World, tid: str, engineer: str) -> None:
    """Triaged, sent to ``engineer`` (``junior`` or ``senior``), answered, worked and its result entered."""
    actor = w.junior if engineer == "junior" else w.senior
    engineer_id = w.eng_junior.id if engineer == "junior" else w.eng_senior.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=engineer_id, reason="seed 003 walk")
    desk.contact_customer(actor, tid, note="已联系客户, 今日上门")
    desk.start_work(actor, tid)
    desk.resolve(actor, tid, summary="更换搓纸轮, 已演示并讲解注意事项")
    desk.confirm(actor, tid, channel="service_slip")


# -- 二 1: one hotline and one online platform ----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_1_the_hotline_and_the_online_platform_take_requests_with_their_channel(
    backend: str, tmp_path: Path
) -> None:
    # 设立了统一的400服务热线和在线服务平台, 确保客户能便捷地提交服务请求: the agent logs the hotline
    # call, the customer submits its own request on the platform; a customer submits for nobody else
    # (nothing written).
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        phoned = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="打印机不进纸")
        online = desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="碎纸机卡死", channel=Channel.PORTAL
        )
        assert (phoned.ticket.channel, online.ticket.channel) == (Channel.PHONE, Channel.PORTAL)
        with pytest.raises((PermissionDenied, NotFound)):
            desk.open_ticket(w.customer_zh, customer_id=w.cust_en.id, description="?", channel=Channel.PORTAL)
        assert desk.count(w.manager) == 2


# -- 二 2: the key elements of the request, and its class -------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_2_a_request_records_the_customer_product_problem_expected_time_and_class(
    backend: str, tmp_path: Path
) -> None:
    # 详细记录客户信息、产品信息、问题描述、期望解决时间等关键要素, 并将服务请求进行分类 (安装调试、故障维修、
    # 产品退换、耗材咨询): the four classes are kept as logged; the time the customer expects is kept and
    # shown in the progress; one already past when the call comes is refused, nothing written.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        wanted = clock.now() + timedelta(days=2)
        ids = {}
        for category in (
            Category.INSTALLATION,
            Category.REPAIR,
            Category.RETURN_EXCHANGE,
            Category.CONSUMABLES,
        ):
            ids[category] = desk.open_ticket(
                w.agent,
                customer_id=w.cust_zh.id,
                asset_id=w.asset.id,
                description=f"{category.code}: 复印机",
                category=category,
                expected_by=wanted,
            ).ticket.id
        for category, tid in ids.items():
            view = desk.ticket(w.manager, tid)
            assert (view.category, view.customer_id, view.asset_id) == (category, w.cust_zh.id, w.asset.id)
            assert desk.progress(w.customer_zh, tid).expected_by == wanted
        with pytest.raises(ValidationError) as past:
            desk.open_ticket(
                w.agent,
                customer_id=w.cust_zh.id,
                description="复印机",
                expected_by=clock.now() - timedelta(hours=1),
            )
        assert past.value.field == "expected_by"
        assert desk.count(w.manager) == 4


# -- 二 3 响应时效 and 分级处理 ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_3_urgency_complexity_and_importance_grade_the_request_and_its_response_time(
    backend: str, tmp_path: Path
) -> None:
    # 根据问题的紧急程度、复杂程度以及客户重要性, 将服务请求分为普通、加急、特急三个级别 — the pack's numbers:
    # 3 or more units affected is expedited, 10 or more or the customer's work stopped is critical, a
    # problem marked complex is expedited, a VIP one level up. Each grade's first answer (Y working hours)
    # from Monday 09:00: normal 4 h (14:00, the lunch hour not counted), expedited 2 h, critical 30 min.
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        cases: list[tuple[dict[str, object], str, Priority, datetime]] = [
            ({"units_affected": 2}, "zh", Priority.NORMAL, _at(2, 14)),
            ({"units_affected": 3}, "zh", Priority.EXPEDITED, _at(2, 11)),
            ({"units_affected": 10}, "zh", Priority.CRITICAL, _at(2, 9, 30)),
            ({"production_stopped": True}, "zh", Priority.CRITICAL, _at(2, 9, 30)),
            ({"complex_problem": True}, "zh", Priority.EXPEDITED, _at(2, 11)),
            ({}, "en", Priority.EXPEDITED, _at(2, 11)),
        ]
        for facts, who, grade, due in cases:
            customer = w.cust_zh if who == "zh" else w.cust_en
            tid = desk.open_ticket(w.agent, customer_id=customer.id, description="复印机故障").ticket.id
            triaged = desk.triage(w.agent, tid, nature="copier", severity=Severity.LOW, **facts)
            assert triaged.ticket.priority is grade, facts
            assert desk.sla(w.manager, tid)["response"].due_at == due, facts


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_3_a_repair_is_answered_in_working_hours_and_told_the_expected_visit(
    backend: str, tmp_path: Path
) -> None:
    # 对于故障报修及紧急问题, Y个工作小时内响应, 并告知预计上门或解决时间: a repair at 17:00 on Monday is due
    # Tuesday 12:00 (1 working hour that day, 3 the next morning). The engineer's call at 11:00 on Tuesday
    # tells the visit at 14:00: the response is met and the customer's progress shows the time told; a
    # time already past is refused, nothing recorded.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 17))
        tid = _repair(desk, w)
        assert desk.sla(w.manager, tid)["response"].due_at == _at(3, 12)
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        clock.set(_at(3, 11))
        with pytest.raises(ValidationError) as past:
            desk.contact_customer(w.junior, tid, note="今天上午上门", expected_at=_at(3, 10))
        assert past.value.field == "expected_at"
        assert desk.sla(w.manager, tid)["response"].met_at is None
        desk.contact_customer(w.junior, tid, note="下午两点上门", expected_at=_at(3, 14))
        response = desk.sla(w.manager, tid)["response"]
        assert response.met_at == _at(3, 11) and not response.breached
        assert desk.progress(w.customer_zh, tid).expected_at == _at(3, 14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_3_normal_goes_to_a_junior_and_expedited_to_a_senior_engineer(backend: str, tmp_path: Path) -> None:
    # 普通问题由客服专员或初级工程师处理; 加急问题由资深工程师介入: the desk's own dispatch sends the plain
    # repair to a junior engineer and the urgent one to the senior; an urgent one sent by hand to the
    # junior records the override.
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        levels = {e.id: e.level.value for e in (w.eng_junior, w.eng_senior, w.eng_dealer)}
        plain = _repair(desk, w)
        urgent = _repair(desk, w, "复印机冒烟", urgent=True)
        for tid in (plain, urgent):
            desk.triage(w.agent, tid, nature="copier", severity=Severity.LOW)
        plain_to = desk.dispatch(w.agent, plain).ticket.assignee
        urgent_to = desk.dispatch(w.agent, urgent).ticket.assignee
        assert plain_to is not None and urgent_to is not None
        assert (levels[plain_to.id], levels[urgent_to.id]) == ("junior", "senior")
        by_hand = _repair(desk, w, "扫描仪不工作", urgent=True)
        desk.triage(w.agent, by_hand, nature="scanner", severity=Severity.LOW)
        sent = desk.dispatch(w.agent, by_hand, engineer_id=w.eng_junior.id, reason="资深工程师外出")
        assert "dispatch_below_level" in {r["code"] for r in sent.events[-1].payload["reasons"]}


# -- 二 5: the 24-hour callback and the satisfaction score -------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_5_the_agent_calls_back_within_24_hours_of_the_result_and_the_kpi_counts_it(
    backend: str, tmp_path: Path
) -> None:
    # 服务完成后, 工程师将处理结果录入系统, 客服专员在24小时内对客户进行回访, 确认问题是否解决, 收集客户满意度
    # 评价: two repairs done on Monday at 15:00; one called back Tuesday at 15:00 (the 24th hour: on time),
    # one at 15:01 (late). The engineer may not make the callback; one without a score is refused; the
    # month's KPI says one of two on time and the mean score.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 14))
        on_time, late = _repair(desk, w), _repair(desk, w, "传真机不出纸")
        clock.set(_at(2, 15))
        for tid in (on_time, late):
            _done_by(desk, w, tid, "junior")
            assert desk.ticket(w.manager, tid).callback_due_at == _at(3, 15)
        with pytest.raises(PermissionDenied):
            desk.record_callback(w.junior, on_time, problem_back=False, satisfaction=5)
        clock.set(_at(3, 15))
        with pytest.raises(ValidationError) as unscored:
            desk.callbacks.record(w.agent, on_time, checklist=CallbackChecklist(), problem_back=False)
        assert unscored.value.field == "satisfaction"
        assert desk.callbacks.records(w.manager, on_time) == []
        desk.record_callback(w.agent, on_time, problem_back=False, satisfaction=5)
        clock.set(_at(3, 15, 1))
        assert [t.ticket_id for t in desk.callbacks.overdue(w.manager)] == [late]
        desk.record_callback(w.agent, late, problem_back=False, satisfaction=3)
        assert not desk.sla(w.manager, on_time)["callback"].breached
        assert desk.sla(w.manager, late)["callback"].breached
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert total.callback_on_time_rate == Decimal("0.5")
        assert total.mean_satisfaction == Decimal("4")


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_5_a_callback_finding_the_problem_back_sends_the_work_back(backend: str, tmp_path: Path) -> None:
    # 确认问题是否解决: the customer says the copier jams again; the ticket goes back to rework for the
    # engineer, the first repair's resolution stays judged, and no new callback is owed until the next
    # result is entered — then 24 hours from that entry.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _repair(desk, w)
        _done_by(desk, w, tid, "junior")
        clock.set(_at(3, 10))
        back = desk.record_callback(w.agent, tid, problem_back=True, satisfaction=2, comment="又卡纸")
        assert back.ticket.state == "rework"
        assert desk.callbacks.pending(w.manager) == []
        clock.set(_at(3, 16))
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="更换分页器")
        assert desk.ticket(w.manager, tid).callback_due_at == _at(4, 16)


# -- 三 2: the appraisal's indicators per engineer ---------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_3_2_satisfaction_response_and_resolution_are_appraised_per_engineer(
    backend: str, tmp_path: Path
) -> None:
    # 建立以客户满意度、响应速度、问题解决率、服务规范性等为核心指标的绩效考核体系: the junior's repair is
    # answered and scored 5, the senior's answered late (after its 4 working hours) and scored 2; the KPI
    # by engineer gives each his own figures, not the other's.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 9))
        quick, slow = _repair(desk, w), _repair(desk, w, "投影仪无信号")
        clock.set(_at(2, 10))
        _done_by(desk, w, quick, "junior")
        clock.set(_at(2, 15))
        _done_by(desk, w, slow, "senior")
        clock.set(_at(3, 9))
        desk.record_callback(w.agent, quick, problem_back=False, satisfaction=5)
        desk.record_callback(w.agent, slow, problem_back=False, satisfaction=2)
        report = kpi_report(
            reporting_for(desk.store), MARCH, desk.calendar, group=GroupBy.ENGINEER, as_of=clock.now()
        )
        rows = {row.group: row for row in report.rows}
        junior, senior = rows[w.eng_junior.id], rows[w.eng_senior.id]
        assert (junior.mean_satisfaction, senior.mean_satisfaction) == (Decimal("5"), Decimal("2"))
        assert (junior.response_on_time_rate, senior.response_on_time_rate) == (Decimal("1"), Decimal("0"))
        assert junior.resolution_rate == senior.resolution_rate == Decimal("1")


# -- 二 4 派工管理: the dispatch pushed to the engineer -----------------------------------------------------


def _to(desk: ServiceDesk, address: str) -> list[str]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m.subject + "\n" + m.body for m in notifier.to(address)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_4_the_dispatch_is_pushed_to_the_engineer_and_a_reassignment_to_the_one_it_was_taken_from(
    backend: str, tmp_path: Path
) -> None:
    # 通过系统将派工信息实时推送给工程师: the junior is told the job is his; when the agent gives it to the
    # senior (the junior is off sick), the senior is told it is his and the junior that it went to someone
    # else, with the reason — else he still goes to the customer. Before session 31 the junior heard
    # nothing. A job given back to the same engineer tells nobody it was taken away.
    with world_desk(backend, tmp_path, notifier=MemoryNotifier()) as (desk, _clock, w):
        tid = _repair(desk, w)
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        (pushed,) = _to(desk, JUNIOR_PHONE)
        assert tid in pushed and "张伟" in pushed
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id, reason="李工病假, 改派王工")
        junior = _to(desk, JUNIOR_PHONE)
        assert len(junior) == 2 and tid in junior[1] and "李工病假" in junior[1] and "改派" in junior[1]
        (senior,) = _to(desk, SENIOR_EMAIL)
        assert tid in senior and "assigned to you" in senior
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id, reason="重新确认")
        assert len(_to(desk, SENIOR_EMAIL)) == 2 and all(
            "reassigned" not in m for m in _to(desk, SENIOR_EMAIL)
        )


# -- 二 5 投诉处理: a designated person follows the complaint through ----------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_2_5_a_complaint_is_followed_by_the_designated_person_and_the_customer_hears_the_outcome(
    backend: str, tmp_path: Path
) -> None:
    # 对于客户投诉, 设立专门的投诉处理流程, 由指定人员负责跟进, 确保"事事有回音, 件件有着落": the manager
    # designates agent-2; another agent may not take the handling steps (nothing written); agent-2
    # investigates, proposes, carries out and gives the outcome; the log names agent-2 as handler and the
    # outcome, and the customer is told it in its language.
    designated, other = Actor.agent("agent-2", "客服小王"), Actor.agent("agent-3", "客服小赵")
    with world_desk(backend, tmp_path, notifier=MemoryNotifier()) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "工程师上门未带工牌, 态度生硬").ticket.id
        with pytest.raises(PermissionDenied):  # the agent does not designate
            desk.complaints.assign_handler(w.agent, cid, handler_id="agent-2")
        desk.complaints.assign_handler(w.manager, cid, handler_id="agent-2")
        before = len(desk.ticket(w.manager, cid).events)
        with pytest.raises(PermissionDenied):
            desk.complaints.investigate(other, cid)
        assert len(desk.ticket(w.manager, cid).events) == before
        desk.complaints.investigate(designated, cid)
        desk.complaints.propose_solution(designated, cid, solution="致歉并对工程师进行服务规范培训")
        desk.complaints.agree_solution(designated, cid)
        with pytest.raises(PermissionDenied):
            desk.complaints.give_feedback(other, cid, outcome="已处理")
        desk.complaints.give_feedback(designated, cid, outcome="已致歉, 工程师已参加服务规范培训")
        (entry,) = desk.complaints.complaint_log(w.manager)
        assert entry.handler == "agent:agent-2" and entry.outcome == "已致歉, 工程师已参加服务规范培训"
        told = _to(desk, "zhangwei@example.cn") + _to(desk, "13912345678")
        assert any("已致歉, 工程师已参加服务规范培训" in m for m in told)
