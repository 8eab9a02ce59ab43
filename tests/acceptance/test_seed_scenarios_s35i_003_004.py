"""Seeds 003 and 004 walked by a peer tester (session 35, developer i), through the public API.

- Seed 003 二 1 设立统一的400服务热线和在线服务平台 with seed 004 第八条 2(1) 来信、来电、传真或其它方式:
  a request or a complaint a customer files itself, saying nothing of the channel, came in by the
  online platform; one the agent takes is a hotline call; a channel the customer names is kept. Before
  session 35 the customer's own filing was recorded as a phone call (the default), in the ticket and
  on reload.
- Seed 004 第八条 2(6) 对于回访发现的问题应及时再处理 with seed 003 二 5 由指定人员负责跟进: the agent on
  shift calls back and finds the complaint's problem back; the complaint goes back to be investigated and its
  designated handler is told it is theirs again (the managers when nobody is designated; the handler who
  made the callback knows). Before session 35 nobody was told.
- Seed 003 二 3 响应时效/分级处理 on the real calendar: requests of each grade logged at 17:30 on the eve of
  the 2026 May Day holiday (1–5 May) owe their response in working hours after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales import Actor, Category, Channel, Contact, Plan, Priority, ServiceDesk, Severity
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from conftest import SHANGHAI, STAFF, World, make_world, noticed_desk, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The office-equipment supplier's desk (seed 003) on each store."""
    with noticed_desk(request.param, tmp_path, "office_equipment") as opened:
        yield opened


@pytest.fixture(params=BACKENDS)
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) on each store."""
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def test_2_1_a_request_the_customer_files_itself_came_in_by_the_platform(office: Host) -> None:
    """Seed 003 二 1: the hotline (the agent logs the call) and the online platform (the customer files its
    own request). Neither says the channel: the agent's is a phone call, the customer's the platform's."""
    desk, _clock, w, _notifier = office
    hotline = desk.open_ticket(w.agent, customer_id="cust-zh", description="复印机卡纸", asset_id="asset-1")
    online = desk.open_ticket(w.customer_zh, customer_id="cust-zh", description="碎纸机退换")
    wechat = desk.open_ticket(
        w.customer_zh, customer_id="cust-zh", description="墨盒型号", channel=Channel.WECHAT,
        category=Category.CONSUMABLES,
    )  # fmt: skip
    assert [r.ticket.channel for r in (hotline, online, wechat)] == [
        Channel.PHONE,
        Channel.PORTAL,
        Channel.WECHAT,
    ]
    read_back = [desk.ticket(w.manager, r.ticket.id).channel for r in (hotline, online, wechat)]
    assert read_back == [Channel.PHONE, Channel.PORTAL, Channel.WECHAT]


def test_8_2_1_a_complaint_the_customer_files_itself_came_in_by_the_platform(centre: Host) -> None:
    """Seed 004 第八条 2(1): complaints come by letter, phone, fax or other ways and are all registered with
    their way. The agent taking a call logs a phone complaint; the customer filing its own on the platform
    has not phoned; a letter the agent enters says so."""
    desk, _clock, w, _notifier = centre
    by_phone = desk.complaints.open_complaint(w.agent, "cust-zh", "维修师傅迟到").ticket.id
    online = desk.complaints.open_complaint(w.customer_en, "cust-en", "The engineer was rude").ticket.id
    letter = desk.complaints.open_complaint(
        w.agent, "cust-zh", "来信: 收费与报价不符", channel=Channel.LETTER_FAX
    ).ticket.id
    channels = [desk.ticket(w.manager, cid).channel for cid in (by_phone, online, letter)]
    assert channels == [Channel.PHONE, Channel.PORTAL, Channel.LETTER_FAX]


@pytest.fixture(params=BACKENDS)
def shifts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The service centre's desk whose staff directory lists agent-2, who follows complaints up."""
    clock, world, notifier = ManualClock(_at(3, 2, 9)), make_world(), MemoryNotifier()
    staff = {**STAFF, "agent:agent-2": [Contact("客服小王", email="wang@venus.example", locale="zh_Hans")]}
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="service_centre", clock=clock, staff=staff, notifier=notifier) as desk,
    ):
        register(desk, world)
        yield desk, clock, world, notifier


WANG = Actor.agent("agent-2", "客服小王")


def _handled(desk: ServiceDesk, handler: Actor, complaint_id: str) -> None:
    desk.contact_customer(handler, complaint_id, note="已致电客户")
    desk.complaints.investigate(handler, complaint_id)
    desk.complaints.propose_solution(handler, complaint_id, solution="上门更换定影组件")
    desk.complaints.agree_solution(handler, complaint_id)
    desk.complaints.give_feedback(handler, complaint_id, outcome="已更换, 试机正常")


