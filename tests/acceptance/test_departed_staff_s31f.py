# mypy: disable-error-code="arg-type"
"""A recorded departure takes effect without a deactivation; an erased person gets no records back
(session 31 f). Memory, SQLite and PostgreSQL.

- ``record_departure`` says a person left the company on ``left_on`` (the host's word); an engineer not
  deactivated yet was still dispatched (by hand and by the pack's dispatch), planned on-call shifts, named
  a team's lead and counted as an engineer with room after that day. From the day after ``left_on`` (the
  desk's zone) they are not: the departure stamps the engineer record, which every dispatch path reads.
- A training with a test score, or an appraisal, back-dated to before a person's departure but filed after
  their data was erased (PIPL art. 47) put their personal data back under their id. Refused now
  (``rule="staff_erased"``), nothing changes.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from test_staff_erasure_s30h import DPO, MANAGER, SHANGHAI, _desk, _kept

from aftersales.domain.classification import Severity
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer
from aftersales.domain.staff_records import StaffKind, Trainee
from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.domain.training import TrainingTopic
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

BACKENDS = ["memory", "sqlite", "postgres"]
AGENT = Actor.agent("a1")


def _waiting(desk: ServiceDesk) -> str:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="又断电").ticket.id
    desk.triage(AGENT, tid, nature="network", severity=Severity.MEDIUM)
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_who_left_is_not_dispatched_after_the_day_they_left(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock):
        tid = _kept(desk)  # e1 holds tid; e2 a team-mate
        desk.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 31))  # today: still theirs
        today = _waiting(desk)
        desk.dispatch(AGENT, today, engineer_id="e1")
        assert desk.ticket(MANAGER, today).assignee.id == "e1"  # type: ignore[union-attr]

        clock.set(datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI))  # the next day in Shanghai
        waiting = _waiting(desk)
        with pytest.raises(ValidationError) as refused:
            desk.dispatch(AGENT, waiting, engineer_id="e1")
        assert refused.value.field == "engineer_id" and "left" in str(refused.value)
        assert desk.ticket(MANAGER, waiting).assignee is None  # nothing changed
        desk.dispatch(AGENT, waiting)  # the pack's dispatch passes over e1
        assert desk.ticket(MANAGER, waiting).assignee.id == "e2"  # type: ignore[union-attr]
        loads = {load.engineer_id: load for load in desk.engineer_loads(MANAGER)}
        assert (loads["e1"].active, loads["e1"].has_capacity) == (False, False)
        assert loads["e2"].active
        assert desk.ticket(MANAGER, tid).assignee.id == "e1"  # type: ignore[union-attr]  # the office moves it


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_who_left_is_not_scheduled_nor_made_lead(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock):
        _kept(desk)
        last = datetime(2026, 3, 31, 20, tzinfo=SHANGHAI)
        later = datetime(2026, 4, 2, 20, tzinfo=SHANGHAI)
        team = Team("t-east", "东区", TeamKind.REGION, "e2", ["e2", "e1"])
        desk.teams.save_team(MANAGER, team)
        desk.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 31))
        night = OnCallShift("e1", last, last + timedelta(hours=4))  # ends on the day they left
        assert desk.teams.set_roster(MANAGER, "t-east", [night]).shifts == [night]
        with pytest.raises(ValidationError) as refused:
            desk.teams.set_roster(
                MANAGER, "t-east", [night, OnCallShift("e1", later, later + timedelta(hours=4))]
            )
        assert refused.value.field == "shifts" and "e1" in str(refused.value)
        with pytest.raises(ValidationError) as refused:  # one running past midnight into the next day
            desk.teams.set_roster(MANAGER, "t-east", [OnCallShift("e1", last, last + timedelta(hours=5))])
        assert refused.value.field == "shifts"
        assert desk.teams.team(MANAGER, "t-east").shifts == [night]  # unchanged
        clock.set(datetime(2026, 4, 1, 9, tzinfo=SHANGHAI))
        assert desk.teams.on_call(MANAGER, "t-east", last + timedelta(hours=1)) == "e1"
        with pytest.raises(ValidationError) as refused:
            desk.teams.save_team(MANAGER, Team("t-new", "新组", TeamKind.REGION, "e1", ["e1", "e2"]))
        assert refused.value.field == "lead"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_departure_stays_on_the_engineer_record_it_stamps(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        _kept(desk)
        desk.staff_records.record_departure(MANAGER, "e2", date(2026, 3, 30))
        gone = datetime(2026, 3, 31, tzinfo=SHANGHAI)
        exported = json.loads(desk.staff_records.export_staff(MANAGER, "e2"))["data"]["engineer"]
        assert exported["departs_at"].startswith("2026-03-31T00:00:00+08:00")
        profile = Engineer(EngineerId("e2"), "钱工", team="t-east", skills={"network"})
        desk.register_engineer(MANAGER, profile)  # a profile built afresh keeps the departure
        exported = json.loads(desk.staff_records.export_staff(MANAGER, "e2"))["data"]["engineer"]
        assert exported["departs_at"].startswith("2026-03-31T00:00:00+08:00") and exported["skills"] == [
            "network"
        ]
        with pytest.raises(ValidationError) as refused:
            desk.register_engineer(MANAGER, attrs.evolve(profile, departs_at=gone + timedelta(days=9)))
        assert refused.value.field == "engineer.departs_at"
        with pytest.raises(ValidationError) as refused:
            desk.register_engineer(MANAGER, Engineer(EngineerId("e9"), "孙工", departs_at=gone))
        assert refused.value.field == "engineer.departs_at"
        # corrected to an earlier day: the stamp follows
        desk.staff_records.record_departure(MANAGER, "e2", date(2026, 3, 20))
        exported = json.loads(desk.staff_records.export_staff(MANAGER, "e2"))["data"]["engineer"]
        assert exported["departs_at"].startswith("2026-03-21T00:00:00+08:00")


def _erased(desk: ServiceDesk) -> None:
    """e1 (trained 2026-03-10, appraised for 2026-03) left on 2026-03-30, deactivated and erased."""
    tid = _kept(desk)
    desk.dispatch(AGENT, tid, engineer_id="e2", reason="赵工离职")
    desk.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 30))
    desk.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")
    desk.staff_records.erase_staff(DPO, "e1", "left the company")


@pytest.mark.parametrize("backend", BACKENDS)
def test_nothing_back_dated_is_recorded_under_an_erased_persons_id(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        _erased(desk)
        staff = desk.staff_records
        before = json.loads(staff.export_staff(MANAGER, "e1"))["data"]
        held = date(2026, 3, 20)  # before they left: the day alone does not refuse it
        for line in (Trainee("e1", StaffKind.ENGINEER, 77), Trainee("e1", StaffKind.ENGINEER)):
            with pytest.raises(ValidationError) as refused:
                staff.record_staff_training(
                    MANAGER, held_on=held, trainer="培训部", topics=[TrainingTopic.REPAIR_SKILLS],
                    trainees=[Trainee("e2", StaffKind.ENGINEER, 90), line],
                )  # fmt: skip
            assert (refused.value.field, refused.value.rule) == ("trainees", "staff_erased")
        with pytest.raises(ValidationError) as refused:  # a month they worked, appraised after the erasure
            staff.appraise(MANAGER, "e1", "2026-02", kind=StaffKind.ENGINEER, score=70)
        assert (refused.value.field, refused.value.rule) == ("staff_id", "staff_erased")
        with pytest.raises(ValidationError) as refused:
            staff.record_measure(
                MANAGER, "e1", kind=StaffKind.ENGINEER, measure="commendation", reason="表扬"
            )
        assert (refused.value.field, refused.value.rule) == ("staff_id", "staff_erased")
        after = json.loads(staff.export_staff(MANAGER, "e1"))["data"]
        assert after | {"reads": []} == before | {"reads": []}  # nothing changed (the export's own read)
        trained = staff.record_staff_training(
            MANAGER, held_on=held, trainer="培训部", topics=[TrainingTopic.REPAIR_SKILLS],
            trainees=[Trainee("e2", StaffKind.ENGINEER, 90)],
        )  # fmt: skip
        assert [t.staff_id for t in trained.trainees] == ["e2"]  # the others' records go on
