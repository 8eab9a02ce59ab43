"""The SLA clock: due times, elapsed and remaining time, warnings and breaches, derived from the event log.

Nothing here is a counter. The status of a ticket at an instant is recomputed from its events (those at or
before that instant), its targets and a working calendar, so it is the same whoever asks and whenever they
ask, and a policy change re-derives it consistently.

Rules (issue 4, ``domain.md`` SLA):

* Every target of a cycle starts when the ticket is opened (or reopened), except ``callback``, which
  starts when the ticket is resolved. A *cycle* ends at a ``reopen``: the targets passed in are then
  measured from the reopen (pass the targets the policy decides for ``reopened=True``).
* The clock pauses while the ticket is in one of the targets' ``pause_states`` (awaiting the customer, and
  awaiting parts where the policy says so). Resolving from a paused state closes the pause.
* ``resolution`` stops at ``resolve``; a ``reject`` (rework after a refused acceptance) resumes it with the
  time already used. ``cancel`` stops every clock.
* ``response`` is met by the first staff action after the cycle starts (:data:`RESPONSE_ACTIONS`; an
  internal note does not count); ``arrival`` by the first ``start_work`` or ``add_visit`` with
  ``arrived_at`` (its ``arrived_at`` is the instant); ``resolution`` by the last ``resolve`` that was not
  rejected; ``callback`` by the first ``record_callback`` after that resolve.
* ``working`` targets count working time on the calendar, ``working_days`` targets run to the end of working
  hours on the n-th working day (``BusinessCalendar.add_days``) and then count as that much working time,
  ``calendar`` targets count wall-clock time (the dealer contract's 24 hours), pauses included the same way.
* A due time out of working hours is shown (``due_at``) as the calendar's next working instant; ``deadline``
  keeps the exact instant. Wall-clock targets have no working hours: their ``due_at`` is exact.
* An approved extension (seed 002: 48 h at most in special cases approved by the maker) is an event whose
  payload holds :data:`SLA_EXTENSION_KEY` naming the target(s); from then on the target's ``extended_to``
  applies. ``sla_status(..., extensions=...)`` accepts approvals held elsewhere.

Cost: one pass over the events; then every instant the working targets read is put on the calendar's
working-time line in one ``BusinessCalendar.offsets`` call, the measuring is integer arithmetic, and each
working target maps its deadline back with two ``instant_at`` calls (``working_days`` targets add two more).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import require_aware
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ValidationError

__all__ = [
    "BASES",
    "RESPONSE_ACTIONS",
    "SLA_EXTENSION_KEY",
    "TARGET_NAMES",
    "ClockPhase",
    "SlaDueTimes",
    "SlaStatus",
    "SlaTarget",
    "SlaTargets",
    "TargetStatus",
    "due_times",
    "rederive",
    "sla_status",
]

TARGET_NAMES = ("response", "arrival", "resolution", "callback")
"""The targets a ticket can have, in the order statuses list them."""

BASES = ("working", "calendar", "working_days")
"""How a target's duration is counted: working time, wall-clock time, or whole working days."""

SLA_EXTENSION_KEY = "sla_extension"
"""Payload key of an event that approves a target's extension (a target name or a list of them)."""

RESPONSE_ACTIONS = frozenset(
    {
        "triage",
        "assign",
        "reassign",
        "note_to_customer",
        "start_work",
        "await_customer",
        "add_visit",
        "record_fault",
        "resolve",
    }
)
"""Actions that count as the first response when staff (not the customer or the system) take them."""

