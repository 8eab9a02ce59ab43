"""The staff's notices of a complaint name a complaint (投诉), not a ticket (工单) — session 23, task g.

Task d renamed the complaint in its customer's notices and its SLA alerts; the notices staff read still
said 工单 of a complaint: the callback agents were asked "待回访：工单 SR-…" (seed 004 第五条: 投诉处理后的
七天内回访), a refused quote on a complaint's part escalated "工单 SR-… 已升级至…", a message taken for a
colleague read "留言：工单 SR-…" (seed 002 第五条), and a complaint's followers "【…】工单 SR-…：…". Seeds
000/001 (客户投诉的处理) keep complaints and tickets apart. A service ticket keeps its words; the
duplicate-check keys are the ones already sent. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from test_seed002_money import FEES, OUT_OF_WARRANTY, PART

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.contact import Contact
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.surveys import CallbackTask
from aftersales.policies.notification import DefaultNotification, NotificationEvent, NotificationParams
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
WANG = Contact("王芳", email="wang.fang@venus.example", locale="zh_Hans")
# Staff follow every progress step (a pack's follower roles), so a note to the customer tells the manager.
FOLLOWED = DefaultNotification(
    NotificationParams(events={NotificationEvent.PROGRESS: (Role.CUSTOMER, Role.MANAGER)})
)


@contextlib.contextmanager
def desk_of(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    staff = {**STAFF, "agent:agent-2": [WANG]}
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url,
            pack="sanitary_ware",
            clock=clock,
            notifier=notifier,
            staff=staff,
            overrides={"notification": FOLLOWED, "fees": FEES},
        ) as desk,
    ):
        register(desk, world)
        desk.register_asset(world.manager, OUT_OF_WARRANTY)
        yield desk, clock, world, notifier


def subjects(notifier: MemoryNotifier, record: str) -> list[str]:
    return [m.subject for m in notifier.sent if record in m.subject]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_message_left_and_a_followed_step_name_a_complaint(backend: str, tmp_path: Path) -> None:
    with desk_of(backend, tmp_path) as (desk, _, world, notifier):
        cid = desk.complaints.open_complaint(world.agent, "cust-zh", "马桶漏水三天没人管").ticket.id
        tid = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶一直冲水").ticket.id
        for record in (cid, tid):
            desk.note_to_customer(world.agent, record, text="已联系厂家核实")
            desk.note_to_customer(
                world.agent, record, text="张先生来电，请回电", visible=False, for_staff="agent:agent-2"
            )
        desk.deliver()
        followed = [m.subject for m in notifier.to("manager@venus.example") if "：" in m.subject]
        assert any(s.startswith("【") and f"投诉 {cid}：" in s for s in followed)
        assert any(s.startswith("【") and f"工单 {tid}：" in s for s in followed)
        to_wang = sorted(m.subject for m in notifier.to("wang.fang@venus.example"))
        assert to_wang == [f"留言：工单 {tid}", f"留言：投诉 {cid}"]
        assert not [s for s in subjects(notifier, cid) if "工单" in s]
        assert not [s for s in subjects(notifier, tid) if "投诉" in s]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaints_callback_due_names_the_complaint(backend: str, tmp_path: Path) -> None:
    with desk_of(backend, tmp_path) as (desk, clock, world, notifier):
        complaints = desk.complaints
        cid = complaints.open_complaint(world.agent, "cust-zh", "安装师傅迟到").ticket.id
        complaints.investigate(world.manager, cid)
        complaints.propose_solution(world.manager, cid, solution="赔礼道歉")
        complaints.agree_solution(world.customer_zh, cid)
        complaints.give_feedback(world.manager, cid, outcome="已致歉，客户接受")
        clock.advance(timedelta(hours=1))
        desk.run_due_jobs()
        desk.deliver()
        assert f"待回访：投诉 {cid}" in [m.subject for m in notifier.to("callcentre@venus.example")]
        # A task scheduled before the kind was kept on it (an older store): the notice reads its record.
        older = complaints.open_complaint(world.agent, "cust-zh", "客服不回电").ticket.id
        with desk.context.store() as uow:
            (task,) = uow.documents.query(CallbackTask, ticket_id=cid)
            assert task.ticket_kind is TicketKind.COMPLAINT
            uow.documents.add(attrs.evolve(task, id=f"{older}:callback:1", ticket_id=older, ticket_kind=None))
            uow.commit()
        clock.advance(timedelta(hours=1))
        desk.run_due_jobs()
        desk.deliver()
        to_agents = [m.subject for m in notifier.to("callcentre@venus.example")]
        assert f"待回访：投诉 {older}" in to_agents
        assert not [s for s in to_agents if "待回访：工单" in s]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_quote_on_a_complaints_part_escalates_the_complaint(backend: str, tmp_path: Path) -> None:
    with desk_of(backend, tmp_path) as (desk, _, world, notifier):
        cid = desk.complaints.open_complaint(
            world.agent, "cust-zh", "马桶漏水三天没人管", asset_id=OUT_OF_WARRANTY.id
        ).ticket.id
        desk.complaints.investigate(world.agent, cid)
        materials = desk.materials
        line = MaterialsLine(PART, 1)
        request = materials.request(world.agent, cid, party=PartyRef.dealer("dealer-sh"), lines=[line])
        materials.check(world.agent, request.id)
        materials.quote(world.agent, request.id)
        _, escalation = materials.decline(world.agent, request.id, reason="太贵")
        assert escalation is not None
        desk.deliver()
        escalated = [s for s in subjects(notifier, cid) if "升级" in s]
        assert escalated == [f"投诉 {cid} 已升级至售后经理"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_outlet_of_a_complaint_reads_it_sent_back_or_called_off_as_a_complaint(
    backend: str, tmp_path: Path
) -> None:
    with desk_of(backend, tmp_path) as (desk, _, world, notifier):
        complaints, outlet = desk.complaints, world.eng_junior.id
        cid = complaints.open_complaint(world.agent, "cust-zh", "马桶漏水三天没人管").ticket.id
        complaints.investigate(world.manager, cid)
        complaints.refer_to_outlet(world.agent, cid, engineer_id=outlet)
        complaints.propose_solution(world.manager, cid, solution="更换进水阀")
        complaints.agree_solution(world.customer_zh, cid)
        complaints.give_feedback(world.manager, cid, outcome="已更换进水阀")
        complaints.reject_outcome(world.customer_zh, cid, reason="还是漏水")
        called_off = complaints.open_complaint(world.agent, "cust-zh", "态度差").ticket.id
        complaints.refer_to_outlet(world.agent, called_off, engineer_id=outlet)
        complaints.cancel(world.agent, called_off, reason="重复登记")
        desk.deliver()
        told = subjects(notifier, cid) + subjects(notifier, called_off)
        assert f"投诉 {cid} 需重新处理" in told
        assert f"投诉 {called_off} 已取消" in told
        assert not [s for s in told if "工单" in s]
