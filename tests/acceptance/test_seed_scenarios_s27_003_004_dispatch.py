# mypy: disable-error-code="arg-type"
"""Seed 003 walked again, session 27: the emergency team the office registered takes a critical call the
desk dispatches in working hours, on memory, SQLite and PostgreSQL, with the office-equipment pack.

二 3 分级处理: 特急问题则启动应急小组,由部门负责人协调资源优先处理. A host registers its emergency team
(``desk.teams.save_team``, kind ``emergency``: a lead and members). The desk's own ``dispatch`` of a
critical call took the team's on-call engineer outside working hours, and a dispatch by hand counted the
team's members as on the emergency team (no ``dispatch_outside_emergency_team`` override), but in working
hours it looked only at engineers flagged ``Engineer.emergency_team``: with the team registered and no
flag set, it found nobody and escalated "no engineer" to the manager. One reading of who is on the
emergency team now: flagged, or a member of a registered emergency team.
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
def test_a_critical_call_in_working_hours_goes_to_the_registered_emergency_team(
    backend: str, tmp_path: Path
) -> None:
    # Monday 2 March 10:00: a VIP's urgent call (all printers down) is critical from the call. The office
    # has an emergency team (lead Wang Senior, member 李工) and flags no engineer. The desk's dispatch
    # sends a member of the team; nothing is escalated as "no engineer", no override is recorded, and the
    # department head, who coordinates, is told.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, w, notifier):
        clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
        team = Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id, [w.eng_junior.id])
        desk.teams.save_team(w.manager, team)
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_en.id, description="All printers down", urgent=True
        ).ticket.id
        desk.triage(w.agent, tid, nature="outage", severity=Severity.SEVERE)
        assert desk.ticket(w.manager, tid).priority is Priority.CRITICAL
        sent = desk.dispatch(w.agent, tid)
        assignee = sent.ticket.assignee
        assert assignee is not None and assignee.id in {w.eng_senior.id, w.eng_junior.id}
        (assigned,) = [e for e in desk.ticket(w.manager, tid).events if e.action == "assign"]
        codes = {r.code for r in sent.decisions[-1].reasons}
        assert "no_engineer" not in codes and "dispatch_outside_emergency_team" not in str(assigned.payload)
        desk.deliver()
        assert not [m for m in notifier.to("manager@venus.example") if "升级" in m.subject]
        assert any("department head" in m.subject for m in notifier.to("head@venus.example"))
