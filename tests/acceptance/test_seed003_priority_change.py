"""A priority changed after the call (seed 003 分级处理: 普通、加急、特急; 响应时效: Y个工作小时内响应).

A grade raised at triage is a promise made then: its tighter limits count from the change, never ending
later than the limits in force did, so a ticket made critical two hours after the call is not already in
breach. A grade lowered keeps counting from the call, and a breach that happened before a change stays.
The stored due times (the ledger), ``desk.sla`` now and at a past instant, and the three stores agree.
Office-equipment pack, Shanghai working hours 09:00–12:00 and 13:00–18:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.sla_clock import SlaState
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url, world_desk

H = timedelta(hours=1)
BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _open(desk: ServiceDesk, world: World, priority: Priority) -> str:
    return desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="复印机整层停机", priority=priority
    ).ticket.id


def _triage(desk: ServiceDesk, world: World, ticket_id: str, priority: Priority) -> None:
    desk.triage(
        world.agent,
        ticket_id,
        nature="outage",
        severity=Severity.HIGH,
        plan=Plan.ON_SITE,
        priority=priority,
        priority_reason="整层打印停摆",
    )


def test_a_grade_raised_two_hours_in_counts_its_limits_from_the_raise(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _open(desk, world, Priority.NORMAL)
    clock.advance(2 * H)  # Mon 11:00
    _triage(desk, world, ticket_id, Priority.CRITICAL)
    status = desk.sla(world.manager, ticket_id)
    assert not status.breached
    # Critical: respond within 0.5 working hours, arrive within 4, resolve within 1 working day (8 h),
    # each counted from 11:00 — all earlier than the normal limits counted from the call.
    assert status["response"].due_at == START + 2.5 * H
    assert status["arrival"].due_at == START.replace(hour=16)
    assert status["resolution"].due_at == START + timedelta(days=1, hours=2)  # Tue 11:00
    view = desk.ticket(world.manager, ticket_id)
    assert view.response_due_at == status["response"].due_at  # the ledger stores the same instants
    assert view.resolution_due_at == status["resolution"].due_at

    # At the raise the response is at risk (2 of its 2.5 hours from the call used), not breached.
    raised = desk.sla_watch.sweep(world.system)
    assert f"{ticket_id}:response" in raised.warnings and f"{ticket_id}:response" not in raised.breaches
    clock.advance(45 * timedelta(minutes=1))  # 11:45: nobody answered the critical call in 30 minutes
    late = desk.sla(world.manager, ticket_id)["response"]
    assert late.state is SlaState.BREACHED and late.breach == 15 * timedelta(minutes=1)
    assert f"{ticket_id}:response" in desk.sla_watch.sweep(world.system).breaches

    # Asked about the time before the raise, the ticket was judged as normal, from the call.
    before = desk.sla(world.manager, ticket_id, at=START + H)
    assert before["response"].due_at == START + 5 * H  # 4 working hours: 09–12, 13–14
    assert not before.breached


def test_a_raise_never_moves_a_limit_later_than_the_one_in_force(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _open(desk, world, Priority.NORMAL)
    clock.advance(4 * H + 45 * timedelta(minutes=1))  # 13:45; the normal response is due at 14:00
    _triage(desk, world, ticket_id, Priority.CRITICAL)
    status = desk.sla(world.manager, ticket_id)
    assert status["response"].due_at == START + 5 * H  # 14:00, not 14:15
    desk.contact_customer(
        world.agent, ticket_id, expected_at=clock.now() + H, note="已联系客户，告知预计上门时间"
    )
    assert desk.sla(world.manager, ticket_id)["response"].state is SlaState.MET


def test_a_lowered_grade_counts_from_the_call_and_an_earlier_breach_stays(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    quick = _open(desk, world, Priority.CRITICAL)
    late = _open(desk, world, Priority.CRITICAL)
    clock.advance(20 * timedelta(minutes=1))
    _triage(desk, world, quick, Priority.NORMAL)
    assert desk.sla(world.manager, quick)["response"].due_at == START + 5 * H  # from the call, not 13:20
    clock.advance(H)  # 10:20: the critical 30 minutes ran out at 09:30 with nobody answering
    _triage(desk, world, late, Priority.NORMAL)
    response = desk.sla(world.manager, late)["response"]
    assert response.state is SlaState.BREACHED and response.due_at == START + 0.5 * H
    assert not desk.sla(world.manager, quick).breached


def test_a_raise_before_lunch_counts_across_the_break_and_a_late_raise_keeps_the_breach(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    lunch = _open(desk, world, Priority.NORMAL)
    evening = _open(desk, world, Priority.NORMAL)
    clock.advance(2 * H + 50 * timedelta(minutes=1))  # 11:50
    _triage(desk, world, lunch, Priority.CRITICAL)
    # 10 minutes before the break, 20 after it: 13:20 (the normal limit was 14:00).
    assert desk.sla(world.manager, lunch)["response"].due_at == START.replace(hour=13, minute=20)
    clock.advance(6 * H)  # 17:50: the normal response (14:00) was already missed
    _triage(desk, world, evening, Priority.CRITICAL)
    response = desk.sla(world.manager, evening)["response"]
    assert response.state is SlaState.BREACHED and response.due_at == START + 5 * H


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_raise_before_national_day_counts_across_the_holiday_and_into_the_make_up_saturday(
    backend: str, tmp_path: Path
) -> None:
    # 2026: 1–7 October are holidays; Saturday 10 October is a make-up working day (调休).
    clock = ManualClock(START.replace(month=9, day=30, hour=15))
    world = make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        before_holiday = _open(desk, world, Priority.NORMAL)
        clock.advance(2 * H + 45 * timedelta(minutes=1))  # Wed 30 Sep 17:45
        _triage(desk, world, before_holiday, Priority.CRITICAL)
        status = desk.sla(world.manager, before_holiday)
        # 15 minutes before 18:00, 15 after the holiday week: Thu 8 Oct 09:15 (normal: 8 Oct 10:00).
        assert status["response"].due_at == START.replace(month=10, day=8, hour=9, minute=15)
        assert not status.breached

        clock.set(START.replace(month=10, day=9, hour=16))  # Friday 9 October
        friday = _open(desk, world, Priority.NORMAL)
        clock.advance(H + 45 * timedelta(minutes=1))  # 17:45
        _triage(desk, world, friday, Priority.CRITICAL)
        due = desk.sla(world.manager, friday)["response"].due_at
        assert due == START.replace(month=10, day=10, hour=9, minute=15)  # the make-up Saturday
