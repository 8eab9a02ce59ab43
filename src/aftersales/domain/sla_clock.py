"""The SLA clock: due times, elapsed and remaining time, warnings and breaches, derived from the event log.

Nothing here is a counter. The status of a ticket at an instant is recomputed from its events (those at or
before that instant), its targets and a working calendar, so it is the same whoever asks and whenever they
ask, and a policy change re-derives it consistently.

Rules (issues 4 and 18, ``domain.md`` SLA, seeds 000–004):

* Every target of a cycle starts when the ticket is opened (or reopened), except ``callback``, which starts
  at the customer's acceptance (``confirm``), and a target whose ``start`` is ``dealer_dispatch`` (the seed
  002 dealer contract), which starts when the ticket is dispatched to a dealer (the latest such dispatch).
  A *cycle* ends at a ``reopen``: the targets are then measured from the reopen (the dealer's too, when the
  ticket is still with a dealer: the reopen is a new call passed to it).
* The clock pauses while the ticket is in one of the targets' ``pause_states`` (awaiting the customer, and
  awaiting parts where the policy says so). Resolving from a paused state closes the pause.
* ``resolution`` is met at the customer's acceptance (``confirm``) when ``SlaTargets.acceptance`` is set
  (service tickets), else at ``resolve`` (complaints: "handled"), or by a step of
  ``SlaTargets.resolution_actions`` when given (seed 003 二 5: a complaint's solution given,
  :mod:`~aftersales.domain.sla_solution`). A ``reject`` (rework) does not stop it:
  the customer has accepted nothing, so the time between the work-done mark and the rejection counts.
  ``cancel`` stops every clock, and so does ``close_unaccepted`` (a resolved ticket closed unaccepted
  because its customer's data was erased: nobody is left to accept it).
* ``response`` is met by the first customer-facing contact (:data:`RESPONSE_ACTIONS`: a visible note to the
  customer, a logged contact, a planned visit — seed 003 响应: 与客户取得联系, 告知预计上门或解决时间), taken
  by staff; a pack may name more steps (``SlaTargets.response_actions``). Triage is not a response.
  ``arrival`` is met by the first ``start_work`` or ``add_visit`` with ``arrived_at``; ``callback`` by the
  first ``record_callback`` after the acceptance. A cancellation (or a complaint's withdrawal) stops every
  clock not met, the callback's too.
* Bases: ``working`` counts working time on the calendar; ``working_days`` is ``N × the calendar's
  working-day length`` of working time (2 working days from Mon 10:00 on an 8-hour day: Wed 10:00);
  ``end_of_day`` is the other reading, "by the end of the N-th following working day" (Mon 10:00 → Wed
  18:00); ``calendar`` counts wall-clock time (the dealer contract's 24 hours).
* Due instants are exact: the earliest instant at which the accrued time equals the target (a window may
  end at 12:00 or 18:00, so may a due). Every instant a status shows is in the calendar's time zone.
* An approved extension (seed 002: 48 h at most, in special cases) is an ``extend_sla`` event whose payload
  names the target (:data:`SLA_EXTENSION_KEY`) and the new limit (``new_limit_seconds``; the target's
  ``extended_to`` when absent); the latest applies. An approval on a clock that counts from a dealer's
  dispatch is that dealer's: it lapses when the ticket leaves the dealer's hands. ``sla_status(...,
  extensions=...)`` accepts approvals held elsewhere.
* A due instant that lies past the calendar's official holiday data (``BusinessCalendar.official_until``)
  is *provisional*: computed on the statutory holidays alone, to be recomputed when the data arrives.

Cost: one pass over the events; then every instant the working targets read is put on the calendar's
working-time line in one ``BusinessCalendar.offsets_us`` call, the measuring is integer arithmetic, and each
working target maps its deadline (and warning) back with ``instant_at`` calls.

The parts, one job each: :mod:`~aftersales.domain.sla_targets` (the targets and one target's status),
:mod:`~aftersales.domain.sla_reading` (the pass over the events), :mod:`~aftersales.domain.sla_measuring`
(the working-time line). This module puts them together (:class:`SlaTimeline`, :func:`sla_status`,
:func:`rederive`, the ticket's :class:`SlaStatus`) and re-exports their public names.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta, tzinfo

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.call_shape import host_factories
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import EPOCH, micros, require_aware
from aftersales.domain.sla_advance import met_running
from aftersales.domain.sla_dispatch import DealerFacts, carried_over_dispatch
from aftersales.domain.sla_measuring import Running, measure
from aftersales.domain.sla_reading import (
    ARRIVAL_STEPS,
    CONTACTED_AT_KEY,
    STEP_CODES,
    STEPS_BUT_ASSIGN,
    is_response,
    read_cycle,
    starts_at_dispatch,
)
from aftersales.domain.sla_targets import (
    BASES,
    RESPONSE_ACTIONS,
    SLA_EXTENSION_KEY,
    STARTS,
    TARGET_NAMES,
    ClockPhase,
    SlaState,
    SlaTarget,
    SlaTargets,
    TargetStatus,
    pending_status,
)
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import CalendarDataMissing, ValidationError

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

# Enum members read through the class cost a metaclass lookup each: the status path uses these.
_RUNNING, _PAUSED = ClockPhase.RUNNING, ClockPhase.PAUSED
_FINAL = frozenset({TicketState.CLOSED.value, TicketState.CANCELLED.value})
_ASSIGNS = frozenset({"assign", "reassign"})
_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


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


@host_factories
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
        "_dealer",
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
        measured: tuple[TargetStatus | Running, ...],
        closed: bool,
        met: tuple[bool, bool] = (False, False),
        dealer: DealerFacts | None = None,
    ) -> None:
        # What the next dispatch's clock reads (see domain.sla_dispatch); None: not known, measured again.
        self._dealer = dealer
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
        light._dues, light._dealer = self._dues, self._dealer
        return light

    def measures(self, targets: SlaTargets, calendar: BusinessCalendar) -> bool:
        """Whether this timeline measured these very ``targets`` on this very ``calendar`` (by identity:
        both are immutable values, and a host that keeps one timeline per ticket asks on every command)."""
        return self._targets is targets and self._calendar is calendar

    def _extends(self, events: Sequence[TicketEvent]) -> bool:
        """True when ``events`` begins with the log this timeline measured (its last event in place)."""
        count = self._count
        last = self._last
        return (
            last is not None
            and len(events) >= count
            and (events[count - 1] is last or events[count - 1] == last)
        )

    def unchanged_by(self, events: Sequence[TicketEvent]) -> bool:
        """True when ``events`` is the measured log followed only by steps that change no clock input, so
        this timeline measures ``events`` too: no step the clock reads (:data:`STEP_CODES`, an assignment
        only when a target starts at the dealer's dispatch, a response or
        arrival step before the response or arrival is met, an extension), no move into or out of a pause
        state, none into or out of a final state. A note or a reserved part then costs no measuring."""
        if not self._extends(events):
            return False
        count = self._count
        last = self._last
        assert last is not None  # _extends: a measured log
        targets = self._targets
        pauses = targets._pause_values
        responses = targets.response_actions
        solutions = targets.resolution_actions
        # An assignment is read only to start a clock that counts from the dealer's dispatch: without
        # such a target, dispatching changes the clocks only through its state (checked below).
        read = STEP_CODES if starts_at_dispatch(targets) else STEPS_BUT_ASSIGN
        state = last.to_state
        for index in range(count, len(events)):
            event = events[index]
            action = event.action
            if (
                action in read
                or action in solutions
                or (action in responses and (not self._responded or CONTACTED_AT_KEY in event.payload))
                or (action in ARRIVAL_STEPS and not self._arrived)
                or (event.payload and SLA_EXTENSION_KEY in event.payload)
            ):
                return False
            after = event.to_state
            if (after in pauses) != (state in pauses) or after in _FINAL or state in _FINAL:
                return False
            state = after
        return True

    def advanced_by(self, events: Sequence[TicketEvent]) -> SlaTimeline | None:
        """This timeline carried on to ``events`` (the measured log and some later events) without
        measuring the log again, or ``None`` when the new events need the full measure.

        Carried on: steps that change no clock input (:meth:`unchanged_by`: this very timeline), and the
        first answer to the customer (:func:`~aftersales.domain.sla_reading.is_response`) while the
        response clock runs, which stops that clock alone at the answer's instant (seed 003 二 3 响应);
        every other clock is as measured (``domain/sla_advance.py``). A contact recorded after the fact
        (``contacted_at``), a pause begun or ended, a final state, an arrival, an extension or a step the
        clock reads go to the full measure, as before."""
        if not isinstance(events, list | tuple):
            raise ValidationError("events must be a sequence of TicketEvent", field="events")
        if not self._extends(events):
            return None
        count = self._count
        last = self._last
        assert last is not None  # _extends: a measured log
        targets = self._targets
        pauses = targets._pause_values
        responses = targets.response_actions
        solutions = targets.resolution_actions
        read = STEP_CODES if starts_at_dispatch(targets) else STEPS_BUT_ASSIGN
        state = last.to_state
        answer: TicketEvent | None = None
        dispatched = False
        for index in range(count, len(events)):
            event = events[index]
            action = event.action
            payload = event.payload
            dispatched = dispatched or action in _ASSIGNS
            if (
                action in read
                or action in solutions
                or (action in ARRIVAL_STEPS and not self._arrived)
                or (payload and SLA_EXTENSION_KEY in payload)
            ):
                return None
            if action in responses:
                if payload and CONTACTED_AT_KEY in payload:
                    return None  # it may answer earlier than the answer measured: the full measure
                if answer is None and not self._responded and is_response(event, responses):
                    answer = event
            after = event.to_state
            if (after in pauses) != (state in pauses) or after in _FINAL or state in _FINAL:
                return None
            state = after
        if answer is None:
            return self
        measured = self._measured
        for index, target in enumerate(targets.targets):
            if target.name == "response":
                item = measured[index]
                if isinstance(item, TargetStatus):
                    return None  # stopped before (work done) or not started: the full measure decides
                try:
                    met = met_running(target, item, answer.at, answer.at_us, self._calendar)
                except CalendarDataMissing:
                    return None  # the full measure raises where a derivation expects it
                if met is None:
                    return None
                measured = (*measured[:index], met, *measured[index + 1 :])
                break
        moved = self.without_events()
        moved._responded = True
        moved._count, moved._last, moved._last_us = len(events), events[-1], events[-1].at_us
        moved._measured = measured
        moved._dues = None
        if dispatched:
            moved._dealer = None  # an assignment passed unread: the dealer holding it is not known
        if self._events is not None:
            moved._events = tuple(events)
        return moved

    def dispatched(
        self, events: Sequence[TicketEvent], targets: SlaTargets, calendar: BusinessCalendar
    ) -> SlaTimeline | None:
        """This timeline carried on to ``events`` (the measured log and later dispatches and steps that
        change no clock input) and the ``targets`` the dispatch brings, without measuring the log again;
        ``None`` when they need the full measure (``domain/sla_dispatch.py`` says which), or when
        ``calendar`` is not the one measured on.

        Why: a dispatch to a dealer gives the ticket the dealer's clock (seed 002, 24 hours from the
        dispatch), other targets than the measured ones; every other clock is as measured."""
        if not isinstance(events, list | tuple):
            raise ValidationError("events must be a sequence of TicketEvent", field="events")
        if not isinstance(targets, SlaTargets):
            raise ValidationError("targets must be SlaTargets", field="targets")
        facts = self._dealer
        if facts is None or calendar is not self._calendar or self._closed or not self._extends(events):
            return None
        carried = carried_over_dispatch(
            self._targets,
            self._measured,
            facts,
            (self._responded, self._arrived),
            self._count,
            self._last_us,
            events,
            targets,
            self._calendar,
            self._extensions,
        )
        if carried is None:
            return None
        moved = self.without_events()
        moved._targets = targets
        moved._measured, moved._dealer = carried
        moved._count, moved._last, moved._last_us = len(events), events[-1], events[-1].at_us
        moved._dues = None
        if self._events is not None:
            moved._events = tuple(events)
        return moved

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
        # Item i is target i's (a running clock's tuple names no target: see Running).
        for target, item in zip(self._targets.targets, self._measured, strict=True):
            if isinstance(item, TargetStatus):
                found[target.name] = item.due_at
                continue
            _, _, budget, _, working, _, _, _, elapsed, _, _, deadline, _, _ = item
            if deadline is None:  # the clock stands with budget left: projected from ``at``
                moving = True
                left = budget - elapsed
                if working:
                    if now_work is None:
                        now_work = calendar.offset_us(at_us) if self._count else 0
                    deadline = calendar.instant_at(now_work + left)
                else:
                    deadline = (EPOCH + _MICROSECOND * (at_us + left)).astimezone(calendar.zone)
            found[target.name] = deadline
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
        for target, item in zip(self._targets.targets, measured, strict=True):
            if isinstance(item, TargetStatus):
                found.append(item)
                continue
            (extended, allowed, budget, warn_amount, working, begin, paused, open_from, elapsed, _,
             warn_at, deadline, provisional, started) = item  # fmt: skip
            now_pos = now_work if working else at_us
            if open_from is None:
                elapsed = now_pos - begin - paused
                phase = _RUNNING
            else:
                paused += now_pos - open_from
                phase = _PAUSED
            if deadline is None:  # the clock stands with budget left: the due moves with the instant
                deadline_at = now_pos + budget - elapsed
                if working:
                    deadline = calendar.instant_at(deadline_at)
                    official = calendar.official_until
                    provisional = official is not None and deadline.date() > official
                else:
                    deadline = (EPOCH + _MICROSECOND * deadline_at).astimezone(zone)
            if warn_at is None:
                warn_at = now_pos + warn_amount - elapsed
            if working:
                warning_at = None
                lazy: tuple[BusinessCalendar, int, int] | None = (calendar, begin, warn_at)
            else:
                warning_at = (EPOCH + _MICROSECOND * warn_at).astimezone(zone)
                lazy = None
            found.append(
                TargetStatus(
                    target,
                    phase,
                    started,
                    deadline,
                    deadline,
                    allowed,
                    _MICROSECOND * elapsed,
                    None,
                    elapsed <= budget and elapsed * whole >= budget * share,
                    extended,
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
    days_zone: tzinfo | None = None,
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
    cycle = read_cycle(log, targets, count)
    if cycle.start is None:  # asked about an instant before the ticket was opened
        pending = tuple(pending_status(t, t.duration) for t in targets.targets)
        return SlaTimeline(log, targets, calendar, approved, pending, False)
    measured = measure(cycle, targets, calendar, approved, days_zone)
    met = (cycle.response_met is not None, cycle.arrival_met is not None)
    dealer = (cycle.held, cycle.caller, bool(cycle.extensions))
    return SlaTimeline(log, targets, calendar, approved, measured, cycle.state in _FINAL, met, dealer)


# -- entry points ----------------------------------------------------------------------------------------

_LAST_YEAR = 9998  # the calendars' last year: a later instant's local day is not representable


def _checked_log(events: object, extensions: object) -> frozenset[str]:
    """The public entry points' own checks (a host calls them with its own values): a sequence of
    ticket events and a collection of target names, else a ``ValidationError`` naming the argument."""
    if not isinstance(events, (list, tuple)) or not all(isinstance(e, TicketEvent) for e in events):
        raise ValidationError("events must be a sequence of TicketEvent", field="events")
    if type(extensions) is not tuple and (  # the default (): no ABC isinstance, a Python-level call
        isinstance(extensions, (str, bytes)) or not isinstance(extensions, Collection)
    ):
        raise ValidationError("extensions must be a collection of target names", field="extensions")
    if not all(isinstance(name, str) for name in extensions):
        raise ValidationError("extensions must be a collection of target names", field="extensions")
    return frozenset(extensions) if extensions else _NO_EXTENSIONS


_NO_EXTENSIONS: frozenset[str] = frozenset()
"""The one empty set of approved extensions: a host keeps a timeline per ticket, and a new empty set in
each was one more object for every full collection of the garbage collector to visit (issue 21)."""


def sla_timeline(
    events: Sequence[TicketEvent],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    *,
    extensions: Collection[str] = (),
    days_zone: tzinfo | None = None,
) -> SlaTimeline:
    """The ticket's clocks measured from its whole event log (see :class:`SlaTimeline`); its
    ``status(at)`` equals ``sla_status(events, targets, calendar, at, extensions=extensions)``.

    ``days_zone`` is where a target in ``calendar_days`` counts its local days (the desk's zone, as the
    callback task does); the calendar's zone by default."""
    approved = _checked_log(events, extensions)
    if not isinstance(targets, SlaTargets):
        raise ValidationError("targets must be SlaTargets", field="targets")
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    return _timeline(events, targets, calendar, approved, days_zone=days_zone)


def sla_status(
    events: Sequence[TicketEvent],
    targets: SlaTargets,
    calendar: BusinessCalendar,
    at: datetime,
    *,
    extensions: Collection[str] = (),
    days_zone: tzinfo | None = None,
) -> SlaStatus:
    """The status of every target in ``targets`` at instant ``at``, from the ticket's ``events``.

    Only events at or before ``at`` count, so asking about a past instant gives the status as it was then.
    ``extensions`` names targets whose extension (to their ``extended_to``) was approved outside the event
    log. Raises ``CalendarDataMissing`` when the calendar has no data for an instant involved.
    """
    require_aware(at, "at")
    if not 1 < at.year <= _LAST_YEAR:
        raise ValidationError(f"at must lie in the years 2–{_LAST_YEAR}", field="at")
    approved = _checked_log(events, extensions)
    if not isinstance(targets, SlaTargets):
        raise ValidationError("targets must be SlaTargets", field="targets")
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    at_us = micros(at)
    return _timeline(events, targets, calendar, approved, at_us, days_zone)._status(at, at_us)


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
