"""Seeds 003 and 004 walked by a peer tester (session 37, developer e), through the public API.

- Seed 003 二 1 客服专员实行轮班制,保证服务的连续性 with 二 5 投诉处理 由指定人员负责跟进 and 二 3 响应时效: a
  complaint the morning shift took and left open falls due in the afternoon. The sweep told its clock
  running out to the handler only (at home since 13:00) and the manager; the agents at the desk, who may
  call the customer, heard nothing. They are told now while the handler is off shift; and a breach
  withdrawn by a call entered late is withdrawn to the handler and to them as well as to the manager.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales import Actor, Contact, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.agent_shifts import AgentShift
from aftersales.domain.complaints import CrisisFacts, CrisisProblem, Recourse, RemedyKind
from aftersales.domain.money import Money
from aftersales.i18n.reasons import render_reasons
from conftest import SHANGHAI, STAFF, World, make_world, noticed_desk, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


LI, CHEN = Actor.agent("agent-1", "客服小李"), Actor.agent("agent-2", "客服小陈")


@pytest.fixture(params=BACKENDS)
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) whose staff directory lists its two agents."""
    clock, world, notifier = ManualClock(_at(3, 2, 8)), make_world(), MemoryNotifier()
    staff = {
        **STAFF,
        "agent:agent-1": [Contact("客服小李", email="li@venus.example", locale="zh_Hans")],
        "agent:agent-2": [Contact("客服小陈", email="chen@venus.example", locale="zh_Hans")],
    }
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="service_centre", clock=clock, staff=staff, notifier=notifier) as desk,
    ):
        register(desk, world)
        yield desk, clock, world, notifier


def _clock_notices(desk: ServiceDesk, notifier: MemoryNotifier, ticket_id: str) -> set[tuple[str, str]]:
    desk.deliver()
    return {
        (m.recipient, m.idempotency_key.split(":")[3])
        for m in notifier.sent
        if m.idempotency_key.startswith(f"{ticket_id}:sla:response:")
    }


def test_2_1_a_complaint_left_open_across_a_shift_reaches_the_agents_at_the_desk(centre: Host) -> None:
    """Monday 2 March 2026: 小李 is at the desk 09:00–13:00, 小陈 13:00–18:00. 小李 takes two complaints and
    starts investigating both (he is their handler); their first answer is due two working hours later,
    the lunch break (12:00–13:00) not counted. The one taken at 09:30 falls due at 11:30, in 小李's own
    shift: he is told, 小陈 is not. The one taken at 11:50 falls due at 14:50, when 小李 has gone home: the
    warning and the breach reach 小陈 at the desk too (who may call the customer), beside 小李 and the
    manager. 小陈 had called the customer in time and enters the call afterwards: the breach is withdrawn
    to the three who heard of it (before session 37, to the manager only)."""
    desk, clock, w, notifier = centre
    shifts = [
        AgentShift("agent-1", _at(3, 2, 9), _at(3, 2, 13)),
        AgentShift("agent-2", _at(3, 2, 13), _at(3, 2, 18)),
    ]
    desk.agent_shifts.plan(w.manager, _at(3, 2, 0), _at(3, 3, 0), shifts)
    complaints = []
    for taken, sweeps in (((9, 30), ((11, 15), (11, 31))), ((11, 50), ((14, 35), (14, 51)))):
        clock.set(_at(3, 2, *taken))
        cid = desk.complaints.open_complaint(LI, "cust-zh", "师傅态度恶劣, 要求道歉").ticket.id
        desk.complaints.investigate(LI, cid)
        complaints.append(cid)
        for minute_of_day in sweeps:
            clock.set(_at(3, 2, *minute_of_day))
            desk.sla_watch.sweep(Actor.system())
    morning, noon = complaints
    assert desk.sla(w.manager, noon)["response"].due_at == _at(3, 2, 14, 50)

    li, chen, manager = "li@venus.example", "chen@venus.example", "manager@venus.example"
    kinds = {"sla_warning", "sla_breach"}
    assert _clock_notices(desk, notifier, morning) == {(who, k) for who in (li, manager) for k in kinds}
    assert _clock_notices(desk, notifier, noon) == {(who, k) for who in (li, chen, manager) for k in kinds}

    # 小陈 called the customer at 14:45 and enters it at 15:00: the breach is withdrawn to all who heard it
    clock.set(_at(3, 2, 15))
    desk.contact_customer(CHEN, noon, note="小李已下班, 小陈已致电客户致歉", at=_at(3, 2, 14, 45))
    desk.deliver()
    withdrawn = {m.recipient for m in notifier.sent if ":sla_breach_withdrawn@" in m.idempotency_key}
    assert withdrawn == {li, chen, manager}


