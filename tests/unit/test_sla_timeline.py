"""The SLA timeline: a ticket's clocks measured once, asked about at any later (or earlier) instant.

Its status at an instant must equal what measuring the whole log at that instant gives. The properties
compare the two ways a clock can stand at the instant asked about (a pause still open, projected from
that instant, against the same pause closed exactly then), and the running stretch against the
calendar's own ``between``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.events import NO_PAYLOAD, TicketEvent
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_clock import SlaTarget, SlaTargets, TargetStatus, sla_status, sla_timeline
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing, ValidationError
from aftersales.service.sla import SlaService

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
START = datetime(2025, 9, 15, 8, 0, tzinfo=SH)
CN = china_mainland_calendar()
TARGETS = SlaTargets(
    (
        SlaTarget("response", timedelta(hours=2)),
        SlaTarget("arrival", timedelta(hours=8)),
        SlaTarget("resolution", timedelta(hours=20)),
        SlaTarget("callback", timedelta(hours=24), "calendar"),
    )
)
CALENDAR_TARGETS = SlaTargets((SlaTarget("resolution", timedelta(hours=30), "calendar"),))


def build(received_offset: int, gaps: list[int], respond: bool = True) -> Ticket:
    """A ticket worked from its receipt, alternating pause and resume after each gap (minutes)."""
    received = START + timedelta(minutes=received_offset)
    ticket = Ticket.open(
        id=TicketId("T-t"),
        customer_id=CustomerId("c"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="x",
        received_at=received,
        taken_by=AGENT,
    )
    ticket.step("triage", AGENT, received)
    ticket.step("assign", AGENT, received)
    if respond:
        ticket.step("start_work", ENGINEER, received + timedelta(minutes=30))
    at = received + timedelta(minutes=30)
    for index, gap in enumerate(gaps):
        at += timedelta(minutes=gap)
        ticket.step("await_customer" if index % 2 == 0 else "resume", ENGINEER, at, reason="away")
    return ticket


def same_clock(one: TargetStatus, other: TargetStatus) -> None:
    assert one.elapsed == other.elapsed
    assert one.paused_time == other.paused_time
    assert one.due_at == other.due_at
    assert one.warning_at == other.warning_at
    assert one.started_at == other.started_at
    assert one.breach == other.breach
    assert one.provisional == other.provisional


gaps = st.lists(st.integers(min_value=1, max_value=60 * 30), min_size=0, max_size=10)
later = st.integers(min_value=0, max_value=60 * 24 * 12)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60 * 24 * 7), gaps, later, st.sampled_from([TARGETS, CALENDAR_TARGETS]))
def test_an_open_pause_reads_as_the_same_pause_closed_at_the_instant(
    offset: int, pauses: list[int], wait: int, targets: SlaTargets
) -> None:
    ticket = build(offset, pauses)
    at = ticket.events[-1].at + timedelta(minutes=wait)
    timeline = sla_timeline(ticket.events, targets, CN)
    now = timeline.status(at)
    closed = ticket.copy()
    # The other reading: the clock's state changes exactly at ``at`` (a pause closed, or one opened).
    closed.step(
        "resume" if closed.state == "awaiting_customer" else "await_customer", ENGINEER, at, reason="x"
    )
    then = sla_status(closed.events, targets, CN, at)
    for mine, reference in zip(now.targets, then.targets, strict=True):
        same_clock(mine, reference)
        assert mine.warning == reference.warning or mine.phase != reference.phase
    # The timeline equals measuring the log at that instant, every field (the public path).
    assert now == sla_status(ticket.events, targets, CN, at)
    assert timeline.due_instants(at) == {t.name: t.due_at for t in now.targets}


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60 * 24 * 7), gaps, later, later)
def test_a_running_clock_grows_by_the_working_time_between_two_instants(
    offset: int, pauses: list[int], first: int, second: int
) -> None:
    ticket = build(offset, pauses)
    timeline = sla_timeline(ticket.events, TARGETS, CN)
    early = ticket.events[-1].at + timedelta(minutes=min(first, second))
    late = ticket.events[-1].at + timedelta(minutes=max(first, second))
    before, after = timeline.status(early)["resolution"], timeline.status(late)["resolution"]
    if ticket.state == "awaiting_customer":  # stands: only the paused time grows
        assert after.elapsed == before.elapsed
        assert after.paused_time - before.paused_time == CN.between(early, late)
    else:
        assert after.elapsed - before.elapsed == CN.between(early, late)
        assert after.due_at == before.due_at and after.warning_at == before.warning_at


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 60 * 24 * 7), gaps.filter(lambda g: len(g) >= 2), st.data())
def test_asking_about_the_past_measures_the_events_up_to_then(
    offset: int, pauses: list[int], data: st.DataObject
) -> None:
    ticket = build(offset, pauses)
    timeline = sla_timeline(ticket.events, TARGETS, CN)
    index = data.draw(st.integers(1, len(ticket.events) - 2))
    at = ticket.events[index].at + timedelta(seconds=1)
    if at >= ticket.events[index + 1].at:
        return
    past = sla_status(ticket.events[: index + 1], TARGETS, CN, at)
    assert timeline.status(at) == past
    assert timeline.due_instants(at) == {t.name: t.due_at for t in past.targets}


def test_a_step_that_changes_no_clock_input_keeps_the_timeline() -> None:
    ticket = build(0, [60, 120, 30])  # paused, resumed, paused
    timeline = sla_timeline(ticket.events, TARGETS, CN)
    at = ticket.events[-1].at + timedelta(hours=1)
    noted_events = [*ticket.events, _event_like(ticket, "add_note", at)]
    assert timeline.unchanged_by(noted_events)
    assert not timeline.unchanged_by([*ticket.events, _event_like(ticket, "resume", at, "in_progress")])
    assert not timeline.unchanged_by([*ticket.events, _event_like(ticket, "cancel", at, "cancelled")])
    assert not timeline.unchanged_by([*ticket.events, _event_like(ticket, "resolve", at)])
    assert not timeline.unchanged_by(
        [*ticket.events, _event_like(ticket, "add_note", at, payload={"sla_extension": "resolution"})]
    )
    assert not timeline.unchanged_by(ticket.events[:-1])  # not the measured log
    # A first customer contact meets the response: it changes the clock; a second one does not.
    contacted = [*ticket.events, _event_like(ticket, "contact_customer", at)]
    assert not timeline.unchanged_by(contacted)
    answered = sla_timeline(contacted, TARGETS, CN)
    later = at + timedelta(minutes=5)
    again = TicketEvent(
        len(contacted), later, AGENT, "contact_customer", "awaiting_customer", "awaiting_customer"
    )
    assert answered.unchanged_by([*contacted, again])
    assert answered.status(later + timedelta(hours=1)) == sla_status(
        [*contacted, again], TARGETS, CN, later + timedelta(hours=1)
    )


def _event_like(
    ticket: Ticket, action: str, at: datetime, to: str | None = None, payload: dict[str, str] | None = None
) -> TicketEvent:
    last = ticket.events[-1]
    return TicketEvent(
        last.seq + 1, at, AGENT, action, last.to_state, to or last.to_state, None, payload or NO_PAYLOAD
    )


def test_the_service_keeps_a_timeline_per_ticket_and_checks_it_on_every_hit() -> None:
    from aftersales.adapters.clock import ManualClock
    from aftersales.service.desk import ServiceDesk

    desk = ServiceDesk.open("memory://", pack="office_equipment", clock=ManualClock(START), calendar=CN)
    service = SlaService(desk.sla_service.policy, CN)
    ticket = build(0, [60, 120])
    at = ticket.events[-1].at + timedelta(hours=3)
    first = service.status(ticket, CustomerTier.REGULAR, at)
    kept = service._kept[ticket.id].measured
    assert kept is not None
    assert service.status(ticket.copy(), CustomerTier.REGULAR, at) == first
    assert service._kept[ticket.id].measured is kept  # a hit: the same log
    # A pause changes the clock: measured again, and equal to a fresh measuring.
    paused = ticket.copy()
    paused.step("await_customer", ENGINEER, at, reason="away")
    later = at + timedelta(hours=5)
    decision = service.targets(paused, CustomerTier.REGULAR)
    assert decision is not None
    assert service.status(paused, CustomerTier.REGULAR, later) == sla_status(
        paused.events, decision.outcome, CN, later
    )
    assert service._kept[ticket.id].measured is not kept


def test_a_full_timeline_cache_forgets_the_least_recently_used_ticket_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aftersales.service.sla as sla_module
    from aftersales.adapters.clock import ManualClock
    from aftersales.service.desk import ServiceDesk

    monkeypatch.setattr(sla_module, "_KEPT", 2)
    desk = ServiceDesk.open("memory://", pack="office_equipment", clock=ManualClock(START), calendar=CN)
    service = SlaService(desk.sla_service.policy, CN)
    tickets = [attrs.evolve(build(0, [60]), id=TicketId(f"T-{n}")) for n in range(3)]
    at = tickets[0].events[-1].at + timedelta(hours=3)
    service.status(tickets[0], CustomerTier.REGULAR, at)
    service.status(tickets[1], CustomerTier.REGULAR, at)
    hot = service._kept["T-0"].measured
    service.status(tickets[0], CustomerTier.REGULAR, at)  # used again: now the most recent
    service.status(tickets[2], CustomerTier.REGULAR, at)  # full: T-1 goes, T-0 stays measured
    assert list(service._kept) == ["T-0", "T-2"]
    assert service._kept["T-0"].measured is hot


def test_a_timeline_kept_without_its_events_answers_from_its_last_event_on() -> None:
    ticket = build(0, [60, 120, 30])
    full = sla_timeline(ticket.events, TARGETS, CN)
    light = full.without_events()
    later = ticket.events[-1].at + timedelta(hours=4)
    assert light.status(later) == full.status(later)
    assert light.due_instants(later) == full.due_instants(later)
    assert light.events == full.events == len(ticket.events)
    assert light.unchanged_by([*ticket.events, _event_like(ticket, "add_note", later)])
    before = ticket.events[-2].at
    assert full.status(before) == sla_status(ticket.events, TARGETS, CN, before)
    with pytest.raises(ValidationError):
        light.status(before)


def _assigned(ticket: Ticket, at: datetime) -> list[TicketEvent]:
    """``ticket``'s log followed by a dispatch to a dealer at ``at``."""
    last = ticket.events[-1]
    payload = {"assignee": {"kind": "dealer", "id": "D1"}}
    return [
        *ticket.events,
        TicketEvent(last.seq + 1, at, AGENT, "assign", last.to_state, "assigned", None, payload),
    ]


