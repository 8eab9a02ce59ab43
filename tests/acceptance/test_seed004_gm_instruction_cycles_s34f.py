"""Seed 004 第八条 2(4) with 2(6), session 34 (f): the general manager's instruction, per cycle, his alone.

对于技术难度较大的质量事故或有重要影响的投诉 … 客户服务中心向总经理报告及请示处理方法,得到明确的处理意见后
应立即安排处理; 2(6) 对于回访发现的问题应及时再处理. With the ``service_centre`` pack a major complaint waits
for the general manager's instruction (session 33 d). Before session 34 (f):

- an instruction given in an earlier cycle still counted after the complaint was reopened because the problem
  was back: the centre proposed and agreed a new handling alone, without reporting and asking again;
- a pack extending ``service_centre`` that names the after-sales manager as the hard-case addressee let the
  manager record "the general manager's" instruction himself — and the general manager never heard of the
  referral.

Memory, SQLite and PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import PermissionDenied
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
GM_PHONE = "13800000009"


def _major(desk: ServiceDesk, w: World) -> str:
    cid = desk.complaints.open_complaint(
        w.agent, w.cust_zh.id, "同一小区多户马桶漏水, 业主群已在讨论"
    ).ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.classify(w.manager, cid, major_by_judgement="有重要影响: 整个小区的业主都在关注")
    return cid


def _handled_on_instruction(desk: ServiceDesk, w: World, cid: str) -> None:
    desk.complaints.refer_to_general_manager(w.manager, cid, question="是否为全小区免费更换阀门?")
    desk.complaints.record_gm_decision(w.general_manager, cid, decision="全小区免费更换阀门")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已为全小区更换阀门")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reopened_major_complaint_waits_for_a_new_instruction(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        cid = _major(desk, w)
        _handled_on_instruction(desk, w, cid)
        # The callback finds the problem back: handled again in a new cycle (2(6)).
        desk.complaints.reopen(w.manager, cid, reason="回访发现仍有三户漏水")
        before = desk.ticket(w.manager, cid)
        with pytest.raises(PermissionDenied) as refused:
            desk.complaints.propose_solution(w.manager, cid, solution="再次上门更换")
        assert (refused.value.rule, refused.value.action) == (
            "major_awaits_gm_instruction",
            "propose_solution",
        )
        assert refused.value.facts["referral"] == "not_referred"  # not asked in this cycle
        after = desk.ticket(w.manager, cid)
        assert (after.state, after.version) == (before.state, before.version)
        # Reported and asked again: asked, not yet answered, still refused.
        desk.complaints.refer_to_general_manager(w.manager, cid, question="三户仍漏水, 是否换整机?")
        assert desk.ticket(w.manager, cid).state == "awaiting_decision"
        desk.complaints.record_gm_decision(w.general_manager, cid, decision="三户换整机")
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_gms_own_solution_of_an_earlier_cycle_is_no_instruction_after_a_reopen(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        cid = _major(desk, w)
        desk.complaints.propose_solution(w.general_manager, cid, solution="全小区免费更换阀门")
        desk.complaints.agree_solution(w.manager, cid)
        desk.complaints.give_feedback(w.manager, cid, outcome="已更换")
        desk.complaints.reopen(w.manager, cid, reason="问题复发")
        with pytest.raises(PermissionDenied) as refused:
            desk.complaints.propose_solution(w.manager, cid, solution="再换一次")
        assert refused.value.rule == "major_awaits_gm_instruction"
        # The general manager writing the new cycle's solution himself is its instruction.
        desk.complaints.propose_solution(w.general_manager, cid, solution="换整机")
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"


def _manager_addressed_pack(tmp_path: Path) -> str:
    path = tmp_path / "centre_manager_decides.toml"
    path.write_text(
        '[pack]\nname = "centre_manager_decides"\nextends = "service_centre"\n\n'
        '[escalation]\ntargets = { hard_case = ["manager"] }\n',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_manager_named_for_hard_cases_does_not_give_the_gms_instruction(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, _manager_addressed_pack(tmp_path)) as (desk, _clock, w, notifier):
        cid = _major(desk, w)
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否为全小区免费更换阀门?")
        desk.deliver()
        # The centre reports to the general manager (向总经理报告) whoever the pack names for hard cases.
        assert [m for m in notifier.to(GM_PHONE) if cid in m.body or cid in m.subject]
        before = desk.ticket(w.manager, cid)
        with pytest.raises(PermissionDenied) as refused:
            desk.complaints.record_gm_decision(w.manager, cid, decision="我来决定: 免费更换")
        assert (refused.value.rule, refused.value.action) == (
            "major_awaits_gm_instruction",
            "record_gm_decision",
        )
        after = desk.ticket(w.manager, cid)
        assert (after.state, after.version) == (before.state, before.version)
        desk.complaints.record_gm_decision(w.general_manager, cid, decision="全小区免费更换阀门")
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"


def test_the_manager_named_for_hard_cases_still_decides_a_general_complaint(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, pack=_manager_addressed_pack(tmp_path)) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "安装师傅态度差").ticket.id
        desk.complaints.investigate(w.manager, cid)
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否退还安装费?")
        desk.complaints.record_gm_decision(w.manager, cid, decision="退还安装费")
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"
