"""The SLA clock: due times, elapsed and remaining time, warnings and breaches, derived from the event log.

Nothing here is a counter. The status of a ticket at an instant is recomputed from its events (those at or
before that instant), its targets and a working calendar, so it is the same whoever asks and whenever they
ask, and a policy change re-derives it consistently.

Rules (issues 4 and 18, ``domain.md`` SLA, seeds 000–004):

* Every target of a cycle starts when the ticket is opened (or reopened), except ``callback``, which starts
  at the customer's acceptance (``confirm``), and a target whose ``start`` is ``dealer_dispatch`` (the seed
  002 dealer contract), which starts when the ticket is dispatched to a dealer (the latest such dispatch).
  A *cycle* ends at a ``reopen``: the targets are then measured from the reopen.
* The clock pauses while the ticket is in one of the targets' ``pause_states`` (awaiting the customer, and
  awaiting parts where the policy says so). Resolving from a paused state closes the pause.
* ``resolution`` is met at the customer's acceptance (``confirm``) when ``SlaTargets.acceptance`` is set
  (service tickets), else at ``resolve`` (complaints: "handled"). A ``reject`` (rework) does not stop it:
  the customer has accepted nothing, so the time between the work-done mark and the rejection counts.
  ``cancel`` stops every clock.
* ``response`` is met by the first customer-facing contact (:data:`RESPONSE_ACTIONS`: a visible note to the
  customer, a logged contact, a planned visit — seed 003 响应: 与客户取得联系, 告知预计上门或解决时间), taken
  by staff; a pack may name more steps (``SlaTargets.response_actions``). Triage is not a response.
  ``arrival`` is met by the first ``start_work`` or ``add_visit`` with ``arrived_at``; ``callback`` by the
  first ``record_callback`` after the acceptance.
* Bases: ``working`` counts working time on the calendar; ``working_days`` is ``N × the calendar's
  working-day length`` of working time (2 working days from Mon 10:00 on an 8-hour day: Wed 10:00);
  ``end_of_day`` is the other reading, "by the end of the N-th following working day" (Mon 10:00 → Wed
  18:00); ``calendar`` counts wall-clock time (the dealer contract's 24 hours).
* Due instants are exact: the earliest instant at which the accrued time equals the target (a window may
  end at 12:00 or 18:00, so may a due). Every instant a status shows is in the calendar's time zone.
* An approved extension (seed 002: 48 h at most, in special cases) is an ``extend_sla`` event whose payload
  names the target (:data:`SLA_EXTENSION_KEY`) and the new limit (``new_limit_seconds``; the target's
  ``extended_to`` when absent); the latest applies. ``sla_status(..., extensions=...)`` accepts approvals
  held elsewhere.
* A due instant that lies past the calendar's official holiday data (``BusinessCalendar.official_until``)
  is *provisional*: computed on the statutory holidays alone, to be recomputed when the data arrives.

Cost: one pass over the events; then every instant the working targets read is put on the calendar's
working-time line in one ``BusinessCalendar.offsets_us`` call, the measuring is integer arithmetic, and each
working target maps its deadline (and warning) back with ``instant_at`` calls.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import EPOCH, micros, require_aware
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ValidationError

__all__ = [
    "BASES",
    "RESPONSE_ACTIONS",
    "SLA_EXTENSION_KEY",
    "STARTS",
    "TARGET_NAMES",
    "ClockPhase",
    "SlaDueTimes",
    "SlaState",
    "SlaStatus",
    "SlaTarget",
    "SlaTargets",
    "SlaTimeline",
    "TargetStatus",
    "due_times",
    "rederive",
    "sla_status",
    "sla_timeline",
]

TARGET_NAMES = ("response", "arrival", "resolution", "callback")
"""The targets a ticket can have, in the order statuses list them."""

BASES = ("working", "calendar", "working_days", "end_of_day")
"""How a target's duration is counted: working time, wall-clock time, N working-day lengths of working
time, or "by the end of the N-th following working day"."""

STARTS = ("opened", "dealer_dispatch")
"""When a target's clock starts: at the opening (or reopen), or at the dispatch to a dealer (seed 002)."""

SLA_EXTENSION_KEY = "sla_extension"
"""Payload key of an event that approves a target's extension (a target name or a list of them)."""

EXTENSION_LIMIT_KEY = "new_limit_seconds"
"""Payload key of an extension event holding the new limit in seconds (the target's maximum when absent)."""

RESPONSE_ACTIONS = frozenset({"note_to_customer", "contact_customer", "add_visit"})
"""Customer-facing steps that count as the first response when staff take them (seed 003: contacting the
customer and telling them the expected visit or solution time). An internal note does not count."""

