"""Seed 004 第八条 2(4), session 33 (d): a major complaint is handled on the general manager's instruction.

对于技术难度较大的质量事故或有重要影响的投诉 … 客户服务中心向总经理报告及请示处理方法,得到明确的处理意见后
应立即安排处理. Before, the service-centre manager could propose, agree and grant the remedy of a major
complaint alone, before any instruction of the general manager was recorded (or asked for). The
``service_centre`` pack's ``[complaint] major_needs_gm_instruction`` now refuses that (``PermissionDenied``,
rule ``major_awaits_gm_instruction``, nothing written) until the centre has referred the case — which
reports it to the general manager — and his instruction is recorded. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.errors import ConfigurationError, PermissionDenied
from aftersales.i18n import render_error
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _major(desk: ServiceDesk, w: World) -> str:
    cid = desk.complaints.open_complaint(
        w.agent, w.cust_zh.id, "同一小区多户马桶漏水, 业主群已在讨论"
    ).ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.classify(w.manager, cid, major_by_judgement="有重要影响: 整个小区的业主都在关注")
    return cid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_manager_does_not_settle_a_major_complaint_before_the_gms_instruction(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "service_centre") as (desk, _clock, w, notifier):
        cid = _major(desk, w)
        before = desk.ticket(w.manager, cid)
        with pytest.raises(PermissionDenied) as refused:
            desk.complaints.propose_solution(w.manager, cid, solution="免费更换阀门并延保一年")
        assert (refused.value.rule, refused.value.action) == (
            "major_awaits_gm_instruction",
            "propose_solution",
        )
        assert "总经理" in render_error(refused.value, "zh_Hans")
        assert "總經理" in render_error(refused.value, "zh_Hant")
        assert "general manager" in render_error(refused.value, "en")
        after = desk.ticket(w.manager, cid)
        assert (after.state, after.version) == (before.state, before.version)
        # The centre reports to the general manager and asks how to handle it (请示处理方法): he hears of it.
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否为全小区免费更换阀门?")
        desk.deliver()
        assert [m for m in notifier.to("13800000009") if cid in m.body or cid in m.subject]
        desk.complaints.record_gm_decision(
            w.general_manager, cid, decision="全小区免费更换阀门, 每户延保一年"
        )
        # With his clear instruction the handling is arranged at once (立即安排处理).
        desk.complaints.agree_solution(w.manager, cid)
        desk.complaints.grant_remedy(w.manager, cid, kind=RemedyKind.GIFT, cost=Money("80", "CNY"))
        view = desk.ticket(w.manager, cid)
        assert view.state == "implementing"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_found_major_after_its_solution_waits_for_the_instruction(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "马桶漏水").ticket.id
        desk.complaints.investigate(w.manager, cid)
        desk.complaints.propose_solution(w.manager, cid, solution="上门更换阀门")
        desk.complaints.classify(w.manager, cid, major_by_judgement="媒体已来电询问")
        for step in (
            lambda: desk.complaints.agree_solution(w.manager, cid),
            lambda: desk.complaints.grant_remedy(
                w.manager, cid, kind=RemedyKind.GIFT, cost=Money("80", "CNY")
            ),
            lambda: desk.complaints.revise_solution(w.manager, cid, solution="更换整机", reason="客户不同意"),
        ):
            with pytest.raises(PermissionDenied) as refused:
                step()
            assert refused.value.rule == "major_awaits_gm_instruction"
        assert desk.ticket(w.manager, cid).state == "solution_proposed"
        # The general manager acting on it himself gives the instruction: the solution he writes.
        desk.complaints.revise_solution(
            w.general_manager, cid, solution="更换整机并致歉", reason="总经理指示"
        )
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_general_complaint_is_settled_by_the_centre(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "上门太慢").ticket.id
        desk.complaints.investigate(w.manager, cid)
        desk.complaints.propose_solution(w.manager, cid, solution="道歉并赠送滤芯")
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"


def test_packs_without_the_key_leave_a_major_complaint_to_the_handler(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, pack="general_maintenance") as (desk, _clock, w):
        cid = _major(desk, w)
        desk.complaints.propose_solution(w.manager, cid, solution="免费更换阀门")
        assert desk.ticket(w.manager, cid).state == "solution_proposed"


def test_the_setting_is_true_or_false_or_the_pack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[pack]\nname = "p"\nextends = "service_centre"\n\n[complaint]\nmajor_needs_gm_instruction = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path))
    assert "major_needs_gm_instruction" in str(refused.value)