def _back_notices(desk: ServiceDesk, notifier: MemoryNotifier) -> list[tuple[str, str]]:
    desk.deliver()
    return [(m.recipient, m.body) for m in notifier.sent if ":complaint_back:" in m.idempotency_key]


def test_8_2_6_the_designated_handler_hears_the_callback_found_the_problem_back(shifts: Host) -> None:
    """第八条 2(6) 对于回访发现的问题应及时再处理 with seed 003 二 5 由指定人员负责跟进: agent-2 follows the
    complaint up; agent-1, on shift two days later, calls back and the copier jams again. The complaint
    is investigated again and agent-2 is told so, in his words, once; the managers are not (he is the one
    following it)."""
    desk, clock, w, notifier = shifts
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "复印机修了三次还卡纸").ticket.id
    desk.complaints.assign_handler(w.manager, cid, handler_id="agent-2")
    _handled(desk, WANG, cid)
    assert _back_notices(desk, notifier) == []
    clock.set(_at(3, 4, 10))
    desk.record_callback(w.agent, cid, problem_back=True, satisfaction=2, comment="新换的还是卡纸")
    assert desk.ticket(w.manager, cid).state == "investigating"
    ((to, body),) = _back_notices(desk, notifier)
    assert to == "wang@venus.example" and cid in body and "张伟" in body and "客服小李" in body


def test_8_2_6_a_handler_the_directory_cannot_reach_leaves_it_to_the_managers(shifts: Host) -> None:
    """Agent-1 took up a complaint (investigating makes him its handler) but the staff directory lists no
    address of his own: agent-2's callback finding the problem back tells the centre's managers instead.
    The handler making the callback himself tells nobody (he knows), nor does a callback finding it solved."""
    desk, clock, w, notifier = shifts
    unreachable = desk.complaints.open_complaint(w.agent, "cust-zh", "维修师傅迟到").ticket.id
    own = desk.complaints.open_complaint(w.agent, "cust-zh", "收费与报价不符").ticket.id
    solved = desk.complaints.open_complaint(w.agent, "cust-zh", "墨粉重复收费").ticket.id
    desk.complaints.assign_handler(w.manager, own, handler_id="agent-2")
    for cid, handler in ((unreachable, w.agent), (own, WANG), (solved, w.agent)):
        _handled(desk, handler, cid)
    clock.set(_at(3, 4, 10))
    desk.record_callback(WANG, unreachable, problem_back=True, satisfaction=2)
    desk.record_callback(WANG, own, problem_back=True, satisfaction=2)
    desk.record_callback(WANG, solved, problem_back=False, satisfaction=5)
    ((to, body),) = _back_notices(desk, notifier)
    assert to == "manager@venus.example" and unreachable in body


def test_2_3_each_grade_answers_after_the_may_day_holiday_in_working_hours(tmp_path: Path) -> None:
    """Seed 003 二 3: 一般咨询类问题…X个小时; 故障报修及紧急问题 Y个工作小时. Logged on Thursday 30
    April 2026 at 17:30, the eve of the May Day holiday (1–5 May): an inquiry and a plain repair (4
    working hours) are answered by 13:30 on Wednesday 6 May (half an hour on the 30th, three before
    lunch), an urgent call (expedited, 2 hours) by 10:30, three units down (expedited) likewise, ten
    (critical, 30 minutes) by 18:00 on the 30th itself."""
    with noticed_desk("memory", tmp_path, "office_equipment") as (desk, clock, w, _notifier):
        clock.set(_at(4, 30, 17, 30))

        def repair(**kw: object) -> str:
            return desk.open_ticket(
                w.agent, customer_id="cust-zh", description="复印机卡纸", asset_id="asset-1", **kw  # type: ignore[arg-type]
            ).ticket.id  # fmt: skip

        inquiry = repair(category=Category.INQUIRY)
        plain, urgent, three, ten = repair(), repair(urgent=True), repair(), repair()
        for ticket_id, units in ((three, 3), (ten, 10)):
            desk.triage(
                w.manager, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE,
                units_affected=units,
            )  # fmt: skip
        expected = {
            inquiry: (None, _at(5, 6, 13, 30)),
            plain: (None, _at(5, 6, 13, 30)),
            urgent: (Priority.EXPEDITED, _at(5, 6, 10, 30)),
            three: (Priority.EXPEDITED, _at(5, 6, 10, 30)),
            ten: (Priority.CRITICAL, _at(4, 30, 18)),
        }
        for ticket_id, (grade, due) in expected.items():
            assert desk.ticket(w.manager, ticket_id).priority == grade
            assert desk.sla(w.manager, ticket_id)["response"].due_at == due
