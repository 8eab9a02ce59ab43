# mypy: disable-error-code="arg-type"
"""Seed 004 (客户服务管理制度) played as a host runs it, at the edges of its rules, on memory, SQLite and
PostgreSQL, with the service-centre pack (docs/packs/service_centre.md).

第八条 2(6) 在投诉处理后的七天内进行回访: whole days of the calendar, through the end of the seventh — the
National Day holiday week does not lengthen it (the reading is documented in docs/rules/seed-004.md);
第七条 5(1) 危机事件: a problem that cost the customer money is a crisis only once the customer claims
compensation or goes to 消协/技监/媒体 — before that it escalates to nobody; when the claim comes, the
centre and the general manager hear at once, once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"
GM, MANAGER = "13800000009", "manager@venus.example"


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _handled(desk: ServiceDesk, w: World, cid: str) -> None:
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换整机")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已更换整机, 客户接受")


def _escalations(desk: ServiceDesk, address: str) -> int:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return sum(":complaint_escalated:" in m.idempotency_key for m in notifier.to(address))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_seven_day_callback_counts_calendar_days_through_the_national_day_holiday(
    backend: str, tmp_path: Path
) -> None:
    # 七天内进行回访: two complaints handled on Monday 28 September 2026 at 15:00 — the seven days are 29
    # September to 5 October, so the callback is due at 00:00 on 6 October although 1-7 October is the
    # holiday week (the centre's callback is its own duty, not a period a customer must act in). One made
    # on the holiday, 5 October 23:59, is on time; at 00:01 on the 6th the other is overdue.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(9, 28, 15, 0))
        on_time = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水").ticket.id
        late = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器不点火").ticket.id
        for cid in (on_time, late):
            _handled(desk, w, cid)
        assert desk.ticket(w.manager, late).callback_due_at == _at(10, 6, 0, 0)
        clock.set(_at(10, 5, 23, 59))
        assert desk.callbacks.overdue(w.manager) == []
        desk.record_callback(w.agent, on_time, problem_back=False, satisfaction=5)
        clock.set(_at(10, 6, 0, 1))
        assert [t.ticket_id for t in desk.callbacks.overdue(w.manager)] == [late]
        assert not desk.sla(w.manager, on_time)["callback"].breached
        assert desk.sla(w.manager, late)["callback"].breached


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loss_becomes_a_crisis_only_with_the_claim_and_then_escalates_at_once_and_once(
    backend: str, tmp_path: Path
) -> None:
    # 第七条 5(1): 因产品质量问题(包括造成用户财产损失…)…导致用户受到经济损失, 而向我司提出赔偿要求或向消协、
    # 技监、新闻媒体反映意见的事件. A flooded floor reported without any claim is a general complaint: nobody
    # is alarmed. Two days later the customer demands compensation: the centre classifies it again, it is
    # major, and the manager and the general manager hear at once; adding the press later does not
    # escalate it a second time.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, clock, w):
        loss = CrisisFacts(problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True)
        cid = desk.complaints.open_complaint(
            w.agent, w.cust_zh.id, "热水器漏水泡坏地板", crisis=loss
        ).ticket.id
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.GENERAL and file.escalations == []
        assert _escalations(desk, GM) == _escalations(desk, MANAGER) == 0
        clock.advance(timedelta(days=2))
        claimed = CrisisFacts(
            problems={CrisisProblem.PROPERTY_LOSS},
            economic_loss=True,
            recourse={Recourse.COMPENSATION_DEMANDED},
        )
        desk.complaints.classify(w.manager, cid, crisis=claimed)
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.MAJOR
        (escalation,) = file.escalations
        assert {r.value for r in escalation.to} == {"manager", "general_manager"}
        assert escalation.immediate and escalation.at == clock.now()
        assert _escalations(desk, GM) == _escalations(desk, MANAGER) == 1
        clock.advance(timedelta(hours=3))
        to_press = CrisisFacts(
            problems={CrisisProblem.PROPERTY_LOSS},
            economic_loss=True,
            recourse={Recourse.COMPENSATION_DEMANDED, Recourse.PRESS},
        )
        desk.complaints.classify(w.manager, cid, crisis=to_press)
        assert len(desk.complaints.complaint_file(w.manager, cid).escalations) == 1
        assert _escalations(desk, GM) == _escalations(desk, MANAGER) == 1
