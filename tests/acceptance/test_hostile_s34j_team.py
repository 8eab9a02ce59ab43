"""Hostile attacks on a senior engineer joining an expedited request (seed 003 二 3), session 34 j (s34 f).

加急问题由资深工程师介入: the senior who joined and then left the company no longer counts (the junior may
not resolve alone) and the office is told which tickets he was on; a departed senior cannot join; the senior
who joined may resolve it himself. ``office_equipment`` pack; memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

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
def test_a_senior_who_joined_and_left_no_longer_counts(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        desk.teams.add_members(w.manager, tid, [w.eng_senior.id])
        change = desk.master_data.deactivate_engineer(w.manager, w.eng_senior.id, reason="离职")
        assert tid in change.open_tickets  # the office is told he was on it
        before = desk.ticket(w.manager, tid).version
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.junior, tid, summary="自己换了保险")
        assert refused.value.rule == "expedited_senior_not_involved"
        assert desk.ticket(w.manager, tid).version == before
        # And he cannot be added again.
        with pytest.raises(ValidationError) as again:
            desk.teams.add_members(w.manager, tid, [w.eng_senior.id])
        assert again.value.field == "engineer_ids"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_departed_senior_cannot_join(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _sent_to_junior(desk, w)
        desk.master_data.deactivate_engineer(w.manager, w.eng_senior.id, reason="离职")
        with pytest.raises(ValidationError) as refused:
            desk.teams.add_members(w.manager, tid, [w.eng_senior.id])
        assert refused.value.field == "engineer_ids"
        assert desk.teams.ticket_team(w.manager, tid) == (w.eng_junior.id,)
