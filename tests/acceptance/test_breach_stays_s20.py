# mypy: disable-error-code="arg-type"
"""A breach announced before the working calendar gained a day off stays a breach; the new calendar
applies going forward. On memory, SQLite and PostgreSQL (the host call), SQLite and PostgreSQL (a desk
reopened on the new calendar, whose ``sla_sweep`` job recomputes).

Seeds 003/004 judge the service on its response and resolution times (三 考核; 第八条 考核); the managers
were told of the breach and the month's figures counted it. A day off announced after the fact (a
holiday file corrected, a newer ``holidays`` package) moved every due time counted over it: the
recalculation pushed the passed due time past now, and the ticket left the ledger's breached filter, the
KPI's missed resolutions and the live SLA status — the judged month changed. Now a target whose breach
was announced keeps the due time it passed (the ``recalculate_sla`` event records it as
``held_breaches``), through later commands too, until its clock restarts; a ticket not breached gets the
new calendar's due time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.ports.queries import TicketFilter
from aftersales.reports import scoped_kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

HOURS = [(time(9), time(12)), (time(13), time(18))]


def _calendar(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), HOURS),
        holidays,
        known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="company calendar",
    )


def _open(url: str, clock: ManualClock, calendar: BusinessCalendar) -> ServiceDesk:
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=calendar)


def _breached_and_later(desk: ServiceDesk, world: World, clock: ManualClock) -> tuple[str, str, datetime]:
    """A ticket whose resolution breach the sweep announced, a complex one (ten working days) still
    running, and the breached one's due."""
    register(desk, world)
    late = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
    desk.triage(world.agent, late, nature="repair", severity=Severity.MEDIUM)
    running = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开").ticket.id
    desk.triage(world.agent, running, nature="repair", severity=Severity.MEDIUM, complex_problem=True)
    due = desk.ticket(world.manager, late).resolution_due_at
    assert due is not None
    clock.set(_calendar().add(due, timedelta(hours=1)))  # an hour of working time past it
    assert not desk.run_due_jobs().failed  # the sweep announces the breach
    assert desk.sla(world.manager, late)["resolution"].breached
    return late, running, due


def _judged(desk: ServiceDesk, world: World, ticket_id: str, now: datetime) -> tuple[bool, bool, int]:
    """Whether the live SLA and the ledger's breached filter count the ticket breached, and the month's
    missed resolutions."""
    live = desk.sla(world.manager, ticket_id)["resolution"].breached
    listed = ticket_id in {t.id for t in desk.ledger(world.manager, TicketFilter(breached_at=now)).items}
    kpi = scoped_kpi_report(
        desk, world.manager, reporting_for(desk.store), month_period("2026-03"), as_of=now
    )
    return live, listed, kpi.total.resolution_missed


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_day_off_added_after_an_announced_breach_leaves_it_breached(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _open(url, clock, _calendar()) as desk:
        late, running, due = _breached_and_later(desk, world, clock)
        now = clock.now()
        judged = _judged(desk, world, late, now)
        assert judged[:2] == (True, True) and judged[2] >= 1
        running_due = desk.ticket(world.manager, running).resolution_due_at
        assert running_due is not None and running_due > now
        day_off = due.date() - timedelta(days=1)  # a working day the breached clock ran over
        moved = _calendar(day_off)
        live_due = desk.recompute_provisional_dues(world.manager, moved)
        assert running in live_due.recomputed
        # The breach stays where it was announced: stored due, live status, ledger filter, the KPI.
        ticket = desk.ticket(world.manager, late)
        assert ticket.resolution_due_at == due
        assert ticket.events[-1].action == "recalculate_sla"
        assert ticket.events[-1].payload["held_breaches"] == {"resolution": due.isoformat()}
        assert desk.sla(world.manager, late)["resolution"].due_at == due
        assert _judged(desk, world, late, now) == judged
        # Going forward the new calendar applies: the running ticket's due moved by the day off.
        forward = desk.ticket(world.manager, running).resolution_due_at
        assert forward is not None and forward > running_due  # a working day later
        assert forward == desk.sla(world.manager, running)["resolution"].due_at
        # A later command on the breached ticket derives its due again: still the held one.
        desk.note_to_customer(world.agent, late, text="备件已到,明天上门")
        assert desk.ticket(world.manager, late).resolution_due_at == due
        assert _judged(desk, world, late, now) == judged
        # The sweep announces nothing again.
        clock.advance(timedelta(minutes=6))
        assert desk.run_due_jobs().counts.get("sla_sweep", 0) == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_reopened_on_the_new_calendar_keeps_the_announced_breach(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        with _open(url, clock, _calendar()) as old:
            late, running, due = _breached_and_later(desk=old, world=world, clock=clock)
            now = clock.now()
            judged = _judged(old, world, late, now)
            running_due = old.ticket(world.manager, running).resolution_due_at
        with _open(url, clock, _calendar(due.date() - timedelta(days=1))) as desk:
            # A command before the sweep's catch-up derives the due on the new calendar: moved for now.
            desk.note_to_customer(world.agent, late, text="备件已到,明天上门")
            assert desk.ticket(world.manager, late).resolution_due_at != due
            clock.advance(timedelta(minutes=6))
            desk.run_due_jobs()  # the sweep recomputes on the desk's new calendar first: the breach is back
            assert desk.health().dues_stale is False
            assert desk.ticket(world.manager, late).resolution_due_at == due
            assert _judged(desk, world, late, clock.now()) == judged
            assert desk.ticket(world.manager, running).resolution_due_at != running_due


def test_a_breach_not_announced_is_not_held(tmp_path: Path) -> None:
    # The rule holds what was announced: a ticket whose due passed but was never swept moves.
    clock, world = ManualClock(START), make_world()
    with _open("memory://", clock, _calendar()) as desk:
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        clock.set(_calendar().add(due, timedelta(hours=1)))
        desk.recompute_provisional_dues(world.manager, _calendar(due.date() - timedelta(days=1)))
        ticket = desk.ticket(world.manager, tid)
        assert ticket.resolution_due_at is not None and ticket.resolution_due_at > due
        assert "held_breaches" not in (ticket.events[-1].payload or {})
