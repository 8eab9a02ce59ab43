"""Seed 003 二 3 分级处理, session 33 (d): an urgent request sent below its grade is not solved before
someone of the grade steps in.

加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理. Session 32 stopped the agent
solving an expedited or critical request by phone from triage, but the office could still send it to a
junior engineer (accepted, with a ``dispatch_below_level`` override on the assignment), who then solved it
by phone — no senior engineer, no emergency team ever involved. Under the ``office_equipment`` pack's
``[routing] remote_by_grade`` the resolution now waits for a senior engineer on the ticket (reassigned to
one) or, for a critical request, a member of the emergency team on its team. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity
from aftersales.domain.teams import Team, TeamKind
from aftersales.errors import PermissionDenied
from aftersales.i18n import render_error
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _sent_to_junior(desk: ServiceDesk, w: World, *, critical: bool = False) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机无法开机", urgent=True
    ).ticket.id
    if critical:
        desk.triage(w.agent, tid, nature="power", severity=Severity.HIGH, production_stopped=True)
    else:
        desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="资深工程师都在外地，李工离客户最近")
    desk.start_work(w.junior, tid)
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_expedited_request_sent_to_a_junior_waits_for_a_senior_engineer(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        assert desk.ticket(w.manager, tid).priority is Priority.EXPEDITED
        before = desk.ticket(w.manager, tid)
        for who in (w.junior, w.agent):  # neither the junior on site nor the office by phone
            with pytest.raises(PermissionDenied) as refused:
                desk.resolve(who, tid, summary="电话指导客户重新插电", remote=True)
            assert (refused.value.rule, refused.value.action) == ("expedited_senior_not_involved", "resolve")
            assert refused.value.facts == {"priority": "expedited"}
        assert "资深工程师" in render_error(refused.value, "zh_Hans")
        assert "資深工程師" in render_error(refused.value, "zh_Hant")
        assert "senior engineer" in render_error(refused.value, "en")
        after = desk.ticket(w.manager, tid)
        assert (after.state, after.version) == (before.state, before.version)
        # The senior engineer steps in (介入): sent to the ticket, he may solve it, by phone too.
        desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="资深工程师介入")
        desk.resolve(w.senior, tid, summary="电话指导客户更换电源板保险", remote=True)
        assert desk.ticket(w.manager, tid).state == "resolved"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_critical_request_sent_outside_the_emergency_team_waits_for_a_member(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        desk.teams.save_team(w.manager, Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id))
        tid = _sent_to_junior(desk, w, critical=True)
        assert desk.ticket(w.manager, tid).priority is Priority.CRITICAL
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.junior, tid, summary="重启服务器")
        assert refused.value.rule == "critical_team_not_involved"
        assert "应急小组" in render_error(refused.value, "zh_Hans")
        assert "emergency team" in render_error(refused.value, "en")
        assert desk.ticket(w.manager, tid).state == "in_progress"
        # The department head coordinates: the team's member joins the ticket, and it may be solved.
        desk.teams.add_members(w.department_head, tid, [w.eng_senior.id], note="应急小组介入")
        desk.resolve(w.junior, tid, summary="应急小组到场, 更换交换机")
        assert desk.ticket(w.manager, tid).state == "resolved"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_normal_request_sent_to_a_junior_is_solved_by_him(backend: str, tmp_path: Path) -> None:
    # 普通问题由客服专员或初级工程师处理: nothing to wait for.
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="打印颜色偏淡").ticket.id
        desk.triage(w.agent, tid, nature="toner", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="调整浓度")
        assert desk.ticket(w.manager, tid).state == "resolved"


@pytest.mark.parametrize(
    ("backend", "pack"), [("memory", "service_centre"), ("sqlite", "general_maintenance")]
)
def test_packs_whose_seed_names_no_handler_by_grade_let_the_junior_solve_it(
    backend: str, pack: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=pack) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        assert desk.ticket(w.manager, tid).priority is Priority.EXPEDITED
        desk.resolve(w.junior, tid, summary="电话指导客户重新插电", remote=True)
        assert desk.ticket(w.manager, tid).state == "resolved"
