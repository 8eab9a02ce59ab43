"""Hostile round, session 33 g: SLA clocks at the edges of the mainland calendar, through the public API.
These attacks passed; they are kept so they stay passing.

Seed 003 二 3 counts response and resolution in working time (4 working hours and 3 working days for a
medium repair of the office-equipment pack). The calendar is the State Council's: 2026 is official data of
the ``holidays`` package (Spring Festival 15–23 February with the make-up Saturdays 14 and 28 February,
National Day 1–7 October with Saturday 10 October worked); 2027 is provisional (the statutory days, no
make-up days, dues marked ``provisional``); past 2027 no due is guessed (the ticket is taken without one
and ``desk.sla`` raises ``CalendarDataMissing``). Calls come in during the lunch break, a second before New
Year, on a make-up Saturday, before the holiday weeks; a host gives its clock in UTC; naive datetimes are
refused by name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.errors import CalendarDataMissing, NaiveDatetimeError
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, make_world, register, store_url

SH = SHANGHAI


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)  # type: ignore[misc]


# received → (response due, resolution due, provisional)
EDGES = {
    "lunch break, Monday": (_at(2026, 3, 2, 12, 30), _at(2026, 3, 2, 17), _at(2026, 3, 5, 12), False),
    "a second before New Year 2027": (
        _at(2026, 12, 31, 23, 59, 59), _at(2027, 1, 4, 14), _at(2027, 1, 6, 18), True,
    ),
    "make-up Saturday before Spring Festival 2026": (
        _at(2026, 2, 14, 10), _at(2026, 2, 14, 15), _at(2026, 2, 26, 10), False,
    ),
    "eve of National Day 2026": (_at(2026, 9, 30, 17), _at(2026, 10, 8, 12), _at(2026, 10, 10, 17), False),
    "eve of Spring Festival 2027 (provisional)": (
        _at(2027, 2, 4, 17), _at(2027, 2, 9, 12), _at(2027, 2, 11, 17), True,
    ),
}  # fmt: skip


def _triaged(desk: ServiceDesk) -> str:
    world = make_world()
    register(desk, world)
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
    desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
    return str(tid)


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_dues_at_the_calendars_edges(edge: str) -> None:
    received, response, resolution, provisional = EDGES[edge]
    manager = make_world().manager
    with ServiceDesk.open(
        "memory://", pack="office_equipment", clock=ManualClock(received), staff=STAFF
    ) as desk:
        tid = _triaged(desk)
        ticket = desk.ticket(manager, tid)
        assert (ticket.response_due_at, ticket.resolution_due_at) == (response, resolution)
        status = desk.sla(manager, tid)
        assert status["response"].due_at == response and status["resolution"].due_at == resolution
        assert status.provisional is provisional


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_stores_keep_the_same_dues_over_the_holiday_weeks(backend: str, tmp_path: Path) -> None:
    manager = make_world().manager
    stored = []
    for edge in sorted(EDGES):
        received = EDGES[edge][0]
        with (
            store_url(backend, tmp_path, f"{len(stored)}.db") as url,
            ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(received), staff=STAFF) as desk,
        ):
            tid = _triaged(desk)
            row = desk.ledger(manager).items[0]
            assert row.id == tid
            stored.append((row.response_due_at, row.resolution_due_at))
    assert stored == [(EDGES[e][1], EDGES[e][2]) for e in sorted(EDGES)]


def test_the_lunch_break_starts_the_clock_after_lunch() -> None:
    manager = make_world().manager
    with ServiceDesk.open(
        "memory://", pack="office_equipment", clock=ManualClock(_at(2026, 3, 2, 12, 30)), staff=STAFF
    ) as desk:
        tid = _triaged(desk)
        assert desk.sla(manager, tid)["response"].started_at == _at(2026, 3, 2, 13)


def test_past_the_last_year_of_data_the_call_is_taken_without_a_guessed_due() -> None:
    world = make_world()
    received = _at(2027, 12, 31, 23, 59, 59)
    with ServiceDesk.open(
        "memory://", pack="office_equipment", clock=ManualClock(received), staff=STAFF
    ) as desk:
        register(desk, world)
        ticket = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket
        assert ticket.id == "SR-2027-000001" and ticket.response_due_at is None
        with pytest.raises(CalendarDataMissing) as missing:
            desk.sla(world.manager, ticket.id)
        assert missing.value.known_until.isoformat() == "2027-12-31"
        assert desk.count(world.manager) == 1


def test_a_hosts_clock_in_utc_gives_the_same_dues_shown_in_shanghai_time() -> None:
    manager = make_world().manager
    dues = []
    for clock in (ManualClock(_at(2026, 3, 2, 9)), ManualClock(datetime(2026, 3, 2, 1, tzinfo=UTC))):
        with ServiceDesk.open("memory://", pack="office_equipment", clock=clock, staff=STAFF) as desk:
            ticket = desk.ticket(manager, _triaged(desk))
            assert ticket.received_at.utcoffset() == SH.utcoffset(ticket.received_at)
            dues.append((ticket.response_due_at, ticket.resolution_due_at))
    assert dues[0] == dues[1] == (_at(2026, 3, 2, 14), _at(2026, 3, 4, 18))


def test_a_number_is_the_local_year_of_a_utc_clock() -> None:
    world = make_world()
    clock = ManualClock(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))  # 07:00 on 1 January 2027 in Shanghai
    with ServiceDesk.open("memory://", pack="office_equipment", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        ticket = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket
        assert ticket.id == "SR-2027-000001"


def test_naive_datetimes_are_refused_by_name() -> None:
    world = make_world()
    with pytest.raises(NaiveDatetimeError):
        ManualClock(datetime(2026, 3, 2, 9))
    with ServiceDesk.open(
        "memory://", pack="office_equipment", clock=ManualClock(_at(2026, 3, 2, 9)), staff=STAFF
    ) as desk:
        tid = _triaged(desk)
        with pytest.raises(NaiveDatetimeError) as refused:
            desk.sla(world.manager, tid, at=datetime(2026, 3, 3, 9))
        assert refused.value.field == "at"
        assert desk.ticket(world.manager, tid).version == 1
