"""A running response clock met by a new event, from the clock as measured before (no second pass).

Why: most commands on a live ticket add one event to a log already measured. A step that changes no clock
input keeps the measured clocks (``SlaTimeline.unchanged_by``); the first answer to the customer (a note,
a logged contact: seed 003 二 3 响应, 与客户取得联系) changes one clock only: the response, which stops
at that instant. Its status follows from the running clock's measured figures (start, closed pauses,
budget and warning ends on its line) and the answer's instant alone, the figures :func:`measure` gives
for the whole log (``tests/unit/test_sla_advance_s34c.py`` checks both ways on the China calendar).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.instants import EPOCH
from aftersales.domain.sla_measuring import Running
from aftersales.domain.sla_targets import ClockPhase, SlaTarget, TargetStatus

__all__ = ["met_running"]

_MET = ClockPhase.MET
_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def met_running(
    target: SlaTarget, item: Running, at: datetime, at_us: int, calendar: BusinessCalendar
) -> TargetStatus | None:
    """``target``'s status once met at ``at`` (``at_us``), from ``item``, its clock measured running up to
    an earlier event; ``None`` when the figures do not settle it (a pause still open: the clock stands,
    the full measure decides). ``at`` is after every pause ``item`` holds (all closed before it)."""
    (extended, allowed, _, _, working, begin, paused, open_from, _, deadline_at, warn_at,
     deadline, provisional, started) = item  # fmt: skip
    if open_from is not None or deadline_at is None or warn_at is None or deadline is None:
        return None
    finish = calendar.offset_us(at_us) if working else at_us
    if finish < begin:
        return None
    # Every pause ended before ``finish``: the budget's and the warning's ends measured on the running
    # clock are where they fall with the clock stopped at ``finish`` (both accrue past the same pauses).
    elapsed = finish - begin - paused
    zone = calendar.zone
    if working:
        warning_at = None
        lazy: tuple[BusinessCalendar, int, int] | None = (calendar, begin, warn_at)
    else:
        warning_at = (EPOCH + _MICROSECOND * warn_at).astimezone(zone)
        lazy = None
    return TargetStatus(
        target,
        _MET,
        started,
        deadline,
        deadline,
        allowed,
        _MICROSECOND * elapsed,
        at if at.tzinfo is zone else at.astimezone(zone),
        False,
        extended,
        _MICROSECOND * paused if paused else _ZERO,
        warning_at,
        provisional,
        lazy,
    )