_STAFF = frozenset(Role) - {Role.CUSTOMER, Role.SYSTEM, Role.AUDITOR}
_NOT_PAUSABLE = frozenset(
    {TicketState.RESOLVED, TicketState.ACCEPTED, TicketState.CLOSED, TicketState.CANCELLED}
)
_FINAL = frozenset({TicketState.CLOSED.value, TicketState.CANCELLED.value})
_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def _us(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


# -- targets ---------------------------------------------------------------------------------------------


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in TARGET_NAMES:
        raise ValidationError(
            f"target name must be one of {', '.join(TARGET_NAMES)}, got {value!r}", field="name"
        )


def _check_basis(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in BASES:
        raise ValidationError(f"basis must be one of {', '.join(BASES)}, got {value!r}", field="basis")


def _check_start(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in STARTS:
        raise ValidationError(f"start must be one of {', '.join(STARTS)}, got {value!r}", field="start")


def _positive_duration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "extended_to":
        return
    if not isinstance(value, timedelta) or value <= _ZERO:
        raise ValidationError(
            f"{attribute.name} must be a positive timedelta, got {value!r}", field=attribute.name
        )


_DAY_BASES = frozenset({"working_days", "end_of_day"})


@attrs.frozen
class SlaTarget:
    """One time limit: ``name`` (response, arrival, resolution, callback), ``duration`` and its ``basis``.

    ``basis`` is ``working`` (working time on the calendar), ``calendar`` (wall-clock time, e.g. the seed 002
    dealer contract's 24 hours), ``working_days`` (``duration`` in whole days, each worth the calendar's
    working-day length of working time) or ``end_of_day`` (whole days: due at the end of working hours on
    the N-th following working day). ``extended_to`` is the longest the target may be extended to by an
    approval (seed 002: 48 h "in special cases"); ``None`` when it cannot be extended. ``start`` says when
    the clock starts (``opened``, or ``dealer_dispatch`` for the dealer contract).
    """

    name: str = attrs.field(validator=_check_name)
    duration: timedelta = attrs.field(validator=_positive_duration)
    basis: str = attrs.field(default="working", validator=_check_basis)
    extended_to: timedelta | None = attrs.field(default=None, validator=_positive_duration)
    start: str = attrs.field(default="opened", validator=_check_start)

    duration_us: int = attrs.field(init=False, repr=False, eq=False)
    """``duration`` in whole microseconds (the clock measures on integers)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "duration_us", _us(self.duration))
        if self.basis in _DAY_BASES:
            for value in (self.duration, self.extended_to):
                if value is not None and value % timedelta(days=1):
                    raise ValidationError(f"{self.basis} targets are whole days", field="duration")
        if self.extended_to is not None and self.extended_to < self.duration:
            raise ValidationError("extended_to must not be shorter than duration", field="extended_to")


def _share(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int | str):
        raise ValidationError(f"warn_at must be a number, got {value!r}", field="warn_at")
    share = Decimal(str(value))
    if not Decimal(0) < share <= Decimal(1):
        raise ValidationError(f"warn_at must be a share in (0, 1], got {value}", field="warn_at")
    return share


def _targets(value: Iterable[SlaTarget]) -> tuple[SlaTarget, ...]:
    found = tuple(value)
    names = [t.name for t in found if isinstance(t, SlaTarget)]
    if len(names) != len(found):
        raise ValidationError("targets must be SlaTarget values", field="targets")
    if len(set(names)) != len(names):
        raise ValidationError("each target name may appear once", field="targets")
    return tuple(sorted(found, key=lambda t: TARGET_NAMES.index(t.name)))


def _pause_states(value: Iterable[str]) -> frozenset[TicketState]:
    if isinstance(value, str):
        value = (value,)
    states: set[TicketState] = set()
    for item in value:
        try:
            state = TicketState(item)
        except ValueError:
            raise ValidationError(
                f"unknown ticket state {item!r} in pause_states", field="pause_states"
            ) from None
        if state in _NOT_PAUSABLE:
            raise ValidationError(f"{state.value} cannot pause the clock", field="pause_states")
        states.add(state)
    return frozenset(states)


def _actions(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    found = frozenset(value)
    if not found or not all(isinstance(item, str) and item for item in found):
        raise ValidationError("response_actions must name at least one step", field="response_actions")
    return found


@attrs.frozen
class SlaTargets:
    """The targets that apply to one ticket, when to warn, and which states pause the clock.

    ``warn_at`` is the share of a target's window after which it is at risk (default 0.8, stored as a
    Decimal so the threshold is exact). ``pause_states`` default to awaiting the customer.
    ``response_actions`` are the steps that count as the first response. ``acceptance`` says the resolution
    is met at the customer's acceptance (``confirm``) and the callback counts from it; without it (complaints)
    both use ``resolve``.
    """

    targets: tuple[SlaTarget, ...] = attrs.field(converter=_targets)
    warn_at: Decimal = attrs.field(default=Decimal("0.8"), converter=_share)
    pause_states: frozenset[TicketState] = attrs.field(
        default=frozenset({TicketState.AWAITING_CUSTOMER}), converter=_pause_states
    )
    response_actions: frozenset[str] = attrs.field(default=RESPONSE_ACTIONS, converter=_actions)
    acceptance: bool = True
    # Derived once, read on every derivation: warn_at as an exact integer ratio, and whether any target
    # counts working time (only then do the instants go on the calendar).
    _warn_ratio: tuple[int, int] = attrs.field(init=False, repr=False, eq=False)
    _working: bool = attrs.field(init=False, repr=False, eq=False)
    _pause_values: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    _pending: dict[str, TargetStatus] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_warn_ratio", self.warn_at.as_integer_ratio())
        object.__setattr__(self, "_working", any(t.basis != "calendar" for t in self.targets))
        # The event log holds states as plain strings: matching them against plain strings is cheaper.
        object.__setattr__(self, "_pause_values", frozenset(s.value for s in self.pause_states))
        # A clock that has not started shows the same value every time: made once.
        object.__setattr__(self, "_pending", {t.name: _pending(t, t.duration) for t in self.targets})

    def get(self, name: str) -> SlaTarget | None:
        """The target called ``name``, or ``None`` when this ticket has none."""
        for target in self.targets:
            if target.name == name:
                return target
        return None


# -- status ----------------------------------------------------------------------------------------------


class ClockPhase(StrEnum):
    """Where a target's clock stands: not started, running, paused, met, or stopped without being met."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    STOPPED = "stopped"


class SlaState(StrEnum):
    """A target's state as a service manager reads it: breached wins over every other state."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"


@attrs.frozen
class TargetStatus:
    """One target at one instant.

    ``budget`` is the time the target allows in its basis (working time for the working bases, wall-clock
    time for ``calendar``); ``elapsed`` and ``remaining`` are in the same units, pauses excluded, and
    ``paused_time`` is the time the clock stood still. ``due_at`` (also ``deadline`` and ``due``) is the exact
    instant the budget runs out (projected from now while paused): the earliest instant at which the accrued
    time equals the budget. ``warning_at`` is when ``warn_at`` of the budget is used. ``started_at`` is when
    the clock actually started (the next working instant after the receipt, for working bases).
    ``breach`` is how far past the budget the clock went (or zero). ``warning`` means the target is still
    open, not breached, and at least ``warn_at`` of it is used. ``provisional`` marks a due computed on
    provisional holiday data. Every instant is in the calendar's time zone.
    """

    target: SlaTarget
    phase: ClockPhase
    # Filled lazily for working targets; JSON and repr show them under their public names.
    _started: datetime | None = attrs.field(eq=False, metadata={"json": "started_at"})
    deadline: datetime | None
    due_at: datetime | None
    budget: timedelta
    elapsed: timedelta
    met_at: datetime | None
    warning: bool
    extended: bool
    paused_time: timedelta = _ZERO
    _warn_instant: datetime | None = attrs.field(default=None, eq=False, metadata={"json": "warning_at"})
    provisional: bool = False
    # Working targets map their start and warning offsets back to instants only when asked: most readers
    # (the sweep, the ledger) need the due alone. (calendar, start offset, warning offset)
    _lazy: tuple[BusinessCalendar, int, int] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def started_at(self) -> datetime | None:
        """When the clock started (for working targets: the first working instant at or after the start)."""
        if self._started is None and self._lazy is not None:
            calendar, start, _ = self._lazy
            object.__setattr__(self, "_started", calendar.instant_at(start, last=True))
        return self._started

    @property
    def warning_at(self) -> datetime | None:
        """When ``warn_at`` of the budget is used (the earliest instant with that much accrued)."""
        if self._warn_instant is None and self._lazy is not None:
            calendar, _, warn = self._lazy
            object.__setattr__(self, "_warn_instant", calendar.instant_at(warn))
        return self._warn_instant

    @property
    def name(self) -> str:
        """The target's name."""
        return self.target.name

    @property
    def due(self) -> datetime | None:
        """The due instant (the same as ``due_at``)."""
        return self.due_at

    @property
    def paused(self) -> bool:
        """True while the clock is paused."""
        return self.phase is ClockPhase.PAUSED

    @property
    def state(self) -> SlaState:
        """Running, paused, met or breached (or pending / stopped); a breach shows even once met."""
        if self.elapsed > self.budget:
            return SlaState.BREACHED
        return SlaState(self.phase.value)

    @property
    def remaining(self) -> timedelta:
        """The budget left (zero once it is used up)."""
        return self.budget - self.elapsed if self.elapsed < self.budget else _ZERO

    @property
    def breached(self) -> bool:
        """True when the clock went past the budget (whether or not the target was met since)."""
        return self.elapsed > self.budget

    @property
    def breach(self) -> timedelta:
        """How far past the budget the clock went (zero when it did not)."""
        return self.elapsed - self.budget if self.elapsed > self.budget else _ZERO


@attrs.frozen
class SlaStatus:
    """Every target of a ticket at instant ``at``. ``closed`` when the ticket was closed or cancelled then."""

    at: datetime
    targets: tuple[TargetStatus, ...]
    closed: bool

    def get(self, name: str) -> TargetStatus | None:
        """The status of the target called ``name``, or ``None``."""
        for status in self.targets:
            if status.target.name == name:
                return status
        return None

    def __getitem__(self, name: str) -> TargetStatus:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    @property
    def warning(self) -> bool:
        """Some target is at risk."""
        return any(s.warning for s in self.targets)

    @property
    def breached(self) -> bool:
        """Some target is breached."""
        return any(s.breached for s in self.targets)

    @property
    def provisional(self) -> bool:
        """Some due instant rests on provisional holiday data."""
        return any(s.provisional for s in self.targets)


@attrs.frozen
class SlaDueTimes:
    """The due times a service stores on the ticket for ledger queries (``None`` when there is none yet)."""

    response_due_at: datetime | None
    resolution_due_at: datetime | None
    callback_due_at: datetime | None
    arrival_due_at: datetime | None = None
    provisional: bool = False


def due_times(status: SlaStatus) -> SlaDueTimes:
    """The due times of ``status``, by the ticket fields that hold them (the exact instants)."""

    def due(name: str) -> datetime | None:
        found = status.get(name)
        return found.due_at if found is not None else None

    return SlaDueTimes(
        due("response"), due("resolution"), due("callback"), due("arrival"), status.provisional
    )


# -- reading the event log -------------------------------------------------------------------------------


class _Cycle:
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
        "cancelled_at",
        "count",
        "dealer_at",
        "done_at",
        "events",
        "extensions",
        "extras",
        "gaps",
        "micros",
        "response_met",
        "start",
        "state",
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
        self.dealer_at: int | None = None
        self.extensions: dict[str, int | None] = {}

    def moment(self, index: int) -> datetime:
        """The datetime of instant ``index``."""
        if index < self.count:
            return self.events[index].at
        return self.extras[index - self.count]


def _arrival(event: TicketEvent, index: int, start: int, cycle: _Cycle) -> int | None:
    """The instant a visit says the engineer arrived, kept between the cycle start and the event."""
    raw = event.payload.get("arrived_at")
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


def _to_dealer(payload: object) -> bool:
    assignee = payload.get("assignee") if isinstance(payload, dict) else None
    return isinstance(assignee, dict) and assignee.get("kind") == "dealer"


# Codes of the steps the clock reads (dict lookup: one probe instead of a chain of string compares).
_OPENS, _DONE, _ACCEPT, _REJECT, _CANCEL, _CALLBACK, _ASSIGN = range(7)
_STEP_CODES: dict[str, int] = {
    "opened": _OPENS,
    "reopen": _OPENS,
    "resolve": _DONE,
    "confirm": _ACCEPT,
    "reject": _REJECT,
    "cancel": _CANCEL,
    "record_callback": _CALLBACK,
    "assign": _ASSIGN,
    "reassign": _ASSIGN,
}


_STEPS_BUT_ASSIGN = frozenset(action for action, code in _STEP_CODES.items() if code != _ASSIGN)
"""The steps the clock reads when no target starts at the dealer's dispatch (see ``unchanged_by``)."""


def _from_dispatch(targets: SlaTargets) -> bool:
    """Whether a target's clock starts at the dealer's dispatch (then an assignment is a clock input)."""
    return any(target.start == "dealer_dispatch" for target in targets.targets)


_ARRIVALS = frozenset({"start_work", "add_visit"})
"""Steps that can meet the arrival target."""


def _read(events: Sequence[TicketEvent], targets: SlaTargets, count: int) -> _Cycle:
    """One pass over the first ``count`` events (those at or before the instant asked about)."""
    pause_states = targets._pause_values
    response_actions = targets.response_actions
    acceptance = targets.acceptance
    instants = [events[index].at_us for index in range(count)]
    cycle = _Cycle(events, instants, count)
    # Locals, not attributes of the cycle object: this loop is the clock's hot path.
    start = response_met = arrival_met = done_at = accepted_at = callback_met = cancelled_at = None
    dealer_at = None
    state = None
    gaps: list[list[Any]] = []
    extensions: dict[str, int | None] = {}
    pause: list[Any] | None = None
    code_of = _STEP_CODES.get
    staff = _STAFF
    for index in range(count):
        event = events[index]
        action = event.action
        payload = event.payload
        code = code_of(action)
        if code is not None:
            if code == _OPENS:
                start, gaps, extensions, pause = index, [], {}, None
                response_met = arrival_met = done_at = accepted_at = callback_met = cancelled_at = None
                dealer_at = None
            elif code == _DONE:
                done_at = index
            elif code == _ACCEPT:
                accepted_at = index
            elif code == _REJECT:
                done_at = accepted_at = callback_met = None  # rework: the resolution clock never stopped
            elif code == _CANCEL:
                cancelled_at = index
            elif code == _CALLBACK:
                if callback_met is None and (accepted_at if acceptance else done_at) is not None:
                    callback_met = index
            elif payload:
                dealer_at = index if _to_dealer(payload) else None
        if (
            response_met is None
            and action in response_actions
            and event.actor.role in staff
            and not (action == "note_to_customer" and payload.get("visible") is False)
        ):
            response_met = index
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
    cycle.dealer_at = dealer_at
    return cycle


# -- measuring -------------------------------------------------------------------------------------------


def _in_zone(moment: datetime, zone: tzinfo) -> datetime:
    return moment if moment.tzinfo is zone else moment.astimezone(zone)


# Enum members read through the class cost a metaclass lookup each (≈0.2 µs): the hot path uses these.
_PENDING, _RUNNING, _PAUSED, _MET, _STOPPED = (
    ClockPhase.PENDING,
    ClockPhase.RUNNING,
    ClockPhase.PAUSED,
    ClockPhase.MET,
    ClockPhase.STOPPED,
)


def _pending(target: SlaTarget, budget: timedelta) -> TargetStatus:
    return TargetStatus(target, _PENDING, None, None, None, budget, _ZERO, None, False, False)


def _spans(gaps: list[list[Any]], position: list[int]) -> list[tuple[int, int | None]]:
    """The pauses as offsets ``(low, high | None)``, in time order (``None``: still paused)."""
    return [(position[low], None if high is None else position[high]) for low, high in gaps]


def _reach(amount: int, begin: int, finish: int, elapsed: int, spans: list[tuple[int, int | None]]) -> int:
    """The offset at which ``amount`` of clock time has accrued from ``begin``, skipping the pauses.

    Past the measured stretch (``elapsed < amount``) the clock is projected to run on from ``finish``.
    """
    if elapsed < amount:
        return finish + amount - elapsed
    reached = begin + amount
    for low, high in spans:
        if low >= reached or low >= finish:
            break
        if high is None or high > finish:
            high = finish
        if low < begin:
            low = begin
        if high > low:
            reached += high - low
    return reached


_SHORT_LOG = 16


class _Running:
    """A target whose clock runs (or is paused) at the end of the log: what its status at a later instant
    needs, measured once. Offsets are on the target's line (working time, or µs for ``calendar``).
    Never changed once made (a plain class: made on every measuring, attrs' frozen set-up costs more).

    ``paused`` is the closed pauses inside the window; ``open_from`` where a pause still open started
    (then the clock stands: ``elapsed`` is fixed); ``deadline_at``/``warn_at`` the budget's and the
    warning's end when they no longer move with the instant asked about (``None``: projected from it).
    """

    __slots__ = (
        "allowed",
        "begin",
        "budget",
        "deadline",
        "deadline_at",
        "elapsed",
        "extended",
        "open_from",
        "paused",
        "provisional",
        "started",
        "target",
        "warn_amount",
        "warn_at",
        "working",
    )

    def __init__(
        self,
        target: SlaTarget,
        extended: bool,
        allowed: timedelta,
        budget: int,
        warn_amount: int,
        working: bool,
        begin: int,
        paused: int,
        open_from: int | None,
        elapsed: int,
        deadline_at: int | None,
        warn_at: int | None,
        deadline: datetime | None,
        provisional: bool,
        started: datetime | None,
    ) -> None:
        self.target = target
        self.extended = extended
        self.allowed = allowed
        self.budget = budget
        self.warn_amount = warn_amount
        self.working = working
        self.begin = begin
        self.paused = paused
        self.open_from = open_from
        self.elapsed = elapsed
        self.deadline_at = deadline_at
        self.warn_at = warn_at
        self.deadline = deadline
        self.provisional = provisional
        self.started = started


def _measure(
    cycle: _Cycle, targets: SlaTargets, calendar: BusinessCalendar, approved: Collection[str]
) -> tuple[TargetStatus | _Running, ...]:
    """Every target measured up to the last event read: a final status for a target whose clock has
    stopped (met, stopped, not started), a :class:`_Running` for one whose clock still runs or stands.

    The working targets' instants go on the calendar's working-time line in one ``offsets_us`` call;
    ``position[i]`` is then the offset (µs) of the cycle's instant ``i`` and ``spans`` the pauses on the
    same line. Offsets are monotonic in time, so clipping a pause to a target's window is done on them.
    """
    instants = cycle.micros
    gaps = cycle.gaps
    working = instants
    working_spans: list[tuple[int, int | None]] = []
    if targets._working:
        first = instants[cycle.start or 0]
        measured = instants
        if first != instants[0]:  # a reopened ticket: the earlier cycles are not measured
            measured = [value if value > first else first for value in instants]
        # One instant at a time is cheaper for a short log than the batch's set-up.
        if len(measured) <= _SHORT_LOG:
            offset = calendar.offset_us
            working = [offset(value) for value in measured]
        else:
            working = calendar.offsets_us(measured)
        if gaps:
            working_spans = _spans(gaps, working)
    share, whole = targets._warn_ratio
    resolved = cycle.accepted_at if targets.acceptance else cycle.done_at
    extensions = cycle.extensions
    count = cycle.count
    zone = calendar.zone
    official = calendar.official_until
    found: list[TargetStatus | _Running] = []
    for target in targets.targets:
        name = target.name
        duration = target.duration
        extended = False
        if target.extended_to is not None and (name in extensions or name in approved):
            extended = True
            limit = extensions.get(name)
            duration = target.extended_to if limit is None else _MICROSECOND * limit
        basis = target.basis
        if basis == "calendar":
            position = instants
            spans = _spans(gaps, instants) if gaps and name != "callback" else working_spans
        else:
            position, spans = working, working_spans
        if name == "callback":
            start, met, spans = resolved, cycle.callback_met, []
            stop = met
        else:
            start = cycle.dealer_at if target.start == "dealer_dispatch" else cycle.start
            if name == "resolution":
                met = resolved
                stop = met if met is not None else cycle.cancelled_at
            else:
                met = cycle.response_met if name == "response" else cycle.arrival_met
                stop = met
                if stop is None:
                    stop = cycle.cancelled_at if cycle.cancelled_at is not None else cycle.done_at
            if met is not None and start is not None and met < start and met < count:
                met = stop = start  # met before this clock started (e.g. a response before the dispatch)
        if start is None:
            found.append(
                targets._pending[name] if duration is target.duration else _pending(target, duration)
            )
            continue
        if basis == "working" or basis == "calendar":
            budget = _us(duration) if extended else target.duration_us
            allowed = duration
        else:
            if basis == "working_days":
                budget = duration.days * _us(calendar.working_day_length)
            else:  # end_of_day
                moment = cycle.moment(start)
                budget = _us(calendar.between(moment, calendar.add_days(moment, duration.days)))
            allowed = _MICROSECOND * budget
        begin = position[start]
        warn_amount = -(-budget * share // whole)
        started: datetime | None = None
        if basis == "calendar":
            started = _in_zone(cycle.moment(start), zone)
        if stop is None:
            found.append(
                _running(target, extended, allowed, budget, warn_amount, begin, spans, started, calendar)
            )
            continue
        finish = position[stop]
        paused = 0
        for low, high in spans:
            if low >= finish:
                break
            if high is None or high > finish:
                high = finish
            if low < begin:
                low = begin
            if high > low:
                paused += high - low
        elapsed = finish - begin - paused
        if elapsed < warn_amount:  # neither reached yet: both projected from ``finish``
            deadline_at = finish + budget - elapsed
            warn_at = finish + warn_amount - elapsed
        else:
            deadline_at = _reach(budget, begin, finish, elapsed, spans)
            warn_at = _reach(warn_amount, begin, finish, elapsed, spans)
        provisional = False
        lazy: tuple[BusinessCalendar, int, int] | None = None
        if basis == "calendar":
            deadline = (EPOCH + _MICROSECOND * deadline_at).astimezone(zone)
            warning_at: datetime | None = (EPOCH + _MICROSECOND * warn_at).astimezone(zone)
        else:
            deadline = calendar.instant_at(deadline_at)
            warning_at = None
            lazy = (calendar, begin, warn_at)
            if official is not None:
                provisional = deadline.date() > official
        found.append(
            TargetStatus(
                target,
                _MET if met is not None else _STOPPED,
                started,
                deadline,
                deadline,
                allowed,
                _MICROSECOND * elapsed,
                None if met is None else _in_zone(cycle.moment(met), zone),
                False,
                extended,
                _MICROSECOND * paused if paused else _ZERO,
                warning_at,
                provisional,
                lazy,
            )
        )
    return tuple(found)


def _running(
    target: SlaTarget,
    extended: bool,
    allowed: timedelta,
    budget: int,
    warn_amount: int,
    begin: int,
    spans: list[tuple[int, int | None]],
    started: datetime | None,
    calendar: BusinessCalendar,
) -> _Running:
    """A running (or standing) clock measured up to its last pause: every later instant only adds to
    the running stretch, so the budget's end is fixed unless a pause is still open."""
    paused = 0
    open_from: int | None = None
    for low, high in spans:
        if low < begin:
            low = begin
        if high is None:
            open_from = low
        elif high > low:
            paused += high - low
    # With an open pause the clock stands at its start; without, elapsed grows with the instant.
    elapsed = 0 if open_from is None else open_from - begin - paused
    closed: list[tuple[int, int | None]] = [(low, high) for low, high in spans if high is not None]
    deadline_at: int | None = None
    warn_at: int | None = None
    for amount in (budget, warn_amount):
        if open_from is None:
            # (the measured stretch ends after the last pause: the amount accrues past it)
            fixed = _reach(amount, begin, 1 << 62, amount, closed)
        elif elapsed >= amount:
            fixed = _reach(amount, begin, open_from, elapsed, closed)
        else:
            continue  # projected from the instant asked about
        if amount is budget:
            deadline_at = fixed
        else:
            warn_at = fixed
    working = target.basis != "calendar"
    deadline: datetime | None = None
    provisional = False
    if deadline_at is not None:
        if working:
            deadline = calendar.instant_at(deadline_at)
            official = calendar.official_until
            provisional = official is not None and deadline.date() > official
        else:
            deadline = (EPOCH + _MICROSECOND * deadline_at).astimezone(calendar.zone)
    return _Running(
        target,
        extended,
        allowed,
        budget,
        warn_amount,
        working,
        begin,
        paused,
        open_from,
        elapsed,
        deadline_at,
        warn_at,
        deadline,
        provisional,
        started,
    )


class SlaTimeline:
    """A ticket's SLA clocks measured once from its event log, targets and calendar: an immutable value
    that gives the status at any instant with a few integer steps (:meth:`status`).

    Why: the measuring (a pass over the events, every instant put on the working-time line, due instants
    mapped back) depends only on the log, the targets and the calendar, not on the instant asked about.
    A host that asks about the same ticket again (``desk.sla``, the sweep, every command's due times) can
    keep the timeline per ticket and reuse it while the log is unchanged; asking about a later instant
    only adds to the running stretches. Asking about an instant before the last event measures the
    events up to then afresh.
    """

    __slots__ = (
        "_arrived",
        "_calendar",
        "_closed",
        "_count",
        "_dues",
        "_events",
        "_extensions",
        "_last",
        "_last_us",
        "_measured",
        "_responded",
        "_targets",
    )

    def __init__(
        self,
        events: tuple[TicketEvent, ...],
        targets: SlaTargets,
        calendar: BusinessCalendar,
        extensions: Collection[str],
        measured: tuple[TargetStatus | _Running, ...],
        closed: bool,
        met: tuple[bool, bool] = (False, False),
    ) -> None:
        # Whether the cycle's response and arrival are met: later steps of those kinds change nothing.
        self._responded, self._arrived = met
        self._count = len(events)
        self._last = events[-1] if events else None
        self._events: tuple[TicketEvent, ...] | None = events
        self._targets = targets
        self._calendar = calendar
        self._extensions = extensions
        self._measured = measured
        self._closed = closed
        self._last_us = events[-1].at_us if events else -(1 << 62)
        # The due instants when none moves with the instant asked about (every clock stopped, running
        # or paused past its budget): made on first use by :meth:`due_instants`, ``False`` when one does.
        self._dues: dict[str, datetime | None] | bool | None = None

    @property
    def events(self) -> int:
        """How many events of the log were measured."""
        return self._count

    def without_events(self) -> SlaTimeline:
        """This timeline holding no reference to the events (a host that keeps a timeline per ticket keeps
        no second copy of every log); it then answers only about instants at or after the last event."""
        light = SlaTimeline.__new__(SlaTimeline)
        # Slot by slot, not a loop of getattr/setattr: a host keeps one per ticket command that measures.
        light._responded, light._arrived = self._responded, self._arrived
        light._count, light._last, light._events = self._count, self._last, None
        light._targets, light._calendar, light._extensions = self._targets, self._calendar, self._extensions
        light._measured, light._closed, light._last_us = self._measured, self._closed, self._last_us
        light._dues = self._dues
        return light

    def unchanged_by(self, events: Sequence[TicketEvent]) -> bool:
        """True when ``events`` is the measured log followed only by steps that change no clock input, so
        this timeline measures ``events`` too: no step the clock reads (:data:`_STEP_CODES`, an assignment
        only when a target starts at the dealer's dispatch, a response or
        arrival step before the response or arrival is met, an extension), no move into or out of a pause
        state, none into or out of a final state. A note or a reserved part then costs no measuring."""
        count = self._count
        last = self._last
        if (
            last is None
            or len(events) < count
            or not (events[count - 1] is last or events[count - 1] == last)
        ):
            return False
        targets = self._targets
        pauses = targets._pause_values
        responses = targets.response_actions
        # An assignment is read only to start a clock that counts from the dealer's dispatch: without
        # such a target, dispatching changes the clocks only through its state (checked below).
        read = _STEP_CODES if _from_dispatch(targets) else _STEPS_BUT_ASSIGN
        state = last.to_state
        for index in range(count, len(events)):
            event = events[index]
            action = event.action
            if (
                action in read
                or (action in responses and not self._responded)
                or (action in _ARRIVALS and not self._arrived)
                or (event.payload and SLA_EXTENSION_KEY in event.payload)
            ):
                return False
            after = event.to_state
            if (after in pauses) != (state in pauses) or after in _FINAL or state in _FINAL:
                return False
            state = after
        return True

    def _log(self) -> tuple[TicketEvent, ...]:
        if self._events is None:
            raise ValidationError(
                "this timeline keeps no events: it answers about instants from its last event on",
                field="at",
            )
        return self._events

    def due_instants(self, at: datetime) -> dict[str, datetime | None]:
        """Each target's due instant at ``at`` (``None`` before its clock starts), by target name: what
        :meth:`status` shows as ``due_at``, without building the statuses (every command stores them)."""
        at_us = micros(require_aware(at, "at"))
        if at_us < self._last_us:
            past = _timeline(self._log(), self._targets, self._calendar, self._extensions, at_us)
            return past.due_instants(at)
        calendar = self._calendar
        if self._targets._working and self._count:
            calendar.require_known_us(at_us)  # as a status, ``at`` itself must be on known data
        fixed = self._dues
        if type(fixed) is dict:
            return dict(fixed)
        # ``at`` on the working-time line, taken only for a clock that stands with budget left (the one
        # due instant that moves with ``at``): every command derives its ticket's dues.
        now_work: int | None = None
        moving = False
        found: dict[str, datetime | None] = {}
        for item in self._measured:
            if type(item) is TargetStatus:
                found[item.target.name] = item.due_at
                continue
            assert isinstance(item, _Running)
            deadline = item.deadline
            if deadline is None:  # the clock stands with budget left: projected from ``at``
                moving = True
                if item.working:
                    if now_work is None:
                        now_work = calendar.offset_us(at_us) if self._count else 0
                    deadline = calendar.instant_at(now_work + item.budget - item.elapsed)
                else:
                    deadline = (EPOCH + _MICROSECOND * (at_us + item.budget - item.elapsed)).astimezone(
                        calendar.zone
                    )
            found[item.target.name] = deadline
        # Immutable datetimes, the same for every ``at`` from the last event on: kept, handed out as copies.
        self._dues = False if moving else dict(found)
        return found

    def status(self, at: datetime) -> SlaStatus:
        """The status of every target at instant ``at`` (as :func:`sla_status` computes it)."""
        return self._status(require_aware(at, "at"), micros(at))

    def _status(self, at: datetime, at_us: int) -> SlaStatus:
        if at_us < self._last_us:  # the past: only the events up to then count
            return _timeline(self._log(), self._targets, self._calendar, self._extensions, at_us)._status(
                at, at_us
            )
        calendar = self._calendar
        zone = calendar.zone
        measured = self._measured
        # Every instant of a status must be on known calendar data, the one asked about too.
        now_work = calendar.offset_us(at_us) if self._targets._working and self._count else 0
        share, whole = self._targets._warn_ratio
        found: list[TargetStatus] = []
        for item in measured:
            if type(item) is TargetStatus:
                found.append(item)
                continue
            assert isinstance(item, _Running)
            working = item.working
            now_pos = now_work if working else at_us
            budget = item.budget
            if item.open_from is None:
                paused = item.paused
                elapsed = now_pos - item.begin - paused
                phase = _RUNNING
            else:
                elapsed = item.elapsed
                paused = item.paused + now_pos - item.open_from
                phase = _PAUSED
            deadline = item.deadline
            provisional = item.provisional
            if deadline is None:  # the clock stands with budget left: the due moves with the instant
                deadline_at = now_pos + budget - elapsed
                if working:
                    deadline = calendar.instant_at(deadline_at)
                    official = calendar.official_until
                    provisional = official is not None and deadline.date() > official
                else:
                    deadline = (EPOCH + _MICROSECOND * deadline_at).astimezone(zone)
            warn_at = item.warn_at
            if warn_at is None:
                warn_at = now_pos + item.warn_amount - elapsed
            if working:
                warning_at = None
                lazy: tuple[BusinessCalendar, int, int] | None = (calendar, item.begin, warn_at)
            else:
                warning_at = (EPOCH + _MICROSECOND * warn_at).astimezone(zone)
                lazy = None
            found.append(
                TargetStatus(
                    item.target,
                    phase,
                    item.started,
                    deadline,
                    deadline,
                    item.allowed,
                    _MICROSECOND * elapsed,
                    None,
                    elapsed <= budget and elapsed * whole >= budget * share,
                    item.extended,
                    _MICROSECOND * paused if paused else _ZERO,
                    warning_at,
                    provisional,
                    lazy,
                )
            )
        return SlaStatus(at.astimezone(zone), tuple(found), self._closed)


def _timeline(
    events: Sequence[TicketEvent],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    approved: Collection[str],
    at_us: int | None = None,
) -> SlaTimeline:
    """The timeline of the events at or before ``at_us`` (all of them when ``None``)."""
    if not events or events[0].action != "opened":
        raise ValidationError(
            "an SLA clock needs the ticket's event log, starting with 'opened'", field="events"
        )
    count = len(events)
    if at_us is not None and events[-1].at_us > at_us:
        count = next(i for i, event in enumerate(events) if event.at_us > at_us)
    log = tuple(events) if count == len(events) else tuple(events[:count])
    cycle = _read(log, targets, count)
    if cycle.start is None:  # asked about an instant before the ticket was opened
        pending = tuple(_pending(t, t.duration) for t in targets.targets)
        return SlaTimeline(log, targets, calendar, approved, pending, False)
    measured = _measure(cycle, targets, calendar, approved)
    met = (cycle.response_met is not None, cycle.arrival_met is not None)
    return SlaTimeline(log, targets, calendar, approved, measured, cycle.state in _FINAL, met)


# -- entry points ----------------------------------------------------------------------------------------


def sla_timeline(
    events: Sequence[TicketEvent],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    *,
    extensions: Collection[str] = (),
) -> SlaTimeline:
    """The ticket's clocks measured from its whole event log (see :class:`SlaTimeline`); its
    ``status(at)`` equals ``sla_status(events, targets, calendar, at, extensions=extensions)``."""
    if not isinstance(targets, SlaTargets):
        raise ValidationError("targets must be SlaTargets", field="targets")
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    return _timeline(events, targets, calendar, frozenset(extensions))


def sla_status(
    events: Sequence[TicketEvent],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    at: datetime,
    *,
    extensions: Collection[str] = (),
) -> SlaStatus:
    """The status of every target in ``targets`` at instant ``at``, from the ticket's ``events``.

    Only events at or before ``at`` count, so asking about a past instant gives the status as it was then.
    ``extensions`` names targets whose extension (to their ``extended_to``) was approved outside the event
    log. Raises ``CalendarDataMissing`` when the calendar has no data for an instant involved.
    """
    require_aware(at, "at")
    if not isinstance(targets, SlaTargets):
        raise ValidationError("targets must be SlaTargets", field="targets")
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    at_us = micros(at)
    return _timeline(events, targets, calendar, extensions, at_us)._status(at, at_us)


def rederive(
    events: Sequence[TicketEvent],
    old_targets: SlaTargets,
    new_targets: SlaTargets,
    calendar: BusinessCalendar,
    at: datetime,
    *,
    extensions: Collection[str] = (),
) -> SlaStatus:
    """The status after an SLA policy change: open tickets take ``new_targets``, closed ones keep theirs.

    A ticket closed or cancelled at ``at`` keeps the targets it was closed under (its due times are history);
    an open one is re-derived from its whole event log with the new targets, so elapsed time and pauses carry
    over and only the budgets change.
    """
    require_aware(at, "at")
    state = None
    for event in events:
        if event.at > at:
            break
        state = event.to_state
    chosen = old_targets if state in _FINAL else new_targets
    return sla_status(events, chosen, calendar, at, extensions=extensions)
