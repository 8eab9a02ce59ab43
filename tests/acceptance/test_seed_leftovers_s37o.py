"""Seed 004 leftovers of session 37 (docs/rules/seed-004.md, tasks e and k), fixed by developer o through
the public API on the customer-service centre's desk (memory, SQLite, PostgreSQL).

- Seed 004 第八条 2(5) 立即通知客户服务中心 … 向总经理报告: an escalation not taken up by its due reminds,
  once, whom it was addressed to (and their superior), where it was only listed.
- Seed 004 第八条 2(4) 首先要对客户进行安抚 with 2(5) 立即: a crisis the centre finds by classifying (a
  customer's own statement) is contacted first, as one registered at intake with the same facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales import ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.complaints import CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.service.escalation_overdue import reminded_roles
from conftest import SHANGHAI, World, noticed_desk

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) on each store, its staff the suite's."""
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def test_8_2_5_a_crisis_escalation_not_taken_up_by_its_due_is_reminded_once(centre: Host) -> None:
    """Seed 004 第八条 2(5): on Tuesday 3 March 2026 at 10:00 张伟 reports his floor flooded and that he has
    told the press; the crisis is escalated at once to the centre's head and the general manager, to be
    taken up within 2 hours. Nobody takes it up. The SLA sweep after 12:00 reminds both (before session 37
    the escalation was only listed by ``overdue_escalations``); a second sweep does not repeat it, and a
    crisis taken up in time reminds nobody."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    crisis = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
        loss=Money(Decimal("3000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "水箱漏水泡坏地板", crisis=crisis).ticket.id
    taken = desk.complaints.open_complaint(w.agent, "cust-en", "flooded bathroom", crisis=crisis).ticket.id
    clock.set(_at(3, 3, 10, 30))
    desk.complaints.acknowledge_escalation(w.manager, taken)

    def reminders() -> list[tuple[str, str]]:
        desk.jobs.run_due(only=("sla_sweep",))
        desk.deliver()
        return [(m.recipient, m.body) for m in notifier.sent if "无人受理" in m.body]

    clock.set(_at(3, 3, 11, 59))
    assert reminders() == []
    clock.set(_at(3, 3, 12, 5))
    body = (
        f"客户 张伟 的投诉 {cid} 于 2026年3月3日 10:00 升级，至 2026年3月3日 12:00 仍无人受理，请立即处理。"
        "原因：危机事件：产品质量问题造成财产损失，致客户经济损失，客户向新闻媒体反映。"
    )
    assert sorted(reminders()) == [("13800000009", body), ("manager@venus.example", body)]
    clock.set(_at(3, 3, 12, 30))
    assert len(reminders()) == 2  # once only
    assert [o.complaint_id for o in desk.complaints.overdue_escalations(w.manager)] == [cid]


def test_8_2_4_a_crisis_the_centre_classifies_on_the_eve_of_may_day_is_contacted_first(centre: Host) -> None:
    """Seed 004 第八条 2(4)–(5): on Thursday 30 April 2026 at 17:50, the eve of the May Day holiday, 张伟
    files his own complaint on the portal — his flat flooded by a burst cistern, the press told — and the
    centre classifies his statement a crisis at 17:55. Its customer is contacted first: on the urgent
    contact clock from its receipt (by 18:20), as the same facts given by phone at intake are since session 37
    (k); before, the classification left it on its grade's working hours, after the holiday. Classifying
    again does not mark it twice, and marking it urgent by hand is refused as already done."""
    desk, clock, w, _notifier = centre
    clock.set(_at(4, 30, 17, 50))
    crisis = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
        loss=Money(Decimal("5000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(
        w.customer_zh, "cust-zh", "水箱爆裂淹了房间", crisis=crisis
    ).ticket.id
    late = desk.progress(w.customer_zh, cid).response_due_at
    assert late is not None and late > _at(5, 6, 0)
    clock.set(_at(4, 30, 17, 55))
    desk.complaints.classify(w.agent, cid, crisis=crisis)
    assert desk.progress(w.customer_zh, cid).response_due_at == _at(4, 30, 18, 20)
    desk.complaints.classify(w.agent, cid, crisis=crisis)
    with pytest.raises(ValidationError):
        desk.complaints.mark_urgent(w.manager, cid)
    events = [e.action for e in desk.ticket(w.manager, cid).events]
    assert events.count("mark_urgent") == 1 and events.count("escalate") == 1


def test_the_superior_of_those_an_escalation_was_addressed_to_is_reminded_with_them() -> None:
    """The centre's head's superior is the general manager; a department head's, the centre's head; the
    general manager has none above him on the ladder (seed 004: 客户服务中心向总经理报告)."""
    assert reminded_roles((Role.MANAGER,)) == (Role.MANAGER, Role.GENERAL_MANAGER)
    assert reminded_roles((Role.DEPARTMENT_HEAD,)) == (Role.DEPARTMENT_HEAD, Role.MANAGER)
    assert reminded_roles((Role.MANAGER, Role.GENERAL_MANAGER)) == (Role.MANAGER, Role.GENERAL_MANAGER)
