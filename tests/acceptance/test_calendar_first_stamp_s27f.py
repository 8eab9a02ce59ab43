# mypy: disable-error-code="arg-type"
"""Two desks on different working calendars opening one new store at once (session 27).

Which wins: a desk opened before the store had a stamp takes the first stamp it finds as the store's
calendar as it knew it (service/calendar_stamp). So the desk that stamps first (X) keeps writing until the
other (Y) sweeps: that sweep recomputes the open tickets on Y and stamps Y, and from then on the X desk is
refused (ConfigurationError, key ``calendar``) until it is opened again on Y — the rolling-restart rule.

The defect: both sweeps read "no stamp" before either wrote, and the second's stamp write overwrote the
first's, moving the store to its calendar without recomputing the first desk's due times; both desks
then read ``dues_stale`` as False. Now a stamp written since the read stands, and the second desk's next
sweep finds the dues stale and recomputes them before it stamps. SQLite and PostgreSQL (a memory store
has one desk).
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
def test_the_desk_that_sweeps_last_moves_the_store_and_the_other_is_refused(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _open(url, clock, X) as first, _open(url, clock, Y) as second:
        register(first, world)
        tid = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        first.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        assert not first.run_due_jobs().failed  # the store stamped with X
        on_x = first.ticket(world.manager, tid).resolution_due_at
        assert on_x is not None and _stamp(first) == X.fingerprint

        clock.advance(timedelta(minutes=6))
        assert not second.run_due_jobs().failed  # recomputes on Y, stamps Y
        on_y = second.ticket(world.manager, tid).resolution_due_at
        assert on_y is not None and on_y > on_x  # Y's days off lie before the due
        assert _stamp(second) == Y.fingerprint and second.health().dues_stale is False

        with pytest.raises(ConfigurationError) as refused:
            first.note_to_customer(world.agent, tid, text="客户来电催促", visible=False)
        assert refused.value.key == "calendar" and "calendar Y" in str(refused.value)
        assert first.ticket(world.manager, tid).resolution_due_at == on_y


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_stamp_written_between_the_read_and_the_write_stands(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _open(url, clock, X) as first, _open(url, clock, Y) as second:
        register(first, world)
        tid = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        first.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        with first.store() as uow:  # unstamped, as a store of a release before stamps (session 30: the
            uow.documents.remove(CalendarStamp, ["calendar"])  # first write of due times stamps it)
            uow.commit()
        on_x = first.ticket(world.manager, tid).resolution_due_at
        permit = jobs.permit

        def first_stamps_meanwhile(actor: object, workflow: object, action: str) -> None:
            if action == "stamp_calendar":  # the second desk read "no stamp"; the first writes its own now
                with first.store() as uow:
                    stamp_calendar(uow, X, clock.now(), sla_of(first.context.sla.policy))
                    uow.commit()
            permit(actor, workflow, action)

        with monkeypatch.context() as patch:
            patch.setattr(jobs, "permit", first_stamps_meanwhile)
            assert not second.run_due_jobs().failed
        assert _stamp(first) == X.fingerprint  # not overwritten with Y's, the dues being X's
        assert second.health().dues_stale is True
        assert second.ticket(world.manager, tid).resolution_due_at == on_x

        clock.advance(timedelta(minutes=6))
        assert not second.run_due_jobs().failed  # now recomputed on Y, then stamped
        assert _stamp(second) == Y.fingerprint and second.health().dues_stale is False
        on_y = second.ticket(world.manager, tid).resolution_due_at
        assert on_x is not None and on_y is not None and on_y > on_x