_STAFF = frozenset(Role) - {Role.CUSTOMER, Role.SYSTEM, Role.AUDITOR}
_NOT_PAUSABLE = frozenset({TicketState.RESOLVED, TicketState.CLOSED, TicketState.CANCELLED})
_FINAL = frozenset({TicketState.CLOSED.value, TicketState.CANCELLED.value})
_ZERO = timedelta(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- targets ---------------------------------------------------------------------------------------------


def _check_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in TARGET_NAMES:
        raise ValidationError(
            f"target name must be one of {', '.join(TARGET_NAMES)}, got {value!r}", field="name"
        )


def _check_basis(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in BASES:
        raise ValidationError(f"basis must be one of {', '.join(BASES)}, got {value!r}", field="basis")


def _positive_duration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "extended_to":
        return
    if not isinstance(value, timedelta) or value <= _ZERO:
        raise ValidationError(
            f"{attribute.name} must be a positive timedelta, got {value!r}", field=attribute.name
        )


@attrs.frozen
class SlaTarget:
    """One time limit: ``name`` (response, arrival, resolution, callback), ``duration`` and its ``basis``.

    ``basis`` is ``working`` (working time on the calendar), ``calendar`` (wall-clock time, e.g. the seed 002
    dealer contract's 24 hours) or ``working_days`` (``duration`` in whole days: due at the end of working
    hours on that working day). ``extended_to`` is the longest the target may be extended to by an approval
    (seed 002: 48 h "in special cases"); ``None`` when it cannot be extended.
    """

    name: str = attrs.field(validator=_check_name)
    duration: timedelta = attrs.field(validator=_positive_duration)
    basis: str = attrs.field(default="working", validator=_check_basis)
    extended_to: timedelta | None = attrs.field(default=None, validator=_positive_duration)

    def __attrs_post_init__(self) -> None:
        if self.basis == "working_days":
            for value in (self.duration, self.extended_to):
                if value is not None and value % timedelta(days=1):
                    raise ValidationError("working_days targets are whole days", field="duration")
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


@attrs.frozen
class SlaTargets:
    """The targets that apply to one ticket, when to warn, and which states pause the clock.

    ``warn_at`` is the share of a target's window after which it is at risk (default 0.8, stored as a
    Decimal so the threshold is exact). ``pause_states`` default to awaiting the customer.
    """

    targets: tuple[SlaTarget, ...] = attrs.field(converter=_targets)
    warn_at: Decimal = attrs.field(default=Decimal("0.8"), converter=_share)
    pause_states: frozenset[TicketState] = attrs.field(
        default=frozenset({TicketState.AWAITING_CUSTOMER}), converter=_pause_states
    )

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


@attrs.frozen
class TargetStatus:
    """One target at one instant.

    ``budget`` is the time the target allows in its basis (working time for ``working`` and ``working_days``,
    wall-clock time for ``calendar``); ``elapsed`` and ``remaining`` are in the same units, pauses excluded.
    ``deadline`` is the exact instant the budget runs out (projected from now while paused); ``due_at`` the
    same shown as the next working instant. ``breach`` is how far past the budget the clock went (or zero).
    ``warning`` means the target is still open, not breached, and at least ``warn_at`` of it is used.
    """

    target: SlaTarget
    phase: ClockPhase
    started_at: datetime | None
    deadline: datetime | None
    due_at: datetime | None
    budget: timedelta
    elapsed: timedelta
    remaining: timedelta
    met_at: datetime | None
    warning: bool
    breached: bool
    breach: timedelta
    extended: bool

    @property
    def name(self) -> str:
        """The target's name."""
        return self.target.name

    @property
    def paused(self) -> bool:
        """True while the clock is paused."""
        return self.phase is ClockPhase.PAUSED


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

    @property
    def warning(self) -> bool:
        """Some target is at risk."""
        return any(s.warning for s in self.targets)

    @property
    def breached(self) -> bool:
        """Some target is breached."""
        return any(s.breached for s in self.targets)


@attrs.frozen
class SlaDueTimes:
    """The due times a service stores on the ticket for ledger queries (``None`` when there is none yet)."""

    response_due_at: datetime | None
    resolution_due_at: datetime | None
    callback_due_at: datetime | None
    arrival_due_at: datetime | None = None


def due_times(status: SlaStatus) -> SlaDueTimes:
    """The displayed due times of ``status``, by the ticket fields that hold them."""

    def due(name: str) -> datetime | None:
        found = status.get(name)
        return found.due_at if found is not None else None

    return SlaDueTimes(due("response"), due("resolution"), due("callback"), due("arrival"))


# -- reading the event log -------------------------------------------------------------------------------


@attrs.define(slots=True)
class _Cycle:
    """What one pass over the events finds about the current cycle (since the opening or last reopen)."""

    start: datetime | None = None
    state: str | None = None
    gaps: list[list[Any]] = attrs.field(factory=list)  # [start, end | None, working measure | None, kind]
    response_met: datetime | None = None
    arrival_met: datetime | None = None
    resolved_at: datetime | None = None
    callback_met: datetime | None = None
    cancelled_at: datetime | None = None
    extensions: set[str] = attrs.field(factory=set)

    def restart(self, at: datetime) -> None:
        self.start = at
        self.gaps = []
        self.response_met = self.arrival_met = self.resolved_at = None
        self.callback_met = self.cancelled_at = None
        self.extensions = set()


def _arrived_at(event: TicketEvent, start: datetime) -> datetime | None:
    raw = event.payload.get("arrived_at")
    if raw is None:
        return None
    try:
        arrived = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    except ValueError:
        return event.at
    if arrived.tzinfo is None:
        return event.at
    return min(max(arrived, start), event.at)


def _extension_names(raw: object) -> Iterable[str]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list | tuple):
        return [item for item in raw if isinstance(item, str)]
    return ()


def _read(events: Sequence[TicketEvent], pause_states: frozenset[TicketState], at: datetime) -> _Cycle:
    cycle = _Cycle()
    if not events or events[0].action != "opened":
        raise ValidationError(
            "an SLA clock needs the ticket's event log, starting with 'opened'", field="events"
        )
    paused = False
    for event in events:
        when = event.at
        if when > at:
            break
        action = event.action
        if action in ("opened", "reopen"):
            cycle.restart(when)
            paused = False
        elif action == "resolve":
            cycle.resolved_at = when
        elif action == "reject":
            if cycle.resolved_at is not None:
                cycle.gaps.append([cycle.resolved_at, when, None, "resolved"])
            cycle.resolved_at = None
            cycle.callback_met = None
        elif action == "cancel":
            cycle.cancelled_at = when
        elif action == "record_callback" and cycle.resolved_at is not None and cycle.callback_met is None:
            cycle.callback_met = when
        if (
            cycle.response_met is None
            and action in RESPONSE_ACTIONS
            and event.actor.role in _STAFF
            and not (action == "note_to_customer" and event.payload.get("visible") is False)
        ):
            cycle.response_met = when
        if cycle.arrival_met is None:
            if action == "start_work":
                cycle.arrival_met = when
            elif action == "add_visit" and cycle.start is not None:
                cycle.arrival_met = _arrived_at(event, cycle.start)
        if event.payload and SLA_EXTENSION_KEY in event.payload:
            cycle.extensions.update(_extension_names(event.payload[SLA_EXTENSION_KEY]))
        now_paused = event.to_state in pause_states
        if paused and not now_paused:
            cycle.gaps[-1][1] = when
        elif now_paused and not paused:
            cycle.gaps.append([when, None, None, "paused"])
        paused = now_paused
        cycle.state = event.to_state
    cycle.gaps.sort(key=lambda gap: gap[0])
    return cycle


# -- measuring -------------------------------------------------------------------------------------------


_MICROSECOND = timedelta(microseconds=1)


def _us(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def _wall_us(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@attrs.define(slots=True)
class _Span:
    """One started target before measuring: its window ``start`` … ``end`` and the gaps inside it."""

    target: SlaTarget
    duration: timedelta
    extended: bool
    start: datetime
    end: datetime
    met: datetime | None
    stop: datetime | None
    gaps: list[list[Any]]

    @property
    def working(self) -> bool:
        return self.target.basis != "calendar"

    def instants(self) -> list[datetime]:
        """Every instant the measuring reads: the ends of the window and the gap ends inside it."""
        start, end = self.start, self.end
        found = [start, end]
        for gap in self.gaps:
            if gap[0] >= end:
                break
            if gap[0] > start:
                found.append(gap[0])
            if gap[1] is not None and start < gap[1] < end:
                found.append(gap[1])
        return found


def _span(target: SlaTarget, cycle: _Cycle, at: datetime, approved: Collection[str]) -> _Span | TargetStatus:
    name = target.name
    extended = target.extended_to is not None and (name in cycle.extensions or name in approved)
    duration = target.extended_to if extended and target.extended_to is not None else target.duration
    gaps: list[list[Any]] = cycle.gaps
    met: datetime | None
    if name == "callback":
        start, met, gaps = cycle.resolved_at, cycle.callback_met, []
        stop = met
    else:
        start = cycle.start
        if name == "response":
            met = cycle.response_met
            gaps = [gap for gap in gaps if gap[3] == "paused"]
            stop = met or cycle.cancelled_at
        elif name == "arrival":
            met = cycle.arrival_met
            stop = met or cycle.cancelled_at or cycle.resolved_at
        else:
            met = cycle.resolved_at
            stop = met or cycle.cancelled_at
    if start is None:
        return _pending(target, duration)
    return _Span(target, duration, extended, start, stop if stop is not None else at, met, stop, gaps)


def _pending(target: SlaTarget, budget: timedelta) -> TargetStatus:
    return TargetStatus(
        target, ClockPhase.PENDING, None, None, None, budget, _ZERO, budget, None, False, False, _ZERO, False
    )


def _status(
    span: _Span,
    position: dict[datetime, int],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    at: datetime,
) -> TargetStatus:
    """Measure one target on integers: ``position`` maps each instant of the span to its offset (µs)."""
    target, start, end, gaps = span.target, span.start, span.end, span.gaps
    working = span.working
    if target.basis == "working_days":
        budget = _us(calendar.between(start, calendar.add_days(start, span.duration.days)))
    else:
        budget = _us(span.duration)
    begin = position[start]
    elapsed = position[end] - begin
    measured: list[tuple[datetime, int]] = []  # (gap start, clipped measure) of gaps starting in the window
    for gap in gaps:
        if gap[0] >= end:
            break
        low = gap[0] if gap[0] > start else start
        high = end if gap[1] is None or gap[1] > end else gap[1]
        if high > low:
            elapsed -= position[high] - position[low]
            if gap[0] >= start:
                measured.append((gap[0], position[high] - position[low]))
    if elapsed < budget:
        base, deadline_at = end, position[end] + budget - elapsed
    else:  # the budget ran out: find when, shifting past every gap that began before it
        base, deadline_at = start, begin + budget
        for gap_start, length in measured:
            if position[gap_start] >= deadline_at:
                break
            deadline_at += length
    if working:
        deadline = calendar.instant_at(deadline_at)
        due = calendar.instant_at(deadline_at, last=True)
    else:
        deadline = due = base + _MICROSECOND * (deadline_at - position[base])
    met = span.met
    if met is not None:
        phase = ClockPhase.MET
    elif span.stop is not None:
        phase = ClockPhase.STOPPED
    elif gaps and gaps[-1][1] is None and gaps[-1][0] <= at:
        phase = ClockPhase.PAUSED
    else:
        phase = ClockPhase.RUNNING
    breached = elapsed > budget
    open_ = phase is ClockPhase.RUNNING or phase is ClockPhase.PAUSED
    warning = open_ and not breached and Decimal(elapsed) / Decimal(budget) >= targets.warn_at
    return TargetStatus(
        target=target,
        phase=phase,
        started_at=start,
        deadline=deadline,
        due_at=due,
        budget=_MICROSECOND * budget,
        elapsed=_MICROSECOND * elapsed,
        remaining=_MICROSECOND * (budget - elapsed) if elapsed < budget else _ZERO,
        met_at=met,
        warning=warning,
        breached=breached,
        breach=_MICROSECOND * (elapsed - budget) if breached else _ZERO,
        extended=span.extended,
    )


def _statuses(
    cycle: _Cycle,
    targets: SlaTargets,
    calendar: BusinessCalendar,
    at: datetime,
    approved: Collection[str],
) -> tuple[TargetStatus, ...]:
    """Every target's status, converting each instant the working targets read once (one calendar call)."""
    found = [_span(target, cycle, at, approved) for target in targets.targets]
    spans = [item for item in found if isinstance(item, _Span)]
    working: list[datetime] = []
    wall: list[datetime] = []
    for span in spans:
        (working if span.working else wall).extend(span.instants())
    distinct = list(dict.fromkeys(working))  # targets share most instants (the start, the pauses)
    offsets = dict(zip(distinct, calendar.offsets(distinct), strict=True)) if distinct else {}
    clock = {instant: _wall_us(instant) for instant in wall}
    return tuple(
        item
        if isinstance(item, TargetStatus)
        else _status(item, offsets if item.working else clock, targets, calendar, at)
        for item in found
    )


# -- entry points ----------------------------------------------------------------------------------------


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
    ``extensions`` names targets whose extension was approved outside the event log. Raises
    ``CalendarDataMissing`` when the calendar has no data for an instant involved.
    """
    require_aware(at, "at")
    if not isinstance(targets, SlaTargets):
        raise ValidationError("targets must be SlaTargets", field="targets")
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    cycle = _read(events, targets.pause_states, at)
    if cycle.start is None:  # asked about an instant before the ticket was opened
        statuses = tuple(_pending(t, t.duration) for t in targets.targets)
    else:
        statuses = _statuses(cycle, targets, calendar, at, extensions)
    return SlaStatus(at, statuses, cycle.state in _FINAL)


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
