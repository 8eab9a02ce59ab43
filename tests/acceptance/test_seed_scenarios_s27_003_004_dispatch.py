# mypy: disable-error-code="arg-type"
"""Seed 003 walked again, session 27: the emergency team the office registered takes a critical call the
desk dispatches in working hours, on memory, SQLite and PostgreSQL, with the office-equipment pack.

二 3 分级处理: 特急问题则启动应急小组,由部门负责人协调资源优先处理. A host registers its emergency team
(``desk.teams.save_team``, kind ``emergency``: a lead and members). The desk's own ``dispatch`` of a
critical call took the team's on-call engineer outside working hours, and a dispatch by hand counted the
team's members as on the emergency team (no ``dispatch_outside_emergency_team`` override), but in working
hours it looked only at engineers flagged ``Engineer.emergency_team``: with the team registered and no
flag set, it found nobody and escalated "no engineer" to the manager. One reading of who is on the
emergency team now: flagged, or a member of a registered emergency team; and the rest of the team hears
of the call, as ``desk.teams.dispatch_critical`` tells them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity
from aftersales.domain.teams import OnCallShift, Team, TeamKind
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
        # 启动应急小组: the rest of the team hears of it, as desk.teams.dispatch_critical tells them.
        mail = {w.eng_senior.id: "wang.sr@venus.example", w.eng_junior.id: "13700000001"}
        (other,) = [address for engineer, address in mail.items() if engineer != assignee.id]
        assert any(tid in m.subject for m in notifier.to(other))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_teams_on_call_engineer_takes_the_nights_critical_call_and_the_lead_hears_of_it(
    backend: str, tmp_path: Path
) -> None:
    # Monday 2 March 20:00, outside working hours: 李工 is on call for the team. The desk's dispatch sends
    # him (as before) and the team's lead is told of the call-out, as dispatch_critical tells the members.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, w, notifier):
        night = datetime(2026, 3, 2, 20, 0, tzinfo=SHANGHAI)
        shift = OnCallShift(w.eng_junior.id, night - timedelta(hours=2), night + timedelta(hours=12))
        team = Team("em", "应急小组", TeamKind.EMERGENCY, w.eng_senior.id, [w.eng_junior.id], shifts=[shift])
        desk.teams.save_team(w.manager, team)
        clock.set(night)
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_en.id, description="All printers down", urgent=True
        ).ticket.id
        desk.triage(w.agent, tid, nature="outage", severity=Severity.SEVERE)
        assignee = desk.dispatch(w.agent, tid).ticket.assignee
        assert assignee is not None and assignee.id == w.eng_junior.id
        desk.deliver()
        assert any(tid in m.subject for m in notifier.to("wang.sr@venus.example"))
