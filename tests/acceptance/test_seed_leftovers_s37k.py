"""Seed 003/004 leftovers a peer tester noticed in session 37 (docs/rules/seed-004.md, task e), fixed by
developer k through the public API on the customer-service centre's desk (memory, SQLite, PostgreSQL).

- Seed 003 二 5 事事有回音: a complaint the office cancels (a duplicate) tells its customer it was closed,
  why, and which number carries it on.
- Seed 004 第八条 2(5) 立即通知客户服务中心 … 向总经理报告: the general manager taking up a crisis
  escalation the centre's head already took up is told by whom, not that nothing is addressed to him.
- Seed 004 第八条 2(6) 回访发现的问题应及时再处理: a complaint its callback reopened shows its customer no
  callback date still to come (the one made).
- Seed 004 第八条 2(4) 首先要对客户进行安抚 with 2(5) 立即: a crisis registered on the eve of May Day is
  contacted on the urgent contact clock, not after the holiday.
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
from aftersales.domain.complaints import CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from conftest import SHANGHAI, World, noticed_desk

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) on each store, its staff the suite's."""
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def test_2_5_the_customer_of_a_complaint_cancelled_as_a_duplicate_is_told_which_carries_it_on(
    centre: Host,
) -> None:
    """Seed 003 二 5 投诉处理 … 事事有回音: on Tuesday 3 March 2026 张伟 complains by phone at 10:00 and again
    by WeChat at 10:20 about the same leaking cistern; the office cancels the second as a duplicate of the
    first. 张伟 is told the second is closed and that the first carries it on (before session 37 he heard
    nothing and waited for an answer to it). A complaint registered by mistake is closed with its reason
    alone. ``duplicate_of`` naming no open complaint of his is refused, and nothing changes."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    first = desk.complaints.open_complaint(w.agent, "cust-zh", "维修后水箱仍漏水").ticket.id
    clock.set(_at(3, 3, 10, 20))
    second = desk.complaints.open_complaint(w.agent, "cust-zh", "水箱漏水, 师傅没修好").ticket.id
    other = desk.complaints.open_complaint(w.agent, "cust-en", "rude engineer").ticket.id
    desk.deliver()
    phone = "13912345678"

    for wrong in (second, other, "SR-none"):
        with pytest.raises(ValidationError) as refused:
            desk.complaints.cancel(w.manager, second, reason="重复登记", duplicate_of=wrong)
        assert refused.value.field == "duplicate_of"
    assert desk.ticket(w.manager, second).state == "received"

    before = len(notifier.sent)
    clock.set(_at(3, 3, 11))
    desk.complaints.cancel(w.manager, second, reason="同一问题重复登记", duplicate_of=first)
    desk.deliver()
    told = [(m.recipient, m.body) for m in notifier.sent[before:]]
    assert told == [
        (
            phone,
            f"您的投诉 {second} 与投诉 {first} 重复，已关闭，将在投诉 {first} 中继续处理。"
            f"如需咨询，请提供投诉编号 {first}。原因：同一问题重复登记",
        )
    ]
    with pytest.raises(ValidationError):  # the cancelled one carries nothing on
        desk.complaints.cancel(w.manager, first, reason="重复", duplicate_of=second)

    before = len(notifier.sent)
    desk.complaints.cancel(w.manager, first, reason="登记错误")
    desk.deliver()
    told = [(m.recipient, m.body) for m in notifier.sent[before:]]
    assert told == [(phone, f"您的投诉 {first} 已关闭，不再另行处理。如有疑问，请联系我们。原因：登记错误")]


def test_8_2_5_the_general_manager_is_told_who_took_up_the_crisis_escalation(centre: Host) -> None:
    """Seed 004 第八条 2(5): 张伟 has told the press of his flooded floor (Tuesday 3 March 2026, 10:00); the
    crisis is escalated at once to the centre's head and the general manager, one escalation to both. 王经理
    takes it up at 10:30; the general manager, acknowledging at 11:00, is told 王经理 took it up (rule
    ``escalation_taken_up``), where before session 37 he read that nothing was addressed to him."""
    desk, clock, w, _notifier = centre
    clock.set(_at(3, 3, 10))
    crisis = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
        loss=Money(Decimal("3000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "水箱漏水泡坏地板", crisis=crisis).ticket.id
    clock.set(_at(3, 3, 10, 30))
    desk.complaints.acknowledge_escalation(w.manager, cid)
    clock.set(_at(3, 3, 11))
    with pytest.raises(ValidationError) as refused:
        desk.complaints.acknowledge_escalation(w.general_manager, cid)
    error = refused.value
    assert (error.field, error.rule, dict(error.rule_params)) == (
        "complaint_id", "escalation_taken_up", {"by": "manager:mgr-1"}
    )  # fmt: skip
    assert "该升级已由 manager:mgr-1 受理" in render_error(error, "zh_Hans")
    assert [e.action for e in desk.ticket(w.manager, cid).events].count("acknowledge_escalation") == 1


def test_8_2_6_a_complaint_reopened_by_its_callback_promises_no_past_callback(centre: Host) -> None:
    """Seed 004 第八条 2(6): 张伟's complaint is handled on Tuesday 3 March 2026 and its callback planned;
    at the callback (Thursday 5 March) the cistern leaks again and the complaint is investigated anew. His
    progress view showed the callback just made as the one to come (before session 37); it shows none
    until the new handling's feedback plans the next, which it then shows."""
    desk, clock, w, _notifier = centre
    clock.set(_at(3, 3, 10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "维修后水箱仍漏水").ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换进水阀")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已更换进水阀")
    planned = desk.progress(w.customer_zh, cid).callback_due_at
    assert planned is not None and planned > _at(3, 3, 10)

    clock.set(_at(3, 5, 10))
    desk.record_callback(w.agent, cid, problem_back=True, satisfaction=2, comment="还是漏水")
    seen = desk.progress(w.customer_zh, cid)
    assert (seen.state, seen.callback_due_at) == ("investigating", None)

    clock.set(_at(3, 6, 10))
    desk.complaints.propose_solution(w.manager, cid, solution="更换整套水箱配件")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已更换整套配件")
    again = desk.progress(w.customer_zh, cid).callback_due_at
    assert again is not None and again > _at(3, 6, 10)


