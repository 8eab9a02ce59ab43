"""Seed 004 leftovers taken by session 38's peer tester (developer f) through the public API on the
customer-service centre's desk (memory, SQLite, PostgreSQL); docs/rules/seed-004.md, session 38.

- 第五条 1(5) 是危机事件处理的责任部门 with 第七条 4-5: a crisis the centre's head finds on investigation to
  be a general complaint answers the crisis escalation addressed to him — it left the overdue list only
  when someone also pressed "acknowledge"; an agent's finding leaves it owed.
- 第八条 2(4) 得到明确的处理意见后应立即安排处理: the centre is told the general manager's instruction.
- 第八条 2(5): the reminders' once-only marks of escalations taken up or of cancelled complaints are
  dropped by the daily purge (they were never dropped).
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
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.money import Money
from conftest import SHANGHAI, World, noticed_desk

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]

CRISIS = CrisisFacts(
    problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
    loss=Money(Decimal("3000"), "CNY"),
)  # fmt: skip
NO_LOSS = CrisisFacts(problems={CrisisProblem.PROPERTY_LOSS})
"""What the investigation found: the damage is real, but our product cost the customer nothing."""


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) on each store, its staff the suite's."""
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def _reminded(desk: ServiceDesk, notifier: MemoryNotifier) -> list[str]:
    """Run the SLA sweep and deliver; the bodies of every overdue-escalation reminder sent so far."""
    desk.jobs.run_due(only=("sla_sweep",))
    desk.deliver()
    return [m.body for m in notifier.sent if "无人受理" in m.body]


def test_7_5_a_crisis_the_centres_head_finds_general_is_no_longer_an_overdue_escalation(centre: Host) -> None:
    """Tuesday 3 March 2026, 10:00: two customers report a flooded floor and say they told the press; each
    crisis is escalated to the centre's head and the general manager, to be taken up by 12:00. At 10:40
    王经理 (the centre's head) finds the first was a neighbour's pipe — no loss our product caused — and
    classifies it general; at 10:45 an agent finds the same of the second. At 12:05 only the second is
    overdue and reminded: the head's finding is his taking up of the first (before session 38 both were
    listed and reminded although the centre had judged the first)."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    head_found = desk.complaints.open_complaint(w.agent, "cust-zh", "地板被水泡坏", crisis=CRISIS).ticket.id
    agent_found = desk.complaints.open_complaint(w.agent, "cust-en", "flooded floor", crisis=CRISIS).ticket.id
    clock.set(_at(3, 3, 10, 40))
    desk.complaints.classify(w.manager, head_found, crisis=NO_LOSS)
    clock.set(_at(3, 3, 10, 45))
    desk.complaints.classify(w.agent, agent_found, crisis=NO_LOSS)

    clock.set(_at(3, 3, 12, 5))
    bodies = _reminded(desk, notifier)
    assert len(bodies) == 2 and all(agent_found in b for b in bodies)  # the head and the general manager
    assert [o.complaint_id for o in desk.complaints.overdue_escalations(w.general_manager)] == [agent_found]
    file = desk.complaints.complaint_file(w.general_manager, head_found)
    [escalation] = file.escalations
    assert file.severity is ComplaintSeverity.GENERAL
    assert (escalation.acknowledged_at, escalation.acknowledged_by) == (_at(3, 3, 10, 40), w.manager.ref)
    # Found a crisis again, it is not escalated twice, and stays taken up.
    desk.complaints.classify(w.manager, head_found, crisis=CRISIS)
    assert desk.complaints.complaint_file(w.manager, head_found).escalations == [escalation]


def test_8_2_5_the_marks_of_reminders_no_longer_needed_are_purged(centre: Host) -> None:
    """Three crises of 3 March 10:00 are reminded at 12:05, nobody having taken them up. At 13:00 the head
    takes up the first and an agent cancels the third (a duplicate). The purge of the next morning drops
    the marks of those two — neither can be overdue again — and keeps the second's: the sweep after it
    does not remind the second again (before session 38 no such mark was ever dropped)."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    taken, owed, cancelled = (
        desk.complaints.open_complaint(w.agent, "cust-zh", f"地板被水泡坏 {n}", crisis=CRISIS).ticket.id
        for n in range(3)
    )
    clock.set(_at(3, 3, 12, 5))
    assert len(_reminded(desk, notifier)) == 6
    clock.set(_at(3, 3, 13))
    desk.complaints.acknowledge_escalation(w.manager, taken)
    desk.complaints.cancel(w.agent, cancelled, reason="重复登记")

    clock.set(_at(3, 4, 9))
    assert desk.jobs.marks.purge_job_marks(w.manager).dropped == 2
    clock.set(_at(3, 4, 9, 5))
    assert len(_reminded(desk, notifier)) == 6
    assert [o.complaint_id for o in desk.complaints.overdue_escalations(w.manager)] == [owed]


def test_8_2_4_the_centre_is_told_the_general_managers_instruction_at_once(centre: Host) -> None:
    """第八条 2(4) 客户服务中心向总经理报告及请示处理方法，得到明确的处理意见后应立即安排处理: on 3 March
    2026 王经理 takes up 张伟's complaint and at 10:30 asks the general manager whether to refund; at
    14:00 the general manager records his instruction. The centre hears it in the same command, to
    arrange the handling at once (before session 38 nobody was told: the centre learnt of it only by
    opening the complaint); the general manager is not told of his own instruction."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "第三次维修后仍漏水，要求退货").ticket.id
    desk.complaints.investigate(w.manager, cid)
    clock.set(_at(3, 3, 10, 30))
    desk.complaints.refer_to_general_manager(w.manager, cid, question="是否同意退货退款？")
    clock.set(_at(3, 3, 14))
    desk.complaints.record_gm_decision(w.general_manager, cid, decision="同意退货并全额退款")
    desk.deliver()
    told = [(m.recipient, m.body) for m in notifier.sent if ":complaint_gm_decided" in m.idempotency_key]
    assert told == [
        ("manager@venus.example", f"总经理已对客户 张伟 的投诉 {cid} 作出处理意见，请立即安排处理。")
    ]
