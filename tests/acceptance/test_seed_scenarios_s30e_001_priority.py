# mypy: disable-error-code="arg-type"
"""Seed 001 (会展服务售后管理制度) re-walked at the seam of priority and the queue's order (session 30, e),
on memory, SQLite and PostgreSQL, with the exhibition-services pack (and, for contrast, seed 003's
office-equipment pack, which grades by the customer's importance).

The seed grades a problem by what it is — 一般, 紧急 (三(二)2 对于紧急问题,售后专员应立即标记,并优先处理;
五(一)2 立即响应), 复杂 (五(二)2) — and names 重要客户 in one place only: 三(七)1 对于重大售后问题或重要客户,
售后团队应在问题处理完毕后进行客户满意度调查 (a survey). Session 30: the pack raised an important or VIP
customer's grade by one, so a VIP's ordinary problem was expedited like an urgent one, tied with it in the
specialist's queue (``Sort.PRIORITY``: grade, then oldest first) and was handled first when it came in
earlier; and it took the expedited times (2 hours, 2 working days) where 五(一)1/五(二)1 give 一般售后问题
the ordinary ones (4 hours, 3 working days).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "exhibition_services")


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _queue(desk: ServiceDesk, world: World) -> list[str]:
    page = desk.ledger(world.agent, TicketFilter(is_open=True), PageRequest(10, sort=Sort.PRIORITY))
    return [t.id for t in page.items]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_later_urgent_problem_heads_the_queue_before_a_vips_earlier_ordinary_one(
    backend: str, tmp_path: Path
) -> None:
    # 三(二)2 对于紧急问题,售后专员应立即标记,并优先处理. A VIP exhibitor's stand light (ordinary, assessed
    # medium) is called in on Monday 2 March at 09:00; at 09:10 another exhibitor's entrance gate fails and
    # is flagged urgent. The urgent one is handled first, whoever called earlier.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(3, 2, 9, 0))
        vip = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="展位灯不亮").ticket.id
        desk.triage(world.agent, vip, nature="lighting", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        clock.set(_at(3, 2, 9, 10))
        urgent = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="展馆入口闸机失灵", urgent=True
        ).ticket.id
        assert _queue(desk, world) == [urgent, vip]
        desk.triage(world.agent, urgent, nature="gate", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        assert _queue(desk, world) == [urgent, vip]
        grades = {tid: desk.ticket(world.manager, tid).priority for tid in (vip, urgent)}
        assert grades == {vip: Priority.NORMAL, urgent: Priority.EXPEDITED}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vips_ordinary_problem_has_the_ordinary_times(backend: str, tmp_path: Path) -> None:
    # 五(一)1 对于客户反馈的问题,售后专员应在[X]小时内做出响应 (4 working hours in this pack) and 五(二)1
    # 一般售后问题应在[X]个工作日内处理完毕 (3 working days): a VIP's ordinary problem is a 一般售后问题.
    # Monday 09:00: resolution by Wednesday 18:00,
    # whoever the customer is.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(3, 2, 9, 0))
        vip = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="展位灯不亮").ticket.id
        desk.triage(world.agent, vip, nature="lighting", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        opened = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="展位灯箱不亮")
        ordinary = opened.ticket.id
        desk.triage(world.agent, ordinary, nature="lighting", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        dues = {
            tid: {t.target.name: t.due_at for t in desk.sla(world.manager, tid).targets}
            for tid in (vip, ordinary)
        }
        assert dues[vip] == dues[ordinary]
        assert dues[vip]["resolution"] == _at(3, 4, 18, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vips_urgent_call_is_urgent_not_major_and_still_surveyed(backend: str, tmp_path: Path) -> None:
    # 三(二)2 / 五(一)2: a VIP's urgent call is urgent like anyone's — expedited, contacted within the
    # pack's 30 minutes; 三(七)1 the important customer is surveyed after it is handled (重要客户), which
    # is where the seed names the customer's importance.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(3, 2, 10, 0))
        vip = desk.open_ticket(
            world.agent, customer_id=world.cust_en.id, description="展台大屏黑屏", urgent=True
        ).ticket.id
        assert desk.ticket(world.manager, vip).priority is Priority.EXPEDITED
        response = desk.sla(world.manager, vip)["response"]
        assert response.due_at == _at(3, 2, 10, 30)
        desk.triage(world.agent, vip, nature="screen", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        assert desk.ticket(world.manager, vip).priority is Priority.EXPEDITED
        desk.dispatch(world.agent, vip, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, vip)
        clock.advance(timedelta(hours=2))
        desk.resolve(world.senior, vip, summary="更换信号线")
        desk.confirm(world.customer_en, vip)
        (task,) = [t for t in desk.callbacks.pending(world.manager) if t.ticket_id == vip]
        assert task.survey
        desk.record_callback(world.agent, vip, problem_back=False, satisfaction=5, attitude=5)
        assert vip not in {t.ticket_id for t in desk.callbacks.pending(world.manager)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_where_importance_grades_the_raised_grade_is_what_the_queue_sorts_by(
    backend: str, tmp_path: Path
) -> None:
    # Seed 003 (二 3, 分级处理: 根据问题的紧急程度、复杂程度以及客户重要性 … 普通、加急、特急) grades by the
    # customer's importance too: there the VIP's ordinary problem is raised to expedited and sorts by that
    # grade — ahead of an earlier ordinary one, behind a later critical one (a stopped line), oldest first
    # within a grade, on every store.
    with contextlib.ExitStack() as stack:
        desk, clock, world, _ = stack.enter_context(noticed_desk(backend, tmp_path, "office_equipment"))
        clock.set(_at(3, 2, 9, 0))

        def opened(customer: str, description: str, **triage: object) -> str:
            tid = desk.open_ticket(world.agent, customer_id=customer, description=description).ticket.id
            desk.triage(world.agent, tid, nature="printer", plan=Plan.ON_SITE, **triage)  # type: ignore[arg-type]
            clock.advance(timedelta(minutes=5))
            return tid

        ordinary = opened(world.cust_zh.id, "打印机卡纸", severity=Severity.MEDIUM)
        vip = opened(world.cust_en.id, "打印机卡纸", severity=Severity.MEDIUM)
        expedited = opened(world.cust_zh.id, "复印机不出纸", severity=Severity.HIGH)
        critical = opened(
            world.cust_zh.id, "整条装订线停机", severity=Severity.MEDIUM, production_stopped=True
        )
        grades = {
            tid: desk.ticket(world.manager, tid).priority for tid in (ordinary, vip, expedited, critical)
        }
        assert grades == {
            ordinary: Priority.NORMAL,
            vip: Priority.EXPEDITED,
            expedited: Priority.EXPEDITED,
            critical: Priority.CRITICAL,
        }
        assert _queue(desk, world) == [critical, vip, expedited, ordinary]
