"""A batch whose recorded history crossed the threshold before the detector kept tallies raises its
incident when the history is back-filled: once, escalated, on memory, SQLite and PostgreSQL (session 22).

Seed 004 第七条 5(2): 批量质量事故 — the same quality problem on 5 % or more of one batch (2 units of 40).
A store of an older release holds the fault records but no tallies; the live detector then counted a new
fault as the batch's first unit and never raised the incident the history shows. The back-fill counts the
history (not the cancelled call's fault: no fault evidence), raises the incident and escalates it to the
general manager; run again (or by the job) it raises nothing twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_seed004_incident_walk_s19 import BACKENDS, GM_MAIL, MANAGER, _desk, _fault, _repair, _sent_to

from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit
from aftersales.errors import NotFound
from aftersales.service import quality_incidents


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_back_fill_raises_the_incident_the_history_shows_once(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _desk(backend, tmp_path) as desk:
        with monkeypatch.context() as older:
            # An older release: the faults are recorded, nothing is counted.
            older.setattr(quality_incidents, "count_unit", lambda *args, **kwargs: [])
            first = _repair(desk, 0)
            _fault(desk, first)  # the same problem again on the same call: one unit
            cancelled = _repair(desk, 1)
            desk.cancel(MANAGER, cancelled, reason="重复报修")
            _repair(desk, 2, cause="glaze_crack")  # another problem of the batch: its own tally
        with desk.store() as uow:
            assert uow.documents.query(BatchFaultTally) == []
        # After the upgrade a new fault is the batch's first unit to the detector: no incident.
        live = _repair(desk, 3)
        assert desk.quality_incidents.incidents(MANAGER) == []
        assert _sent_to(desk, GM_MAIL) == 0

        # Units 0 (seal_defect) and 2 (glaze_crack); not the cancelled call's unit 1.
        assert desk.batch_tallies.backfill(MANAGER, batch=1) == 2
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.batch == "B-9" and incident.value == "seal_defect"
        assert sorted(incident.unit_ids) == ["A-00", "A-03"]
        assert sorted(incident.ticket_ids) == sorted([first, live])
        assert _sent_to(desk, GM_MAIL) == 1  # escalated when raised
        with desk.store() as uow:
            assert uow.documents.get(BatchFaultTally, "B-9|cause|glaze_crack|P-1").units == 1
            with pytest.raises(NotFound):
                uow.documents.get(BatchFaultUnit, f"{incident.key}|A-01")
            unit = uow.documents.get(BatchFaultUnit, f"{incident.key}|A-00")
            tally = uow.documents.get(BatchFaultTally, incident.key)
        assert unit.ticket_id == first and tally.incident_id == incident.id
        assert unit.recorded_at < desk.clock.now()  # counted when its fault was recorded

        # Again, by hand and by the job: nothing counted or raised twice.
        assert desk.batch_tallies.backfill(MANAGER) == 0
        assert desk.jobs.run_due(only=("batch_tallies",)).counts["batch_tallies"] == 0
        assert [i.id for i in desk.quality_incidents.incidents(MANAGER)] == [incident.id]
        assert _sent_to(desk, GM_MAIL) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_unit_of_the_history_joins_the_incident_raised_since_the_upgrade(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _desk(backend, tmp_path) as desk:
        with monkeypatch.context() as older:
            older.setattr(quality_incidents, "count_unit", lambda *args, **kwargs: [])
            history = _repair(desk, 0)
        _repair(desk, 1)
        _repair(desk, 2)  # the second unit counted live: the incident is raised and escalated
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert sorted(incident.unit_ids) == ["A-01", "A-02"]
        assert _sent_to(desk, GM_MAIL) == 1

        assert desk.batch_tallies.backfill(MANAGER) == 1
        (joined,) = desk.quality_incidents.incidents(MANAGER)
        assert joined.id == incident.id and sorted(joined.unit_ids) == ["A-00", "A-01", "A-02"]
        assert history in joined.ticket_ids
        assert _sent_to(desk, GM_MAIL) == 1  # joined, not raised or escalated again
