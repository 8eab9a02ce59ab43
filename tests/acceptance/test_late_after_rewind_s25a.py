# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 响应时效: an import moves the late-after back-fill back only for a ticket that really lacks
an instant (session 25).

A working-time due at a window's end (Friday 18:00) is met until the next window starts, and the SLA
service stores that last on-time instant beside it; a due inside working time has none to have. An import
batch moved the back-fill's progress back for any due stored without an instant, so a complete pass read
its pages again for tickets that gain nothing. Now only a due outside the calendar's working time (or such
a due of a reopen's ended cycle) moves it. On memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.ticket import Ticket
from aftersales.service.desk import ServiceDesk
from aftersales.service.late_after_backfill import PROGRESS_ID, LateAfterBackfill
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _closed_call(desk: ServiceDesk, world: World, clock: object) -> str:
    """A call of Monday 09:30 answered and repaired within the hour, closed."""
    clock.set(_at(9, 9, 30))  # type: ignore[attr-defined]
    tid = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="Printer jammed").ticket.id
    desk.contact_customer(world.agent, tid, note="Engineer on the way")
    desk.triage(world.agent, tid, nature="paper_path", severity="medium")
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="Feed roller replaced")
    desk.confirm(world.agent, tid, channel="service_slip", note="Signed")
    clock.set(_at(9, 15))  # type: ignore[attr-defined]
    desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5, attitude=5)
    desk.close(world.agent, tid)
    return tid


def _imported(desk: ServiceDesk, ticket_id: str, new_id: str) -> Ticket:
    """The stored history as another system gives it: no late-after instants."""
    with desk.store() as uow:
        imported = uow.tickets.get(ticket_id).copy()
    imported.id, imported.version = new_id, 0
    imported.response_late_after = imported.resolution_late_after = None
    return imported


def _progress(desk: ServiceDesk) -> tuple[bool, str | None]:
    with desk.store() as uow:
        progress = uow.documents.get(LateAfterBackfill, PROGRESS_ID)
    return progress.done, progress.cursor


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_import_whose_dues_are_in_working_time_leaves_the_pass_complete(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        tid = _closed_call(desk, world, clock)
        assert desk.late_afters.backfill(world.manager) == 0  # complete: its dues are working instants
        imported = _imported(desk, tid, "T-IMPORTED-IN-HOURS")
        assert imported.response_due_at is not None and imported.resolution_due_at is not None
        assert desk.calendar is not None
        for due in (imported.response_due_at, imported.resolution_due_at):
            assert desk.calendar.next_working_time(due) == due  # inside working time: no instant to have
        desk.import_tickets(world.manager, [imported])
        assert _progress(desk) == (True, None)  # the pass is not read again for nothing
        assert desk.late_afters.backfill(world.manager) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_import_with_a_due_at_a_windows_end_still_moves_the_pass_back(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        tid = _closed_call(desk, world, clock)
        desk.late_afters.backfill(world.manager)
        imported = _imported(desk, tid, "T-IMPORTED-AT-18")
        imported.response_due_at = _at(9, 18)  # the window's end: met until Tuesday 09:00
        desk.import_tickets(world.manager, [imported])
        assert _progress(desk)[0] is False
