"""Seed 003 二 3, session 34 (f): a senior engineer steps in on an expedited request beside the junior sent.

加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理. Session 33 (d) made an expedited
request sent to a junior wait, unresolved, for a senior engineer — but the senior could step in only by
taking the job over (a reassignment, the junior sent away): ``desk.teams.add_members`` refused every
ticket but a critical one ("not critical"). 介入 is getting involved: the senior joins the junior on site or
guides him, and the job stays with who is there. Now a senior engineer may join an expedited request's
team (the office coordinating, as the department head does for the emergency team); he is told, at the
senior engineer's level; the junior may then resolve it. A junior added to an expedited request is not
the senior stepping in (``ValidationError`` naming ``engineer_ids``), and a normal request still has no
team (naming ``priority``). ``office_equipment`` pack; memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _sent_to_junior(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机无法开机", urgent=True
    ).ticket.id
    desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="资深工程师都在外地，李工离客户最近")
    desk.start_work(w.junior, tid)
    assert desk.ticket(w.manager, tid).priority is Priority.EXPEDITED
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_senior_engineer_joins_the_junior_on_an_expedited_request(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, _clock, w, notifier):
        tid = _sent_to_junior(desk, w)
        desk.teams.add_members(w.manager, tid, [w.eng_senior.id], note="资深工程师远程介入")
        assert desk.teams.ticket_team(w.manager, tid) == (w.eng_junior.id, w.eng_senior.id)
        view = desk.ticket(w.manager, tid)
        assert view.assignee is not None and view.assignee.id == w.eng_junior.id  # the job stays his
        desk.deliver()
        (told,) = [m for m in notifier.to("wang.sr@venus.example") if tid in m.subject]
        assert "senior engineer" in told.subject
        # With the senior engineer involved, the junior on site may solve it.
        desk.resolve(w.junior, tid, summary="在资深工程师指导下更换电源板保险")
        assert desk.ticket(w.manager, tid).state == "resolved"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_junior_added_to_an_expedited_request_is_not_the_senior_stepping_in(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        other = Engineer(EngineerId("eng-jr-2"), "小赵", EngineerLevel.JUNIOR, frozenset({"power"}), "SH")
        desk.register_engineer(w.manager, other)
        tid = _sent_to_junior(desk, w)
        before = desk.ticket(w.manager, tid)
        with pytest.raises(ValidationError) as refused:
            desk.teams.add_members(w.manager, tid, [w.eng_senior.id, other.id])
        assert refused.value.field == "engineer_ids" and other.id in str(refused.value)
        after = desk.ticket(w.manager, tid)
        assert (after.version, desk.teams.ticket_team(w.manager, tid)) == (before.version, (w.eng_junior.id,))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_normal_request_still_has_no_team(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="打印颜色偏淡").ticket.id
        desk.triage(w.agent, tid, nature="toner", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        with pytest.raises(ValidationError) as refused:
            desk.teams.add_members(w.manager, tid, [w.eng_senior.id])
        assert refused.value.field == "priority"
