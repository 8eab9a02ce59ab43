# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 分级处理 walked again by a peer tester (session 30), on memory, SQLite and PostgreSQL.

根据问题的紧急程度、复杂程度以及客户重要性,将服务请求分为普通、加急、特急三个级别。普通问题由客服专员或初级
工程师处理;加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理.

What agrees: normal work goes to a junior, expedited work (an urgent call, a VIP's call) to a senior, a
junior sent by hand to expedited work is recorded as below the level in words the manager reads, a critical
call tells the department head to coordinate. What did not: an expedited call with the senior away and a
junior free escalated to the manager saying only "无可用人员" — not that the grade's level held the junior
back, nor that the senior was away — so the manager could not tell whether to send the junior by hand; a
critical call with no emergency team member free said the same, not that the team was missing.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Priority, Severity
from aftersales.i18n.reasons import render_reasons
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "office_equipment"
MANAGER, HEAD = "manager@venus.example", "head@venus.example"


def _call(desk: ServiceDesk, w: World, customer_id: str, *, urgent: bool = False, **triage: object) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=customer_id, description="复印机卡纸", category=Category.REPAIR, urgent=urgent
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW, skill="plumbing", **triage)
    return tid


def _bodies(desk: ServiceDesk, address: str, ticket_id: str) -> list[str]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m.body for m in notifier.to(address) if m.idempotency_key.startswith(f"{ticket_id}:")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_normal_work_goes_to_a_junior_and_expedited_work_to_the_senior(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        normal = _call(desk, w, w.cust_zh.id)
        assigned = desk.dispatch(w.agent, normal).ticket
        assert assigned.priority is Priority.NORMAL
        assert assigned.assignee is not None and assigned.assignee.id != w.eng_senior.id  # seniors kept free
        urgent = _call(desk, w, w.cust_zh.id, urgent=True)  # 紧急程度
        assigned = desk.dispatch(w.agent, urgent).ticket
        assert assigned.priority is Priority.EXPEDITED
        assert assigned.assignee is not None and assigned.assignee.id == w.eng_senior.id
        vip = _call(desk, w, w.cust_en.id)  # 客户重要性: the VIP's plain call is graded one level up
        assigned = desk.dispatch(w.agent, vip).ticket
        assert assigned.priority is Priority.EXPEDITED
        assert assigned.assignee is not None and assigned.assignee.id == w.eng_senior.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_with_the_senior_away_the_manager_reads_that_the_level_held_the_juniors_back(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        desk.master_data.record_absence(
            w.manager, w.eng_senior.id, starts_at=START, ends_at=START + timedelta(days=2), reason="请假"
        )
        tid = _call(desk, w, w.cust_zh.id, urgent=True)
        result = desk.dispatch(w.agent, tid)
        assert result.ticket.assignee is None  # nobody below the level is sent on the desk's own
        (body,) = _bodies(desk, MANAGER, tid)
        assert "资深工程师" in body and "2 名工程师低于该级别未派" in body and "1 名该级别工程师请假" in body
        failed = result.ticket.events[-1]
        assert failed.action == "dispatch_failed"
        assert any("below that level" in text for text in render_reasons(failed, "en"))
        # The manager sends the junior by hand, with the reason: accepted, recorded below the level.
        sent = desk.dispatch(w.manager, tid, engineer_id=w.eng_junior.id, reason="资深工程师请假, 李工先上门")
        assert sent.ticket.assignee is not None and sent.ticket.assignee.id == w.eng_junior.id
        words = render_reasons(sent.ticket.events[-1], "zh_Hans")
        assert any("加急问题应由资深工程师处理" in text for text in words), words


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_critical_call_tells_the_department_head_and_the_manager_reads_the_team_is_missing(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        tid = _call(desk, w, w.cust_zh.id, production_stopped=True)
        assert desk.ticket(w.agent, tid).priority is Priority.CRITICAL
        result = desk.dispatch(w.agent, tid)
        assert len(_bodies(desk, HEAD, tid)) == 1  # 由部门负责人协调资源
        # No emergency team registered: nobody is sent, and the manager reads that the team is missing,
        # not that the region has no engineer (two free ones have the skill).
        assert result.ticket.assignee is None
        (body,) = _bodies(desk, MANAGER, tid)
        assert "应急小组" in body and "特急" in body, body
