"""Seeds 003 and 004 walked by a peer tester (session 39, task f), on memory, SQLite and PostgreSQL.

Seed 004 第八条 2(5) 立即通知 … 向总经理报告 with 2(6) 回访发现的问题应及时再处理: the SLA sweep drops the
``escalation_due`` key of a complaint it finds closed; a reopen puts its escalations not taken up back in
the sweep's range — by whichever command reopens it.

Seed 003 二 5 投诉处理 (由指定人员负责跟进，确保"事事有回音，件件有着落"): the ticket desk's ``close`` and
``cancel``, open to a complaint, end it as the complaint desk's steps do; a complaint reopened by hand
tells whoever follows it up (as a callback finding the problem back does since session 35).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales import ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from conftest import SHANGHAI, STAFF, START, World, _made_store_url, make_world, noticed_desk, register

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 3, hour, minute, tzinfo=SHANGHAI)


def _reminded(desk: ServiceDesk, notifier: MemoryNotifier) -> list[str]:
    """The complaint ids of the overdue reminders delivered so far, one per reminder (not recipient)."""
    desk.jobs.run_due(only=("sla_sweep",))
    desk.deliver()
    return sorted(m.body.split("的投诉 ")[1].split(" ")[0] for m in notifier.sent if "无人受理" in m.body)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def _reviewed(desk: ServiceDesk, clock: ManualClock, w: World, cid: str) -> None:
    """Handled, called back at 11:00 and reviewed: ready to close."""
    clock.set(_at(10, 30))
    desk.complaints.investigate(w.agent, cid)
    desk.complaints.propose_solution(w.agent, cid, solution="致歉并重新上门")
    desk.complaints.agree_solution(w.agent, cid)
    desk.complaints.give_feedback(w.agent, cid, outcome="已致歉并重新上门")
    clock.set(_at(11))
    desk.callbacks.record(
        w.agent, cid, checklist=CallbackChecklist(product_works=True), problem_back=False,
        satisfaction=5, attitude=5,
    )  # fmt: skip
    desk.complaints.review(w.manager, cid, root_cause="attitude", improvement="安装师傅礼仪培训")


def test_8_2_5_a_complaint_reopened_at_the_ticket_desk_has_its_overdue_escalation_reminded(
    centre: Host,
) -> None:
    """A complaint escalated to the centre's head at 10:00 (due 12:00) is handled, called back and closed
    by 11:00, its escalation never taken up; the sweep at 12:05 finds it closed and drops its key. At
    12:10 the manager reopens it with ``desk.reopen`` (the ticket desk's step, open to a complaint): it is
    listed overdue again, and the next sweep reminds it, once. Before, only ``desk.complaints.reopen``
    put the key back: reopened at the ticket desk, the escalation was listed and never reminded."""
    desk, clock, w, notifier = centre
    clock.set(_at(10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "安装师傅态度差").ticket.id
    desk.complaints.escalate(w.agent, cid, reason="客户要求主管处理")
    _reviewed(desk, clock, w, cid)
    desk.complaints.close(w.manager, cid)
    clock.set(_at(12, 5))
    assert _reminded(desk, notifier) == []
    clock.set(_at(12, 10))
    desk.reopen(w.manager, cid, reason="客户再次来电，安装问题未解决")
    assert [o.complaint_id for o in desk.complaints.overdue_escalations(w.manager)] == [cid]
    reminded = _reminded(desk, notifier)
    assert reminded and set(reminded) == {cid}
    clock.set(_at(12, 30))
    assert _reminded(desk, notifier) == reminded  # once only


def test_3_2_5_the_ticket_desk_ends_a_complaint_only_as_the_complaint_desk_does(centre: Host) -> None:
    """A complaint designated to agent-1 (由指定人员负责跟进) and reviewed: another agent's ``desk.close`` is
    refused as his ``desk.complaints.close`` is, and nothing changes; the handler closes it. A second
    complaint cancelled with ``desk.cancel`` (registered twice) tells its customer it was closed, and why,
    as ``desk.complaints.cancel`` does (事事有回音). Before, the ticket desk's close let anyone close it and
    its cancel told the customer nothing."""
    desk, clock, w, notifier = centre
    other = Actor.agent("agent-2", "客服小王")
    clock.set(_at(10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "安装师傅态度差").ticket.id
    desk.complaints.assign_handler(w.manager, cid, handler_id=w.agent.id)
    _reviewed(desk, clock, w, cid)
    with pytest.raises(PermissionDenied):
        desk.close(other, cid)
    assert desk.ticket(w.manager, cid).state == "reviewed"
    desk.close(w.agent, cid)
    twice = desk.complaints.open_complaint(w.agent, "cust-zh", "安装师傅迟到").ticket.id
    desk.deliver()
    before = len(notifier.sent)
    desk.cancel(w.agent, twice, reason="重复登记")
    desk.deliver()
    told = [m.body for m in notifier.sent[before:] if twice in m.body]
    assert len(told) == 1 and "已关闭" in told[0] and "重复登记" in told[0]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def listed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The service centre whose staff directory lists agent-1 (客服小李), who follows complaints up."""
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    staff = {**STAFF, "agent:agent-1": [Contact("客服小李", email="li@venus.example", locale="zh_Hans")]}
    with (
        _made_store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="service_centre", clock=clock, staff=staff, notifier=notifier) as desk,
    ):
        register(desk, world)
        yield desk, clock, world, notifier


