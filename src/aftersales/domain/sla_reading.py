"""Reading a ticket's event log for its SLA clocks: one pass that finds the current cycle's start, pauses,
the instants each target is met or stopped, and approved extensions (see :mod:`aftersales.domain.sla_clock`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aftersales.domain.actors import Role
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import micros
from aftersales.domain.sla_targets import (
    EXTENSION_LIMIT_KEY,
    RESPONSE_ACTIONS,
    SLA_EXTENSION_KEY,
    SlaTargets,
)

if TYPE_CHECKING:
    from aftersales.domain.ticket import Ticket

__all__ = [
    "ARRIVAL_STEPS",
    "CONTACTED_AT_KEY",
    "GRADING_STEPS",
    "STEPS_BUT_ASSIGN",
    "STEP_CODES",
    "TAKEN_BY_DEALER_KEY",
    "Cycle",
    "answered_at",
    "answers",
    "dealer_of",
    "first_response",
    "held_dealer",
    "is_response",
    "last_grade",
    "read_cycle",
    "response_steps",
    "response_stopped",
    "solved",
    "starts_at_dispatch",
    "steps_of",
]

_STAFF = frozenset(Role) - {Role.CUSTOMER, Role.SYSTEM, Role.AUDITOR}


def is_response(event: TicketEvent, actions: frozenset[str] = RESPONSE_ACTIONS) -> bool:
    """Whether ``event`` answers the customer (响应, seed 003: 与客户取得联系, 告知预计上门或解决时间): a
    customer-facing step of ``actions`` taken by staff. A note kept from the customer is not one, nor is
    triage (internal), nor anything the customer or the system does."""
    return (
        event.action in actions
        and event.actor.role in _STAFF
        and not (event.action == "note_to_customer" and event.payload.get("visible") is False)
    )


def solved(event: TicketEvent) -> bool:
    """Whether ``event`` is the work marked done by staff (``resolve``; a complaint's result given).

    Why it answers the customer: a problem solved by phone, on site, or a complaint's result told was
    evidently responded to, at the latest then (seed 001 六(二)3 响应及时率, seed 003 二 3 响应). With no
    contact logged before it, it is the response — on time or late by the response's due — where before
    session 34 the clock stopped there unanswered and the 响应及时率 counted it on neither side."""
    return event.action == "resolve" and event.actor.role in _STAFF


def answers(event: TicketEvent, actions: frozenset[str] = RESPONSE_ACTIONS) -> bool:
    """Whether ``event`` answers the customer: a response (:func:`is_response`) or the work marked done by
    staff (:func:`solved`)."""
    return is_response(event, actions) or solved(event)


CONTACTED_AT_KEY = "contacted_at"
"""Payload key of a contact recorded after it was made (``contact_customer(at=)``): when it was made."""


def answered_at(event: TicketEvent) -> datetime:
    """When ``event`` (a response) answered the customer: the time a contact recorded after the fact says
    it was made (seed 001 沟通记录…包括沟通时间; the command kept it between the opening and the entry),
    else the event's own instant."""
    raw = event.payload.get(CONTACTED_AT_KEY) if event.payload else None
    if isinstance(raw, str):
        try:
            made = datetime.fromisoformat(raw)
        except ValueError:
            return event.at
        if made.tzinfo is not None and made <= event.at:
            return made
    return event.at


GRADING_STEPS = frozenset({"triage", "reclassify", "mark_urgent"})
"""The steps after the opening that may set the ticket's priority (``payload["priority"]``): the triage,
a reclassification whose new category grades it otherwise (session 21), and a complaint marked urgent
by its handler (session 33: the pack's urgent floor)."""


def last_grade(events: Sequence[TicketEvent], at: datetime | None = None) -> str | None:
    """The grade (priority code) the last ``opened`` or grading step at or before ``at`` (any, when
    ``None``) set, as the SLA reads it; ``None`` when none did. Returned as stored, unparsed: an
    import compares it before trusting it."""
    for event in reversed(events):
        if at is not None and event.at > at:
            continue
        raw = event.payload.get("priority") if event.payload else None
        if isinstance(raw, str) and (event.action == "opened" or event.action in GRADING_STEPS):
            return raw
    return None


def steps_of(actions: frozenset[str]) -> tuple[str, ...]:
    """A policy's response steps as a ticket records them (:attr:`Ticket.response_steps`): empty for
    the standard :data:`RESPONSE_ACTIONS`, else the steps in order."""
    return () if actions == RESPONSE_ACTIONS else tuple(sorted(actions))


def response_steps(ticket: Ticket) -> frozenset[str]:
    """The steps that count as ``ticket``'s response, as its SLA counts them (what its SLA service
    recorded; the standard ones by default): the reports measure the response with these."""
    steps = ticket.response_steps
    return frozenset(steps) if steps else RESPONSE_ACTIONS


def first_response(
    events: Iterable[TicketEvent], actions: frozenset[str] = RESPONSE_ACTIONS
) -> TicketEvent | None:
    """The event of ``events`` that :func:`answers` the customer first (by :func:`answered_at`), before
    the first reopen: the instant the SLA's response target is met in the first cycle, and what the KPI
    "response time" measures to (the same instant). A contact made earlier but entered after another
    response (``contact_customer(at=)``) is the response: seed 003 二 3 judges when the customer was
    contacted, not when it was written down (seed 001: 沟通时间). Of two answering at one instant, the one
    recorded first. The work marked done with no contact before it is the response (:func:`solved`,
    session 34). A reopened cycle has no response target, so a contact after a reopen answers no response
    clock."""
    found: TicketEvent | None = None
    found_at: datetime | None = None
    for event in events:
        if event.action == "reopen":
            break
        if answers(event, actions):
            made = answered_at(event)
            if found_at is None or made < found_at:
                found, found_at = event, made
    return found


def response_stopped(
    events: Iterable[TicketEvent], actions: frozenset[str] = RESPONSE_ACTIONS
) -> TicketEvent | None:
    """Where the first cycle's response clock stopped without a response, as the SLA stops it: at the
    cancellation (or withdrawal), else at the work last marked done by no staff (``resolve``; a
    ``reject`` undoes it); ``None`` when the customer was answered or the clock still runs. A ticket fixed
    by staff, by phone in ten minutes with nobody having logged a contact, was answered then
    (:func:`solved`, session 34: before, its clock stopped there unanswered)."""
    done: TicketEvent | None = None
    for event in events:
        action = event.action
        if action == "reopen":
            break
        if answers(event, actions):
            return None
        if action in ("cancel", "withdraw"):
            return event
        if action == "resolve":
            done = event
        elif action == "reject":
            done = None
    return done


class Cycle:
    """What one pass over the events finds about the current cycle (since the opening or last reopen).

    Every instant is an index into ``micros`` (exact µs since the epoch; :meth:`moment` gives the datetime a
    status shows): the ``count`` events read, then any visit arrival times read from payloads (``extras``).
    Indices keep the measuring free of datetime arithmetic. ``gaps`` are the stretches the clocks stand
    still (pause states), in time order: ``[start, end | None]``. A plain class: one is made per
    measuring, and attrs' set-up of its defaults cost more than the pass over a short log.
    """

    __slots__ = (
        "accepted_at",
        "arrival_met",
        "callback_met",
        "caller",
        "cancelled_at",
        "count",
        "dealer_at",
        "done_at",
        "events",
        "extensions",
        "extras",
        "gaps",
        "held",
        "micros",
        "response_met",
        "solution_at",
        "start",
        "state",
        "unaccepted_at",
    )

    def __init__(self, events: Sequence[TicketEvent], micros: list[int], count: int) -> None:
        self.events = events
        self.micros = micros
        self.count = count
        self.extras: list[datetime] = []
        self.start: int | None = None
        self.state: str | None = None
        self.gaps: list[list[Any]] = []
        self.response_met: int | None = None
        self.arrival_met: int | None = None
        self.done_at: int | None = None
        self.accepted_at: int | None = None
        self.callback_met: int | None = None
        self.cancelled_at: int | None = None
        self.unaccepted_at: int | None = None
        self.dealer_at: int | None = None
        self.solution_at: int | None = None
        self.extensions: dict[str, int | None] = {}
        # The dealer holding the ticket at the end (its latest assignment) and the dealer that took the
        # call itself while no one else has held it: what the next dispatch's clock start reads.
        self.held: str | None = None
        self.caller: str | None = None

    def moment(self, index: int) -> datetime:
        """The datetime of instant ``index``."""
        if index < self.count:
            return self.events[index].at
        return self.extras[index - self.count]


def _contacted(event: TicketEvent, index: int, start: int | None, cycle: Cycle) -> int:
    """The instant a response answered the customer (:func:`answered_at`), kept between the cycle start
    and the event, as an index of ``cycle``."""
    if start is None or not event.payload or CONTACTED_AT_KEY not in event.payload:
        return index
    made = _arrival(event, index, start, cycle, CONTACTED_AT_KEY)
    return index if made is None else made


def _arrival(event: TicketEvent, index: int, start: int, cycle: Cycle, key: str = "arrived_at") -> int | None:
    """The instant a visit says the engineer arrived (or the payload's ``key`` says), kept between the
    cycle start and the event."""
    raw = event.payload.get(key)
    if raw is None:
        return None
    try:
        arrived = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    except ValueError:
        return index
    if arrived.tzinfo is None:
        return index
    arrived_us = micros(arrived)
    if arrived_us <= cycle.micros[start]:
        return start
    if arrived_us >= event.at_us:
        return index
    cycle.extras.append(arrived)
    cycle.micros.append(arrived_us)
    return len(cycle.micros) - 1


def _extension_names(raw: object) -> Iterable[str]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list | tuple):
        return [item for item in raw if isinstance(item, str)]
    return ()


