# mypy: disable-error-code="arg-type"
"""Two desks racing a unit's completion date moved earlier against a fault recorded on that unit (s27 g).

Seed 004 第七条 5(2): a batch quality incident counts 工程完工后出现的同一质量问题. Session 26 counts, at the
correction, the faults a completion date moved earlier brings into service
(:func:`~aftersales.service.completion_recount.count_since_completion`); a fault record counts its unit
when the unit's installation was completed by the call (:func:`~aftersales.service.quality_incidents.
count_unit`). Raced on one store (:func:`two_desk_races.race`: both read and write before either commits),
in both orders, the fault must count once, and the incident it makes be raised once — as run one after
the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from test_completion_recount_s25n import _faulty, _unit
from two_desk_races import race

from aftersales.domain.classification import Severity
from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, two_desks

Pair = tuple[ServiceDesk, ServiceDesk, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the service-centre pack on one store (memory: one desk, two threads)."""
    with two_desks(request.param, tmp_path, "service_centre") as desks:
        yield desks


def _working(desk: ServiceDesk, w: World, asset_id: str, received_at: datetime) -> str:
    """A call about ``asset_id`` received at ``received_at``, its engineer at work, no fault recorded yet."""
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="水箱渗漏", asset_id=asset_id, received_at=received_at
    ).ticket.id
    desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.start_work(w.junior, tid)
    return tid


@pytest.mark.parametrize("swap", [False, True])
def test_a_completion_moved_earlier_and_a_fault_recorded_at_once_count_the_fault_once(
    pair: Pair, swap: bool
) -> None:
    # Batch B-40 of 40 units (two with the same fault = 5 %). Unit 0's completion is recorded as 1 March;
    # its call of 28 February has the engineer at work. Unit 3's leak counts one unit. At once: the
    # engineer records the leak on unit 0's call, the manager corrects its completion to 20 February.
    # Either order run one after the other counts unit 0's leak: two units, the incident raised once.
    first, second, w = pair
    corrected = _unit(first, w, 0, date(2026, 3, 1))
    done = [_unit(first, w, n, date(2026, 3, 1)) for n in range(3, 40)]
    call = _working(first, w, corrected, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI))
    _faulty(first, w, done[0])

    def record(d: ServiceDesk) -> object:
        return d.add_fault_record(w.junior, call, symptom="leak", cause="seal_defect", action="replace_seal")

    def correct(d: ServiceDesk) -> object:
        return d.master_data.change_warranty_start(
            w.manager, corrected, reason="安装验收单更正", installation_accepted_on=date(2026, 2, 20)
        )

    one, other = (correct, record) if swap else (record, correct)
    told = race(first, second, one, other)
    assert [t.error for t in told] == [None, None]
    incidents = second.quality_incidents.incidents(w.manager)
    assert len(incidents) == 1, "unit 0's leak in service was not counted (or the incident raised twice)"
    (incident,) = incidents
    assert sorted(incident.unit_ids) == sorted([corrected, done[0]])
    assert call in incident.ticket_ids
    with second.context.store() as uow:
        units = [u for u in uow.documents.query(BatchFaultUnit) if not u.withdrawn]
        tallies = list(uow.documents.query(BatchFaultTally))
    assert sorted(u.asset_id for u in units) == sorted([corrected, done[0]])
    assert [t.incident_id for t in tallies] == [incident.id]


@pytest.mark.parametrize("swap", [False, True])
def test_a_completion_moved_earlier_and_another_units_fault_crossing_together_raise_one_incident(
    pair: Pair, swap: bool
) -> None:
    # Unit 0's leak of 28 February is not counted (completion 1 March); nothing else is. At once: its
    # completion is corrected to 20 February (one unit) and unit 3's leak is recorded (a second): the
    # batch crosses 5 % of 40 — one incident of the two units, whichever commits first.
    first, second, w = pair
    corrected = _unit(first, w, 0, date(2026, 3, 1))
    done = [_unit(first, w, n, date(2026, 3, 1)) for n in range(3, 40)]
    leak = _faulty(first, w, corrected, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI))
    call = _working(first, w, done[0], datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI))

    def record(d: ServiceDesk) -> object:
        return d.add_fault_record(w.junior, call, symptom="leak", cause="seal_defect", action="replace_seal")

    def correct(d: ServiceDesk) -> object:
        return d.master_data.change_warranty_start(
            w.manager, corrected, reason="安装验收单更正", installation_accepted_on=date(2026, 2, 20)
        )

    told = race(first, second, *((correct, record) if swap else (record, correct)))
    assert [t.error for t in told] == [None, None]
    (incident,) = second.quality_incidents.incidents(w.manager)
    assert sorted(incident.unit_ids) == sorted([corrected, done[0]])
    assert {leak, call} <= set(incident.ticket_ids)
