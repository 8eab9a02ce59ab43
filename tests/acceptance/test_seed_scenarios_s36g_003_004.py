"""Seeds 003 and 004 walked by a peer tester (session 36, developer g), through the public API.

- Seed 004 第七条 1-3 (咨询 / 报修 / 投诉) with seed 003 二 3 (响应: 与客户取得联系, 告知预计上门或解决时间)
  and 二 2 (期望解决时间): a call logged as a repair on the eve of the 2026 May Day holiday was called back
  within half an hour; after the holiday the centre reads it as a complaint and hands it over. The
  complaint is that call (received at the call's time), so the call back is its response: met, in the
  live SLA, the sweep, the KPI and the breach report; the time the customer was told and the time it
  asked for stay in its progress; the customer's archive lists the call back once. A call nobody called
  back is still late. Before session 36 the complaint started with no contact: born with its response
  late, announced as a breach and counted missed, the times told and asked for lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales import Actor, Category, Channel, Contact, ServiceDesk, TicketKind
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from conftest import SHANGHAI, STAFF, World, make_world, noticed_desk, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


APRIL = Period(_at(4, 1, 0), _at(5, 1, 0))


@pytest.fixture(params=BACKENDS)
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) on each store."""
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def test_7_a_request_handed_over_as_a_complaint_keeps_the_call_back_made_on_it(centre: Host) -> None:
    """Thursday 30 April 2026, 16:30, the eve of the May Day holiday (1–5 May): 张伟 calls about a leaking
    toilet and the engineer's rudeness, logged as a repair, asking for it settled by 7 May; the agent
    calls back at 17:00 and tells him someone comes on 6 May at 14:00. Another call at 16:40 is not
    called back. On 6 May at 10:00 the manager reads both as complaints (the complaint's response is
    due 2 working hours from the call: 09:30 on 6 May)."""
    desk, clock, w, notifier = centre
    clock.set(_at(4, 30, 16, 30))
    called = desk.open_ticket(
        w.agent, customer_id="cust-zh", description="马桶漏水, 上次来的师傅态度恶劣", asset_id="asset-1",
        expected_by=_at(5, 7, 18),
    ).ticket.id  # fmt: skip
    clock.set(_at(4, 30, 16, 40))
    silent = desk.open_ticket(w.agent, customer_id="cust-zh", description="收费与报价不符").ticket.id
    clock.set(_at(4, 30, 17))
    desk.contact_customer(w.agent, called, note="已回电安抚客户, 节后上门", expected_at=_at(5, 6, 14))
    clock.set(_at(5, 6, 10))
    complaints = []
    for tid in (called, silent):
        desk.reclassify(w.manager, tid, category=Category.COMPLAINT, reason="客户是投诉")
        complaints.append(str(desk.ticket(w.manager, tid).events[-2].payload["complaint_id"]))
    kept, late = complaints

    response = desk.sla(w.manager, kept)["response"]
    assert response.met_at == _at(4, 30, 17) and not response.breached
    assert desk.sla(w.manager, late)["response"].breached  # nobody called: late from 09:33 on 6 May
    progress = desk.progress(w.customer_zh, kept)
    assert (progress.expected_at, progress.expected_by) == (_at(5, 6, 14), _at(5, 7, 18))

    clock.set(_at(5, 6, 10, 5))
    desk.sla_watch.sweep(Actor.system())
    desk.deliver()
    breached = {m.idempotency_key.split(":")[0] for m in notifier.sent if ":sla_breach:" in m.idempotency_key}
    assert breached == {late}
    (registered,) = _customer_notices(desk, notifier, kept)  # sent at 10:00: no promise of 09:30
    assert kept in registered and "09:30" not in registered and "尽快与您联系" in registered

    as_of = _at(5, 7, 9)
    kpi = kpi_report(reporting_for(desk.store), APRIL, desk.calendar, as_of=as_of).total
    assert kpi.response_missed == 1  # the complaint nobody called back, not the one called back
    assert sla_breaches(desk, w.manager, APRIL, as_of=as_of).total.response_breached == 1
    calls_back = [
        (c.ticket_id, c.at)
        for c in desk.archives.customer_archive(w.manager, "cust-zh").contacts
        if c.kind == "contact"
    ]
    assert calls_back == [(called, _at(4, 30, 17))]


def _customer_notices(desk: ServiceDesk, notifier: MemoryNotifier, ticket_id: str) -> list[str]:
    desk.deliver()
    return [m.body for m in notifier.sent if m.idempotency_key.startswith(f"{ticket_id}:0:")]


