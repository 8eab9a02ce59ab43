# mypy: disable-error-code="attr-defined"
"""An appraisal or a measure reads the person's departure once (session 32 g).

``appraise`` and ``record_measure`` called ``check_not_erased`` (the departure locked, the erasures read)
and then ``check_not_left``, which locked the departure again and, for someone who had left, checked the
erasure once more: the departure row locked up to three times in one command, each a round trip on
PostgreSQL. It is now one locked read of the departure, and the erasures are read only for someone who
left (an erasure needs a recorded departure). The refusals are the same: an erased person is refused
under ``staff_id`` (``staff_erased``) whatever the month, a month after the departure under ``month``
(``staff_left``). The locks are counted on every store, the round trips on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url
from test_postgres_round_trips_s31c import any_url

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer
from aftersales.domain.staff_departure import StaffDeparture
from aftersales.domain.staff_records import MeasureKind, StaffKind, Trainee
from aftersales.domain.training import TrainingTopic
from aftersales.errors import ValidationError
from aftersales.service import staff_erasure
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

__all__ = ["any_url", "trips", "url"]  # the fixtures, shared with the earlier round-trip tests
SHANGHAI = ZoneInfo("Asia/Shanghai")
MANAGER = Actor.manager("mgr-1", "售后经理")
DPO = Actor.privacy_officer("dpo")


def _desk(url: str) -> ServiceDesk:
    clock = ManualClock(datetime(2026, 3, 31, 10, tzinfo=SHANGHAI))
    desk = ServiceDesk.open(url, pack="exhibition_services", clock=clock)
    for eid, name in (("e1", "赵工"), ("e2", "钱工"), ("e3", "孙工")):
        desk.register_engineer(MANAGER, Engineer(EngineerId(eid), name, team="t-east"))
    return desk


class Locks:
    """Counts the departures locked (``document_for_update`` of a :class:`StaffDeparture`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.taken = 0
        real = staff_erasure.document_for_update

        def counted(documents: Any, cls: Any, id: str) -> Any:
            if cls is StaffDeparture:
                self.taken += 1
            return real(documents, cls, id)

        monkeypatch.setattr(staff_erasure, "document_for_update", counted)

    def since(self) -> int:
        taken, self.taken = self.taken, 0
        return taken


def _appraise(desk: ServiceDesk, staff_id: str, month: str) -> None:
    desk.staff_records.appraise(MANAGER, staff_id, month, kind=StaffKind.ENGINEER, score=88)


def _measure(desk: ServiceDesk, staff_id: str) -> None:
    desk.staff_records.record_measure(
        MANAGER, staff_id, kind=StaffKind.ENGINEER, measure=MeasureKind.COMMENDATION, reason="表扬"
    )


def test_an_appraisal_or_a_measure_locks_the_departure_once(
    any_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = _desk(any_url)
    try:
        desk.staff_records.record_departure(MANAGER, "e2", date(2026, 3, 31))
        locks = Locks(monkeypatch)
        for staff_id in ("e1", "e2"):  # on the team; left today (still theirs)
            _appraise(desk, staff_id, "2026-02")
            assert locks.since() == 1
            _measure(desk, staff_id)
            assert locks.since() == 1
    finally:
        desk.shutdown()


def test_the_refusals_are_the_same(any_url: str) -> None:
    desk = _desk(any_url)
    try:
        staff = desk.staff_records
        staff.record_departure(MANAGER, "e2", date(2026, 2, 27))
        with pytest.raises(ValidationError) as late:
            _appraise(desk, "e2", "2026-03")
        assert (late.value.field, late.value.rule) == ("month", "staff_left")
        with pytest.raises(ValidationError) as gone:
            _measure(desk, "e2")
        assert (gone.value.field, gone.value.rule) == ("staff_id", "staff_left")
        _appraise(desk, "e2", "2026-02")  # their last month
        # erased: refused under staff_id whatever the month; a trainee by the date first, as before
        desk.master_data.deactivate_engineer(MANAGER, "e3", reason="离职")
        staff.record_departure(MANAGER, "e3", date(2026, 2, 27))
        staff.erase_staff(DPO, "e3", "left the company")
        for month in ("2026-02", "2026-03"):
            with pytest.raises(ValidationError) as erased:
                _appraise(desk, "e3", month)
            assert (erased.value.field, erased.value.rule) == ("staff_id", "staff_erased")
        with pytest.raises(ValidationError) as erased:
            _measure(desk, "e3")
        assert (erased.value.field, erased.value.rule) == ("staff_id", "staff_erased")
        for held_on, rule in ((date(2026, 2, 20), "staff_erased"), (date(2026, 3, 20), "staff_left")):
            with pytest.raises(ValidationError) as trainee:
                staff.record_staff_training(
                    MANAGER, held_on=held_on, trainer="培训部", topics=[TrainingTopic.REPAIR_SKILLS],
                    trainees=[Trainee("e3", StaffKind.ENGINEER, 70)],
                )  # fmt: skip
            assert (trainee.value.field, trainee.value.rule) == ("trainees", rule)
    finally:
        desk.shutdown()


@pytest.mark.postgres
@pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")
def test_round_trips_of_an_appraisal_and_a_measure(url: str, trips: Trips) -> None:
    desk = _desk(url)
    try:
        desk.staff_records.record_departure(MANAGER, "e2", date(2026, 3, 31))
        for staff_id in ("e1", "e2"):  # statements get prepared
            _appraise(desk, staff_id, "2026-01")
            _measure(desk, staff_id)
        counted = {}
        for staff_id in ("e1", "e2"):
            trips.count()
            _appraise(desk, staff_id, "2026-02")
            counted[f"appraise {staff_id}"] = trips.count()[0]
            _measure(desk, staff_id)
            counted[f"measure {staff_id}"] = trips.count()[0]
        # Before: appraise 8 / 10 round trips (on the team / left), measure 7 / 9. The departure is one
        # round trip now, and the erasures one more only for someone who left.
        assert counted["appraise e1"] <= 6 and counted["measure e1"] <= 5
        assert counted["appraise e2"] - counted["appraise e1"] == 1
        assert counted["measure e2"] - counted["measure e1"] == 1
    finally:
        desk.shutdown()
