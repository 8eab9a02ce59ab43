# mypy: disable-error-code="arg-type"
"""Seed 001 (会展服务售后管理制度) walked again (session 25) as a host runs it, on memory, SQLite and
PostgreSQL, with the exhibition-services pack (docs/packs/exhibition_services.md), which fills the seed's
``[X]``: 五(一)1 response 4 / 2 working hours, 五(一)2 urgent contact 30 wall-clock minutes, 五(二)1
resolution 3 / 2 / 1 working days, 五(二)2 complex problems 10 working days.

The seed times a problem by what it is (一般 / 紧急 / 复杂), never by who the customer is: 重要客户 appear
only in 三(七)1 (a satisfaction survey after the problem is handled). The pack raises an important or VIP
customer's grade by one (``priority.vip_raises``, ``important_raises``); the grade's figures then stand.
Session 30: it raises no grade any more (``vip_raises = important_raises = 0``): a raised VIP's ordinary
problem tied with an urgent one in the queue, against 三(二)2 (tests/acceptance/
test_seed_scenarios_s30e_001_priority.py).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "exhibition_services")


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _dues(desk: ServiceDesk, world: World, ticket_id: str) -> dict[str, datetime | None]:
    return {t.target.name: t.due_at for t in desk.sla(world.manager, ticket_id).targets}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vip_customers_problem_keeps_its_grades_times_and_is_not_tightened_again(
    backend: str, tmp_path: Path
) -> None:
    # 五(一)1 售后专员应在[X]小时内做出响应 / 五(二)1 一般售后问题应在[X]个工作日内处理完毕: the pack's
    # figures per grade. A VIP's ordinary problem is an ordinary problem (session 30: no longer raised to
    # expedited) and gets the ordinary figures, 4 hours and 3 working days: not halved (2 hours, 1.5
    # days). Called in on Monday 2 March at 09:00 (session 34: 五(一) counts plain hours, 13:00; the pack
    # counted working hours and skipped the lunch break, 14:00).
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(3, 2, 9, 0))
        vip = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="展位灯不亮").ticket.id
        desk.triage(world.agent, vip, nature="lighting", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        assert desk.ticket(world.manager, vip).priority is Priority.NORMAL
        dues = _dues(desk, world, vip)
        assert dues["response"] == _at(3, 2, 13, 0)
        assert dues["resolution"] == _at(3, 4, 18, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vip_customers_urgent_call_is_contacted_within_the_seeds_thirty_minutes(
    backend: str, tmp_path: Path
) -> None:
    # 五(一)2 对于紧急问题,售后专员应立即响应,并在[X]分钟内与客户取得联系 — 30 minutes, whoever calls: a VIP's
    # urgent call on Saturday 7 March at 22:00 is contacted by 22:30, not by 22:15.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(3, 7, 22, 0))
        vip = desk.open_ticket(
            world.agent, customer_id=world.cust_en.id, description="展台大屏黑屏", urgent=True
        ).ticket.id
        assert _dues(desk, world, vip)["response"] == _at(3, 7, 22, 30)
        clock.set(_at(3, 7, 22, 30))
        desk.contact_customer(world.agent, vip, note="已联系客户, 技术人员明早到场")
        (response,) = [t for t in desk.sla(world.manager, vip).targets if t.target.name == "response"]
        assert response.met_at == _at(3, 7, 22, 30)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vip_customers_complex_problem_gets_the_seeds_ten_working_days_and_the_manager(
    backend: str, tmp_path: Path
) -> None:
    # 五(二)2 复杂售后问题应根据实际情况制定处理计划…确保在[X]个工作日内给出处理结果 — 10 working days, for a
    # VIP too (not 5); 三(四)2 对于复杂问题…售后经理应组织相关部门进行协调处理 — the manager is told. Called
    # in on Monday 2 March at 09:00, the result is due by Friday 13 March at 18:00 (two working weeks).
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        clock.set(_at(3, 2, 9, 0))
        vip = desk.open_ticket(
            world.agent, customer_id=world.cust_en.id, description="展馆中控与灯光联动异常"
        ).ticket.id
        desk.triage(world.agent, vip, nature="control", severity=Severity.MEDIUM, complex_problem=True)
        desk.dispatch(world.agent, vip, engineer_id=world.eng_senior.id)
        resolution = desk.sla(world.manager, vip)["resolution"]
        assert resolution.target.duration == timedelta(days=10)
        assert resolution.due_at == _at(3, 13, 18, 0)
        desk.deliver()
        assert f"工单 {vip} 已升级至售后经理" in [m.subject for m in notifier.to("manager@venus.example")]
