"""A priority changed during a cycle: which targets the ticket's clocks then measure.

Seed 003 grades a request (分级处理: 普通、加急、特急) and promises a response and a visit time for its grade
(Y个工作小时内响应,并告知预计上门或解决时间). A grade raised later — at triage, two hours after the call —
is a new promise made then; judging the two hours already gone against the tighter grade would put the
ticket in breach at the instant it was raised, a breach nobody could have avoided. The rules:

* A tightened target (the new grade's limit, counted from the call, is shorter than the one in force)
  counts the new limit from the change, and never ends later than the limit in force did: the effective
  budget from the call is ``min(A, e + B)``, with ``A`` the limit in force, ``e`` the clock time used at
  the change (pauses excluded) and ``B`` the new limit counted from the change.
* A loosened target (a grade lowered) counts the new limit from the call: the customer has waited since
  then. A target already breached when the grade changes keeps its breach (``A`` stays).
* A target whose limit the grade does not change, one that starts later (the callback, the dealer's
  24 hours from its dispatch), one that may be extended, or one whose new limit is counted on another
  line (wall-clock against working time) is left as the policy sets it; so is one the new grade's
  policy counts from the call whatever the grade's history (``urgent``: seed 001's urgent contact,
  立即响应,并在[X]分钟内与客户取得联系 — a problem found urgent at its assessment still owes its contact
  within the minutes of the call, session 29; since session 34 its other responses count on the same
  wall clock, so the line alone no longer tells it apart).

The effective target is counted on the same line as before (``working`` or ``calendar``) with the
effective budget as its duration, so every reader (the stored due times, ``desk.sla``, the sweep, the
reports) measures it from the call like any other target. Pure: no I/O, no clock reads.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import duration_us, end_of_local_days, micros
from aftersales.domain.sla_clock import SlaStatus, SlaTarget, SlaTargets, sla_status
from aftersales.domain.sla_targets import WALL_BASES, ClockPhase

__all__ = ["retarget"]

_MICROSECOND = timedelta(microseconds=1)


def _budget_from(target: SlaTarget, moment: datetime, calendar: BusinessCalendar) -> int:
    """``target``'s limit counted from ``moment``, in µs of its line (working or wall-clock time)."""
    basis = target.basis
    if basis == "working_days":
        return target.duration.days * duration_us(calendar.working_day_length)
    if basis == "end_of_day":
        return duration_us(calendar.between(moment, calendar.add_days(moment, target.duration.days)))
    if basis == "calendar_days":
        return micros(end_of_local_days(moment, target.duration.days, calendar.zone)) - micros(moment)
    return target.duration_us


def _cycle_start(events: Sequence[TicketEvent]) -> datetime:
    for event in reversed(events):
        if event.action in ("opened", "reopen"):
            return event.at
    return events[0].at


def retarget(
    events: Sequence[TicketEvent],
    in_force: SlaTargets,
    previous: SlaTargets,
    new: SlaTargets,
    calendar: BusinessCalendar,
    changed_at: datetime,
    urgent: Collection[str] = (),
) -> tuple[SlaTargets, tuple[str, ...]]:
    """The targets after a priority change at ``changed_at``, and the names of those counted from it.

    ``in_force`` are the targets measured until the change (already adjusted for earlier changes),
    ``previous`` the policy's targets for the priority before the change, ``new`` its targets for the
    priority after it; ``events`` the ticket's log up to the change; ``urgent`` the names of the new
    targets the policy counts from the call (an urgent contact). See the module docstring.
    """
    status: SlaStatus | None = None
    start = _cycle_start(events)
    found: list[SlaTarget] = []
    recounted: list[str] = []
    for target in new.targets:
        name = target.name
        before = previous.get(name)
        held = in_force.get(name)
        if before == target:  # the grade does not change this limit: it runs on as it was
            found.append(held if held is not None else target)
            continue
        wall = target.basis in WALL_BASES
        if (
            held is None
            or name in urgent
            or name == "callback"
            or target.start != "opened"
            or held.start != "opened"
            or target.extended_to is not None
            or held.extended_to is not None
            or wall != (held.basis in WALL_BASES)
        ):
            found.append(target)
            continue
        if status is None:
            status = sla_status(events, in_force, calendar, changed_at)
        old = status.get(name)
        if old is None or old.phase is ClockPhase.PENDING:
            found.append(target)
            continue
        limit = duration_us(old.budget)
        used = duration_us(old.elapsed)
        from_call = _budget_from(target, start, calendar)
        if from_call < limit:  # tightened: the new limit counts from the change
            budget = min(limit, used + _budget_from(target, changed_at, calendar))
            recounted.append(name)
        else:  # loosened: from the call, unless the limit in force was already broken
            budget = limit if used > limit else from_call
        found.append(SlaTarget(name, _MICROSECOND * budget, "calendar" if wall else "working"))
    return attrs.evolve(new, targets=tuple(found)), tuple(recounted)
