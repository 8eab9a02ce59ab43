"""Measuring SLA clocks on the working-time line: elapsed time, pauses, due and warning instants of every
target, from one read of the event log (see :mod:`aftersales.domain.sla_clock`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, tzinfo
from typing import Any

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.instants import EPOCH, duration_us, end_of_local_days, micros
from aftersales.domain.sla_reading import Cycle
from aftersales.domain.sla_targets import (
    WALL_BASES,
    ClockPhase,
    SlaTarget,
    SlaTargets,
    TargetStatus,
    pending_status,
)

__all__ = ["Running", "measure", "started_running"]

_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


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


def _ended(cycle: Cycle) -> int | None:
    """Where the cycle ended with its resolution (and callback) unmet: the cancellation or withdrawal,
    or a resolved ticket closed unaccepted (its customer's data erased); ``None`` while it runs on."""
    return cycle.cancelled_at if cycle.cancelled_at is not None else cycle.unaccepted_at


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


Running = tuple[
    bool,  # extended: the target's extension applies
    timedelta,  # allowed: the clock's budget as a duration
    int,  # budget: on the target's line (µs)
    int,  # warn_amount: clock time at which it warns
    bool,  # working: on the working-time line (else the wall clock)
    int,  # begin: where the clock started
    int,  # paused: the closed pauses inside the window
    int | None,  # open_from: where a pause still open started (the clock stands)
    int,  # elapsed: fixed while a pause is open
    int | None,  # deadline_at: the budget's end when fixed (None: projected from the instant asked)
    int | None,  # warn_at: the warning's end when fixed
    datetime | None,  # deadline: deadline_at as an instant
    bool,  # provisional: the deadline lies past the calendar's official data
    datetime | None,  # started: the wall-clock start (wall targets only)
]
"""A target whose clock runs (or is paused) at the end of the log: what its status at a later instant
needs, measured once. Offsets are on the target's line (working time, or µs for ``calendar``); the target
is the one at the same position in the targets measured (:func:`measure` gives one item per target).

A plain tuple of ints, bools, ``None``, datetimes and durations, not an object: a desk keeps one per
running clock of every live ticket it has measured, and CPython stops tracking such a tuple at its first
garbage collection, so no later collection walks it (issue 21: an object with slots was walked by every
full collection, and made again by every command that measures).

``paused`` is the closed pauses inside the window; ``open_from`` where a pause still open started
(then the clock stands: ``elapsed`` is fixed); ``deadline_at``/``warn_at`` the budget's and the
warning's end when they no longer move with the instant asked about (``None``: projected from it).
"""


def measure(
    cycle: Cycle,
    targets: SlaTargets,
    calendar: BusinessCalendar,
    approved: Collection[str],
    days_zone: tzinfo | None = None,
) -> tuple[TargetStatus | Running, ...]:
    """Every target measured up to the last event read: a final status for a target whose clock has
    stopped (met, stopped, not started), a :class:`Running` for one whose clock still runs or stands.

    The working targets' instants go on the calendar's working-time line in one ``offsets_us`` call;
    ``position[i]`` is then the offset (µs) of the cycle's instant ``i`` and ``spans`` the pauses on the
    same line. Offsets are monotonic in time, so clipping a pause to a target's window is done on them.
    ``days_zone`` is where a ``calendar_days`` target counts its local days (the desk's zone, which the
    callback task uses too); the calendar's zone when ``None``.
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
    found: list[TargetStatus | Running] = []
    for target in targets.targets:
        name = target.name
        duration = target.duration
        extended = False
        if target.extended_to is not None and (name in extensions or name in approved):
            extended = True
            limit = extensions.get(name)
            duration = target.extended_to if limit is None else _MICROSECOND * limit
        basis = target.basis
        wall = basis in WALL_BASES
        if wall:
            position = instants
            spans = _spans(gaps, instants) if gaps and name != "callback" else working_spans
        else:
            position, spans = working, working_spans
        if name == "callback":
            start = resolved
            if target.start == "work_done":
                # seed 003: from the result's entry, running before the slip is recorded (the callback
                # is planned then); a rejection undoes the entry and the clock waits for the next one
                start = cycle.done_at
            met, spans = cycle.callback_met, []
            # Cancelled or withdrawn after the work was done: there is no callback to make any more.
            stop = met if met is not None else _ended(cycle)
        else:
            start = cycle.dealer_at if target.start == "dealer_dispatch" else cycle.start
            if name == "resolution" or name == "dealer_resolution":
                met = cycle.solution_at if targets.resolution_actions else resolved
                stop = met if met is not None else _ended(cycle)
            else:
                met = cycle.response_met if name == "response" else cycle.arrival_met
                stop = met
                if stop is None:
                    stop = cycle.cancelled_at if cycle.cancelled_at is not None else cycle.done_at
            if met is not None and start is not None and met < start and met < count:
                met = stop = start  # met before this clock started (e.g. a response before the dispatch)
        if start is None:
            found.append(
                targets._pending[name] if duration is target.duration else pending_status(target, duration)
            )
            continue
        if basis == "working" or basis == "calendar":
            budget = duration_us(duration) if extended else target.duration_us
            allowed = duration
        elif basis == "calendar_days":  # through the end of the N-th local day after the start's day
            moment = cycle.moment(start)
            days_in = zone if days_zone is None else days_zone
            budget = micros(end_of_local_days(moment, duration.days, days_in)) - micros(moment)
            allowed = _MICROSECOND * budget
        else:
            if basis == "working_days":
                budget = duration.days * duration_us(calendar.working_day_length)
            else:  # end_of_day
                moment = cycle.moment(start)
                budget = duration_us(calendar.between(moment, calendar.add_days(moment, duration.days)))
            allowed = _MICROSECOND * budget
        begin = position[start]
        warn_amount = -(-budget * share // whole)
        started: datetime | None = None
        if wall:
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
        if wall:
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
) -> Running:
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
    working = target.basis not in WALL_BASES
    deadline: datetime | None = None
    provisional = False
    if deadline_at is not None:
        if working:
            deadline = calendar.instant_at(deadline_at)
            official = calendar.official_until
            provisional = official is not None and deadline.date() > official
        else:
            deadline = (EPOCH + _MICROSECOND * deadline_at).astimezone(calendar.zone)
    return (
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


def started_running(
    target: SlaTarget,
    allowed: timedelta,
    budget: int,
    warn_amount: int,
    begin: int,
    started: datetime | None,
    calendar: BusinessCalendar,
) -> Running:
    """``target``'s clock (not extended) running from ``begin`` with no pause since, as :func:`measure`
    gives it: a pause that ended before ``begin`` takes nothing from the window (a dispatch's clock,
    ``domain/sla_dispatch.py``)."""
    return _running(target, False, allowed, budget, warn_amount, begin, [], started, calendar)
