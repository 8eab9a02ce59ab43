"""Issue 21: a dispatch carries the kept SLA clocks on (``SlaTimeline.dispatched``) with the targets
it brings (the dealer's 24 hours from the dispatch, seed 002: 乙方接到用户的叫修(或者是甲方的电话通知)
后,必须保证在24小时之内…) instead of measuring the whole log again; what it gives must be what
measuring from scratch gives.

As ``test_sla_advance_s34c.py``: random logs on the China mainland calendar across the 2025 National Day
holidays, make-up days and lunch, walked step by step as a desk derives due times after every command,
here with dispatches to dealers and engineers that switch the targets between the maker's and the dealer's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.unit.sla_carried import assert_same_as_fresh

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.events import NO_PAYLOAD, TicketEvent
from aftersales.domain.sla_clock import SlaTarget, SlaTargets, sla_timeline
from aftersales.domain.sla_reading import SLA_EXTENSION_KEY, TAKEN_BY_DEALER_KEY
from aftersales.errors import ValidationError

SH = ZoneInfo("Asia/Shanghai")
CN = china_mainland_calendar()
AGENT = ActorRef("agent-1", Role.AGENT)
START = datetime(2025, 9, 26, 10, 30, tzinfo=SH)

MAKER = (
    SlaTarget("response", timedelta(hours=2)),
    SlaTarget("resolution", timedelta(hours=20)),
)
# The dealer's contract: wall-clock 24 hours (48 in special cases), or working hours in another pack.
DEALER_WALL = SlaTarget(
    "dealer_resolution", timedelta(hours=24), "calendar", timedelta(hours=48), "dealer_dispatch"
)
DEALER_WORKING = SlaTarget("dealer_resolution", timedelta(hours=6), start="dealer_dispatch")
DEALER_DAYS = SlaTarget("dealer_resolution", timedelta(days=1), "end_of_day", start="dealer_dispatch")


def _dealer(name: str) -> dict[str, Any]:
    return {"assignee": {"kind": "dealer", "id": name, "name": name}}


# (action, state after or None to stay, payload)
STEPS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("assign", "assigned", _dealer("d-1")),
    ("reassign", "assigned", _dealer("d-2")),
    ("reassign", "assigned", _dealer("d-1")),
    ("reassign", "assigned", {"assignee": {"kind": "engineer", "id": "e-1", "name": "e"}}),
    ("reassign", "assigned", {"assignee": {"kind": "engineer", "id": "e-9", "name": "e"}, "dealer": "d-2"}),
    ("note_to_customer", None, {}),
    ("add_internal_note", None, {}),
    ("await_customer", "awaiting_customer", {}),
    ("resume", "in_progress", {}),
    ("extend_sla", None, {SLA_EXTENSION_KEY: ["dealer_resolution"]}),
    ("resolve", "resolved", {}),
    ("reject", "in_progress", {}),
    ("reopen", "reopened", {}),
]


def _log(picks: list[tuple[int, int]], taken: bool) -> list[TicketEvent]:
    at = START
    state = "new"
    events = [
        TicketEvent(
            0, at, AGENT, "opened", None, state, None, {TAKEN_BY_DEALER_KEY: "d-1"} if taken else NO_PAYLOAD
        )
    ]
    for seq, (step, minutes) in enumerate(picks, start=1):
        action, after, payload = STEPS[step]
        at = at + timedelta(minutes=minutes)
        before, state = state, after or state
        events.append(TicketEvent(seq, at, AGENT, action, before, state, None, dict(payload) or NO_PAYLOAD))
    return events


def _targets(events: list[TicketEvent], dealer: SlaTarget, acceptance: bool = True) -> SlaTargets:
    """What a policy gives: the dealer's clock while a dealer holds the ticket (met at the acceptance,
    or at the work done as a complaint's)."""
    held = None
    for e in events:
        if e.action in ("assign", "reassign"):
            assignee = e.payload["assignee"]
            held = assignee["id"] if assignee["kind"] == "dealer" else e.payload.get("dealer")
    return SlaTargets((*MAKER, dealer) if held else MAKER, acceptance=acceptance)


