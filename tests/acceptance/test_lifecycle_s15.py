"""Lifecycle seams, on the three stores: triage, acceptance, callback attempts (seeds 000, 001, 003, 004).

- Seed 003 (分级处理): the grade comes from urgency, complexity and the customer's importance. The grade set
  at intake is one of those facts: a triage that gives no priority may raise it, never silently drop it.
- Seed 003 (由客户签字确认): staff recording the customer's acceptance name how it came; leaving the channel
  out is bad input (``ValidationError`` naming ``channel``), and nothing changes.
- Seeds 003/004 (回访): a failed attempt to reach the customer is one call; the same call recorded twice
  within a second would count towards closing without the callback.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.errors import InvalidTransition, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import START, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
H = timedelta(hours=1)


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _open(desk: ServiceDesk, world: World, **kwargs: object) -> str:
    return desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="复印机卡纸", **kwargs
    ).ticket.id


def _triage(desk: ServiceDesk, world: World, ticket_id: str, severity: Severity, **kwargs: object) -> None:
    desk.triage(world.agent, ticket_id, nature="paper_jam", severity=severity, plan=Plan.ON_SITE, **kwargs)


def _accepted(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    ticket_id = _open(desk, world)
    _triage(desk, world, ticket_id, Severity.LOW)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, ticket_id)
    desk.add_fault_record(world.junior, ticket_id, symptom="paper_jam", cause="worn_roller", action="replace")
    clock.advance(H)
    desk.resolve(world.junior, ticket_id, summary="换了搓纸轮")
    desk.confirm(world.customer_zh, ticket_id)
    return ticket_id


# -- 1. the intake priority survives a triage that gives none -------------------------------------------


def test_a_triage_without_a_priority_keeps_the_grade_set_at_intake(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _open(desk, world, priority=Priority.CRITICAL)
    clock.advance(H / 4)
    _triage(desk, world, ticket_id, Severity.LOW)  # the policy alone would say normal
    view = desk.ticket(world.manager, ticket_id)
    assert view.priority is Priority.CRITICAL
    assert "priority_kept" in [r.code for r in view.priority_reasons]
    triage = next(e for e in view.events if e.action == "triage")
    assert triage.payload["priority"] == "critical" and "previous_priority" not in triage.payload
    # The SLA keeps running on the critical grade from the call (30 minutes to respond).
    assert desk.sla(world.manager, ticket_id)["response"].due_at == START + H / 2


def test_a_triage_still_raises_the_intake_grade_and_the_handler_may_lower_it_with_a_reason(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    raised = _open(desk, world, priority=Priority.EXPEDITED)
    _triage(desk, world, raised, Severity.SEVERE)  # severe: the policy's floor is critical
    assert desk.ticket(world.manager, raised).priority is Priority.CRITICAL
    lowered = _open(desk, world, priority=Priority.CRITICAL)
    _triage(desk, world, lowered, Severity.LOW, priority=Priority.NORMAL, priority_reason="客户确认不急")
    view = desk.ticket(world.manager, lowered)
    assert view.priority is Priority.NORMAL
    assert "priority_kept" not in [r.code for r in view.priority_reasons]


def test_an_urgent_call_stays_at_least_expedited_and_an_ungraded_call_is_graded_by_the_policy(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    urgent = _open(desk, world, urgent=True)
    _triage(desk, world, urgent, Severity.LOW)
    assert desk.ticket(world.manager, urgent).priority is Priority.EXPEDITED
    plain = _open(desk, world)
    _triage(desk, world, plain, Severity.LOW)
    assert desk.ticket(world.manager, plain).priority is Priority.NORMAL


# -- 2. callback attempts are separate calls ---------------------------------------------------------------


def test_the_same_failed_callback_attempt_twice_in_one_second_is_refused_and_changes_nothing(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _accepted(desk, clock, world)
    desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    before = desk.ticket(world.manager, ticket_id)
    for gap in (timedelta(0), timedelta(milliseconds=999)):
        clock.set(before.events[-1].at + gap)
        with pytest.raises(ValidationError) as refused:
            desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
        assert refused.value.field == "at"
    after = desk.ticket(world.manager, ticket_id)
    assert (after.version, len(after.events)) == (before.version, len(before.events))
    # Three real calls, an hour apart, let the ticket close without the callback (the pack's 3).
    for _ in range(2):
        clock.advance(H)
        desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    assert desk.close(world.agent, ticket_id).ticket.state == "closed"


def test_three_attempts_in_one_instant_do_not_make_a_ticket_closable(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _accepted(desk, clock, world)
    desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    for _ in range(2):
        with pytest.raises(ValidationError):
            desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    with pytest.raises(InvalidTransition, match="1 of 3"):
        desk.close(world.agent, ticket_id)


def test_attempts_of_a_new_cycle_count_afresh_after_a_reopen(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _accepted(desk, clock, world)
    desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    desk.reopen(world.manager, ticket_id, reason="客户来电：又卡纸")
    desk.start_work(world.junior, ticket_id)
    desk.resolve(world.junior, ticket_id, summary="更换分离垫")
    desk.confirm(world.customer_zh, ticket_id)
    desk.record_callback_attempt(
        world.agent, ticket_id, note="无人接听"
    )  # same instant, but another cycle's first
    with pytest.raises(InvalidTransition, match="1 of 3"):
        desk.close(world.agent, ticket_id)


# -- 3. staff acceptance without its channel is bad input -----------------------------------------------


def test_staff_confirming_without_a_channel_is_a_validation_error_naming_channel(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    ticket_id = _open(desk, world)
    _triage(desk, world, ticket_id, Severity.LOW)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, ticket_id)
    desk.add_fault_record(world.junior, ticket_id, symptom="paper_jam", cause="worn_roller", action="replace")
    desk.resolve(world.junior, ticket_id, summary="换了搓纸轮")
    before = desk.ticket(world.manager, ticket_id)
    for staff in (world.agent, world.junior):
        with pytest.raises(ValidationError, match="channel") as refused:
            desk.confirm(staff, ticket_id)
        assert refused.value.field == "channel"
        assert not isinstance(refused.value, InvalidTransition)
    after = desk.ticket(world.manager, ticket_id)
    assert (after.state, after.version) == ("resolved", before.version)
    assert desk.confirm(world.agent, ticket_id, channel="phone").ticket.state == "accepted"


# -- 6. hostile: what a closed, cancelled or unreachable ticket still accepts ---------------------------


def test_a_ticket_closed_as_unreachable_leaves_no_callback_overdue_for_ever(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _accepted(desk, clock, world)
    (task,) = desk.callbacks.pending(world.manager)
    for _ in range(3):  # the pack's three failed attempts, an hour apart
        clock.advance(H)
        desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    desk.close(world.agent, ticket_id, reason="回访三次未联系上客户")
    clock.advance(timedelta(days=3))  # long past the 24 h callback
    assert desk.callbacks.pending(world.manager) == []
    assert desk.callbacks.overdue(world.manager) == []
    # The missed callback stays a fact: it was due, and the ticket keeps when.
    assert desk.ticket(world.manager, ticket_id).callback_due_at == task.due_at
    # Reached after all, the customer's callback may still be recorded on the closed ticket.
    desk.record_callback(world.agent, ticket_id, problem_back=False, satisfaction=4)
    assert desk.ticket(world.manager, ticket_id).state == "closed"


def test_a_ticket_closed_as_unreachable_and_reopened_owes_no_callback_until_accepted_again(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _accepted(desk, clock, world)
    for _ in range(3):
        clock.advance(H)
        desk.record_callback_attempt(world.agent, ticket_id, note="无人接听")
    desk.close(world.agent, ticket_id)
    desk.reopen(world.manager, ticket_id, reason="客户来电：又卡纸")
    assert desk.ticket(world.manager, ticket_id).callback_due_at is None  # as with a callback pending
    desk.start_work(world.junior, ticket_id)
    desk.resolve(world.junior, ticket_id, summary="更换分离垫")
    accepted = desk.confirm(world.customer_zh, ticket_id)
    assert accepted.ticket.callback_due_at == clock.now() + 24 * H
    assert [t.state.value for t in desk.callbacks.pending(world.manager)] == ["pending"]


def test_a_callback_on_a_cancelled_ticket_is_refused_as_a_callback_whatever_it_found(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    ticket_id = _open(desk, world)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    before = desk.ticket(world.manager, ticket_id)
    for problem_back in (False, True):
        with pytest.raises(InvalidTransition) as refused:
            desk.record_callback(world.agent, ticket_id, problem_back=problem_back)
        assert (refused.value.trigger, refused.value.state) == ("record_callback", "cancelled")
        assert refused.value.ticket_id == ticket_id
    for schedule in (desk.schedule_callback, desk.callbacks.schedule):
        with pytest.raises(InvalidTransition):
            schedule(world.agent, ticket_id)
    with pytest.raises(InvalidTransition):
        desk.reopen(world.manager, ticket_id, reason="客户又来电")
    after = desk.ticket(world.manager, ticket_id)
    assert (after.state, after.version) == ("cancelled", before.version)
    assert desk.callbacks.pending(world.manager) == []


def test_a_customer_confirming_through_the_app_is_recorded_as_the_customers_own_acceptance(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    ticket_id = _open(desk, world)
    _triage(desk, world, ticket_id, Severity.LOW)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, ticket_id)
    desk.add_fault_record(world.junior, ticket_id, symptom="paper_jam", cause="worn_roller", action="replace")
    desk.resolve(world.junior, ticket_id, summary="换了搓纸轮")
    confirmed = desk.confirm(world.customer_zh, ticket_id, channel="app")
    (event,) = [e for e in confirmed.events if e.action == "confirm"]
    assert (event.actor.role.value, event.payload["by"], event.payload["channel"]) == (
        "customer",
        "customer",
        "app",
    )
