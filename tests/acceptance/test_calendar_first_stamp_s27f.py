# mypy: disable-error-code="arg-type"
"""Two desks on different working calendars opening one new store at once (session 27).

The calendar guard (service/calendar_stamp) took, for a desk opened before the store had a stamp, the
first stamp it later found as the store's calendar "as it knew it". So of two desks opening an empty
store on calendars X and Y, when X's sweep stamped the store first, the Y desk adopted X's stamp, went
on writing Y's due times under it, and its own sweep then moved the store to Y (the X desk refused from
then on): the second desk won, after a while of mixed due times. And when both sweeps read "no stamp"
before either wrote, the second write overwrote the first stamp without recomputing the first desk's
due times. Now a store without a stamp counts as on the desk's own calendar: the first desk to stamp
decides, and the other is refused (ConfigurationError, key ``calendar``; nothing written) until it is
opened again on the store's calendar. Memory has one desk per store; SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

import aftersales.service.jobs as jobs
from aftersales.adapters.clock import ManualClock
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError
from aftersales.service.calendar_stamp import CalendarStamp, sla_of, stamp_calendar
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

HOURS = [(time(9), time(12)), (time(13), time(18))]


def _calendar(*holidays: date, name: str) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), HOURS),
        holidays,
        known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31),
        source_name=name,
    )


X = _calendar(name="calendar X")
Y = _calendar(*(date(2026, 3, d) for d in range(3, 7)), name="calendar Y")


def _open(url: str, clock: ManualClock, calendar: BusinessCalendar) -> ServiceDesk:
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=calendar)


def _stamp(desk: ServiceDesk) -> str:
    with desk.store() as uow:
        stamp: CalendarStamp = uow.documents.get(CalendarStamp, "calendar")
        return stamp.fingerprint


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_first_desk_to_stamp_decides_and_the_other_is_refused(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _open(url, clock, X) as first, _open(url, clock, Y) as second:
        register(first, world)
        tid = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        first.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        assert not first.run_due_jobs().failed  # the store stamped with X
        before = first.ticket(world.manager, tid)

        with pytest.raises(ConfigurationError) as refused:
            second.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
        assert refused.value.key == "calendar" and "calendar X" in str(refused.value)
        clock.advance(timedelta(minutes=6))
        assert "sla_sweep" in second.run_due_jobs().failed  # it does not move the store to Y
        after = first.ticket(world.manager, tid)
        assert (after.version, after.resolution_due_at) == (before.version, before.resolution_due_at)
        assert _stamp(first) == X.fingerprint
        assert first.health().dues_stale is False

        # Opened again on the store's calendar, it writes.
        with _open(url, clock, X) as again:
            again.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_stamp_written_between_the_read_and_the_write_stands(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    with store_url(backend, tmp_path) as url, _open(url, clock, X) as first, _open(url, clock, Y) as second:
        permit = jobs.permit

        def first_stamps_meanwhile(actor: object, workflow: object, action: str) -> None:
            if action == "stamp_calendar":  # the second desk read "no stamp"; the first writes its own now
                with first.store() as uow:
                    stamp_calendar(uow, X, clock.now(), sla_of(first.context.sla.policy))
                    uow.commit()
            permit(actor, workflow, action)

        monkeypatch.setattr(jobs, "permit", first_stamps_meanwhile)
        assert "sla_sweep" in second.run_due_jobs().failed
        assert _stamp(first) == X.fingerprint  # not overwritten with Y's
