# mypy: disable-error-code="arg-type"
"""The SLA's callback clock follows the callback policy; an engineer reads his team-mates' tickets' alerts.

1. ``[callback] not_needed_for = ["inquiry"]``: the callback policy owes no callback on an inquiry, but the
   SLA policy set a callback target on every service ticket, so ``desk.sla()`` showed a callback clock and
   the sweep announced a callback breach nobody owed. Now the SLA reads the callback policy: no callback
   target where no callback is owed (a VIP customer is still called back: the desk's rule).
2. ``desk.sla_alerts``: an engineer reads a team-mate's ticket (the one permission table's team rule), but
   its alerts were checked without the assignee's team and left out. Now the alert read follows the
   ticket read. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _pack(tmp_path: Path) -> str:
    path = tmp_path / "no_inquiry_callback.toml"
    path.write_text(
        '[pack]\nname = "no_inquiry_callback"\nextends = "office_equipment"\n\n'
        '[callback]\nnot_needed_for = ["inquiry"]\n',
        encoding="utf-8",
    )
    return str(path)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _resolved(desk: ServiceDesk, w: World, customer: str, category: Category) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=customer, description="复印机怎么扫描", category=category
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
    desk.contact_customer(w.senior, tid, note="已联系客户")
    desk.start_work(w.senior, tid)
    desk.resolve(w.senior, tid, summary="讲解了操作方法")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_callback_clock_where_the_pack_owes_no_callback(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, _pack(tmp_path)) as (desk, clock, w):
        clock.set(_at(2, 10))
        inquiry = _resolved(desk, w, w.cust_zh.id, Category.INQUIRY)
        repair = _resolved(desk, w, w.cust_zh.id, Category.REPAIR)
        vip = _resolved(desk, w, w.cust_en.id, Category.INQUIRY)
        assert desk.sla(w.manager, inquiry).get("callback") is None
        assert desk.sla(w.manager, repair)["callback"].due_at == _at(3, 10)
        assert (
            desk.sla(w.manager, vip).get("callback") is not None
        )  # a VIP is called back whatever the category
        assert desk.ticket(w.manager, inquiry).callback_due_at is None
        clock.set(_at(6, 10))
        desk.sla_watch.sweep(Actor.system())
        late = {a.ticket_id for a in desk.sla_alerts(w.manager, target="callback", kind="sla_breach").items}
        assert late == {repair, vip}


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_reads_the_alerts_of_his_team_mates_tickets(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
        clock.set(_at(2, 18))
        desk.sla_watch.sweep(Actor.system())
        assert desk.ticket(w.junior, tid).id == tid  # a team-mate's ticket: read by the team rule
        alerts = desk.sla_alerts(w.manager, ticket_id=tid).items
        assert alerts != ()
        assert desk.sla_alerts(w.junior, ticket_id=tid).items == alerts
        assert {a.ticket_id for a in desk.sla_alerts(w.junior, limit=1000).items} == {tid}
        outsider = Actor.engineer("eng-x", "外组工程师", team="team-west")
        assert desk.sla_alerts(outsider, limit=1000).items == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_files_a_complaint_about_a_team_mates_ticket(backend: str, tmp_path: Path) -> None:
    # The same team rule on the complaint's link: he reads the ticket, so he may name it (it was NotFound).
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 9))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
        assert desk.ticket(w.junior, tid).id == tid
        complaint = desk.complaints.open_complaint(w.junior, w.cust_zh.id, "客户投诉上门太慢", about=[tid])
        assert desk.complaints.complaint_file(w.manager, complaint.ticket.id).about == (tid,)
