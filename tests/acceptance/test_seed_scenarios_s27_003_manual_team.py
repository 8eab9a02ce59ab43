# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 (特急问题则启动应急小组), session 27 second wave: a critical call dispatched by hand to a
member of the registered emergency team calls the team out as the desk's own choice does.

Before, ``desk.dispatch(engineer_id=…)`` told only the engineer named and the coordinator, while the desk's
own dispatch (branch h) and ``desk.teams.dispatch_critical`` told the whole team: who chose the member
decided whether the team heard of its call-out. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity
from aftersales.domain.teams import Team, TeamKind
from conftest import SHANGHAI, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_critical_call_sent_by_hand_to_a_team_member_tells_the_rest_of_the_team(
    backend: str, tmp_path: Path
) -> None:
    # Monday 2 March 10:00: a critical call; the agent sends 李工 (a member of the emergency team) by hand.
    # The lead, Wang Senior, hears of the call-out; no override is recorded (李工 is on the team).
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, w, notifier):
        clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
        team = Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id, [w.eng_junior.id])
        desk.teams.save_team(w.manager, team)
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_en.id, description="All printers down", urgent=True
        ).ticket.id
        desk.triage(w.agent, tid, nature="outage", severity=Severity.SEVERE)
        assert desk.ticket(w.manager, tid).priority is Priority.CRITICAL
        sent = desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        assert sent.ticket.assignee is not None and sent.ticket.assignee.id == w.eng_junior.id
        (assigned,) = [e for e in desk.ticket(w.manager, tid).events if e.action == "assign"]
        assert "dispatch_outside_emergency_team" not in str(assigned.payload)
        desk.deliver()
        assert [m for m in notifier.to("wang.sr@venus.example") if tid in m.subject]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_normal_call_sent_by_hand_to_a_team_member_calls_no_team_out(backend: str, tmp_path: Path) -> None:
    # The same team, a call that is not critical: the route does not call for the emergency team, so the
    # lead hears nothing of a dispatch of his member.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, w, notifier):
        clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
        team = Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id, [w.eng_junior.id])
        desk.teams.save_team(w.manager, team)
        tid = desk.open_ticket(w.agent, customer_id=w.cust_en.id, description="Paper jam").ticket.id
        desk.triage(w.agent, tid, nature="consumables_question", severity=Severity.LOW)
        assert desk.ticket(w.manager, tid).priority is not Priority.CRITICAL
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.deliver()
        assert not [m for m in notifier.to("wang.sr@venus.example") if tid in m.subject]
