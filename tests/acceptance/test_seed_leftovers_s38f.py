"""Seed 004 leftovers taken by session 38's peer tester (developer f) through the public API on the
customer-service centre's desk (memory, SQLite, PostgreSQL); docs/rules/seed-004.md, session 38.

- 第五条 1(5) 是危机事件处理的责任部门 with 第七条 4-5: a crisis the centre's head finds on investigation to
  be a general complaint answers the crisis escalation addressed to him — it left the overdue list only
  when someone also pressed "acknowledge"; an agent's finding leaves it owed.
- 第八条 2(4) 得到明确的处理意见后应立即安排处理: the centre is told the general manager's instruction.
- 第七条 5(1) with 第八条 2(4)-(6) and 第五条 1(6): a crisis walked from the call on a month's last evening
  to its close, every number (contact, escalation, callback days) checked where the customer, the centre,
  the general manager, the monthly feedback and the KPI read it.
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
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse, RemedyKind
from aftersales.domain.money import Money
from aftersales.domain.surveys import CallbackChecklist
from aftersales.ports.reporting import Period
from aftersales.reports import kpi_report
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


def test_a_crisis_from_the_call_on_march_31st_to_its_close_reads_the_same_everywhere(centre: Host) -> None:
    """第七条 5(1) 危机事件 walked through 第八条 2(4)-(6), across a month end. Tuesday 31 March 2026 at 17:40
    张伟's cistern floods the flat below; he asks 8,000 yuan and has gone to the consumer association and the
    press. The customer is promised contact by 18:10 (the urgent contact clock), the centre's head and the
    general manager are told at once, the escalation to be taken up by 19:40; the head takes it up at 17:55,
    the agent calls at 18:05. On 1 April the head refers the claim to the general manager, who instructs at
    11:00 (the centre is told); the compensation is paid and the handling told on Thursday 2 April 16:00,
    its callback due by 24:00 on 9 April, made at 23:59. March's feedback carries one major complaint and no
    callback, April's the callback; March's KPI one complaint resolved, answered and called back in time."""
    desk, clock, w, notifier = centre

    seen = 0

    def told() -> list[tuple[str, str]]:
        """What was delivered since the last look."""
        nonlocal seen
        desk.deliver()
        out = [(m.recipient, m.body) for m in notifier.sent[seen:]]
        seen = len(notifier.sent)
        return out

    clock.set(_at(3, 31, 17, 40))
    claim = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True,
        recourse={Recourse.CONSUMER_ASSOCIATION, Recourse.PRESS}, loss=Money(Decimal("8000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(
        w.agent, "cust-zh", "水箱爆裂淹了楼下", asset_id="asset-1", crisis=claim
    ).ticket.id
    crisis_words = (
        f"客户 张伟 的投诉 {cid} 已于 2026年3月31日 17:40 升级。原因：危机事件：产品质量问题造成财产损失，"
        "致客户经济损失，客户向消协反映和向新闻媒体反映。"
    )
    assert sorted(told()) == [
        ("13800000009", crisis_words),
        ("13912345678", f"您的投诉已于 2026年3月31日 17:40 登记，投诉编号 {cid}。"
         "我们将在 2026年3月31日 18:10 前与您联系。如需咨询，请提供投诉编号。"),
        ("manager@venus.example", f"2026年3月31日 17:40 登记了一起投诉，投诉编号 {cid}。"),
        ("manager@venus.example", crisis_words),
    ]  # fmt: skip
    assert desk.progress(w.customer_zh, cid).response_due_at == _at(3, 31, 18, 10)
    [escalation] = desk.complaints.complaint_file(w.manager, cid).escalations
    assert escalation.due_at == _at(3, 31, 19, 40)
    clock.set(_at(3, 31, 17, 55))
    desk.complaints.acknowledge_escalation(w.manager, cid)
    clock.set(_at(3, 31, 18, 5))
    desk.contact_customer(w.agent, cid, note="已致电安抚，明早上门查看")
    clock.set(_at(3, 31, 20))
    assert desk.complaints.overdue_escalations(w.general_manager) == []
    assert desk.sla(w.manager, cid)["response"].met_at == _at(3, 31, 18, 5)

    clock.set(_at(4, 1, 9))
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.refer_to_general_manager(w.manager, cid, question="客户要求赔偿8000元，是否同意？")
    assert [r for r, _ in told()] == ["13800000009"]
    clock.set(_at(4, 1, 11))
    desk.complaints.record_gm_decision(w.general_manager, cid, decision="同意赔偿8000元并更换水箱")
    assert told() == [
        ("manager@venus.example", f"总经理已对客户 张伟 的投诉 {cid} 作出处理意见，请立即安排处理。")
    ]
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.grant_remedy(
        w.general_manager, cid, kind=RemedyKind.COMPENSATION, cost=Money(Decimal("8000"), "CNY")
    )
    clock.set(_at(4, 2, 16))
    desk.complaints.give_feedback(w.manager, cid, outcome="已赔偿8000元，水箱已更换")
    assert desk.progress(w.customer_zh, cid).callback_due_at == _at(4, 10, 0)
    assert [t.due_at for t in desk.callbacks.pending(w.manager)] == [_at(4, 10, 0)]
    clock.set(_at(4, 9, 23, 59))
    desk.callbacks.record(
        w.agent, cid, checklist=CallbackChecklist(product_works=True), problem_back=False,
        satisfaction=5, attitude=5,
    )  # fmt: skip
    desk.complaints.review(w.manager, cid, root_cause="seal_batch_defect", improvement="水箱出厂压力检测")
    desk.complaints.close(w.manager, cid)
    assert desk.ticket(w.customer_zh, cid).state == "closed"

    march, april = (desk.feedback.facts(w.general_manager, m).headline() for m in ("2026-03", "2026-04"))
    assert (march["complaints"], march["major_complaints"], march["callbacks"]) == (1, 1, 0)
    assert (april["complaints"], april["major_complaints"], april["callbacks"]) == (0, 0, 1)
    row = kpi_report(
        reporting_for(desk.store), Period(_at(3, 1, 0), _at(4, 1, 0)), desk.calendar, as_of=_at(4, 30, 9)
    ).total
    counts = row.counts
    assert (counts.complaints, row.complaint_resolution_rate) == (1, Decimal("1"))
    assert (row.response_met, row.response_missed) == (1, 0)
    assert (counts.callbacks_due, counts.callbacks_on_time) == (1, 1)
