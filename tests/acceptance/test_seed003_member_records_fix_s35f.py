"""Seed 003 二 3, session 35 (f): the senior engineer who joined an expedited request records the fix himself.

加急问题由资深工程师介入: session 34 (f) let a senior engineer join the team of an expedited request sent to a
junior, but only the junior could then record the fault and the fix (``PermissionDenied``: an engineer
writes only on tickets assigned to him). 介入 means he works on it: a member added to the ticket's team
records the fault found and resolves it (the permission table's ``TEAM_MEMBER_WRITES``); the job itself —
its work states, visits, parts — stays with the engineer it is assigned to, and an engineer on no team of
the ticket records nothing. ``office_equipment`` pack; memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import NotFound, PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _joined(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸后无法开机", urgent=True
    ).ticket.id
    desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="资深工程师在外地，李工离客户最近")
    desk.start_work(w.junior, tid)
    desk.teams.add_members(w.manager, tid, [w.eng_senior.id], note="资深工程师介入")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_senior_who_joined_records_the_fault_and_the_fix(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _joined(desk, w)
        desk.add_fault_record(w.senior, tid, symptom="no_power", cause="fuse_blown", action="replace_fuse")
        desk.resolve(w.senior, tid, summary="资深工程师远程指导后亲自更换电源板保险")
        view = desk.ticket(w.manager, tid)
        assert view.state == "resolved"
        assert view.assignee is not None and view.assignee.id == w.eng_junior.id  # the job stays his
        resolved = [e for e in view.events if e.action == "resolve"]
        assert [e.actor.id for e in resolved] == [w.senior.id]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_job_stays_with_the_engineer_sent_and_outsiders_record_nothing(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _joined(desk, w)
        before = desk.ticket(w.manager, tid).version
        with pytest.raises(PermissionDenied):
            desk.await_parts(w.senior, tid, reason="等电源板")  # the job's states are the junior's
        outsider = Actor.engineer("eng-other", "外组工程师", team="team-west")
        with pytest.raises((NotFound, PermissionDenied)):
            desk.resolve(outsider, tid, summary="not his")
        assert desk.ticket(w.manager, tid).version == before
