"""A working calendar changed on a live desk: the open tickets' due times follow, on all three stores.

Seed 001 (一般售后问题应在[X]个工作日内处理完毕) and seed 003 (Y个工作小时内响应) count working days and
working hours: a day the State Council (or the company) gives off after the holiday data was loaded is no
working day, and a due time counted over it moves. ``desk.recompute_provisional_dues(manager, calendar)``
switches the desk to the new calendar; it recomputed only the tickets whose due times were provisional
(past the official data), so a ticket due over a newly announced day off kept its old stored due while
``desk.sla`` (which reads the desk's calendar) showed the new one — and the ledger, the sweep and the
reports read the stored one. And when the data runs out altogether (no provisional year), a ticket is
taken without a due time — and the managers were never told. Office-equipment pack: response 4 /
resolution 3 × 8 working hours (normal), 0.5 h / 8 h (critical); Mon–Fri 09:00–12:00, 13:00–18:00
Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.holidays_cn import ChinaHolidays, china_mainland_calendar
from aftersales.adapters.holidays_combined import CombinedHolidays
from aftersales.adapters.holidays_toml import TomlHolidays
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.errors import CalendarDataMissing, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[tuple[World, ServiceDesk]]:
    clock, world = ManualClock(_at(3, 2, 9)), make_world()  # Monday 2 March 2026, 09:00
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        yield world, desk


def _triaged(desk: ServiceDesk, world: World, priority: Priority | None = None) -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="复印机卡纸", priority=priority
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    return ticket_id


def _tuesday_off() -> BusinessCalendar:
    """The package's data with Tuesday 3 March 2026 announced as a day off (the March list complete)."""
    march = TomlHolidays.from_string(
        'name = "3 March off"\nknown_from = 2026-03-01\nknown_until = 2026-03-31\nholidays = [2026-03-03]\n'
    )
    return china_mainland_calendar(CombinedHolidays(ChinaHolidays(), march), provisional_years=1)


def _stored_and_shown(desk: ServiceDesk, world: World, ticket_id: str) -> tuple[object, object]:
    ticket = desk.ticket(world.manager, ticket_id)
    status = desk.sla(world.manager, ticket_id)
    shown = (status["response"].due_at, status["resolution"].due_at)
    return (ticket.response_due_at, ticket.resolution_due_at), shown


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_day_off_announced_later_moves_the_stored_due_times(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (world, desk):
        moved = _triaged(desk, world)
        kept = _triaged(desk, world, Priority.CRITICAL)
        assert _stored_and_shown(desk, world, moved)[0] == (_at(3, 2, 14), _at(3, 4, 18))
        assert _stored_and_shown(desk, world, kept)[0] == (_at(3, 2, 9, 30), _at(3, 2, 18))

        report = desk.recompute_provisional_dues(world.manager, _tuesday_off())

        # Mon 8 h, (Tue off), Wed 8 h, Thu 8 h: the resolution is due on Thursday at 18:00.
        stored, shown = _stored_and_shown(desk, world, moved)
        assert stored == shown == (_at(3, 2, 14), _at(3, 5, 18))
        event = desk.ticket(world.manager, moved).events[-1]
        assert event.action == "recalculate_sla"
        assert event.payload["old_resolution_due_at"] == _at(3, 4, 18).isoformat()
        assert event.payload["new_resolution_due_at"] == _at(3, 5, 18).isoformat()
        # A ticket the new day off does not touch is left alone (no event, not reported).
        assert report.recomputed == (moved,)
        stored, shown = _stored_and_shown(desk, world, kept)
        assert stored == shown == (_at(3, 2, 9, 30), _at(3, 2, 18))
        assert desk.ticket(world.manager, kept).events[-1].action != "recalculate_sla"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_calendar_in_another_zone_is_refused_and_nothing_changes(backend: str, tmp_path: Path) -> None:
    # The desk's zone (ticket stamps, numbers, months) was taken from its calendar; a calendar in another
    # zone would count working hours in one zone and everything else in the other.
    with _desk(backend, tmp_path) as (world, desk):
        ticket_id = _triaged(desk, world)
        before = desk.ticket(world.manager, ticket_id)
        old = desk.calendar
        assert old is not None
        berlin = BusinessCalendar.from_source(
            "Europe/Berlin", old.weekly_hours, ChinaHolidays(), extra_workday_hours=old.extra_workday_hours
        )
        with pytest.raises(ValidationError) as raised:
            desk.recompute_provisional_dues(world.manager, berlin)
        assert raised.value.field == "calendar" and "Asia/Shanghai" in str(raised.value)
        assert desk.calendar is old
        after = desk.ticket(world.manager, ticket_id)
        assert after.version == before.version and after.resolution_due_at == before.resolution_due_at


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_managers_hear_once_when_holiday_data_has_run_out(backend: str, tmp_path: Path) -> None:
    # The year after the data is not guessed (no provisional year here): a ticket whose clocks would run
    # into it gets no due time. It is still taken, and the managers are told — once — that tickets have no
    # SLA clock until the next arrangement is added; before, nobody was.
    clock, world, notifier = ManualClock(_at(12, 30, 10)), make_world(), MemoryNotifier()
    calendar = china_mainland_calendar(provisional_years=0)
    assert calendar.known_until == date(2026, 12, 31)
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=clock, staff=STAFF, calendar=calendar, notifier=notifier
        ) as desk,
    ):
        register(desk, world)
        first = _triaged(desk, world)  # Wed 30 Dec 10:00: 3 × 8 working hours reach into 2027
        second = _triaged(desk, world)
        for ticket_id in (first, second):
            assert desk.ticket(world.manager, ticket_id).resolution_due_at is None
            with pytest.raises(CalendarDataMissing):
                desk.sla(world.manager, ticket_id)
        desk.deliver()
        told = [m for m in notifier.to("manager@venus.example") if "节假日数据已用尽" in m.subject]
        assert len(told) == 1
        assert "2026年12月31日" in told[0].body and first in told[0].body