picks = st.lists(st.tuples(st.integers(0, len(STEPS) - 1), st.integers(1, 60 * 30)), min_size=1, max_size=10)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks,
    st.sampled_from([DEALER_WALL, DEALER_WORKING, DEALER_DAYS]),
    st.booleans(),
    st.booleans(),
    st.integers(0, 60 * 24 * 10),
)
def test_carried_over_a_dispatch_equals_measured_from_scratch(
    chosen: list[tuple[int, int]], dealer: SlaTarget, taken: bool, acceptance: bool, later: int
) -> None:
    events = _log(chosen, taken)
    current = sla_timeline(events[:1], _targets(events[:1], dealer, acceptance), CN).without_events()
    for end in range(2, len(events) + 1):
        log = events[:end]
        targets = _targets(log, dealer, acceptance)
        carried = current.advanced_by(log) if current.measures(targets, CN) else None
        if carried is None:
            carried = current.dispatched(log, targets, CN)
            if carried is not None:
                event("dispatched")
        if carried is None:
            current = sla_timeline(log, targets, CN).without_events()
            continue
        current = carried
        assert_same_as_fresh(current, log, targets, CN, later)


def test_a_dispatch_to_a_dealer_starts_its_clock_without_measuring_again() -> None:
    events = _log([(7, 10), (8, 200), (0, 45)], False)  # paused, resumed, then to the dealer
    before = sla_timeline(events[:-1], SlaTargets(MAKER), CN).without_events()
    targets = SlaTargets((*MAKER, DEALER_WALL))
    carried = before.dispatched(events, targets, CN)
    assert carried is not None and carried.events == len(events)
    dealer = carried.status(events[-1].at)["dealer_resolution"]
    assert dealer.started_at == events[-1].at and dealer.due_at == events[-1].at + timedelta(hours=24)
    assert_same_as_fresh(carried, events, targets, CN, 90)
    back = _log([(7, 10), (8, 200), (0, 45), (3, 30)], False)  # then to the maker's engineer
    engineer = carried.dispatched(back, SlaTargets(MAKER), CN)
    assert engineer is not None
    assert_same_as_fresh(engineer, back, SlaTargets(MAKER), CN, 90)


@pytest.mark.parametrize(
    ("picks", "taken", "why"),
    [
        ([(0, 10)], True, "the dealer that took the call: its clock runs from the call"),
        ([(0, 10), (2, 10)], False, "the dealer already holding it: its clock runs on"),
        ([(7, 10), (0, 10)], False, "a pause open: the dealer's clock stands"),
        ([(9, 10), (0, 10)], False, "an approval on the dealer's clock may apply"),
    ],
)
def test_what_a_dispatch_alone_cannot_settle_is_measured_again(
    picks: list[tuple[int, int]], taken: bool, why: str
) -> None:
    events = _log(picks, taken)
    before = sla_timeline(events[:-1], _targets(events[:-1], DEALER_WALL), CN).without_events()
    assert before.dispatched(events, _targets(events, DEALER_WALL), CN) is None, why


def test_a_resolution_stopped_stops_the_dealers_clock_too_measured_again() -> None:
    events = _log([(10, 10), (0, 10)], False)  # the work done, a complaint's resolution met there
    before = sla_timeline(events[:-1], _targets(events[:-1], DEALER_WALL, False), CN).without_events()
    assert before.dispatched(events, _targets(events, DEALER_WALL, False), CN) is None


def test_a_days_budget_and_another_calendar_are_measured_again() -> None:
    events = _log([(5, 10), (0, 10)], False)
    before = sla_timeline(events[:-1], SlaTargets(MAKER), CN).without_events()
    assert before.dispatched(events, SlaTargets((*MAKER, DEALER_DAYS)), CN) is None
    other = china_mainland_calendar()
    assert before.dispatched(events, SlaTargets((*MAKER, DEALER_WALL)), other) is None


def test_wrong_arguments_are_refused_by_name() -> None:
    events = _log([(0, 10)], False)
    before = sla_timeline(events[:-1], SlaTargets(MAKER), CN)
    with pytest.raises(ValidationError) as raised:
        before.dispatched("events", SlaTargets(MAKER), CN)  # type: ignore[arg-type]
    assert raised.value.field == "events"
    with pytest.raises(ValidationError) as raised:
        before.dispatched(events, MAKER, CN)  # type: ignore[arg-type]
    assert raised.value.field == "targets"
