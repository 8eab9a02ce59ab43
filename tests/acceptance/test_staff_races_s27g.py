# mypy: disable-error-code="arg-type"
"""Two desks racing the appraisal of one person and month and the measures decided for them (s27 g).

Seed 001 (考核由售后经理负责, 每月进行一次考核评估); seed 000 (人员激励与约束). The pack's ``[staff]
appraisers`` appraise (session 26). Raced on one store (:func:`two_desk_races.race`), in both orders: one
appraisal record per person and month, holding what one of the two said (a second appraisal corrects the
first, as run one after the other); every measure kept, each under its own number.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer
from aftersales.domain.staff_records import MeasureKind, StaffAppraisal, StaffKind
from aftersales.errors import ConcurrencyConflict
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 20, 9, 0, tzinfo=SH)
M1, M2 = Actor.manager("m1"), Actor.manager("m2")

Desks = tuple[ServiceDesk, ServiceDesk]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desks]:
    """Two desks of the exhibition-services pack (seed 001) on one store; engineer e1 registered."""
    clock = ManualClock(START)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))
        first = stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        first.register_engineer(M1, Engineer(EngineerId("e1"), "赵工"))
        if request.param == "memory":
            yield first, first
        else:
            yield first, stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))


def _appraise(by: Actor, score: int) -> object:
    return lambda d: d.staff_records.appraise(by, "e1", "2026-03", kind=StaffKind.ENGINEER, score=score)


def _measure(by: Actor, reason: str) -> object:
    return lambda d: d.staff_records.record_measure(
        by, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.REWARD, reason=reason
    )


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("before", [False, True])
def test_two_appraisals_of_one_person_and_month_at_once_leave_one_record(
    desks: Desks, swap: bool, before: bool
) -> None:
    """``before``: the month was appraised already (both correct it), else both write the first."""
    if before:
        desks[0].staff_records.appraise(M1, "e1", "2026-03", kind=StaffKind.ENGINEER, score=70)
    one, other = (_appraise(M2, 60), _appraise(M1, 90))
    told = race(desks[0], desks[1], *((other, one) if swap else (one, other)))
    for t in told:
        assert t.ok or isinstance(t.error, ConcurrencyConflict), t.error
    assert any(t.ok for t in told)
    with desks[1].context.store() as uow:
        stored = list(uow.documents.query(StaffAppraisal, staff_id="e1"))
    assert len(stored) == 1
    (record,) = stored
    last = [t.value for t in told if t.ok]
    assert (record.score, record.appraised_by) in {(v.score, v.appraised_by) for v in last}
    (kept,) = desks[0].staff_records.staff_record(M1, "e1").appraisals
    assert kept.score == record.score


@pytest.mark.parametrize("swap", [False, True])
def test_an_appraisal_and_measures_at_once_keep_all_of_them(desks: Desks, swap: bool) -> None:
    told = race(
        desks[0], desks[1], *((_measure(M2, "展会抢修及时"), _appraise(M1, 95))[:: -1 if swap else 1])
    )
    assert [t.error for t in told] == [None, None]
    told = race(desks[0], desks[1], _measure(M1, "客户表扬"), _measure(M2, "展会抢修及时"))
    assert [t.error for t in told] == [None, None]
    record = desks[1].staff_records.staff_record(M1, "e1")
    assert [a.score for a in record.appraisals] == [95]
    assert sorted(m.reason for m in record.measures) == sorted(["客户表扬", "展会抢修及时", "展会抢修及时"])
    assert len({m.id for m in record.measures}) == 3