def _extension_limit(raw: object) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw * 1_000_000
    return None


TAKEN_BY_DEALER_KEY = "taken_by_dealer"
"""Key of the ``opened`` event's payload naming the dealer whose staff took the call itself (seed 002:
乙方接到用户的叫修): that dealer's contract clock starts at the call, not at a later dispatch to it."""


def dealer_of(payload: Mapping[str, Any]) -> str | None:
    """The dealer an assignment's payload puts the ticket in the hands of: the dealer assigned, or the
    dealer whose own engineer was assigned (``payload["dealer"]``); ``None`` for the maker's people."""
    assignee = payload.get("assignee")
    if not isinstance(assignee, dict):
        return None
    found = assignee.get("id") if assignee.get("kind") == "dealer" else payload.get("dealer")
    return found if isinstance(found, str) else None


def held_dealer(events: Sequence[TicketEvent]) -> str | None:
    """The dealer holding the ticket after ``events`` (its latest assignment), if any."""
    for event in reversed(events):
        if event.action in ("assign", "reassign") and event.payload:
            return dealer_of(event.payload)
    return None


def _dealer_start(dealer: str | None, index: int, start: int | None, caller: object) -> int | None:
    """Where a dispatch to ``dealer`` starts its clock: at the call when the dealer took it itself (and no
    one else has held it since: ``caller`` is then cleared), else at the dispatch (seed 002:
    乙方接到用户的叫修(或者是甲方的电话通知)后); ``None`` when not to a dealer."""
    if dealer is None:
        return None
    if caller is not None and start is not None and dealer == caller:
        return start
    return index


