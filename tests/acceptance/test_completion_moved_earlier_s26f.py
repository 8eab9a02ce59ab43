"""A unit's installation completion date moved earlier counts its faults at the correction, on three stores.

Seed 004 第七条 5(2): a batch quality incident counts 工程完工后出现的同一质量问题. A fault reported before
the unit's recorded completion is not counted (session 25: a date recorded late takes it back). When the date
is corrected to an earlier day (``change_warranty_start(installation_accepted_on=)``) the fault was in
service after all, yet it was counted only at the unit's next fault record — never, for a unit not called
about again — while the batch report (which asks the date as it is now) counted it at once. Now the
correction counts it in its own transaction, and raises the incident when the batch crosses its threshold.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from test_completion_recount_s25n import _faulty, _unit

from aftersales.adapters.reporting import reporting_for
from aftersales.reports import detect_batch_incidents
from conftest import SHANGHAI, START, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_completion_date_moved_earlier_counts_the_faults_it_brings_into_service(
    backend: str, tmp_path: Path
) -> None:
    # Batch B-40 of 40 units (two with the same fault = 5 %). Unit 0's completion was recorded as 1 March
    # and its leak of 28 February was not counted; unit 3's leak counts one unit. The acceptance sheet
    # shows unit 0 was completed on 20 February: its leak was in service, two units, the incident.
    with world_desk(backend, tmp_path, "service_centre") as (desk, _clock, w):
        corrected = _unit(desk, w, 0, date(2026, 3, 1))
        done = [_unit(desk, w, n, date(2026, 3, 1)) for n in range(3, 40)]
        leak = _faulty(desk, w, corrected, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI))
        _faulty(desk, w, done[0])
        assert desk.quality_incidents.incidents(w.manager) == []
        desk.master_data.change_warranty_start(
            w.manager, corrected, reason="安装验收单更正", installation_accepted_on=date(2026, 2, 20)
        )
        (incident,) = desk.quality_incidents.incidents(w.manager)
        assert (incident.affected, sorted(incident.unit_ids)) == (2, sorted([corrected, done[0]]))
        assert leak in incident.ticket_ids
        (reported,) = detect_batch_incidents(reporting_for(desk.store), START + timedelta(days=1))
        assert reported.affected == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_date_moved_earlier_but_not_past_the_fault_counts_nothing(backend: str, tmp_path: Path) -> None:
    # Corrected from 1 March to 27 February: the leak of 26 February stays before the completion, nothing
    # is counted, no incident.
    with world_desk(backend, tmp_path, "service_centre") as (desk, _clock, w):
        corrected = _unit(desk, w, 0, date(2026, 3, 1))
        done = [_unit(desk, w, n, date(2026, 3, 1)) for n in range(3, 40)]
        _faulty(desk, w, corrected, datetime(2026, 2, 26, 10, 0, tzinfo=SHANGHAI))
        _faulty(desk, w, done[0])
        desk.master_data.change_warranty_start(
            w.manager, corrected, reason="安装验收单更正", installation_accepted_on=date(2026, 2, 27)
        )
        assert desk.quality_incidents.incidents(w.manager) == []
        assert detect_batch_incidents(reporting_for(desk.store), START + timedelta(days=1)) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fault_taken_back_by_a_late_date_counts_again_when_the_date_is_corrected(
    backend: str, tmp_path: Path
) -> None:
    # Unit 0's leak (28 February) counted while no completion was known; the date recorded as 1 March
    # withdrew it; corrected to 20 February, it counts again, with unit 3's leak: the incident.
    with world_desk(backend, tmp_path, "service_centre") as (desk, _clock, w):
        corrected = _unit(desk, w, 0, None)
        done = [_unit(desk, w, n, date(2026, 3, 1)) for n in range(3, 40)]
        _faulty(desk, w, corrected, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI))
        desk.master_data.change_warranty_start(
            w.manager, corrected, reason="安装验收单补录", installation_accepted_on=date(2026, 3, 1)
        )
        _faulty(desk, w, done[0])
        assert desk.quality_incidents.incidents(w.manager) == []
        desk.master_data.change_warranty_start(
            w.manager, corrected, reason="安装验收单更正", installation_accepted_on=date(2026, 2, 20)
        )
        (incident,) = desk.quality_incidents.incidents(w.manager)
        assert sorted(incident.unit_ids) == sorted([corrected, done[0]])
