"""Session 26 (j): an outlet's call logged after the fact was made while the outlet held the complaint.

Seed 004 第八条 2(4) (售后服务部若无能力马上判断处理, 首先要对客户进行安抚,
并立即回复客户服务中心): the outlet the centre passed the complaint to logs its call to the
customer; ``contact_customer(at=)`` lets a call made earlier be entered later. The outlet was
judged as it holds the complaint now, so an engineer passed the complaint at 11:00 could log a
call "made" at 09:30 — while another outlet held it, or before any outlet did — and that call
counted as the complaint's response. Now such a time is a ``ValidationError`` naming ``at``,
nothing written; the centre's staff log theirs at any time since the complaint came in, and an
outlet passed the complaint twice in a row holds it since the first time.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.errors import ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
H = timedelta(hours=1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_outlet_cannot_log_a_call_made_before_it_was_passed_the_complaint(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, clock, w):
        complaints = desk.complaints
        opened = clock.now()
        cid = complaints.open_complaint(w.agent, w.cust_zh.id, "整机异响，多次维修无效").ticket.id
        complaints.investigate(w.agent, cid)
        clock.advance(H)
        complaints.refer_to_outlet(w.agent, cid, dealer_id=w.dealer_sh.id, note="请核实")
        to_dealer = clock.now()
        clock.advance(H)
        complaints.refer_to_outlet(w.agent, cid, engineer_id=w.eng_junior.id, note="改派工程师")
        to_engineer = clock.now()
        clock.advance(H)
        before = len(desk.ticket(w.manager, cid).events)
        for made in (opened + H / 2, to_dealer + H / 2, to_engineer - timedelta(microseconds=1)):
            with pytest.raises(ValidationError) as refused:
                desk.contact_customer(w.junior, cid, note="已安抚客户", at=made)
            assert refused.value.field == "at"
        assert len(desk.ticket(w.manager, cid).events) == before
        desk.contact_customer(w.junior, cid, note="已安抚客户", at=to_engineer + H / 2)
        desk.contact_customer(w.agent, cid, note="客服回访安抚", at=opened + H / 4)  # the centre: any time
        clock.advance(H)
        complaints.refer_to_outlet(w.agent, cid, engineer_id=w.eng_junior.id, note="再次转交")
        clock.advance(H)
        desk.contact_customer(w.junior, cid, note="再次致电", at=to_engineer + H / 4)  # held since 1st time
        made = [
            (e.actor.id, e.payload.get("contacted_at"))
            for e in desk.ticket(w.manager, cid).events
            if e.action == "contact_customer"
        ]
        assert made == [
            (w.eng_junior.id, (to_engineer + H / 2).isoformat()),
            (w.agent.id, (opened + H / 4).isoformat()),
            (w.eng_junior.id, (to_engineer + H / 4).isoformat()),
        ]
