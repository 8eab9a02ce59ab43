"""Session 29 (g): the KPI and engineer reports at the edges of time, on memory, SQLite and PostgreSQL.

``as_of`` (the instant running clocks are judged at) late on 9999-12-31 in UTC, or ``datetime.max``, is
past the last local day a ``date`` holds in Shanghai: the calendar's refusal (``CalendarDataMissing``: no
holiday data that far) computed that day first and escaped as ``OverflowError`` from the engineers'
appraisal (seed 003 三 2), the KPI report and the agents' KPIs. A ``Period`` or an ``as_of`` whose time
zone's ``utcoffset`` raises (a host's tzinfo) escaped as the host's exception. Now the first is the
calendar's typed refusal, as an ``as_of`` far in the past always was, and the second a
``ValidationError`` naming the bound.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from test_engineer_kpis_s28e import MARCH, READ_AT, _late_response_passed_on

from aftersales.adapters.reporting import reporting_for
from aftersales.errors import CalendarDataMissing, ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports import scoped_engineer_kpis
from aftersales.reports.kpi import scoped_kpi_report
from aftersales.reports.staff_kpi import scoped_agent_kpis
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


class RaisingZone(tzinfo):
    """A host's time zone whose offset cannot be read."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("utcoffset")

    def dst(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("dst")


LAST = [datetime(9999, 12, 31, 23, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_as_of_past_the_last_local_day_is_the_calendars_refusal(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _late_response_passed_on(desk, clock, w)
        clock.set(READ_AT)
        queries = reporting_for(desk.store)
        for as_of in LAST:
            with pytest.raises(CalendarDataMissing):
                scoped_engineer_kpis(desk, w.manager, MARCH, as_of=as_of)
            with pytest.raises(CalendarDataMissing):
                scoped_kpi_report(desk, w.manager, queries, MARCH, as_of=as_of)
            with pytest.raises(CalendarDataMissing):
                scoped_agent_kpis(desk, w.manager, MARCH, as_of=as_of)
        assert desk.calendar is not None and desk.calendar.is_provisional(LAST[1])
        assert scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT).rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_time_zone_that_cannot_be_read_is_refused_naming_the_bound(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        with pytest.raises(ValidationError) as refused:
            Period(datetime(2026, 3, 1, tzinfo=RaisingZone()), datetime(2026, 4, 1, tzinfo=SHANGHAI))
        assert refused.value.field == "start" and "cannot be read" in str(refused.value)
        with pytest.raises(ValidationError) as refused:
            Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=RaisingZone()))
        assert refused.value.field == "end"
        with pytest.raises(ValidationError) as refused:
            scoped_engineer_kpis(desk, w.manager, MARCH, as_of=datetime(2026, 4, 2, tzinfo=RaisingZone()))
        assert refused.value.field == "as_of"
