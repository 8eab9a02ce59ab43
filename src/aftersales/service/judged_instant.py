"""The instant a job judges what is due, late or old at: the one it is given, never ahead of the clock.

The jobs pass the ``now`` a host runs them at (:meth:`aftersales.service.jobs.Jobs.run_due`), so a host
catching up, or a suite replaying a month, has each record judged at that instant. Ahead of the clock
the jobs would act on what has not happened: delete records younger than the pack keeps them (a
retention no caller may shorten: ``keep``/``older_than`` may only restate it), charge a part before its
return deadline (seed 002: 若在规定时间内未退料…需收取相关费用), announce a breach that may never come, or
send a month's feedback before the month is over — each once, for good. So it is refused, beyond the
:data:`~aftersales.service.clock_skew.CLOCK_SKEW` two processes' clocks may differ by.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.errors import ValidationError
from aftersales.service.clock_skew import CLOCK_SKEW

__all__ = ["judged_at"]


def judged_at(at: datetime | None, now: datetime, field: str = "at") -> datetime:
    """``at``, or the clock's ``now`` without it; an ``at`` later than ``now`` by more than the clock skew
    is a ``ValidationError`` naming ``field`` (nothing is done)."""
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        raise ValidationError(
            f"{field} is the instant a job judges what is due, late or old at: not ahead of the clock "
            f"({now.isoformat()}), got {at.isoformat()}",
            field=field,
        )
    return at
