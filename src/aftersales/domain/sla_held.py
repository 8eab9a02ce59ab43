"""Breaches a calendar change does not undo: the due times a ``recalculate_sla`` step kept.

Seeds 003 and 004 judge the service on its response and resolution times (考核); a breach announced to
the managers is a fact of the month it happened in. A working calendar that later gains a day off (a
holiday announced after the fact, a corrected holiday file) moves every due time counted over that day,
and a breach already announced would quietly disappear from the ledger, the KPIs and the sweep. So when
the due times are recomputed, a target whose breach was announced keeps the due time it passed: the
``recalculate_sla`` event records it under :data:`HELD_KEY` (target name → ISO instant), and every later
derivation and status of the ticket holds it — until the clock restarts (a reopen) or its limit is
extended (``extend_sla``: a special case approved, seed 002), which the new calendar then counts.

A held due belongs to the clock that was running when it was held: a target whose clock started at
or after the holding step's instant is another clock and holds nothing. Seed 002 (分工 6:
乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24小时之内给用户解决问题): a dealer's 24 hours run
from the office's notice, so a job passed to a dealer — another dealer, or the first one again after
someone else held it — starts a clock no earlier breach marks late. The customer-facing response and
resolution targets (seeds 001/003), counted from the call, do not restart on a dispatch and keep what
they held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

import attrs

from aftersales.domain.events import TicketEvent
from aftersales.domain.sla_targets import SLA_EXTENSION_KEY, TargetStatus
from aftersales.errors import CalendarDataMissing

if TYPE_CHECKING:
    from aftersales.domain.calendar import BusinessCalendar
    from aftersales.domain.sla_clock import SlaStatus

__all__ = ["HELD_KEY", "HELD_TARGETS", "HOLDING_STEPS", "HeldDue", "held_dues", "still_held", "with_held"]

_TICK = timedelta(microseconds=1)

HELD_KEY = "held_breaches"
"""The key of a ``recalculate_sla`` event's payload naming the targets whose breached due it kept."""

HELD_TARGETS = ("response", "resolution")
"""The stored targets a recalculation may hold (those the ledger, the KPIs and the sweep read)."""

HOLDING_STEPS = frozenset({"recalculate_sla", "reclassify"})
"""The steps whose payload may name held breaches: a new calendar's recalculation, and a request
reclassified into a category with longer targets (session 21)."""


class HeldDue(NamedTuple):
    """A due time a step held (``due``: the one the announced breach passed) and when it held it."""

    due: datetime
    held_at: datetime


def held_dues(events: Iterable[TicketEvent]) -> dict[str, HeldDue]:
    """The due times held since the ticket's last reopen (target name → the due its breach passed, and
    the step's instant); :func:`still_held` keeps those of the clocks running now."""
    held: dict[str, HeldDue] = {}
    for event in events:
        action, payload = event.action, event.payload
        if action == "reopen":
            held.clear()
        elif action == "extend_sla" and payload:
            named = payload.get(SLA_EXTENSION_KEY)
            for name in [named] if isinstance(named, str) else named if isinstance(named, list) else []:
                held.pop(str(name), None)
        elif action in HOLDING_STEPS and payload:
            kept = payload.get(HELD_KEY)
            if isinstance(kept, dict):
                for name, at in kept.items():
                    if name in HELD_TARGETS and isinstance(at, str):
                        held[name] = HeldDue(datetime.fromisoformat(at), event.at)
    return held


def still_held(held: Mapping[str, HeldDue], status: SlaStatus) -> dict[str, datetime]:
    """The held dues of ``status``'s clocks: a target whose clock started at or after the instant its
    due was held (a dealer's 24 hours run from the dispatch that passed it the job, seed 002) holds
    nothing."""
    kept: dict[str, datetime] = {}
    for name, entry in held.items():
        target = status.get(name)
        started = target.started_at if target is not None else None
        # The held clock started before the due it broke, which was before the hold: one started at
        # the holding instant or later (a dispatch logged right after the hold) is another clock.
        if started is None or started < entry.held_at:
            kept[name] = entry.due
    return kept


def with_held(status: SlaStatus, held: Mapping[str, HeldDue], calendar: BusinessCalendar) -> SlaStatus:
    """``status`` with each held target (of its clock running now: :func:`still_held`) due at its held
    instant, when that is earlier than the due the calendar now gives: past it (unmet, or met after it)
    the target is breached, by the working time from the held due to its end as the calendar counts it
    (at least a microsecond: the breach was announced, so it stays one even when the new day off covers
    all of it)."""
    if not held:
        return status
    dues = still_held(held, status)
    targets: list[TargetStatus] = []
    for target in status.targets:
        due = dues.get(target.name)
        if due is None or target.due_at is None or target.due_at <= due:
            targets.append(target)
            continue
        end = target.met_at if target.met_at is not None and target.met_at < status.at else status.at
        if end <= due:  # before the held due (or met by it): due then, not breached
            targets.append(attrs.evolve(target, deadline=due, due_at=due))
            continue
        try:
            over = max(calendar.between(due, end), _TICK)
        except CalendarDataMissing:  # past the calendar's data: the breach, not its size, is known
            over = _TICK
        elapsed = max(target.elapsed, target.budget + over)
        targets.append(attrs.evolve(target, deadline=due, due_at=due, elapsed=elapsed, warning=False))
    return attrs.evolve(status, targets=tuple(targets))