def _dealer_change(extensions: dict[str, int | None], dealer_targets: Sequence[str]) -> None:
    """Drop the special cases approved on the clocks that count from a dealer's dispatch: the ticket
    left that dealer's hands. Seed 002 (乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24小时之内…,
    特殊情况不得超过48小时): the special case is granted to the dealer bound by the 24 hours; another
    dealer given the job is a new call with its own 24 hours, and its own special case if the maker
    approves one (``extend_sla`` again). Kept, it gave the new dealer 48 hours nobody approved."""
    for name in dealer_targets:
        extensions.pop(name, None)


# Codes of the steps the clock reads (dict lookup: one probe instead of a chain of string compares).
_OPENS, _DONE, _ACCEPT, _REJECT, _CANCEL, _CALLBACK, _ASSIGN, _UNACCEPTED = range(8)
STEP_CODES: dict[str, int] = {
    "opened": _OPENS,
    "reopen": _OPENS,
    "resolve": _DONE,
    "confirm": _ACCEPT,
    "reject": _REJECT,
    "cancel": _CANCEL,
    "withdraw": _CANCEL,  # a complaint the customer withdrew: its clocks stop as a cancelled ticket's
    # A resolved ticket closed unaccepted (its customer's data erased): its resolution and callback
    # clocks stop there, unmet; the response and arrival clocks stopped at the work done, as before.
    "close_unaccepted": _UNACCEPTED,
    "record_callback": _CALLBACK,
    "assign": _ASSIGN,
    "reassign": _ASSIGN,
}


STEPS_BUT_ASSIGN = frozenset(action for action, code in STEP_CODES.items() if code != _ASSIGN)
"""The steps the clock reads when no target starts at the dealer's dispatch (see ``unchanged_by``)."""


def starts_at_dispatch(targets: SlaTargets) -> bool:
    """Whether a target's clock starts at the dealer's dispatch (then an assignment is a clock input)."""
    return any(target.start == "dealer_dispatch" for target in targets.targets)


ARRIVAL_STEPS = frozenset({"start_work", "add_visit"})
"""Steps that can meet the arrival target."""


