# mypy: disable-error-code="arg-type"
"""A desk reopened on another working calendar brings the stored due times up to date, on SQLite and
PostgreSQL (a memory store does not outlive its desk).

The ledger, the SLA sweep and the reports read the due times stored with each ticket; ``desk.sla``
computes them from the desk's calendar. A host that restarts on a newer calendar (a newer ``holidays``
package carrying a day off announced since, a corrected holiday file) got a desk whose stored due times
were those of the old calendar until each ticket's next command: the sweep announced breaches of a
day that is now off, and nothing said so (``recompute_provisional_dues`` moves them, but only when the
host knows to call it). The store now remembers which calendar its due times were computed on; the
``sla_sweep`` job (every 5 minutes) recomputes them before it sweeps when the desk's calendar is another,
and ``desk.health()`` says so until it has.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JobSettings
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


def _first_desk(url: str, clock: ManualClock, world: World) -> tuple[str, datetime | None]:
    """A ticket triaged on a desk of the plain calendar that has run its jobs (the store stamped): its
    id and its stored resolution due."""
    with _open(url, clock, _calendar()) as old:
        register(old, world)
        tid = old.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
        old.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        old.run_due_jobs()
        assert old.health().dues_stale is False
        return tid, old.ticket(world.manager, tid).resolution_due_at


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_reopened_on_a_calendar_with_a_new_day_off_moves_the_stored_due_times(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        tid, stored_before = _first_desk(url, clock, world)
        assert stored_before is not None
        day_off = stored_before.date() - timedelta(days=1)  # a working day before the due (Mon 2 Mar + …)
        with _open(url, clock, _calendar(day_off)) as desk:
            live_due = desk.sla(world.manager, tid)["resolution"].due_at
            assert live_due is not None and live_due > stored_before  # the new day off moves it
            # Before the job: the store still holds the old calendar's due, and health says so.
            assert desk.ticket(world.manager, tid).resolution_due_at == stored_before
            assert desk.health().dues_stale is True
            clock.advance(timedelta(minutes=6))  # the sweep's next run
            desk.run_due_jobs()
            ticket = desk.ticket(world.manager, tid)
            assert ticket.resolution_due_at == live_due
            assert ticket.events[-1].action == "recalculate_sla"
            assert desk.health().dues_stale is False
            # Run again: nothing more to do (no second event).
            clock.advance(timedelta(hours=2))
            desk.run_due_jobs()
            assert desk.ticket(world.manager, tid).events[-1].seq == ticket.events[-1].seq


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_reopened_on_the_same_calendar_changes_nothing(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        tid, _due = _first_desk(url, clock, world)
        with _open(url, clock, _calendar()) as desk:
            events = len(desk.ticket(world.manager, tid).events)
            assert desk.health().dues_stale is False
            clock.advance(timedelta(hours=2))
            desk.run_due_jobs()
            assert len(desk.ticket(world.manager, tid).events) == events


def test_a_desk_without_a_calendar_has_no_dues_to_keep_current(tmp_path: Path) -> None:
    with ServiceDesk.open(f"sqlite:///{tmp_path / 'd.db'}", calendar=None) as desk:
        assert desk.health().dues_stale is None
        desk.run_due_jobs()
        assert desk.health().dues_stale is None


def test_the_fingerprint_follows_the_days_off_not_the_object() -> None:
    assert _calendar().fingerprint == _calendar().fingerprint
    assert _calendar(date(2026, 3, 3)).fingerprint != _calendar().fingerprint


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_sweep_recomputes_page_by_page_and_stamps_after_the_last(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An upgrade on a large store must not hold the writers for every open ticket: with a limit of 2
    # a page, five tickets take three writes and all of them move; the stamp comes after the last.
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        first, stored = _first_desk(url, clock, world)
        assert stored is not None
        with _open(url, clock, _calendar()) as old:
            others = [
                old.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
                for _ in range(4)
            ]
            for tid in others:
                old.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        with _open(url, clock, _calendar(stored.date() - timedelta(days=1))) as desk:
            desk.jobs.configure(JobSettings(limit=2))
            writes: list[str] = []
            write = desk.jobs.runner.write

            def counted(actor: Any, command: str, *args: Any, **kwargs: Any) -> Any:
                writes.append(command)
                return write(actor, command, *args, **kwargs)

            monkeypatch.setattr(desk.jobs.runner, "write", counted)
            clock.advance(timedelta(minutes=6))
            desk.run_due_jobs()
            # Three pages of at most 2 tickets (5 open), then the stamp: four writes, not one.
            assert writes.count("recalculate_sla") == 4
            assert desk.health().dues_stale is False
            for tid in (first, *others):
                ticket = desk.ticket(world.manager, tid)
                assert ticket.resolution_due_at == desk.sla(world.manager, tid)["resolution"].due_at
                assert ticket.events[-1].action == "recalculate_sla"