def test_an_assignment_is_a_clock_input_only_for_a_clock_started_by_the_dealer_dispatch() -> None:
    ticket = Ticket.open(
        id=TicketId("T-a"), customer_id=CustomerId("c"), channel=Channel.PHONE, category=Category.REPAIR,
        description="x", received_at=START, taken_by=AGENT,
    )  # fmt: skip
    ticket.step("triage", AGENT, START + timedelta(minutes=5))
    at = START + timedelta(hours=1)
    later = at + timedelta(hours=30)
    events = _assigned(ticket, at)
    # No target counts from the dispatch: the timeline measured before it measures after it too.
    timeline = sla_timeline(ticket.events, TARGETS, CN)
    assert timeline.unchanged_by(events)
    assert timeline.status(later) == sla_status(events, TARGETS, CN, later)
    # The dealer contract's clock starts at the dispatch: measured again.
    dealer = SlaTargets(
        (SlaTarget("resolution", timedelta(hours=24), "calendar", timedelta(hours=48), "dealer_dispatch"),)
    )
    before = sla_timeline(ticket.events, dealer, CN)
    assert not before.unchanged_by(events)
    assert before.status(later) != sla_status(events, dealer, CN, later)


def test_a_triage_that_leaves_the_targets_equal_keeps_the_measured_timeline() -> None:
    from aftersales.adapters.clock import ManualClock
    from aftersales.domain.classification import Plan, Severity
    from aftersales.domain.contact import Contact
    from aftersales.domain.parties import Customer
    from aftersales.service.actors import Actor
    from aftersales.service.desk import ServiceDesk

    clock = ManualClock(START)
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    manager, agent = Actor.manager("m1"), Actor.agent("a1")
    desk.register_customer(manager, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13800000001")))
    tid = desk.open_ticket(agent, customer_id="c1", description="马桶漏水").ticket.id
    service = desk.sla_service
    measured = service._kept[tid].measured
    assert measured is not None
    clock.advance(timedelta(minutes=10))
    desk.triage(agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    # Other facts (plan, triage) but equal targets: one shared targets object, so the timeline is kept...
    assert service._kept[tid].measured is measured
    # ...and the triaged ticket's stored due times and status are those a fresh measuring gives.
    with desk.store() as uow:
        ticket = uow.tickets.get(tid)
    decision = service.targets(ticket, CustomerTier.REGULAR)
    assert decision is not None and service.calendar is not None
    later = clock.now() + timedelta(hours=5)
    fresh = sla_status(ticket.events, decision.outcome, service.calendar, later)
    assert desk.sla(agent, tid, later) == fresh
    assert ticket.resolution_due_at == fresh["resolution"].due_at
    desk.shutdown()


@settings(max_examples=40, deadline=None)
@given(gaps=gaps, first=later, second=later)
def test_kept_due_instants_equal_a_fresh_measure_at_every_later_instant(
    gaps: list[int], first: int, second: int
) -> None:
    # Issue 21 (session 8): due instants that no longer move with the instant are kept by the timeline;
    # a clock standing with budget left (an open pause) still projects from each instant asked about.
    ticket = build(0, gaps)
    timeline = sla_timeline(ticket.events, TARGETS, CN)
    for minutes in (first, second, first):
        at = ticket.events[-1].at + timedelta(minutes=minutes)
        fresh = sla_status(ticket.events, TARGETS, CN, at)
        dues = timeline.due_instants(at)
        assert dues == {t.target.name: t.due_at for t in fresh.targets}
        dues["response"] = None  # the caller's copy: the kept dues are not changed through it
        assert timeline.due_instants(at) == {t.target.name: t.due_at for t in fresh.targets}


def test_kept_due_instants_still_refuse_an_instant_past_the_calendar_data() -> None:
    ticket = build(0, [30])
    timeline = sla_timeline(ticket.events, TARGETS, CN)
    timeline.due_instants(ticket.events[-1].at)  # kept now
    beyond = datetime(CN.known_until.year + 2, 1, 5, 10, 0, tzinfo=SH)  # type: ignore[union-attr]
    with pytest.raises(CalendarDataMissing):
        timeline.due_instants(beyond)


def test_a_timeline_without_events_keeps_every_other_slot() -> None:
    timeline = sla_timeline(build(0, [30, 40]).events, TARGETS, CN)
    light = timeline.without_events()
    for name in type(timeline).__slots__:
        if name != "_events":
            assert getattr(light, name) is getattr(timeline, name), name
    assert light._events is None


def test_a_reopening_after_the_kept_log_is_seen_by_the_service() -> None:
    # Issue 21 (session 8): the service reads only the events added since the kept log for a reopening.
    service = SlaService(None, CN)
    ticket = build(0, [])
    assert service._log(ticket).reopened is False
    ticket.step("resolve", ENGINEER, ticket.events[-1].at + timedelta(hours=1))
    assert service._log(ticket).reopened is False
    ticket.step("reject", AGENT, ticket.events[-1].at + timedelta(hours=1), reason="still leaks")
    ticket.events.append(attrs.evolve(ticket.events[-1], seq=len(ticket.events), action="reopen"))
    assert service._log(ticket).reopened is True
    ticket.step("start_work", ENGINEER, ticket.events[-1].at + timedelta(hours=1))
    assert service._log(ticket).reopened is True  # kept from the earlier log, not lost
    other = SlaService(None, CN)
    assert other._log(ticket).reopened is True  # and the same read from scratch
