"""The emergency team and its on-call roster are audited and safe to retry, as other reference data is.

Seed 004 第八条 2 (应急小组) and seed 001 (值班): who is on the emergency team, and who is on call tonight,
decide who is called for a critical ticket at night. Products, dealers, engineers, repair points and
the books' zone leave a MasterDataChange on every change (who, when, before → after); a team and its
roster left none, so nobody could tell who took an engineer off the night's roster. And neither write
took an idempotency key: a host retrying a lost answer saved the old team again over a head's later
correction.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.errors import IdempotencyKeyReused
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_team_and_its_roster_leave_an_audit_and_a_retry_changes_nothing(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        night = clock.now().replace(hour=22, minute=0)
        team = Team("emergency", "应急小组", TeamKind.EMERGENCY, world.eng_senior.id, [world.eng_junior.id])
        saved = desk.teams.save_team(world.manager, team, idempotency_key="team-1")
        assert team.version == 0  # the caller's value is not changed
        shifts = [OnCallShift(world.eng_junior.id, night, night + timedelta(hours=10))]
        desk.teams.set_roster(world.manager, "emergency", shifts, idempotency_key="roster-1")
        desk.teams.save_team(world.manager, desk.teams.team(world.manager, "emergency"))  # as stored

        history = desk.master_data_history(world.auditor, "team", "emergency")
        assert [(c.command, str(c.by)) for c in history] == [
            ("save_team", str(world.manager.ref)),
            ("set_roster", str(world.manager.ref)),
        ]
        assert history[0].before is None and history[1].before is not None
        assert history[1].before["shifts"] == [] and len(history[1].after["shifts"]) == 1

        # A head moves the night to the senior engineer; the host then retries its lost first calls.
        later = [OnCallShift(world.eng_senior.id, night, night + timedelta(hours=10))]
        desk.teams.set_roster(world.manager, "emergency", later)
        again = desk.teams.save_team(world.manager, team, idempotency_key="team-1")
        assert again.id == saved.id
        desk.teams.set_roster(world.manager, "emergency", shifts, idempotency_key="roster-1")
        stored = desk.teams.team(world.manager, "emergency")
        assert [s.engineer_id for s in stored.shifts] == [world.eng_senior.id]  # the correction stands
        assert len(desk.master_data_history(world.auditor, "team", "emergency")) == 3

        # The same key for another roster is refused, and nothing changes.
        with pytest.raises(IdempotencyKeyReused):
            desk.teams.set_roster(world.manager, "emergency", [], idempotency_key="roster-1")
        assert [s.engineer_id for s in desk.teams.team(world.manager, "emergency").shifts] == [
            world.eng_senior.id
        ]