def test_8_2_1_a_letter_entered_days_later_promises_no_time_already_past(centre: Host) -> None:
    """第八条 2(1) 来信: a letter complaint dated Friday 27 February 2026 and a letter asking for a repair
    reach the centre's desk on Tuesday 3 March at 10:00 and are entered with the day they were received. Their
    responses fell due on 27 February; the customers are not told "we will contact you by 27 February"
    on 3 March, but that we will contact them as soon as possible. A letter received an hour before it
    is entered, its response still ahead, is promised its time."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    letter = Channel.LETTER_FAX
    complaint = desk.complaints.open_complaint(
        w.agent, "cust-zh", "来信: 收费与报价不符", channel=letter, received_at=_at(2, 27, 9)
    ).ticket.id
    request = desk.open_ticket(
        w.agent, customer_id="cust-en", description="Letter: the printer jams", channel=letter,
        received_at=_at(2, 27, 9),
    ).ticket.id  # fmt: skip
    fresh = desk.complaints.open_complaint(
        w.agent, "cust-zh", "来信: 师傅迟到", channel=letter, received_at=_at(3, 3, 9)
    ).ticket.id
    (told,) = _customer_notices(desk, notifier, complaint)
    assert complaint in told and "2月27日 11:00" not in told and "尽快与您联系" in told
    (told_en,) = _customer_notices(desk, notifier, request)
    assert request in told_en and "We will respond by" not in told_en and "as soon as possible" in told_en
    (promised,) = _customer_notices(desk, notifier, fresh)
    assert "我们将在 2026年3月3日 11:00 前与您联系" in promised


def test_8_2_1_the_platform_receives_a_customers_own_filing_when_it_arrives(centre: Host) -> None:
    """Seed 003 二 1 在线服务平台 with 二 3 响应时效, seed 004 第八条 2(1): the customer files its own request
    and complaint on the platform; they are received when they reach the desk. A filing that says it was
    received on 1 February (a month before) is refused naming ``received_at``: it would be born with its
    response late — announced, counted missed in the KPI — and its complaint would land in a month whose
    feedback went out. Staff entering a letter later give the day it came (the test above)."""
    desk, clock, w, notifier = centre
    clock.set(_at(3, 3, 10))
    backdated = _at(2, 1, 9)
    filings = (
        lambda: desk.open_ticket(
            w.customer_zh, customer_id="cust-zh", description="打印机卡纸", received_at=backdated
        ),
        lambda: desk.complaints.open_complaint(
            w.customer_zh, "cust-zh", "师傅态度恶劣", received_at=backdated
        ),
    )
    for filing in filings:
        with pytest.raises(ValidationError) as refused:
            filing()
        assert (refused.value.field, refused.value.rule) == ("received_at", "received_by_staff")
    assert not desk.ledger(w.manager).items and not desk.complaints.complaint_log(w.manager)
    desk.deliver()
    assert not notifier.sent
    own = desk.open_ticket(w.customer_zh, customer_id="cust-zh", description="打印机卡纸").ticket
    assert own.received_at == _at(3, 3, 10)


def test_5_1_6_a_complaint_opened_as_a_ticket_of_kind_complaint_is_in_the_next_months_feedback(
    centre: Host,
) -> None:
    """第五条 1(6) 用户意见…每月反馈: February's feedback goes out on Monday 2 March; on 3 March the agent
    enters a letter complaint of 27 February through ``desk.open_ticket(kind=complaint)`` (the request
    form the host's screens use for every record). It is registered in March, as one entered through the
    complaint desk: March's feedback carries it, marked late, and February's reads as it was sent.
    Before, such a complaint had no complaint file: it was found by the month it was received in only, so
    it appeared in February's (already sent) and in no feedback that went out."""
    desk, clock, w, _notifier = centre
    clock.set(_at(3, 2, 9))
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    clock.set(_at(3, 3, 10))
    letter = desk.open_ticket(
        w.agent, customer_id="cust-zh", description="来信投诉: 维修后仍漏水", kind=TicketKind.COMPLAINT,
        channel=Channel.LETTER_FAX, received_at=_at(2, 27, 15),
    ).ticket.id  # fmt: skip
    gm = w.general_manager
    assert desk.feedback.facts(gm, "2026-02").complaints == ()
    march = desk.feedback.facts(gm, "2026-03").complaints
    assert [(c.complaint_id, c.late) for c in march] == [(letter, True)]
    (entry,) = desk.complaints.complaint_log(w.manager)
    assert entry.registered_month == "2026-03"


@pytest.fixture(params=BACKENDS)
def follow_up(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The office-equipment desk (seed 003) whose staff directory lists agent-2, who follows complaints up."""
    clock, world, notifier = ManualClock(_at(4, 29, 9)), make_world(), MemoryNotifier()
    staff = {**STAFF, "agent:agent-2": [Contact("客服小王", email="wang@venus.example", locale="zh_Hans")]}
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=staff, notifier=notifier) as desk,
    ):
        register(desk, world)
        yield desk, clock, world, notifier


def test_2_5_the_designated_handler_hears_the_complaints_clock_run_out(follow_up: Host) -> None:
    """Seed 003 二 5 投诉处理: 由指定人员负责跟进…在规定时限内给出解决方案. On Wednesday 29 April 2026 the
    head designates agent-2 to follow a complaint up; its solution falls due after the May Day holiday. The
    sweep's warning before the due and its breach after it reach agent-2 — the person the passage makes
    answerable for the time limit — beside the manager, once each. Before session 36 only the manager
    heard (the sweep told a service ticket's assignee, and a complaint has none)."""
    desk, clock, w, notifier = follow_up
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "复印机修了三次还卡纸").ticket.id
    desk.complaints.assign_handler(w.manager, cid, handler_id="agent-2")
    wang = Actor.agent("agent-2", "客服小王")
    desk.contact_customer(wang, cid, note="已致电客户, 正在调查")
    desk.complaints.investigate(wang, cid)
    due = desk.sla(w.manager, cid)["resolution"].due_at
    assert due is not None and due > _at(5, 6, 0)  # past the holiday
    for instant in (due - timedelta(minutes=1), due + timedelta(days=1)):
        clock.set(instant)
        desk.sla_watch.sweep(Actor.system())
    desk.deliver()
    clocks = [m for m in notifier.sent if ":sla:" in m.idempotency_key]
    told = sorted(m.idempotency_key.split(":")[3] for m in clocks if m.recipient == "wang@venus.example")
    assert told == ["sla_breach", "sla_warning"]
    assert all(cid in m.body and "投诉" in m.body for m in clocks if m.recipient == "wang@venus.example")
    assert {m.recipient for m in clocks} >= {"manager@venus.example"}  # the manager hears as before
