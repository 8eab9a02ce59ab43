"""Hypothesis properties of the SLA clock: pauses never make a due time earlier; elapsed never goes back."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.sla_clock import SlaTarget, SlaTargets, sla_status
from aftersales.domain.ticket import Ticket

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
START = datetime(2025, 9, 15, 8, 0, tzinfo=SH)
CN = china_mainland_calendar()

steps = st.lists(st.integers(min_value=1, max_value=60 * 30), min_size=0, max_size=12)
bases = st.sampled_from(["working", "calendar", "working_days"])


def build(received_offset: int, gaps: list[int]) -> Ticket:
    """A ticket worked from its receipt, alternating pause and resume after each gap (minutes)."""
    received = START + timedelta(minutes=received_offset)
    ticket = Ticket.open(
        id=TicketId("T-p"),
        customer_id=CustomerId("c"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="x",
        received_at=received,
        taken_by=AGENT,
    )
    ticket.step("triage", AGENT, received)
    ticket.step("assign", AGENT, received)
    ticket.step("start_work", ENGINEER, received)
    at = received
    for index, gap in enumerate(gaps):
        at += timedelta(minutes=gap)
        if index % 2 == 0:
            ticket.step("await_customer", ENGINEER, at, reason="away")
        else:
            ticket.step("resume", ENGINEER, at)
    return ticket


def targets(basis: str, hours: int) -> SlaTargets:
    duration = timedelta(days=max(1, hours // 8)) if basis == "working_days" else timedelta(hours=hours)
    return SlaTargets((SlaTarget("resolution", duration, basis),))


@given(st.integers(0, 60 * 24 * 7), steps, bases, st.integers(1, 40))
def test_pauses_never_make_a_due_time_earlier(offset: int, gaps: list[int], basis: str, hours: int) -> None:
    paused = build(offset, gaps)
    plain = build(offset, [])
    at = paused.events[-1].at + timedelta(hours=1)
    chosen = targets(basis, hours)
    with_pauses = sla_status(paused.events, chosen, CN, at).targets[0]
    without = sla_status(plain.events, chosen, CN, at).targets[0]
    assert with_pauses.deadline is not None and without.deadline is not None
    assert with_pauses.deadline >= without.deadline
    assert with_pauses.elapsed <= without.elapsed


@given(
    st.integers(0, 60 * 24 * 7),
    steps,
    bases,
    st.integers(1, 40),
    st.lists(st.integers(0, 60 * 40), max_size=4),
)
def test_later_instants_never_have_less_elapsed(
    offset: int, gaps: list[int], basis: str, hours: int, probes: list[int]
) -> None:
    ticket = build(offset, gaps)
    chosen = targets(basis, hours)
    first = ticket.events[0].at
    instants = sorted(first + timedelta(minutes=minutes) for minutes in [0, *probes, sum(gaps) + 60])
    statuses = [sla_status(ticket.events, chosen, CN, at).targets[0] for at in instants]
    for earlier, later in itertools.pairwise(statuses):
        assert later.elapsed >= earlier.elapsed
        assert later.breach >= earlier.breach
        assert later.elapsed + later.remaining - later.breach == later.budget
        if earlier.breached:
            assert later.breached


@pytest.mark.parametrize("basis", ["working", "calendar"])
def test_breached_deadline_is_where_elapsed_reaches_the_budget(basis: str) -> None:
    ticket = build(90, [120, 600, 30, 2000, 45, 700])
    chosen = targets(basis, 6)
    at = ticket.events[-1].at + timedelta(days=3)
    status = sla_status(ticket.events, chosen, CN, at).targets[0]
    assert status.breached and status.deadline is not None
    at_deadline = sla_status(ticket.events, chosen, CN, status.deadline).targets[0]
    assert at_deadline.elapsed == status.budget
    assert not at_deadline.breached


@given(
    st.integers(0, 60 * 24 * 7),
    steps,
    st.sampled_from(["working", "calendar"]),
    st.integers(1, 60),
    st.integers(0, 60 * 48),
)
def test_the_status_matches_a_segment_by_segment_recount(
    offset: int, gaps: list[int], basis: str, hours: int, later: int
) -> None:
    """The integer fast path against a plain recount: elapsed, paused time, the due instant and the
    warning instant, summing each running (or paused) stretch with ``between`` (or wall-clock time)."""
    ticket = build(offset, gaps)
    at = ticket.events[-1].at + timedelta(minutes=later)
    budget = timedelta(hours=hours)
    status = sla_status(ticket.events, targets(basis, hours), CN, at)["resolution"]

    def span(low: datetime, high: datetime) -> timedelta:
        return CN.between(low, high) if basis == "working" else high - low

    def add(low: datetime, amount: timedelta) -> datetime:
        return CN.add(low, amount) if basis == "working" else (low + amount).astimezone(SH)

    running: list[tuple[datetime, datetime]] = []
    paused: list[tuple[datetime, datetime]] = []
    since, is_running = ticket.events[0].at, True
    for event in ticket.events[1:]:
        if event.action in ("await_customer", "resume"):
            (running if is_running else paused).append((since, event.at))
            since, is_running = event.at, event.action == "resume"
    (running if is_running else paused).append((since, at))
    elapsed = sum((span(a, b) for a, b in running), timedelta(0))
    assert status.elapsed == elapsed
    assert status.paused_time == sum((span(a, b) for a, b in paused), timedelta(0))

    def reached(amount: timedelta) -> datetime:
        for low, high in running:  # the instant the running stretches accrue ``amount``
            if span(low, high) >= amount:
                return add(low, amount)
            amount -= span(low, high)
        return add(at, amount)  # projected from now (also while paused)

    assert status.due_at == reached(budget)
    share = budget * 4 / 5
    warn = timedelta(microseconds=-(-share // timedelta(microseconds=1)))
    assert status.warning_at == reached(warn)
    assert status.breached == (elapsed > budget)