@pytest.fixture(params=BACKENDS)
def desk_of_centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    """The customer-service centre's desk (seed 004) on each store, its staff the suite's."""
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        yield opened


def test_8_2_3_the_outlet_holding_a_complaint_the_customer_withdrew_is_called_off(
    desk_of_centre: Host,
) -> None:
    """Seed 004 第八条 2(3) 由客户服务中心转到维修网点的用户投诉, with 撤诉: on Tuesday 3 March 2026 the
    centre passes 张伟's complaint to the Pudong dealer, which is told to go and look. At 11:00 张伟
    withdraws it (he settled it himself). The dealer is told the complaint is called off, with 张伟's
    reason, as it is when the centre cancels one; before session 37 a withdrawal told it nothing, and it
    went."""
    desk, clock, w, notifier = desk_of_centre
    clock.set(_at(3, 3, 10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "维修后仍漏水").ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.refer_to_outlet(w.manager, cid, dealer_id="dealer-sh", note="请上门查看")
    desk.deliver()
    before = len(notifier.sent)
    clock.set(_at(3, 3, 11))
    desk.complaints.withdraw(w.customer_zh, cid, reason="已自行解决")
    desk.deliver()
    told = [(m.recipient, m.body) for m in notifier.sent[before:]]
    assert told == [(w.dealer_sh.contact.phone, f"投诉 {cid} 已取消，无需再处理。原因：已自行解决")]


def test_7_5_1_the_customer_reads_the_compensation_it_is_paid(desk_of_centre: Host) -> None:
    """Seed 004 第七条 5(1) 危机事件 … 向我司提出赔偿要求, with 第八条 2(4): 张伟's floor was ruined by a
    leaking cistern and he asks for 3,000 yuan, having gone to the press; the centre refers it to the general
    manager, who decides to pay the 3,000 yuan. The centre grants that compensation and a gift. 张伟
    reading his complaint (the file and its history) sees the compensation of 3,000 yuan he is paid — not
    0.00, as before session 37 — while what the gift cost the company stays the office's."""
    desk, clock, w, _notifier = desk_of_centre
    clock.set(_at(3, 3, 10))
    crisis = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
        loss=Money(Decimal("3000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(
        w.agent, "cust-zh", "水箱漏水泡坏地板, 要求赔偿3000元", crisis=crisis
    ).ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.refer_to_general_manager(w.manager, cid, question="是否赔偿地板3000元?")
    desk.complaints.record_gm_decision(w.general_manager, cid, decision="赔偿地板3000元并更换水箱")
    desk.complaints.agree_solution(w.manager, cid)
    paid, gift = Money(Decimal("3000"), "CNY"), Money(Decimal("200"), "CNY")
    desk.complaints.grant_remedy(w.manager, cid, kind=RemedyKind.COMPENSATION, cost=paid)
    desk.complaints.grant_remedy(w.manager, cid, kind=RemedyKind.GIFT, cost=gift, note="赠送清洁套装")

    seen = desk.complaints.complaint_file(w.customer_zh, cid).remedies
    assert [(r.kind, r.cost) for r in seen] == [
        (RemedyKind.COMPENSATION, paid), (RemedyKind.GIFT, Money.zero("CNY"))
    ]  # fmt: skip
    steps = [e.payload for e in desk.ticket(w.customer_zh, cid).events if e.action == "grant_remedy"]
    assert [(p["kind"], p.get("cost")) for p in steps] == [("compensation", "3000.00"), ("gift", None)]
    staff_seen = desk.complaints.complaint_file(w.manager, cid).remedies
    assert [r.cost for r in staff_seen] == [paid, gift]  # the office reads both, as before


def test_8_2_4_the_general_manager_asked_how_to_handle_a_withdrawn_complaint_is_told(
    desk_of_centre: Host,
) -> None:
    """Seed 004 第八条 2(4) 客户服务中心向总经理报告及请示处理方法: on Tuesday 3 March 2026 the centre
    refers two complaints to the general manager. He answers the second; the first, 张伟 withdraws at
    15:00 (he came to terms with the fitter) before any answer. The general manager is told the first
    is called off, with 张伟's reason — nothing is left for him to decide, and his decision would be
    refused; before session 37 he heard nothing. The second, cancelled by the centre after his answer,
    asks nothing of him."""
    desk, clock, w, notifier = desk_of_centre
    clock.set(_at(3, 3, 10))
    asked, answered = (
        desk.complaints.open_complaint(w.agent, "cust-zh", description).ticket.id
        for description in ("安装工弄坏了墙面瓷砖", "重复登记: 安装工弄坏了墙面瓷砖")
    )
    for cid in (asked, answered):
        desk.complaints.investigate(w.manager, cid)
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否赔偿瓷砖?")
    desk.complaints.record_gm_decision(w.general_manager, answered, decision="赔偿瓷砖并致歉")
    desk.deliver()
    before = len(notifier.sent)
    clock.set(_at(3, 3, 15))
    desk.complaints.withdraw(w.customer_zh, asked, reason="已与安装工和解")
    desk.complaints.cancel(w.manager, answered, reason="重复登记")
    desk.deliver()
    gm_phone = STAFF[Role.GENERAL_MANAGER][0].phone
    told = [m.body for m in notifier.sent[before:] if m.recipient == gm_phone]
    assert told == [f"投诉 {asked} 已取消，无需再处理。原因：已与安装工和解"]


def test_8_2_5_the_crisis_told_at_once_names_every_recourse(desk_of_centre: Host) -> None:
    """Seed 004 第七条 5(1) 危机事件 with 第八条 2(5) 立即通知: a burst cistern flooded 张伟's flat and
    hurt his mother; he has gone to the consumer association and to the press. The centre and the
    general manager are told at once why the complaint is a crisis: both losses and both recourses, in
    their words (the stored reason read in zh_Hant and en alike). Before session 37 the text named the
    first of each in code order only: the press, which most calls for haste, was left out."""
    desk, clock, w, notifier = desk_of_centre
    clock.set(_at(3, 3, 10))
    crisis = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS, CrisisProblem.PERSONAL_INJURY}, economic_loss=True,
        recourse={Recourse.PRESS, Recourse.CONSUMER_ASSOCIATION}, loss=Money(Decimal("8000"), "CNY"),
    )  # fmt: skip
    cid = desk.complaints.open_complaint(
        w.agent, "cust-zh", "水箱爆裂, 淹了房间, 老人滑倒受伤", crisis=crisis
    ).ticket.id
    desk.deliver()
    gm_phone = STAFF[Role.GENERAL_MANAGER][0].phone
    (told,) = [
        m.body
        for m in notifier.sent
        if m.recipient == gm_phone and "complaint_escalated" in m.idempotency_key
    ]
    assert "财产损失" in told and "人员受伤" in told and "向消协反映" in told and "向新闻媒体反映" in told
    (reason,) = desk.complaints.complaint_file(w.manager, cid).severity_reasons
    hant, en = (render_reasons([reason], locale)[0] for locale in ("zh_Hant", "en"))
    assert "消協" in hant and "新聞媒體" in hant
    assert "consumer association" in en and "press" in en