def read_cycle(events: Sequence[TicketEvent], targets: SlaTargets, count: int) -> Cycle:
    """One pass over the first ``count`` events (those at or before the instant asked about)."""
    pause_states = targets._pause_values
    response_actions = targets.response_actions
    acceptance = targets.acceptance
    # A callback counted from the result's entry (seed 003 二 5) is met by a call before the acceptance is
    # recorded; one counted from the acceptance only after it.
    callback = targets.get("callback")
    from_acceptance = acceptance and (callback is None or callback.start != "work_done")
    instants = [events[index].at_us for index in range(count)]
    cycle = Cycle(events, instants, count)
    # Locals, not attributes of the cycle object: this loop is the clock's hot path.
    start = response_met = arrival_met = done_at = accepted_at = callback_met = cancelled_at = None
    dealer_at = caller = unaccepted_at = None
    held: object = None  # the dealer holding the ticket (its latest assignment), if any
    state = None
    gaps: list[list[Any]] = []
    extensions: dict[str, int | None] = {}
    # A special case approved on a dealer's clock is that dealer's (see _dealer_change).
    dealer_targets = [target.name for target in targets.targets if target.start == "dealer_dispatch"]
    pause: list[Any] | None = None
    code_of = STEP_CODES.get
    # Seed 003 二 5: a complaint's resolution met at its solution given (domain.sla_solution).
    solutions = targets.resolution_actions
    solution_at: int | None = None
    for index in range(count):
        event = events[index]
        action = event.action
        payload = event.payload
        code = code_of(action)
        if code is not None:
            if code == _OPENS:
                start, gaps, extensions, pause = index, [], {}, None
                response_met = arrival_met = done_at = accepted_at = callback_met = cancelled_at = None
                unaccepted_at = solution_at = None
                # A reopen is a new call passed to the dealer still holding the ticket (it is told at once):
                # its contract clock runs from the reopen (seed 002: 乙方接到用户的叫修…24小时之内).
                dealer_at = index if held is not None and action == "reopen" else None
                if action == "opened":
                    held = None
                caller = payload.get(TAKEN_BY_DEALER_KEY) if payload else None
            elif code == _DONE:
                done_at = index
                if response_met is None and solved(event):
                    response_met = index  # solved before any contact: answered then (session 34)
            elif code == _ACCEPT:
                accepted_at = index
            elif code == _REJECT:
                # rework: the resolution clock never stopped (a rejected solution settled nothing either)
                done_at = accepted_at = callback_met = solution_at = None
            elif code == _CANCEL:
                cancelled_at = index
            elif code == _UNACCEPTED:
                unaccepted_at = index
            elif code == _CALLBACK:
                if callback_met is None and (accepted_at if from_acceptance else done_at) is not None:
                    callback_met = index
            elif payload:
                dealer = dealer_of(payload)
                began = _dealer_start(dealer, index, start, caller)
                # A dispatch to the dealer already holding the ticket is no new call: its clock runs on
                # (else a dealer could restart its own 24 hours by dispatching the ticket to itself).
                if dealer is None or dealer != held or dealer_at is None:
                    dealer_at = began
                if held is not None and dealer != held and dealer_targets:
                    _dealer_change(extensions, dealer_targets)
                held = dealer
                if dealer != caller:
                    # Taken out of the calling dealer's hands: passed back later, it is the maker's notice
                    # (甲方的电话通知), a new call whose 24 hours run from that dispatch, not from the call.
                    caller = None
        if (
            action in response_actions
            and (response_met is None or (payload and CONTACTED_AT_KEY in payload))
            and is_response(event, response_actions)
        ):
            # The earliest contact answers (seed 003 二 3): one entered later may have been made earlier.
            made = _contacted(event, index, start, cycle)
            if response_met is None or cycle.micros[made] < cycle.micros[response_met]:
                response_met = made
        if solutions and solution_at is None and action in solutions and event.actor.role in _STAFF:
            solution_at = index
        if arrival_met is None:
            if action == "start_work":
                arrival_met = index
            elif action == "add_visit" and start is not None:
                arrival_met = _arrival(event, index, start, cycle)
        if payload and SLA_EXTENSION_KEY in payload:
            limit = _extension_limit(payload.get(EXTENSION_LIMIT_KEY))
            for name in _extension_names(payload[SLA_EXTENSION_KEY]):
                extensions[name] = limit
        state = event.to_state
        if state in pause_states:
            if pause is None:
                pause = [index, None]
                gaps.append(pause)
        elif pause is not None:
            pause[1] = index
            pause = None
    cycle.start, cycle.state, cycle.gaps, cycle.extensions = start, state, gaps, extensions
    cycle.response_met, cycle.arrival_met, cycle.done_at = response_met, arrival_met, done_at
    cycle.accepted_at, cycle.callback_met, cycle.cancelled_at = accepted_at, callback_met, cancelled_at
    cycle.dealer_at, cycle.unaccepted_at, cycle.solution_at = dealer_at, unaccepted_at, solution_at
    cycle.held = held if isinstance(held, str) else None
    cycle.caller = caller if isinstance(caller, str) else None
    return cycle