def test_8_2_6_a_complaint_reopened_by_the_head_tells_its_designated_handler(listed: Host) -> None:
    """A complaint designated to agent-1 is closed at 11:00; at 15:00 the customer calls again and the
    centre's head (王经理) reopens it: agent-1 is told, with who reopened it and why, to handle it again
    (第八条 2(6) 及时再处理; seed 003 由指定人员负责跟进); the head is not told of his own step.
    Before, nobody was told (only a callback finding the problem back told the handler)."""
    desk, clock, w, notifier = listed
    clock.set(_at(10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "安装师傅态度差").ticket.id
    desk.complaints.assign_handler(w.manager, cid, handler_id=w.agent.id)
    _reviewed(desk, clock, w, cid)
    desk.complaints.close(w.agent, cid)
    desk.deliver()
    before = len(notifier.sent)
    clock.set(_at(15))
    desk.complaints.reopen(w.manager, cid, reason="客户再次来电，安装问题未解决")
    desk.deliver()
    told = [(m.recipient, m.body) for m in notifier.sent[before:] if "重新打开" in m.body]
    assert [to for to, _ in told] == ["li@venus.example"]
    assert cid in told[0][1] and "王经理" in told[0][1] and "客户再次来电" in told[0][1]


def test_8_2_6_a_complaints_callback_is_not_put_off_past_its_seven_days_by_hand(centre: Host) -> None:
    """A complaint handled on 3 March 2026 at 10:30 is to be called back by the end of 10 March (七天内进行
    回访). Putting its callback off to 23 March — with ``desk.schedule_callback`` or
    ``desk.callbacks.schedule`` — is a ``ValidationError`` naming ``due_at`` and its rule, and the due
    stays; an earlier date by hand is taken. Before, either put it off, and a callback made on 20 March
    counted on time."""
    desk, clock, w, _ = centre
    clock.set(_at(10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "安装师傅态度差").ticket.id
    desk.complaints.investigate(w.agent, cid)
    desk.complaints.propose_solution(w.agent, cid, solution="致歉并重新上门")
    desk.complaints.agree_solution(w.agent, cid)
    desk.complaints.give_feedback(w.agent, cid, outcome="已致歉并重新上门")
    due = desk.ticket(w.manager, cid).callback_due_at
    assert due == datetime(2026, 3, 11, tzinfo=SHANGHAI)
    for schedule in (desk.schedule_callback, desk.callbacks.schedule):
        with pytest.raises(ValidationError) as refused:
            schedule(w.manager, cid, due_at=_at(10) + timedelta(days=20))
        assert (refused.value.field, refused.value.rule) == ("due_at", "complaint_callback_window")
        assert desk.ticket(w.manager, cid).callback_due_at == due
    desk.callbacks.schedule(w.manager, cid, due_at=_at(16))
    assert desk.ticket(w.manager, cid).callback_due_at == _at(16)
