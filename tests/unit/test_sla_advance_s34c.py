"""Issue 21: the first answer to the customer carries the kept SLA clocks on (``SlaTimeline.advanced_by``)
instead of measuring the whole log again; what it gives must be what measuring the log from scratch gives.

The property walks random event logs on the China mainland calendar (lunch break 12:00-13:00, the National
Day holidays and their make-up Sunday and Saturday around the start) step by step, as a desk derives due
times after every command, and compares the carried timeline with a fresh one at the last event and later.
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
from aftersales.domain.sla_reading import CONTACTED_AT_KEY

SH = ZoneInfo("Asia/Shanghai")
CN = china_mainland_calendar()
AGENT = ActorRef("agent-1", Role.AGENT)
CUSTOMER = ActorRef("c-1", Role.CUSTOMER)
# The Friday before the 2025 National Day: Sunday 28 September is a make-up working day, 1-8 October are
# holidays, Saturday 11 October is worked again.
START = datetime(2025, 9, 26, 10, 30, tzinfo=SH)

WORKING = SlaTargets(
    (
        SlaTarget("response", timedelta(hours=2)),
        SlaTarget("arrival", timedelta(hours=8)),
        SlaTarget("resolution", timedelta(hours=20)),
    )
)
WALL_RESPONSE = SlaTargets(
    (
        SlaTarget("response", timedelta(hours=3), "calendar"),
        SlaTarget("resolution", timedelta(days=2), "end_of_day"),
    )
)
DAYS = SlaTargets((SlaTarget("response", timedelta(days=1), "working_days"),))

# (action, state after or None to stay, actor, payload)
STEPS: list[tuple[str, str | None, ActorRef, dict[str, Any]]] = [
    ("triage", "triaged", AGENT, {}),
    ("assign", "assigned", AGENT, {}),
    ("note_to_customer", None, AGENT, {"index": 0}),
    ("note_to_customer", None, AGENT, {"index": 0, "visible": False}),
    ("note_to_customer", None, CUSTOMER, {"index": 0}),
    ("contact_customer", None, AGENT, {}),
    ("contact_customer", None, AGENT, {CONTACTED_AT_KEY: "early"}),
    ("add_internal_note", None, AGENT, {}),
    ("await_customer", "awaiting_customer", AGENT, {}),
    ("resume", "in_progress", AGENT, {}),
    ("start_work", "in_progress", AGENT, {}),
    ("reserve_part", None, AGENT, {}),
    ("resolve", "resolved", AGENT, {}),
]


def _log(picks: list[tuple[int, int]]) -> list[TicketEvent]:
    at = START
    state = "new"
    events = [TicketEvent(0, at, AGENT, "opened", None, state)]
    for seq, (step, minutes) in enumerate(picks, start=1):
        action, after, actor, payload = STEPS[step]
        earlier = at
        at = at + timedelta(minutes=minutes)
        data: dict[str, Any] = dict(payload)
        if data.get(CONTACTED_AT_KEY) == "early":  # a contact entered after it was made
            data[CONTACTED_AT_KEY] = (earlier - timedelta(minutes=minutes // 2)).isoformat()
        before, state = state, after or state
        events.append(TicketEvent(seq, at, actor, action, before, state, None, data or NO_PAYLOAD))
        if state == "resolved":
            break
    return events


picks = st.lists(st.tuples(st.integers(0, len(STEPS) - 1), st.integers(1, 60 * 30)), min_size=1, max_size=14)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks, st.sampled_from([WORKING, WALL_RESPONSE, DAYS]), st.integers(0, 60 * 24 * 10))
def test_carried_on_step_by_step_equals_measured_from_scratch(
    chosen: list[tuple[int, int]], targets: SlaTargets, later: int
) -> None:
    events = _log(chosen)
    current = sla_timeline(events[:1], targets, CN).without_events()
    for end in range(2, len(events) + 1):
        log = events[:end]
        carried = current.advanced_by(log)
        if carried is None:
            current = sla_timeline(log, targets, CN).without_events()
            continue
        event("carried" if carried is current else "answered")
        current = carried
        assert_same_as_fresh(current, log, targets, CN, later)


def test_the_first_answer_is_carried_on_not_measured_again() -> None:
    events = _log([(0, 10), (1, 5), (8, 30), (9, 200), (2, 45)])  # paused and resumed, then a note
    before = sla_timeline(events[:-1], WORKING, CN).without_events()
    carried = before.advanced_by(events)
    assert carried is not None and carried is not before
    assert carried.events == len(events)
    response = carried.status(events[-1].at)["response"]
    assert response.met_at == events[-1].at and response.phase.value == "met"
    assert_same_as_fresh(carried, events, WORKING, CN, 90)


@pytest.mark.parametrize(
    ("step", "why"),
    [
        (6, "a contact made earlier than it was entered"),
        (8, "a pause begun"),
        (10, "an arrival"),
        (12, "the work done"),
    ],
)
def test_what_the_answer_alone_cannot_settle_is_measured_again(step: int, why: str) -> None:
    events = _log([(0, 10), (1, 5), (step, 30)])
    before = sla_timeline(events[:-1], WORKING, CN).without_events()
    assert before.advanced_by(events) is None, why


def test_a_second_answer_keeps_the_timeline_and_a_hidden_note_answers_nobody() -> None:
    events = _log([(0, 10), (2, 20), (2, 20), (3, 20), (4, 20)])
    answered = sla_timeline(events[:3], WORKING, CN).without_events()
    assert answered.advanced_by(events) is answered  # later notes, a hidden one, the customer's own
    unanswered = sla_timeline(events[:2], WORKING, CN).without_events()
    hidden = _log([(0, 10), (3, 20), (4, 20)])
    assert unanswered.advanced_by(hidden) is unanswered
