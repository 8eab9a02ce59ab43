"""Hostile tests, session 33 (k), of the morning's merged work of d, e and h: major complaints found late.

Seed 004 第八条 2(4): "对于技术难度较大的质量事故或有重要影响的投诉 … 客户服务中心向总经理报告及请示处理方法,
得到明确的处理意见后应立即安排处理". Session 33 (d) made the ``service_centre`` pack wait for the general
manager's instruction before a major complaint's solution is proposed, agreed or its remedy granted. A
complaint found major only after its solution was agreed (implementing) could still be handled and its
outcome given (``give_feedback``) by the centre alone: the referral (``refer``) was allowed only from
investigating or solution-proposed, so the centre could not even ask. Now the outcome of a major complaint
waits for the instruction too, and the centre may refer it while implementing; the general manager's
decision becomes the solution proposed again, agreed and then carried out. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _agreed(desk: ServiceDesk, w: World) -> str:
    """A complaint whose solution the centre agreed while it was still general (implementing)."""
    cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "马桶漏水, 上门两次未修好").ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换阀门")
    desk.complaints.agree_solution(w.manager, cid)
    return cid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_found_major_while_implementing_is_referred_before_its_outcome(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "service_centre") as (desk, _clock, w, notifier):
        cid = _agreed(desk, w)
        desk.complaints.classify(w.manager, cid, major_by_judgement="同一批次阀门多户漏水, 媒体已来电")
        before = desk.ticket(w.manager, cid)
        with pytest.raises(PermissionDenied) as refused:
            desk.complaints.give_feedback(w.manager, cid, outcome="已更换阀门")
        assert (refused.value.rule, refused.value.action) == ("major_awaits_gm_instruction", "give_feedback")
        assert refused.value.facts == {"referral": "not_referred"}
        after = desk.ticket(w.manager, cid)
        assert (
            (after.state, after.version) == (before.state, before.version) == ("implementing", before.version)
        )
        # The centre reports to the general manager from where it stands (向总经理报告及请示处理方法).
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否召回同批次阀门?")
        desk.deliver()
        assert [m for m in notifier.to("13800000009") if cid in m.body or cid in m.subject]
        assert desk.ticket(w.manager, cid).state == "awaiting_decision"
        with pytest.raises(PermissionDenied):
            desk.complaints.record_gm_decision(w.manager, cid, decision="我自己决定")
        desk.complaints.record_gm_decision(w.general_manager, cid, decision="召回同批次阀门, 每户延保一年")
        # His instruction is the solution proposed; agreed, it is carried out and the outcome given.
        assert desk.ticket(w.manager, cid).state == "solution_proposed"
        desk.complaints.agree_solution(w.manager, cid)
        desk.complaints.grant_remedy(w.manager, cid, kind=RemedyKind.GIFT, cost=Money("80", "CNY"))
        desk.complaints.give_feedback(w.manager, cid, outcome="已召回更换阀门并延保一年")
        assert desk.ticket(w.manager, cid).state == "feedback_given"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_general_complaint_is_referred_while_implementing_on_any_pack(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="general_maintenance") as (desk, _clock, w):
        cid = _agreed(desk, w)
        # No instruction asked for: the outcome is given by the handler.
        desk.complaints.give_feedback(w.manager, cid, outcome="已更换阀门")
        cid2 = _agreed(desk, w)
        desk.complaints.refer_to_general_manager(w.manager, cid2, question="客户要求整机更换, 超出权限")
        assert desk.ticket(w.manager, cid2).state == "awaiting_decision"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_acceptance_taken_by_phone_loses_its_words_when_the_customer_is_erased(
    backend: str, tmp_path: Path
) -> None:
    # Seed 001 三(六)2 / 五(三)3 (session 33 h): the acceptance staff took is a contact in the archive;
    # what the customer said in it is the person's data like any note (already right).
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="打印机卡纸").ticket.id
        desk.triage(w.agent, tid, nature="paper_jam", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="清理搓纸轮")
        words = "王女士说她下周住院, 请打她女儿电话确认"
        desk.confirm(w.agent, tid, channel="phone", note=words)
        kept = desk.archives.customer_archive(w.manager, w.cust_zh.id).contacts
        assert [(c.kind, c.channel, c.note) for c in kept if c.kind == "acceptance"] == [
            ("acceptance", "phone", words)
        ]
        desk.privacy.erase_customer(w.manager, w.cust_zh.id, "客户要求删除个人信息")
        after = desk.archives.customer_archive(w.manager, w.cust_zh.id).contacts
        notes = [c.note for c in after if c.kind == "acceptance"]
        assert notes and all(words not in n and "住院" not in n for n in notes)
        assert all("住院" not in (e.reason or "") for e in desk.ticket(w.manager, tid).events)


@pytest.mark.parametrize("backend", BACKENDS)
def test_marking_a_complaint_urgent_refuses_outsiders_and_blank_reasons_and_replays_once(
    backend: str, tmp_path: Path
) -> None:
    # Seed 001 三(二)2 对于紧急问题,售后专员应立即标记 (session 33 d): already right.
    with world_desk(backend, tmp_path, pack="exhibition_services") as (desk, _clock, w):
        cid = desk.complaints.open_complaint(
            w.customer_zh, w.cust_zh.id, "展台屏幕黑屏, 投诉", urgent=True
        ).ticket.id
        before = desk.ticket(w.manager, cid)
        with pytest.raises(NotFound):  # an engineer not on the complaint does not even see it
            desk.complaints.mark_urgent(w.junior, cid)
        with pytest.raises(PermissionDenied):  # nor does the customer mark it (their word is a claim)
            desk.complaints.mark_urgent(w.customer_zh, cid)
        with pytest.raises(ValidationError) as blank:
            desk.complaints.mark_urgent(w.agent, cid, reason="   ")
        assert blank.value.field == "reason"
        assert desk.ticket(w.manager, cid).version == before.version
        first = desk.complaints.mark_urgent(w.agent, cid, reason="开幕在即", idempotency_key="k-urgent-1")
        again = desk.complaints.mark_urgent(w.agent, cid, reason="开幕在即", idempotency_key="k-urgent-1")
        assert again.ticket.version == first.ticket.version
        marks = [e for e in desk.ticket(w.manager, cid).events if e.action == "mark_urgent"]
        assert len(marks) == 1
        with pytest.raises(ValidationError) as twice:
            desk.complaints.mark_urgent(w.manager, cid, reason="再标一次")
        assert twice.value.field == "complaint_id"
