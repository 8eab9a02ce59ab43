"""Hostile tests, session 33 (k), of seed 003 二 3 graded involvement (session 33 d), office_equipment.

加急问题由资深工程师介入;特急问题则启动应急小组. Session 33 (d) refuses resolving an expedited request sent to
a junior engineer until a senior engineer works on it. These try the other ways to finish it: the senior
sent and then replaced by the junior again (refused: already right), the senior or the emergency-team
member who stepped in and then left the company (离职: deactivated). Before, one who had left still counted
as working on the request, so the junior or the office by phone resolved it with nobody of its grade
left on it; now only engineers still working here count. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity
from aftersales.domain.teams import Team, TeamKind
from aftersales.errors import PermissionDenied
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _sent_to_junior(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸, 无法开机", urgent=True
    ).ticket.id
    desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="资深工程师都在外地")
    desk.start_work(w.junior, tid)
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_senior_sent_and_then_replaced_by_the_junior_is_no_longer_involved(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="资深工程师介入")
        desk.dispatch(w.manager, tid, engineer_id=w.eng_junior.id, reason="资深工程师被调走")
        before = desk.ticket(w.manager, tid)
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.junior, tid, summary="更换保险丝")
        assert refused.value.rule == "expedited_senior_not_involved"
        assert desk.ticket(w.manager, tid).version == before.version


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_emergency_member_who_left_the_company_no_longer_works_on_a_critical_request(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        desk.teams.save_team(w.manager, Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="服务器宕机, 全厂停产", urgent=True
        ).ticket.id
        desk.triage(w.agent, tid, nature="power", severity=Severity.HIGH, production_stopped=True)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="应急小组成员都在外地")
        desk.start_work(w.junior, tid)
        desk.teams.add_members(w.department_head, tid, [w.eng_senior.id], note="应急小组介入")
        desk.master_data.deactivate_engineer(w.manager, w.eng_senior.id, reason="离职")
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.junior, tid, summary="重启服务器")
        assert refused.value.rule == "critical_team_not_involved"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_senior_who_left_the_company_no_longer_works_on_an_expedited_request(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="资深工程师介入")
        desk.master_data.deactivate_engineer(w.manager, w.eng_senior.id, reason="离职")
        before = desk.ticket(w.manager, tid)
        # The office does not close it by phone on the name of a senior engineer who is gone.
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.agent, tid, summary="电话指导客户重新插电", remote=True)
        assert (refused.value.rule, refused.value.facts) == (
            "expedited_senior_not_involved",
            {"priority": "expedited"},
        )
        after = desk.ticket(w.manager, tid)
        assert (after.state, after.version) == (before.state, before.version)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_expedited_request_reclassified_as_an_inquiry_still_waits_for_a_senior(
    backend: str, tmp_path: Path
) -> None:
    # Already right: the grade the urgency gave stays through the new category, and so does the rule.
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        desk.reclassify(w.manager, tid, category="inquiry", reason="其实是操作咨询")
        assert desk.ticket(w.manager, tid).priority is Priority.EXPEDITED
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.junior, tid, summary="电话指导客户操作", remote=True)
        assert refused.value.rule == "expedited_senior_not_involved"
