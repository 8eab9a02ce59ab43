# mypy: disable-error-code="arg-type"
"""Seed 000 (客户售后维护管理办法) walked end to end through the service desk of the general-maintenance
pack, on memory, SQLite and PostgreSQL.

售后维护服务流程: 客户报修 (phone, e-mail, online) → 信息登记 (the customer's details and the problem) →
问题评估 (severity and plan) → 派工处理 (on site, or the product brought to a repair point) → 维修保养 with
progress fed back to the customer → 验收确认 (not satisfied: redone until satisfied) → 服务回访 within a
certain time (72 hours in this pack). 售后信息记录: 问题描述、处理过程、解决方案、服务时间. 数据分析: 问题
类型、处理时间、客户满意度. 内部监督: the internal audit reads, and changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Channel, Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.maintenance import ChecklistResult
from aftersales.domain.parties import Customer
from aftersales.errors import PermissionDenied
from aftersales.ports.ledger_rows import LEDGER_FIELDS
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.ledger_export import ledger_records
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "general_maintenance")


def _record(desk: ServiceDesk, world: World, ticket_id: str) -> dict[str, object]:
    (row,) = [r for page in ledger_records(desk, world.auditor) for r in page if r[0] == ticket_id]
    return dict(zip(LEDGER_FIELDS, row, strict=True))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_repair_is_registered_assessed_dispatched_redone_until_accepted_and_called_back(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        junior = world.junior
        # 1. 客户报修 by e-mail; 2. 信息登记: the customer, the unit and the problem, received now.
        tid = desk.open_ticket(
            world.agent,
            customer_id=world.cust_zh.id,
            asset_id=world.asset.id,
            description="马桶冲水后一直漏水",
            channel=Channel.EMAIL,
        ).ticket.id
        view = desk.ticket(world.auditor, tid)
        assert (view.channel, view.received_at, view.asset_id) == (Channel.EMAIL, clock.now(), world.asset.id)
        assert (view.product_id, view.batch, view.taken_by) == (world.product.id, "B2025-07", world.agent.ref)
        # 3. 问题评估: severity and plan (on site by default in this pack).
        desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
        assessed = desk.ticket(world.auditor, tid)
        assert assessed.assessment is not None and assessed.assessment.plan is Plan.ON_SITE
        assert assessed.assessment.severity is Severity.MEDIUM
        # 4. 派工处理: the department sends a suitable maintenance person on site.
        desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
        clock.advance(timedelta(hours=1))
        desk.start_work(junior, tid)
        arrived = clock.now()
        # 5. 维修保养, 及时向客户反馈处理进度: the customer is told of the progress note.
        desk.note_to_customer(junior, tid, text="已到现场, 正在检查进水阀")
        desk.add_fault_record(junior, tid, symptom="leak", cause="valve_worn", action="replace_valve")
        clock.advance(timedelta(hours=2))
        desk.add_visit(
            junior, tid, planned_at=arrived, engineer_id=world.eng_junior.id, arrived_at=arrived,
            left_at=clock.now(), note="更换进水阀",
        )  # fmt: skip
        desk.resolve(junior, tid, summary="更换进水阀")
        # 6. 验收确认: not satisfied, the work is redone — the engineer is told, with the customer's words.
        clock.advance(timedelta(hours=4))
        desk.reject(world.customer_zh, tid, reason="还在滴水")
        assert desk.ticket(world.auditor, tid).state == "rework"
        assert _record(desk, world, tid)["outcome"] is None  # no result while the work is redone
        desk.start_work(junior, tid)
        desk.resolve(junior, tid, summary="更换密封圈, 试水无滴漏")
        clock.advance(timedelta(hours=1))
        desk.confirm(world.customer_zh, tid, note="满意")
        accepted = desk.ticket(world.auditor, tid)
        assert accepted.state == "accepted" and accepted.resolved_at == clock.now()
        # 7. 服务回访 一定时间内: 72 hours after the acceptance in this pack.
        assert accepted.callback_due_at == clock.now() + timedelta(hours=72)
        (task,) = desk.callbacks.pending(world.agent)
        assert task.ticket_id == tid
        clock.advance(timedelta(hours=70))
        desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5, answers={"polite": True})
        desk.close(world.agent, tid)
        desk.deliver()
        to_customer = [m.subject for m in notifier.to("13912345678")]
        assert f"工单 {tid} 处理进度" in to_customer
        to_engineer = [m.subject for m in notifier.to("13700000001")]
        assert f"工单 {tid} 需重新处理" in to_engineer
        # 售后信息记录: 问题描述、处理过程、解决方案、服务时间.
        record = _record(desk, world, tid)
        assert record["description"] == "马桶冲水后一直漏水"
        assert record["outcome"] == "更换密封圈, 试水无滴漏"
        assert (record["symptom"], record["cause"], record["action"]) == (
            "leak",
            "valve_worn",
            "replace_valve",
        )
        # 客户信息收集: who bought what, when — the archive keeps the unit with its purchase date.
        archive = desk.archives.customer_archive(world.manager, world.cust_zh.id)
        assert archive.customer.contact.address == "上海市浦东新区世纪大道 100 号"
        assert [(a.product_id, a.serial, a.purchase_date) for a in archive.assets] == [
            (world.product.id, "SN-2025-0001", date(2025, 9, 1))
        ]
        assert [e.id for e in archive.tickets] == [tid] and archive.surveys[0].satisfaction == 5
        closed = desk.ticket(world.auditor, tid)
        (visit,) = closed.visits
        assert (visit.arrived_at, visit.left_at) == (arrived, arrived + timedelta(hours=2))
        steps = [e.action for e in closed.events]
        assert steps.count("resolve") == 2 and "reject" in steps and steps[-1] == "close"
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.counts.rework_tickets, total.rework_count) == (1, 1)
        assert total.first_time_fix_rate == Decimal(0)
        assert total.callback_on_time_rate == Decimal(1) and total.satisfaction_rate == Decimal(1)


def _accepted(desk: ServiceDesk, world: World, category: Category = Category.REPAIR) -> str:
    """A ticket of the Chinese customer fixed on site by the junior engineer and accepted by the customer."""
    tid = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="设备异响", category=category
    ).ticket.id
    desk.triage(world.agent, tid, nature="noise", severity=Severity.LOW, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    desk.resolve(world.junior, tid, summary="紧固螺丝")
    desk.confirm(world.customer_zh, tid)
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_past_the_packs_72_hours_is_overdue_and_counted_late(backend: str, tmp_path: Path) -> None:
    # 服务回访: 售后维护管理部门在服务结束后一定时间内对客户进行回访 — 72 hours here; one made at 71
    # hours is on time, one made at 73 is listed overdue first and counted late in the callback KPI.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        on_time, late = _accepted(desk, world), _accepted(desk, world, Category.MAINTENANCE)
        accepted_at = clock.now()
        clock.advance(timedelta(hours=71))
        assert desk.callbacks.overdue(world.manager) == []
        desk.record_callback(world.agent, on_time, problem_back=False, satisfaction=4)
        clock.advance(timedelta(hours=2))
        assert [t.ticket_id for t in desk.callbacks.overdue(world.manager)] == [late]
        assert desk.sla(world.manager, late)["callback"].due_at == accepted_at + timedelta(hours=72)
        desk.record_callback(world.agent, late, problem_back=False, satisfaction=3, channel=Channel.WECHAT)
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.counts.callbacks_due, total.counts.callbacks_on_time) == (2, 1)
        assert total.callback_on_time_rate == Decimal("0.5")
        # 数据分析 by 问题类型: each category its own row, with its satisfaction.
        rows = {
            r.group: r
            for r in kpi_report(
                reporting_for(desk.store), MARCH, desk.calendar, group=GroupBy.CATEGORY, as_of=clock.now()
            ).rows
        }
        assert rows["repair"].counts.tickets == 1 and rows["repair"].satisfaction_rate == Decimal(1)
        assert rows["maintenance"].counts.tickets == 1 and rows["maintenance"].satisfaction_rate == Decimal(0)
        # fixed on site with no contact logged: answered when the work was marked done (session 34)
        assert rows["repair"].resolution.count == 1 and rows["repair"].response.count == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_technical_support_and_training_are_given_remotely_and_a_depot_repair_has_no_visit_to_make(
    backend: str, tmp_path: Path
) -> None:
    # 售后维护服务内容: 维修、保养、技术支持 (使用、安装、调试的技术指导和咨询)、培训服务. The pack assesses
    # support and training as remote first, solved without dispatch; a repair brought to the repair point
    # (要求客户将产品送至指定维修地点) has no on-site arrival target, an on-site one has.
    with _desk(backend, tmp_path) as (desk, _clock, world, _):
        for category in (Category.TECHNICAL_SUPPORT, Category.TRAINING):
            tid = desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="如何设置节水模式", category=category,
                channel=Channel.PORTAL,
            ).ticket.id  # fmt: skip
            desk.triage(world.agent, tid, nature="usage", severity=Severity.LOW)
            assessment = desk.ticket(world.manager, tid).assessment
            assert assessment is not None and assessment.plan is Plan.REMOTE
            desk.contact_customer(world.agent, tid, channel=Channel.PHONE, note="电话指导设置")
            desk.resolve(world.agent, tid, summary="电话指导完成设置", remote=True)
            desk.confirm(world.customer_zh, tid)
            assert desk.ticket(world.manager, tid).assignee is None
        plans = {}
        for plan in (Plan.DEPOT, Plan.ON_SITE):
            tid = desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="面板损坏"
            ).ticket.id
            desk.triage(world.agent, tid, nature="panel", severity=Severity.MEDIUM, plan=plan)
            plans[plan] = {t.target.name for t in desk.sla(world.manager, tid).targets}
        assert "arrival" not in plans[Plan.DEPOT] and "arrival" in plans[Plan.ON_SITE]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_internal_audit_reads_the_records_and_changes_nothing(backend: str, tmp_path: Path) -> None:
    # 内部监督: 内部审计部门定期对售后维护管理工作进行审计和监督, 检查制度的执行情况、费用的使用情况 — the
    # auditor reads the ledger, the events and the callbacks; every write is refused and nothing changes.
    with _desk(backend, tmp_path) as (desk, _clock, world, _):
        tid = _accepted(desk, world)
        before = len(desk.ticket(world.auditor, tid).events)
        assert [t.id for t in desk.ledger(world.auditor).items] == [tid]
        assert [t.ticket_id for t in desk.callbacks.pending(world.auditor)] == [tid]
        writes = [
            lambda: desk.open_ticket(world.auditor, customer_id=world.cust_zh.id, description="审计"),
            lambda: desk.record_callback(world.auditor, tid, problem_back=False, satisfaction=5),
            lambda: desk.reopen(world.auditor, tid, reason="审计"),
            lambda: desk.note_to_customer(world.auditor, tid, text="审计"),
            lambda: desk.close(world.auditor, tid),
        ]
        for write in writes:
            with pytest.raises(PermissionDenied):
                write()
        assert len(desk.ticket(world.auditor, tid).events) == before
        assert desk.ticket(world.manager, tid).state == "accepted"


@pytest.mark.parametrize("backend", BACKENDS)
def test_periodic_maintenance_recurs_every_six_months_with_the_packs_checklist(
    backend: str, tmp_path: Path
) -> None:
    # 保养服务: 定期为产品提供保养服务, 延长产品的使用寿命 — this pack's "定期" is every 6 months, the visit
    # generated 14 days ahead with its checklist; it is dispatched, done, and the next one falls due six
    # months after the day it was done.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        plan = desk.maintenance.create_plan(
            world.manager, asset_id=world.asset.id, first_due=date(2026, 3, 20)
        )
        assert (plan.interval_months, plan.lead_days) == (6, 14)
        assert desk.maintenance.generate_due(world.system, date(2026, 3, 5)).generated == ()
        (visit,) = desk.maintenance.generate_due(world.system, date(2026, 3, 6)).generated
        assert visit.checklist == ("inspect", "clean", "test_function", "replace_wear_parts", "explain_care")
        ticket = desk.ticket(world.manager, visit.ticket_id)
        assert ticket.category == Category.MAINTENANCE and ticket.channel is Channel.PLANNED
        assert ticket.assignee is not None
        engineer = Actor.engineer(ticket.assignee.id)
        clock.set(datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
        desk.start_work(engineer, visit.ticket_id)
        desk.maintenance.complete_visit(
            engineer, visit.id, results=[ChecklistResult(task, True) for task in visit.checklist]
        )
        (after,) = desk.maintenance.plans(world.manager, asset_id=world.asset.id)
        assert after.next_due == date(2026, 9, 20)


@pytest.mark.parametrize("backend", BACKENDS)
def test_with_no_suitable_maintenance_staff_in_the_region_the_ticket_waits_and_the_manager_is_told(
    backend: str, tmp_path: Path
) -> None:
    # 派工处理: 售后维护管理部门安排合适的售后维护人员 — the pack sends the maker's staff of the customer's
    # region. A customer in Beijing, where nobody works: the ticket stays assessed, the failed dispatch
    # is in its history with why, and the after-sales manager is told.
    with _desk(backend, tmp_path) as (desk, _clock, world, notifier):
        desk.register_customer(
            world.manager,
            Customer(CustomerId("bj-1"), "刘洋", Contact("刘洋", phone="13822223333"), region="BJ"),
        )
        tid = desk.open_ticket(world.agent, customer_id="bj-1", description="不制热").ticket.id
        desk.triage(world.agent, tid, nature="heating", severity=Severity.MEDIUM)
        desk.dispatch(world.agent, tid)
        view = desk.ticket(world.manager, tid)
        assert (view.state, view.assignee) == ("triaged", None)
        failed = view.events[-1]
        assert failed.action == "dispatch_failed" and failed.payload["to"] == ["manager"]
        codes = [r["code"] for r in failed.payload["reasons"]]  # type: ignore[union-attr]
        assert "no_engineer" in codes
        desk.deliver()
        assert [m.subject for m in notifier.to("manager@venus.example")] == [f"工单 {tid} 已升级至售后经理"]
        desk.dispatch(world.manager, tid, engineer_id=world.eng_senior.id, reason="跨区支援")
        assert desk.ticket(world.manager, tid).state == "assigned"
