# mypy: disable-error-code="arg-type"
"""``desk.recompute_provisional_dues`` recomputes the open tickets page by page, as the sweep job does.

The host call took every open ticket in one write: on a large store every writer waited for all of them
(the ``sla_sweep`` job's catch-up already paged, session 19). It now writes one page of ``page_size``
tickets at a time and stamps the store after the last; the desk derives due times on the new calendar
from the first page on, so a command between two pages does not put its ticket back on the old one.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JobSettings
from conftest import STAFF, START, make_world, register, store_url

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


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_host_call_writes_one_page_at_a_time(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=clock, staff=STAFF, calendar=_calendar()
        ) as desk,
    ):
        register(desk, world)
        tickets = []
        for _ in range(5):
            tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
            desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
            tickets.append(tid)
        stored = desk.ticket(world.manager, tickets[0]).resolution_due_at
        assert stored is not None
        new = _calendar(stored.date() - timedelta(days=1))  # a day off before every due: each moves
        writes: list[str] = []
        write = desk.runner.write
        between: list[str] = []

        def counted(actor: Any, command: str, *args: Any, **kwargs: Any) -> Any:
            result = write(actor, command, *args, **kwargs)
            writes.append(command)
            if command == "recalculate_sla" and writes.count(command) == 1:
                # Between the first page and the second: a command on a ticket of the first page.
                moved = result[1]
                between.append(moved[0])
                desk.note_to_customer(world.agent, moved[0], text="工程师已出发")
            return result

        monkeypatch.setattr(desk.runner, "write", counted)
        report = desk.recompute_provisional_dues(world.manager, new, page_size=2)
        monkeypatch.undo()
        # Three pages of at most 2 tickets (5 open) and the stamp: four writes, each short, not one.
        assert writes.count("recalculate_sla") == 4
        assert sorted(report.recomputed) == sorted(tickets) and report.checked == 5
        assert desk.health().dues_stale is False
        for tid in tickets:
            ticket = desk.ticket(world.manager, tid)
            assert ticket.resolution_due_at is not None and ticket.resolution_due_at > stored
            assert ticket.resolution_due_at == desk.sla(world.manager, tid)["resolution"].due_at
        # The ticket commanded between two pages kept the new calendar's due time.
        assert between and desk.ticket(world.manager, between[0]).events[-1].action != "recalculate_sla"


@pytest.mark.parametrize("size", [0, 1001, True, "2"])
def test_a_bad_page_size_is_refused_and_nothing_changes(size: Any, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(
        f"sqlite:///{tmp_path / 'd.db'}",
        pack="office_equipment",
        clock=clock,
        staff=STAFF,
        calendar=_calendar(),
    ) as desk:
        register(desk, world)
        before = desk.calendar
        with pytest.raises(ValidationError) as raised:
            desk.recompute_provisional_dues(world.manager, _calendar(date(2026, 3, 3)), page_size=size)
        assert raised.value.field == "page_size"
        assert desk.calendar is before


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_large_job_limit_is_used_not_a_failure_of_every_run(backend: str, tmp_path: Path) -> None:
    # JobSettings takes a limit up to 1,000,000 a run; the sweep, its catch-up and recompute_due read
    # pages of at most 1,000 and the purges and money index have their own bounds: each job failed at
    # every run ("limit is tickets per page, 1 to 1000") and nothing was swept or purged.
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=clock, staff=STAFF, calendar=_calendar()
        ) as desk,
    ):
        register(desk, world)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
        desk.jobs.configure(JobSettings(limit=1_000_000))
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        clock.set(_calendar().add(due, timedelta(hours=1)))
        report = desk.run_due_jobs()
        assert report.failed == {}
        assert report.counts["sla_sweep"] >= 1  # the breach announced