def test_8_2_5_a_crisis_registered_on_the_eve_of_may_day_is_contacted_first(centre: Host) -> None:
    """Seed 004 第八条 2(4) 有重要影响的投诉 … 首先要对客户进行安抚 with 2(5) 危机事件 … 立即: on Thursday 30
    April 2026 at 17:50, the eve of the May Day holiday, 张伟 reports his flat flooded by a burst cistern
    and that he has told the press. The crisis's customer is to be contacted first: within the urgent
    contact's 30 minutes of the clock (by 18:20), as a complaint marked urgent — before session 37 the
    registration promised contact by 6 May 10:50, after the holiday. A complaint short of a crisis (no
    recourse named) keeps its grade's working hours."""
    desk, clock, w, notifier = centre
    clock.set(_at(4, 30, 17, 50))
    crisis = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
        loss=Money(Decimal("5000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "水箱爆裂淹了房间", crisis=crisis).ticket.id
    short = CrisisFacts(problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True)
    general = desk.complaints.open_complaint(w.agent, "cust-zh", "水箱漏水", crisis=short).ticket.id
    assert desk.progress(w.customer_zh, cid).response_due_at == _at(4, 30, 18, 20)
    later = desk.progress(w.customer_zh, general).response_due_at
    assert later is not None and later > _at(5, 6, 0)
    desk.deliver()
    (told,) = [m.body for m in notifier.sent if m.recipient == "13912345678" and cid in m.body]
    assert "18:20" in told
